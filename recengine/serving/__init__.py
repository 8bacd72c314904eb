"""Serving: answers recommendation requests from in-memory state.

The learned engine serves when a model version is active; the popularity baseline
serves otherwise and during a dedicated replay.
"""

from recengine.serving.baseline import PopularityBaseline
from recengine.serving.service import (
    dedicated,
    flush_exposures,
    log_events,
    observe,
    recommend,
    reset,
    run_in_web_worker,
    runtime,
)
from recengine.serving.types import RecommendationResult, ServedItem

__all__ = [
    "PopularityBaseline",
    "RecommendationResult",
    "ServedItem",
    "dedicated",
    "flush_exposures",
    "log_events",
    "observe",
    "recommend",
    "reset",
    "run_in_web_worker",
    "runtime",
]
