"""Given values of each question as frozen dataclasses; defaults are the homework's."""
