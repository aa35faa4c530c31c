"""Rendering: number formatting, Jinja2 environments, figures, documents."""
