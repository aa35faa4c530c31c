"""Each question in the report: how it is solved, and what its section needs (one module per question)."""
