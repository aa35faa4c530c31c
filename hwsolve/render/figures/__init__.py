"""matplotlib (Agg) figures: PNG for Markdown, PDF for LaTeX, under build/figures/."""
