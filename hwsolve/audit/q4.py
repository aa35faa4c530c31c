"""Audit of Q4: the submitted table and code against hwsolve's runs.

Filled in when the Q4 solution lands; until then the audit says Q4 is not
compared.
"""

from __future__ import annotations

from typing import Any

from hwsolve.audit.compare import AuditSection, CodeDifference


def audit_q4(solution: Any) -> tuple[AuditSection, list[CodeDifference]]:
    return AuditSection("Q4: the MNIST table", missing="The Q4 comparison is not yet available."), []
