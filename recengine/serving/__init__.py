"""Serving: answers recommendation requests from in-memory state.

Until the learned engine lands, the popularity baseline serves every scene; a learned
strategy replaces it by providing the same ``rank``/``observe`` interface.
"""

from recengine.serving.baseline import PopularityBaseline
from recengine.serving.service import (
    dedicated,
    flush_exposures,
    log_events,
    recommend,
    reset,
)
from recengine.serving.types import RecommendationResult, ServedItem

__all__ = [
    "PopularityBaseline",
    "RecommendationResult",
    "ServedItem",
    "dedicated",
    "flush_exposures",
    "log_events",
    "recommend",
    "reset",
]
