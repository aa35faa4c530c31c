"""torch training runs (Q1c, Q1d, Q2, Q4); results land under build/."""
