"""The course tool: per-student variants with verified keys, answer sheets, grading and mistake diagnosis."""
