"""The ground truth of a simulated platform, drawn with numpy from one Generator.

Nothing here touches the database: the same seed and sizes always give the same
arrays, which ``catalogue`` then writes and ``traffic`` replays against.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np

from recengine.simulator import vocab

N_CATEGORIES = len(vocab.CATEGORY_CODES)
DAY = 86_400.0
HOUR = 3_600.0


@dataclass
class Viewers:
    interests: np.ndarray  # (n, categories), rows sum to 1
    region: np.ndarray  # index into Region values
    spending: np.ndarray  # 0 low, 1 medium, 2 high
    activity: np.ndarray  # probability of being active on a day
    short_video: np.ndarray  # has a short-video history
    identity: np.ndarray  # the platform holds a real identity


@dataclass
class Anchors:
    specialty: np.ndarray
    expert: np.ndarray
    professionalism: np.ndarray
    clarity: np.ndarray
    interactivity: np.ndarray
    ai: np.ndarray
    declared_ai: np.ndarray
    impersonates: np.ndarray  # index into PUBLIC_FIGURES, -1 for none

    @property
    def appeal(self) -> np.ndarray:
        """How strongly a room's presentation draws clicks, whatever the viewer."""
        boldness = np.where(self.expert, 0.3, 0.8)
        return (
            0.35 * self.clarity
            + 0.25 * self.interactivity
            + 0.15 * self.professionalism
            + 0.25 * boldness
        )


@dataclass
class Merchants:
    category: np.ndarray
    honesty: np.ndarray
    dishonest: np.ndarray
    return_propensity: np.ndarray


@dataclass
class Products:
    merchant: np.ndarray
    category: np.ndarray
    price: np.ndarray
    quality: np.ndarray
    claims: np.ndarray  # title and description carry absolute claims
    ai_image: np.ndarray
    ai_image_labelled: np.ndarray  # the file keeps its implicit AIGC metadata


@dataclass
class Rooms:
    anchor: np.ndarray
    merchant: np.ndarray
    category: np.ndarray
    virtual_background: np.ndarray
    products: list[np.ndarray]
    hour: np.ndarray  # usual local start hour


@dataclass
class Sessions:
    room: np.ndarray
    start: np.ndarray  # epoch seconds
    end: np.ndarray  # epoch seconds, inf while live at the end of the period


@dataclass
class Videos:
    anchor: np.ndarray
    category: np.ndarray
    product: np.ndarray  # -1 when the video shows no product
    duration: np.ndarray


@dataclass
class World:
    viewers: Viewers
    anchors: Anchors
    merchants: Merchants
    products: Products
    rooms: Rooms
    sessions: Sessions
    videos: Videos
    start: float
    until: float
    timezone: ZoneInfo


