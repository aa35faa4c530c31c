"""torch float64 cross-checks: autograd recomputes what derive/ produced."""
