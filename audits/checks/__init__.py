"""Automated checks: metric functions by catalogue name, and their evaluation.

``registry.METRICS`` maps a catalogue metric name to a function of the audit
context; importing this package registers every metric the built system can
evidence. A metric whose inputs do not exist yet is simply absent, and its checks
come out "not assessed: metric not available".
"""

from audits.checks import (
    governance_metrics,
    moderation_metrics,
    platform_metrics,
    rights_metrics,
    table1_metrics,
)
from audits.checks.registry import METRICS, AuditContext, Measurement

__all__ = [
    "METRICS",
    "AuditContext",
    "Measurement",
    "governance_metrics",
    "moderation_metrics",
    "platform_metrics",
    "rights_metrics",
    "table1_metrics",
]