def build_world(
    rng: np.random.Generator,
    viewers: int,
    days: int,
    until: dt.datetime,
    tz: ZoneInfo,
    *,
    rooms: int | None = None,
    merchants: int | None = None,
) -> World:
    """Draw a platform; the catalogue follows the audience unless sized explicitly.

    By default there is one anchor (and room) per 50 viewers, at most 5,000, and one
    merchant per 100 viewers, at most 2,500; each merchant lists about eight products.
    """
    n_anchors = rooms or int(np.clip(viewers // 50, 24, 5000))
    n_merchants = merchants or int(np.clip(viewers // 100, 16, 2500))
    merchants = _merchants(rng, n_merchants)
    products = _products(rng, merchants)
    anchors = _anchors(rng, n_anchors)
    rooms = _rooms(rng, anchors, merchants, products)
    start = until.timestamp() - days * DAY
    return World(
        viewers=_viewers(rng, viewers),
        anchors=anchors,
        merchants=merchants,
        products=products,
        rooms=rooms,
        sessions=_sessions(rng, rooms, start, until.timestamp(), tz),
        videos=_videos(rng, anchors, products),
        start=start,
        until=until.timestamp(),
        timezone=tz,
    )


def category_weights() -> np.ndarray:
    weights = np.array(vocab.CATEGORY_POPULARITY, dtype=np.float64)
    return weights / weights.sum()


def _viewers(rng: np.random.Generator, n: int) -> Viewers:
    # A small concentration makes most viewers care about two or three verticals.
    alpha = 0.35 * N_CATEGORIES * category_weights()
    activity = rng.lognormal(0.0, 0.6, n)
    return Viewers(
        interests=rng.dirichlet(alpha, n),
        region=rng.choice(6, n, p=[0.16, 0.08, 0.30, 0.20, 0.14, 0.12]),
        spending=rng.choice(3, n, p=[0.45, 0.40, 0.15]),
        activity=np.clip(0.3 * activity, 0.02, 0.95),
        short_video=rng.random(n) < 0.3,
        identity=_flag_exactly(rng, n, max(5, n // 50)),
    )


def _anchors(rng: np.random.Generator, n: int) -> Anchors:
    expert = rng.random(n) < 0.45
    declared = max(1, round(0.08 * n))
    undeclared = max(2, round(0.05 * n))
    order = rng.permutation(n)
    ai = np.zeros(n, dtype=bool)
    ai[order[: declared + undeclared]] = True
    declared_ai = np.zeros(n, dtype=bool)
    declared_ai[order[:declared]] = True
    impersonates = np.full(n, -1, dtype=np.int64)
    impostors = order[declared : declared + max(1, undeclared // 2)]
    impersonates[impostors] = rng.integers(0, len(vocab.PUBLIC_FIGURES), len(impostors))
    return Anchors(
        specialty=rng.choice(N_CATEGORIES, n, p=category_weights()),
        expert=expert,
        professionalism=np.where(expert, rng.beta(6, 2, n), rng.beta(2, 5, n)),
        clarity=np.where(expert, rng.beta(4, 2, n), rng.beta(2.5, 3, n)),
        interactivity=rng.beta(2, 2, n),
        ai=ai,
        declared_ai=declared_ai,
        impersonates=impersonates,
    )


def _merchants(rng: np.random.Generator, n: int) -> Merchants:
    # Every vertical gets at least one merchant, the rest follow audience size.
    category = np.concatenate(
        [
            rng.permutation(N_CATEGORIES),
            rng.choice(N_CATEGORIES, max(0, n - N_CATEGORIES), p=category_weights()),
        ]
    )[:n]
    dishonest = _flag_exactly(rng, n, max(2, round(0.25 * n)))
    honesty = np.where(dishonest, rng.beta(2, 6, n), rng.beta(6, 1.5, n))
    return Merchants(
        category=category,
        honesty=honesty,
        dishonest=dishonest,
        return_propensity=0.04 + 0.3 * (1.0 - honesty),
    )


def _products(rng: np.random.Generator, merchants: Merchants) -> Products:
    counts = np.minimum(4 + rng.poisson(4, len(merchants.category)), 16)
    merchant = np.repeat(np.arange(len(counts)), counts)
    n = len(merchant)
    own = rng.random(n) < 0.8
    category = np.where(
        own,
        merchants.category[merchant],
        rng.choice(N_CATEGORIES, n, p=category_weights()),
    )
    median = np.array(vocab.MEDIAN_PRICE, dtype=np.float64)[category]
    price = np.maximum(np.round(median * rng.lognormal(0.0, 0.5, n)) - 0.1, 0.9)
    dishonest = merchants.dishonest[merchant]
    honesty = merchants.honesty[merchant]
    ai_image = rng.random(n) < np.where(dishonest, 0.25, 0.10)
    return Products(
        merchant=merchant,
        category=category,
        price=price,
        quality=np.clip(0.6 * honesty + 0.4 * rng.random(n), 0.0, 1.0),
        claims=rng.random(n) < np.where(dishonest, 0.75, 0.04),
        ai_image=ai_image,
        ai_image_labelled=ai_image & (rng.random(n) < 0.5),
    )


def _rooms(
    rng: np.random.Generator, anchors: Anchors, merchants: Merchants, products: Products
) -> Rooms:
    n = len(anchors.specialty)
    merchant = np.empty(n, dtype=np.int64)
    listed = []
    for room in range(n):
        category = anchors.specialty[room]
        candidates = np.flatnonzero(merchants.category == category)
        if len(candidates) == 0:
            candidates = np.arange(len(merchants.category))
        merchant[room] = rng.choice(candidates)
        listed.append(_room_products(rng, products, merchant[room], category))
    virtual = rng.random(n) < np.where(anchors.ai, 0.7, 0.12)
    # Evening is prime time in live commerce; a few rooms sell in the morning.
    hours = np.arange(8, 24)
    weights = np.where(hours >= 19, 4.0, np.where(hours >= 12, 1.5, 0.7))
    return Rooms(
        anchor=np.arange(n),
        merchant=merchant,
        category=anchors.specialty.copy(),
        virtual_background=virtual,
        products=listed,
        hour=rng.choice(hours, n, p=weights / weights.sum()).astype(np.float64),
    )


def _room_products(
    rng: np.random.Generator, products: Products, merchant: int, category: int
) -> np.ndarray:
    own = np.flatnonzero(products.merchant == merchant)
    matching = own[products.category[own] == category]
    pool = matching if len(matching) >= 3 else own
    size = min(len(pool), 8)
    return np.sort(rng.choice(pool, size, replace=False))


def _sessions(
    rng: np.random.Generator, rooms: Rooms, start: float, until: float, tz: ZoneInfo
) -> Sessions:
    n = len(rooms.anchor)
    duration = (2.0 + 3.0 * rng.random(n)) * HOUR
    room_ids, starts, ends = [], [], []
    for midnight in _local_midnights(start - DAY, until, tz):
        on_air = rng.random(n) < 0.8
        begin = midnight + rooms.hour * HOUR + rng.normal(0.0, 900.0, n)
        keep = on_air & (begin < until) & (begin + duration > start)
        room_ids.append(np.flatnonzero(keep))
        starts.append(begin[keep])
        ends.append(begin[keep] + duration[keep])
    sessions = Sessions(
        np.concatenate(room_ids), np.concatenate(starts), np.concatenate(ends)
    )
    return _force_live(rng, sessions, n, until)


def _force_live(
    rng: np.random.Generator, sessions: Sessions, n_rooms: int, until: float
) -> Sessions:
    """Put a fifth of the rooms on air at the end, whatever hour the run ends."""
    forced = rng.choice(n_rooms, max(3, n_rooms // 5), replace=False)
    forced_start = until - (0.3 + 2.2 * rng.random(len(forced))) * HOUR
    start_of = np.full(n_rooms, np.inf)
    start_of[forced] = forced_start
    # Drop broadcasts of forced rooms that would overlap the forced one.
    keep = sessions.end < start_of[sessions.room] - 600.0
    room = np.concatenate([sessions.room[keep], forced])
    begin = np.concatenate([sessions.start[keep], forced_start])
    end = np.concatenate([sessions.end[keep], np.full(len(forced), np.inf)])
    end[end > until] = np.inf
    order = np.lexsort((begin, room))
    return Sessions(room[order], begin[order], end[order])


def _local_midnights(start: float, until: float, tz: ZoneInfo) -> list[float]:
    day = dt.datetime.fromtimestamp(start, tz).date()
    last = dt.datetime.fromtimestamp(until, tz).date()
    midnights = []
    while day <= last:
        midnights.append(dt.datetime.combine(day, dt.time(), tzinfo=tz).timestamp())
        day += dt.timedelta(days=1)
    return midnights


def _videos(rng: np.random.Generator, anchors: Anchors, products: Products) -> Videos:
    anchor = np.repeat(np.arange(len(anchors.specialty)), 3)
    n = len(anchor)
    own = rng.random(n) < 0.7
    category = np.where(
        own,
        anchors.specialty[anchor],
        rng.choice(N_CATEGORIES, n, p=category_weights()),
    )
    product = np.full(n, -1, dtype=np.int64)
    for index in np.flatnonzero(rng.random(n) < 0.5):
        matching = np.flatnonzero(products.category == category[index])
        if len(matching):
            product[index] = rng.choice(matching)
    return Videos(
        anchor=anchor,
        category=category,
        product=product,
        duration=rng.integers(15, 180, n),
    )


def _flag_exactly(rng: np.random.Generator, n: int, count: int) -> np.ndarray:
    flags = np.zeros(n, dtype=bool)
    flags[rng.permutation(n)[: min(count, n)]] = True
    return flags
