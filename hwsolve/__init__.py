"""hwsolve: derive, verify, run and typeset the Deep Learning HW2 solution.

Stages (one folder each): problem -> derive (SymPy) -> check (torch, float64)
-> solutions (plain dataclasses) -> render (Jinja2, matplotlib, latexmk).
experiments/ holds the torch training runs whose results land in build/.
"""

__version__ = "0.1.0"
