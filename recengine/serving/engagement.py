"""Recent engagement per item as exponentially decayed counts.

A count decays with a half-life, so yesterday's clicks weigh half of today's. Sums
are kept relative to a reference moment (``origin``): adding an event multiplies its
weight by ``2 ** ((t - origin) / half_life)`` once, and reading the scores at ``now``
multiplies every total by the same factor. The ranking therefore never needs a
per-request pass over the totals, and the origin moves forward before the factors
could overflow.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
from django.db.models import Count
from django.db.models.functions import TruncDay

from recengine.models import Event, EventKind

HALF_LIFE = dt.timedelta(days=1)
# Weight of each kind of engagement in the popularity score: an order says more
# about an item than a click.
WEIGHTS = {EventKind.CLICK: 1.0, EventKind.ADD_TO_CART: 2.0, EventKind.ORDER: 4.0}
# Older engagement has decayed below 1/128 of its weight and is not read back.
AGGREGATE_WINDOW = HALF_LIFE * 7
# exp(600) is still a finite double; re-basing well before keeps precision.
_REBASE_EXPONENT = 300.0


class DecayedCounts:
    def __init__(
        self, size: int, *, origin: float, half_life: dt.timedelta = HALF_LIFE
    ):
        self.totals = np.zeros(size, dtype=np.float64)
        self.origin = origin
        self.rate = math.log(2.0) / half_life.total_seconds()

    def add(self, index: np.ndarray, weight: np.ndarray, when: np.ndarray) -> None:
        if len(index) == 0:
            return
        latest = float(when.max())
        if (latest - self.origin) * self.rate > _REBASE_EXPONENT:
            self._rebase(latest)
        np.add.at(self.totals, index, weight * np.exp((when - self.origin) * self.rate))

    def scores(self, now: float) -> np.ndarray:
        return self.totals * self.factor(now)

    def factor(self, now: float) -> float:
        """What turns a stored total into the decayed count at ``now``."""
        return math.exp((self.origin - now) * self.rate)

    def remapped(
        self, old_pk: np.ndarray, new_position: dict[int, int]
    ) -> DecayedCounts:
        """The same counts laid out for a refreshed catalogue (items may be new)."""
        fresh = DecayedCounts(len(new_position), origin=self.origin)
        fresh.rate = self.rate
        for old_index, pk in enumerate(old_pk.tolist()):
            new_index = new_position.get(pk)
            if new_index is not None:
                fresh.totals[new_index] = self.totals[old_index]
        return fresh

    def _rebase(self, origin: float) -> None:
        self.totals *= math.exp((self.origin - origin) * self.rate)
        self.origin = origin


def counts_from_log(
    now: dt.datetime, room_position: dict[int, int], product_position: dict[int, int]
) -> tuple[DecayedCounts, DecayedCounts]:
    """Rebuild both counters from one aggregate query over the recent event log.

    The database groups by item, kind and day, so at most items x kinds x 7 rows come
    back however many events there are. Each day's count is placed at noon of its day
    (or now, for today before noon), which is all the precision a popularity score
    needs.
    """
    origin = now.timestamp()
    rooms = DecayedCounts(len(room_position), origin=origin)
    products = DecayedCounts(len(product_position), origin=origin)
    groups = (
        Event.objects.filter(
            kind__in=list(WEIGHTS),
            occurred_at__gte=now - AGGREGATE_WINDOW,
            occurred_at__lte=now,
        )
        .annotate(day=TruncDay("occurred_at", tzinfo=dt.UTC))
        .values("room_id", "product_id", "kind", "day")
        .annotate(n=Count("id"))
        .order_by()
    )
    room_rows, product_rows = [], []
    for group in groups.iterator(chunk_size=10_000):
        weight = WEIGHTS[group["kind"]] * group["n"]
        # Noon of the day, but never later than the moment of the rebuild.
        moment = min((group["day"] + dt.timedelta(hours=12)).timestamp(), origin)
        if group["room_id"] in room_position:
            room_rows.append((room_position[group["room_id"]], weight, moment))
        if group["product_id"] in product_position:
            product_rows.append((product_position[group["product_id"]], weight, moment))
    _add_rows(rooms, room_rows)
    _add_rows(products, product_rows)
    return rooms, products


def _add_rows(counts: DecayedCounts, rows: list[tuple[int, float, float]]) -> None:
    if not rows:
        return
    index, weight, when = (np.array(column) for column in zip(*rows, strict=True))
    counts.add(index.astype(np.int64), weight.astype(np.float64), when)
