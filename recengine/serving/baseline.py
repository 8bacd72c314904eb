"""Popularity baseline: the non-personalised strategy every response can fall back on.

Live feed: rooms broadcasting at request time, by decayed clicks, add-to-carts and
orders. Product feed: products ranked the same way. A share of slots goes to
exploration (clause 5.3.3), so that items without history get exposures from which
engagement can grow instead of the top of the list feeding on itself.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext

from recengine.governance.policy import NO_POLICY, PolicySnapshot, allowed_items
from recengine.models import Event, Scene
from recengine.serving.catalogue_index import (
    CatalogueIndex,
    load_catalogue,
)
from recengine.serving.engagement import WEIGHTS, DecayedCounts, counts_from_log
from recengine.serving.rejections import Rejections
from recengine.serving.types import ServedItem

logger = logging.getLogger(__name__)

# Every fifth slot explores; with size 10 that is slots 5 and 10.
EXPLORE_EVERY = 5


@dataclass(frozen=True)
class ItemKeys:
    """Internal keys of a served item, for its exposure event."""

    room_id: int | None = None
    product_id: int | None = None
    anchor_id: int | None = None


@dataclass(frozen=True)
class Ranked:
    item: ServedItem
    keys: ItemKeys


@dataclass
class _Order:
    """The popularity order of one item kind, kept until engagement changes."""

    counts: DecayedCounts
    order: np.ndarray | None = None

    def ordered(self, pk: np.ndarray) -> np.ndarray:
        if self.order is None:
            # Ties break by primary key, so equal scores rank the same in every process.
            self.order = np.lexsort((pk, -self.counts.totals))
        return self.order


class PopularityBaseline:
    strategy = "popularity"
    model_version = "popularity-1"

    def __init__(
        self,
        *,
        catalogue_ttl: float | None = 5.0,
        engagement_ttl: float | None = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        """TTLs are wall-clock seconds before a rebuild from the database.

        A broadcast started or ended through the catalogue API therefore reaches the
        live feed within ``catalogue_ttl``; schedules already loaded are exact to the
        second. ``None`` rebuilds only when a request falls outside the loaded
        schedule window, which keeps a replay such as the simulator independent of
        how fast it runs.
        """
        self.catalogue_ttl = catalogue_ttl
        self.engagement_ttl = engagement_ttl
        self.clock = clock
        self._lock = threading.RLock()
        self._catalogue: CatalogueIndex | None = None
        self._rooms: _Order | None = None
        self._products: _Order | None = None
        self._catalogue_at = self._engagement_at = 0.0
        self._policy_masks: dict[str, tuple] = {}
        # A replay (no engagement TTL) knows every rejection it observes; a server
        # also reads those that other processes logged.
        self.rejections = Rejections(from_log=engagement_ttl is not None, clock=clock)

    def invalidate(self) -> None:
        with self._lock:
            self._catalogue = self._rooms = self._products = None
            self._policy_masks = {}

    def rank(
        self,
        *,
        scene: str,
        size: int,
        now: dt.datetime,
        request_id: str,
        policy: PolicySnapshot = NO_POLICY,
        viewer_id: int | None = None,
    ) -> list[Ranked]:
        """``policy`` removes blacklisted, unreviewed and restricted items (6.2);
        ``viewer_id``, given only for a personalised request, removes the items that
        viewer marked "not interested" (6.3.3)."""
        with self._lock:
            catalogue = self._ensure(now)
            if scene == Scene.LIVE_FEED:
                eligible = self._rooms.ordered(catalogue.room_pk)
                eligible = eligible[catalogue.live_mask(now)[eligible]]
                make = self._room_items
            else:
                eligible = self._products.ordered(catalogue.product_pk)
                make = self._product_items
            eligible = eligible[self._allowed(catalogue, policy, scene)[eligible]]
            if viewer_id is not None:
                eligible = self._not_rejected(
                    eligible, catalogue, scene, viewer_id, now
                )
            return self._fill(eligible, size, request_id, make, now)

    def _not_rejected(
        self,
        eligible: np.ndarray,
        catalogue: CatalogueIndex,
        scene: str,
        viewer_id: int,
        now: dt.datetime,
    ) -> np.ndarray:
        live = scene == Scene.LIVE_FEED
        kind = "live_room" if live else "product"
        position = catalogue.room_position if live else catalogue.product_position
        hidden = self.rejections.hidden(viewer_id, kind, now)
        rows = [position[pk] for pk in hidden if pk in position]
        if not rows:
            return eligible
        return eligible[~np.isin(eligible, rows)]

    def _allowed(
        self, catalogue: CatalogueIndex, policy: PolicySnapshot, scene: str
    ) -> np.ndarray:
        # One mask per catalogue load and policy snapshot, shared by requests.
        cached = self._policy_masks.get(scene)
        if cached is not None and cached[0] is catalogue and cached[1] is policy:
            return cached[2]
        mask = policy_mask(catalogue, policy, scene)
        self._policy_masks[scene] = (catalogue, policy, mask)
        return mask

    def observe(self, events: Sequence[Event]) -> None:
        """Count engagement as it is logged, so no request reads the event table."""
        self.rejections.observe(events)
        with self._lock:
            if self._catalogue is None:
                return
            catalogue = self._catalogue
            for ranked, attribute, position in (
                (self._rooms, "room_id", catalogue.room_position),
                (self._products, "product_id", catalogue.product_position),
            ):
                _count(ranked, events, attribute, position)

    def _ensure(self, now: dt.datetime) -> CatalogueIndex:
        tick = self.clock()
        if self._catalogue is None or not self._catalogue.covers(now):
            self._load_all(now, tick)
        elif _expired(self._catalogue_at, self.catalogue_ttl, tick):
            self._reload_catalogue(now, tick)
        if _expired(self._engagement_at, self.engagement_ttl, tick):
            self._reload_engagement(now, tick)
        return self._catalogue

    def _load_all(self, now: dt.datetime, tick: float) -> None:
        self._catalogue = load_catalogue(now)
        self._catalogue_at = tick
        self._reload_engagement(now, tick)

    def _reload_catalogue(self, now: dt.datetime, tick: float) -> None:
        old = self._catalogue
        self._catalogue = load_catalogue(now)
        self._catalogue_at = tick
        self._rooms = _Order(
            self._rooms.counts.remapped(old.room_pk, self._catalogue.room_position)
        )
        self._products = _Order(
            self._products.counts.remapped(
                old.product_pk, self._catalogue.product_position
            )
        )

    def _reload_engagement(self, now: dt.datetime, tick: float) -> None:
        catalogue = self._catalogue
        rooms, products = counts_from_log(
            now, catalogue.room_position, catalogue.product_position
        )
        self._rooms, self._products = _Order(rooms), _Order(products)
        self._engagement_at = tick
        logger.info(
            "popularity state built",
            extra={
                "rooms": len(catalogue.room_pk),
                "products": len(catalogue.product_pk),
            },
        )

    def _fill(
        self,
        eligible: np.ndarray,
        size: int,
        request_id: str,
        make: Callable[[list[tuple[int, bool]], float], list[Ranked]],
        now: dt.datetime,
    ) -> list[Ranked]:
        n_explore = size // EXPLORE_EVERY
        top = eligible[: size - n_explore].tolist()
        n_rest = len(eligible) - len(top)
        draws = random.Random(request_id).sample(range(n_rest), min(n_explore, n_rest))
        picks = [int(eligible[len(top) + draw]) for draw in draws]
        return make(list(_interleave(top, picks, size)), now.timestamp())

    def _room_items(
        self, chosen: list[tuple[int, bool]], moment: float
    ) -> list[Ranked]:
        catalogue, counts = self._catalogue, self._rooms.counts
        factor = counts.factor(moment)
        reasons = _reasons(gettext("Popular live room right now"))
        return [
            Ranked(
                ServedItem(
                    id=catalogue.room_external[index],
                    kind="live_room",
                    score=float(counts.totals[index] * factor),
                    labels=list(catalogue.room_labels[index]),
                    reason=reasons[explored],
                ),
                ItemKeys(
                    room_id=int(catalogue.room_pk[index]),
                    anchor_id=int(catalogue.room_anchor_pk[index]),
                ),
            )
            for index, explored in chosen
        ]

    def _product_items(
        self, chosen: list[tuple[int, bool]], moment: float
    ) -> list[Ranked]:
        catalogue, counts = self._catalogue, self._products.counts
        factor = counts.factor(moment)
        reasons = _reasons(gettext("Popular product in recent days"))
        return [
            Ranked(
                ServedItem(
                    id=catalogue.product_external[index],
                    kind="product",
                    score=float(counts.totals[index] * factor),
                    labels=[],
                    reason=reasons[explored],
                ),
                ItemKeys(product_id=int(catalogue.product_pk[index])),
            )
            for index, explored in chosen
        ]


def policy_mask(
    catalogue: CatalogueIndex, policy: PolicySnapshot, scene: str
) -> np.ndarray:
    """Catalogue rows the policy lets through (``governance.policy.allowed_items``)."""
    if scene == Scene.LIVE_FEED:
        return allowed_items(
            policy,
            "live_room",
            catalogue.room_pk,
            anchor=catalogue.room_anchor_pk,
            merchant=catalogue.room_merchant_pk,
        )
    return allowed_items(
        policy,
        "product",
        catalogue.product_pk,
        anchor=None,
        merchant=catalogue.product_merchant_pk,
    )


def _interleave(
    top: list[int], picks: list[int], size: int
) -> Iterator[tuple[int, bool]]:
    """Exploration picks take every EXPLORE_EVERY-th slot; popular items the rest."""
    top, picks = list(top), list(picks)
    for position in range(1, size + 1):
        wants_pick = position % EXPLORE_EVERY == 0
        if picks and (wants_pick or not top):
            yield picks.pop(0), True
        elif top:
            yield top.pop(0), False
        else:
            return


def _reasons(popular: str) -> dict[bool, str]:
    return {False: popular, True: gettext("Something new for you to explore")}


def _expired(built_at: float, ttl: float | None, tick: float) -> bool:
    return ttl is not None and tick - built_at > ttl


def _count(
    ranked: _Order, events: Sequence[Event], attribute: str, position: dict[int, int]
) -> None:
    rows = [
        (position[getattr(event, attribute)], WEIGHTS[event.kind], event.occurred_at)
        for event in events
        if event.kind in WEIGHTS and getattr(event, attribute) in position
    ]
    if not rows:
        return
    ranked.counts.add(
        np.array([row[0] for row in rows], dtype=np.int64),
        np.array([row[1] for row in rows], dtype=np.float64),
        np.array([row[2].timestamp() for row in rows], dtype=np.float64),
    )
    ranked.order = None
