"""How simulated viewers respond to what they were served, drawn from the truth.

All draws are vectorised over the served slots of a batch of visits. A click is
more likely when the item's category matches the viewer's latent interests, when
the anchor presents well and near the top of the page (position bias 1/log2(p+2));
purchases follow interest, the anchor's professionalism or the product's quality,
and price against the viewer's spending level; dishonest merchants draw complaints
and returns.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from recengine.models import EventKind, Scene
from recengine.simulator import text, vocab
from recengine.simulator.world import DAY, N_CATEGORIES, World
from recengine.simulator.writer import EventWriter

Array = np.ndarray

# Sensitivity to price by spending level (low, medium, high).
PRICE_SENSITIVITY = np.array([0.8, 0.4, 0.1])
GIFT_AMOUNTS = [1.0, 6.6, 9.9, 52.0, 99.0]


def sigmoid(values: Array) -> Array:
    return 1.0 / (1.0 + np.exp(-values))


@dataclass
class Tally:
    """What happened, per merchant and per kind, for the ground truth and the stats."""

    orders: np.ndarray
    complaints: np.ndarray
    returns: np.ndarray
    gmv: np.ndarray
    kinds: Counter = field(default_factory=Counter)
    visits: int = 0

    @classmethod
    def for_merchants(cls, count: int) -> Tally:
        return cls(*(np.zeros(count) for _ in range(4)))


@dataclass
class Slots:
    """Served slots of a batch: visit, 0-based position and item, one per slot."""

    visit: np.ndarray
    position: np.ndarray
    item: np.ndarray


class Responses:
    def __init__(
        self, world: World, rng: np.random.Generator, writer: EventWriter, tally: Tally
    ):
        self.world, self.rng, self.writer, self.tally = world, rng, writer, tally
        self._room_products = flatten(world.rooms.products)
        self._median = np.array(vocab.MEDIAN_PRICE, dtype=np.float64)

    def to_live_feed(self, visitors: Array, moments: Array, slots: Slots) -> None:
        world = self.world
        viewer, room = visitors[slots.visit], slots.item
        anchor = world.rooms.anchor[room]
        match = world.viewers.interests[viewer, world.rooms.category[room]]
        match = match * N_CATEGORIES
        appeal = 2.0 * (world.anchors.appeal[anchor] - 0.5)
        clicked = self._clicks(slots, -2.0 + 0.9 * np.log(match + 0.05) + appeal)
        when = self._slot_moments(moments, slots)
        self._not_interested(viewer, when, (match < 0.3) & ~clicked, 0.04, room=room)

        picked = np.flatnonzero(clicked)
        self._watch(viewer[picked], room[picked], when[picked], match[picked])

    def to_product_feed(self, visitors: Array, moments: Array, slots: Slots) -> None:
        products = self.world.products
        viewer, product = visitors[slots.visit], slots.item
        match = self.world.viewers.interests[viewer, products.category[product]]
        match = match * N_CATEGORIES
        # Absolute claims work as click bait: more clicks, not more satisfaction.
        logit = (
            -2.3
            + 0.9 * np.log(match + 0.05)
            + 0.8 * (products.quality[product] - 0.5)
            + 0.3 * products.claims[product]
        )
        clicked = self._clicks(slots, logit)
        when = self._slot_moments(moments, slots)
        self._not_interested(
            viewer, when, (match < 0.3) & ~clicked, 0.03, product=product
        )

        picked = np.flatnonzero(clicked)
        self._browse(viewer[picked], product[picked], when[picked], match[picked])

    # -- live rooms ------------------------------------------------------------

    def _watch(self, viewer: Array, room: Array, when: Array, match: Array) -> None:
        anchors, rng, emit = self.world.anchors, self.rng, self.writer.emit
        anchor = self.world.rooms.anchor[room]
        # Clear, expert anchors hold viewers longer.
        mean = (
            np.log(45.0)
            + 0.5 * np.log(match + 0.1)
            + 1.2 * anchors.clarity[anchor]
            + 0.4 * anchors.expert[anchor]
        )
        dwell = np.clip(np.exp(rng.normal(mean, 0.7)), 3.0, 3 * 3600.0)
        for i in range(len(room)):
            emit(
                EventKind.CLICK, viewer[i], when[i], room=room[i], scene=Scene.LIVE_FEED
            )
            emit(
                EventKind.DWELL,
                viewer[i],
                when[i] + dwell[i],
                room=room[i],
                dwell=float(dwell[i]),
            )

        self._engage(viewer, room, anchor, when + dwell * rng.random(len(room)), match)
        self._buy_in_room(viewer, room, when + dwell * rng.random(len(room)), match)

    def _engage(
        self, viewer: Array, room: Array, anchor: Array, during: Array, match: Array
    ) -> None:
        rng, anchors, n = self.rng, self.world.anchors, len(room)
        likes = rng.random(n) < 0.05 + 0.15 * sigmoid(np.log(match + 0.05))
        comments = rng.random(n) < 0.04 + 0.2 * anchors.interactivity[anchor]
        loyalty = anchors.professionalism[anchor] * np.minimum(match, 2) / 2
        follows = rng.random(n) < 0.01 + 0.06 * loyalty
        high_spender = self.world.viewers.spending[viewer] == 2
        hype = ~anchors.expert[anchor]
        gifts = rng.random(n) < 0.005 + 0.03 * hype + 0.02 * high_spender

        emit = self.writer.emit
        for i in np.flatnonzero(likes):
            emit(EventKind.LIKE, viewer[i], during[i], room=room[i])
        for i in np.flatnonzero(comments):
            words = self._danmaku(room[i], anchor[i])
            emit(EventKind.COMMENT, viewer[i], during[i], room=room[i], words=words)
        for i in np.flatnonzero(follows):
            emit(EventKind.FOLLOW, viewer[i], during[i], room=room[i])
        for i in np.flatnonzero(gifts):
            amount = float(rng.choice(GIFT_AMOUNTS))
            emit(EventKind.GIFT, viewer[i], during[i], room=room[i], amount=amount)

    def _danmaku(self, room: int, anchor: int) -> str:
        anchors = self.world.anchors
        return text.danmaku(
            self.rng,
            category=int(self.world.rooms.category[room]),
            expert=bool(anchors.expert[anchor]),
            clarity=float(anchors.clarity[anchor]),
        )

    def _buy_in_room(
        self, viewer: Array, room: Array, when: Array, match: Array
    ) -> None:
        flat, starts, counts = self._room_products
        draw = (self.rng.random(len(room)) * counts[room]).astype(np.int64)
        product = flat[starts[room] + draw]
        anchors = self.world.anchors
        anchor = self.world.rooms.anchor[room]
        # Experts convert through trust, hype anchors through impulse.
        bonus = 1.5 * anchors.professionalism[anchor] + 0.5 * ~anchors.expert[anchor]
        self._buy(viewer, product, when, match, bonus, room=room)

    # -- products --------------------------------------------------------------

    def _browse(self, viewer: Array, product: Array, when: Array, match: Array) -> None:
        mean = np.log(20.0) + 0.4 * np.log(match + 0.1)
        dwell = np.clip(np.exp(self.rng.normal(mean, 0.6)), 2.0, 1800.0)
        emit = self.writer.emit
        for i in range(len(product)):
            emit(
                EventKind.CLICK,
                viewer[i],
                when[i],
                product=product[i],
                scene=Scene.PRODUCT_FEED,
            )
            emit(
                EventKind.DWELL,
                viewer[i],
                when[i] + dwell[i],
                product=product[i],
                dwell=float(dwell[i]),
            )
        bonus = 1.2 * self.world.products.quality[product]
        self._buy(viewer, product, when + dwell, match, bonus, room=None)

    def _buy(
        self,
        viewer: Array,
        product: Array,
        when: Array,
        match: Array,
        bonus: Array,
        *,
        room: Array | None,
    ) -> None:
        rng, products = self.rng, self.world.products
        n, price = len(product), products.price[product]
        sensitivity = PRICE_SENSITIVITY[self.world.viewers.spending[viewer]]
        relative_price = np.log(price / self._median[products.category[product]])
        logit = -2.8 + 0.8 * np.log(match + 0.05) + bonus - sensitivity * relative_price
        carted = rng.random(n) < sigmoid(logit)
        ordered = carted & (rng.random(n) < 0.35 + 0.4 * products.quality[product])
        quantity = 1 + rng.poisson(0.15, n)
        complained, returned = self._aftermath(product, ordered)
        later = when + rng.uniform(3600.0, 2 * DAY, n)

        emit = self.writer.emit
        for i in np.flatnonzero(carted):
            in_room = None if room is None else room[i]
            emit(
                EventKind.ADD_TO_CART,
                viewer[i],
                when[i],
                product=product[i],
                room=in_room,
            )
            if ordered[i]:
                amount = round(float(price[i] * quantity[i]), 2)
                emit(
                    EventKind.ORDER,
                    viewer[i],
                    when[i] + 30.0,
                    product=product[i],
                    room=in_room,
                    amount=amount,
                    quantity=int(quantity[i]),
                )
            if complained[i]:
                self._complain(viewer[i], later[i], product[i], in_room)
        self._count_orders(product, ordered, quantity, complained, returned)

    def _aftermath(self, product: Array, ordered: Array) -> tuple[Array, Array]:
        merchants, n = self.world.merchants, len(product)
        merchant = self.world.products.merchant[product]
        dishonesty = 1.0 - merchants.honesty[merchant]
        complained = ordered & (self.rng.random(n) < 0.02 + 0.6 * dishonesty**2)
        returned = ordered & (
            self.rng.random(n) < merchants.return_propensity[merchant]
        )
        return complained, returned

    def _count_orders(
        self,
        product: Array,
        ordered: Array,
        quantity: Array,
        complained: Array,
        returned: Array,
    ) -> None:
        merchant = self.world.products.merchant[product]
        price = self.world.products.price[product]
        tally = self.tally
        np.add.at(tally.orders, merchant[ordered], 1)
        np.add.at(tally.gmv, merchant[ordered], price[ordered] * quantity[ordered])
        np.add.at(tally.complaints, merchant[complained], 1)
        np.add.at(tally.returns, merchant[returned], 1)

    def _complain(
        self, viewer: int, when: float, product: int, room: int | None
    ) -> None:
        words = text.pick(self.rng, vocab.COMPLAINT_TEXTS)
        emit = self.writer.emit
        emit(EventKind.COMMENT, viewer, when, product=product, room=room, words=words)
        emit(EventKind.NOT_INTERESTED, viewer, when + 5.0, product=product)

    # -- shared ----------------------------------------------------------------

    def _clicks(self, slots: Slots, logit: Array) -> Array:
        bias = 1.0 / np.log2(slots.position + 2)
        return self.rng.random(len(slots.item)) < sigmoid(logit) * bias

    def _slot_moments(self, moments: Array, slots: Slots) -> Array:
        # A viewer scans down the page: lower slots are reached a little later.
        jitter = self.rng.uniform(1.0, 15.0, len(slots.item))
        return moments[slots.visit] + 2.0 * slots.position + jitter

    def _not_interested(
        self,
        viewer: Array,
        when: Array,
        poor: Array,
        rate: float,
        *,
        room: Array | None = None,
        product: Array | None = None,
    ) -> None:
        chosen = np.flatnonzero(poor & (self.rng.random(len(viewer)) < rate))
        for i in chosen:
            self.writer.emit(
                EventKind.NOT_INTERESTED,
                viewer[i],
                when[i] + 3.0,
                room=None if room is None else room[i],
                product=None if product is None else product[i],
            )


def flatten(groups: list[Array]) -> tuple[Array, Array, Array]:
    """Ragged groups as one flat array with each group's start and length."""
    counts = np.array([len(group) for group in groups], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    flat = np.concatenate(groups).astype(np.int64)
    return flat, starts, counts
