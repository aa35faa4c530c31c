"""One Solution dataclass per question: at once the JSON output and the
template context. Each module exposes solve_qN(...) -> QNSolution."""
