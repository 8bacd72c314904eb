"""Metrics of Table 1 of the standard (clause 8.1).

Pure functions over arrays and frames live in ``business``, ``experience``,
``ecosystem``, ``fairness`` and ``inequality``; ``loaders`` aggregates the event
log in the database; ``table1.compute_table1`` puts them together for a period.
``DEFINITIONS`` says how each is computed, in Chinese and English.
"""

from audits.metrics.definitions import DEFINITIONS

__all__ = ["DEFINITIONS"]
