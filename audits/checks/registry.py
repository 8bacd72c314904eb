"""The one place where a catalogue metric name meets the code that measures it.

A metric function takes the ``AuditContext`` and returns a ``Measurement``: the
value, the sample it rests on and the evidence a reader needs to repeat it (the
query in words, ids of offending records). It raises ``MetricUnavailable`` when
the system holds no data it could be measured from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd
from django.db import connection

from audits.metrics.loaders import (
    Period,
    exposure_summary,
    item_exposures,
    list_diversity_by_viewer,
    merchant_exposures,
)

# How many offending ids a finding carries as evidence; the count is always exact.
SAMPLE_IDS = 20
# Connections that scan the log beside the audit's own. Each holds a server process
# and its sort memory; two beside the audit's own keep a small server's cores busy.
BACKGROUND_CONNECTIONS = 2


class MetricUnavailable(Exception):
    """The metric cannot be measured on this system or period; says why."""


@dataclass(frozen=True)
class Measurement:
    value: float
    sample: int
    query: str
    sample_ids: list[Any] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)

    def evidence(self) -> dict[str, Any]:
        return {"query": self.query, "sample_ids": self.sample_ids[:SAMPLE_IDS]}


@dataclass
class AuditContext:
    """What every metric may read: the period, the moment of the audit, settings."""

    period: Period
    now: dt.datetime
    run_id: int | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    _background: dict[str, Future] = field(
        default_factory=dict, repr=False, compare=False
    )
    _scans: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def table1(self) -> dict[str, object]:
        # Imported here: Table 1 is computed once per run, and only when a check
        # asks for one of its metrics.
        from audits.checks.table1_metrics import compute_for_context

        return compute_for_context(self)

    def start_background(self, scans: dict[str, Callable[[Period], Any]]) -> None:
        """Begin the slowest scans of the log on other database connections, in
        the order given, while the checks run on this one; ``scan`` collects
        their results.

        Only on PostgreSQL outside a transaction: another connection would not see
        rows of an open transaction, and SQLite serialises its connections anyway.
        """
        if self._background or not _may_fork_queries():
            return
        executor = ThreadPoolExecutor(
            max_workers=min(len(scans), BACKGROUND_CONNECTIONS),
            thread_name_prefix="audit",
        )
        self._background = {
            name: executor.submit(_on_own_connection, function, self.period)
            for name, function in scans.items()
        }
        executor.shutdown(wait=False)

    def scan(self, name: str, function: Callable[[Period], Any]) -> Any:
        """``function(period)``, or what the background scan ``name`` found."""
        if name not in self._scans:
            future = self._background.get(name)
            self._scans[name] = (
                future.result() if future is not None else function(self.period)
            )
        return self._scans[name]

    @property
    def list_diversity(self) -> pd.DataFrame:
        """Per viewer: served lists and their diversity summed (Table 1)."""
        return self.scan("list_diversity", list_diversity_by_viewer)

    @cached_property
    def exposures(self) -> pd.DataFrame:
        """The period's impressions per (product, room, model version): see
        ``audits.metrics.loaders.exposure_summary``."""
        return exposure_summary(self.period)

    @cached_property
    def exposure_total(self) -> int:
        return int(self.exposures["exposures"].sum())

    @cached_property
    def merchant_exposures(self) -> pd.Series:
        """Exposures of every eligible merchant in the period, zeros included."""
        items = item_exposures(self.period, self.exposures)
        return merchant_exposures(self.period, items)


def sample_event_ids(offending, count: int) -> list[str]:
    """Ids of the first offending events; no second scan when none offends."""
    if not count:
        return []
    return list(offending.values_list("event_id", flat=True)[:SAMPLE_IDS])


def _may_fork_queries() -> bool:
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def _on_own_connection(work, *args):
    """Run ``work`` in this thread's own connection, sized like the audit's, and
    close that connection afterwards."""
    from audits.services.runs import sorting_memory

    try:
        with sorting_memory():
            return work(*args)
    finally:
        connection.close()


MetricFunction = Callable[[AuditContext, dict[str, Any]], Measurement]
METRICS: dict[str, MetricFunction] = {}


def metric(name: str) -> Callable[[MetricFunction], MetricFunction]:
    """Register ``function`` as the measure of catalogue metric ``name``."""

    def register(function: MetricFunction) -> MetricFunction:
        if name in METRICS:
            raise ValueError(f"metric {name} registered twice")
        METRICS[name] = function
        return function

    return register


def measure(name: str, context: AuditContext, check: dict[str, Any]) -> Measurement:
    function = METRICS.get(name)
    if function is None:
        raise MetricUnavailable("metric not available")
    return function(context, check)
