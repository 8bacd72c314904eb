"""Response times added up per minute in memory, and written as histograms."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from recengine.models import ServingLatency
from recengine.models.serving_stats import (
    BUCKETS,
    LATENCY_EDGES_MS,
    bucket_of,
    percentile_ms,
)
from recengine.serving.latency import LatencyLog

T0 = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


def test_bucket_edges_grow_by_ten_percent_from_half_a_millisecond_to_ten_seconds():
    ratios = [b / a for a, b in itertools.pairwise(LATENCY_EDGES_MS)]

    assert LATENCY_EDGES_MS[0] == 0.5
    assert 10_000 <= LATENCY_EDGES_MS[-1] < 11_000
    assert all(1.099 <= ratio <= 1.101 for ratio in ratios)
    assert len(LATENCY_EDGES_MS) + 1 == BUCKETS


def test_a_response_counts_in_the_bucket_whose_upper_edge_bounds_it():
    assert bucket_of(0.1) == 0
    assert bucket_of(0.5) == 0
    assert bucket_of(0.51) == 1
    edge = LATENCY_EDGES_MS[bucket_of(37.0)]
    assert 37.0 <= edge < 37.0 * 1.1
    assert bucket_of(60_000) == BUCKETS - 1


def test_p99_is_the_upper_edge_of_the_bucket_reaching_99_percent():
    fast, slow = bucket_of(20.0), bucket_of(900.0)
    counts = [0] * BUCKETS

    counts[fast], counts[slow] = 990, 10
    assert percentile_ms(counts, 0.99, max_ms=2_000) == LATENCY_EDGES_MS[fast]

    counts[fast], counts[slow] = 980, 20
    assert percentile_ms(counts, 0.99, max_ms=2_000) == LATENCY_EDGES_MS[slow]
    # An edge above the slowest answer recorded is bounded by that answer.
    assert percentile_ms(counts, 0.99, max_ms=900.0) == 900.0


def test_beyond_the_last_edge_the_slowest_answer_is_the_percentile():
    counts = [0] * BUCKETS
    counts[-1] = 5

    assert percentile_ms(counts, 0.5, max_ms=42_000) == 42_000
    with pytest.raises(ValueError, match="no response"):
        percentile_ms([0] * BUCKETS, 0.99, max_ms=0)


def test_samples_add_up_per_minute_scene_and_strategy():
    log = LatencyLog()
    log.add("live_feed", "personalised", 12.0, T0 + dt.timedelta(seconds=5))
    log.add("live_feed", "personalised", 30.0, T0 + dt.timedelta(seconds=59))
    log.add("product_feed", "personalised", 8.0, T0 + dt.timedelta(seconds=10))
    log.add("live_feed", "personalised", 9.0, T0 + dt.timedelta(minutes=1))

    rows = log.drain(before=T0 + dt.timedelta(minutes=1))

    assert log.pending == 1
    by_scene = {row.scene: row for row in rows}
    assert set(by_scene) == {"live_feed", "product_feed"}
    live = by_scene["live_feed"]
    assert (live.minute, live.count, live.total_ms, live.max_ms) == (T0, 2, 42.0, 30.0)
    assert live.buckets[bucket_of(12.0)] == 1
    assert live.buckets[bucket_of(30.0)] == 1
    assert sum(live.buckets) == 2
    assert len(live.buckets) == BUCKETS


def test_a_minute_is_the_utc_minute_whatever_zone_the_clock_reads():
    log = LatencyLog()
    shanghai = dt.timezone(dt.timedelta(hours=8))
    log.add("live_feed", "popularity", 5.0, T0.astimezone(shanghai))
    log.add("live_feed", "popularity", 6.0, T0 + dt.timedelta(seconds=30))

    (row,) = log.drain()

    assert row.minute == T0
    assert row.count == 2


def test_memory_is_bounded_by_dropping_the_oldest_minutes():
    log = LatencyLog(max_minutes=2)
    for minute in range(3):
        log.add("live_feed", "popularity", 5.0, T0 + dt.timedelta(minutes=minute))

    minutes = sorted(row.minute for row in log.drain())

    assert minutes == [T0 + dt.timedelta(minutes=1), T0 + dt.timedelta(minutes=2)]


@pytest.mark.django_db
def test_flush_writes_one_row_per_minute_and_keeps_what_the_database_refuses(
    monkeypatch,
):
    log = LatencyLog()
    log.add("live_feed", "popularity", 5.0, T0)
    log.add("live_feed", "popularity", 7.0, T0 + dt.timedelta(minutes=1))
    real_create = ServingLatency.objects.bulk_create

    def refuse(rows, **kwargs):
        raise RuntimeError("database unavailable")

    monkeypatch.setattr(ServingLatency.objects, "bulk_create", refuse)
    with pytest.raises(RuntimeError):
        log.flush()
    assert log.pending == 2

    # An answer of the same minute arrives before the retry: it joins the row.
    log.add("live_feed", "popularity", 9.0, T0)
    monkeypatch.setattr(ServingLatency.objects, "bulk_create", real_create)
    assert log.flush() == 2

    assert log.pending == 0
    rows = ServingLatency.objects.order_by("minute")
    assert [(row.minute, row.count) for row in rows] == [
        (T0, 2),
        (T0 + dt.timedelta(minutes=1), 1),
    ]
    assert rows[0].max_ms == 9.0
    assert rows[0].total_ms == 14.0
