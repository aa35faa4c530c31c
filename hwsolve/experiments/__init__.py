"""The experiments: torch training runs (Q1c, Q1d, Q4 in mnist/) and the numpy fits of Q2; results land under build/."""
