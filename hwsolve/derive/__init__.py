"""Pure SymPy derivations (no torch): every symbolic result hwsolve states."""
