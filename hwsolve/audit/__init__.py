"""Audit of the submitted solution: its transcribed values compared with ours."""
