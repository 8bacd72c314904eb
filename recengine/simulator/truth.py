"""Ground-truth rows: what the simulator planted, for tests, audits and benchmarks."""

from __future__ import annotations

import numpy as np

from recengine.models import GroundTruth, SimulationRun, TruthKind
from recengine.simulator import vocab
from recengine.simulator.catalogue import external_id, viewer_user_id
from recengine.simulator.identity import returning_accounts
from recengine.simulator.responses import Tally
from recengine.simulator.world import World

BATCH = 2000


def _round(value: float) -> float:
    return round(float(value), 4)


def write_truth(run: SimulationRun, world: World, tally: Tally) -> int:
    rows = [
        *_viewers(run, world),
        *_anchors(run, world),
        *_merchants(run, world, tally),
        *_products(run, world),
        *_rooms(run, world),
    ]
    GroundTruth.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def _viewers(run: SimulationRun, world: World):
    viewers = world.viewers
    for index in range(len(viewers.region)):
        interests = dict(
            zip(
                vocab.CATEGORY_CODES, map(_round, viewers.interests[index]), strict=True
            )
        )
        yield GroundTruth(
            run=run,
            kind=TruthKind.VIEWER,
            external_id=viewer_user_id(index),
            attributes={
                "interests": interests,
                "daily_activity": _round(viewers.activity[index]),
                "short_video_history": bool(viewers.short_video[index]),
                "has_identity": bool(viewers.identity[index]),
            },
        )


def _anchors(run: SimulationRun, world: World):
    anchors = world.anchors
    returning = returning_accounts(len(anchors.specialty))
    for index in range(len(anchors.specialty)):
        figure = int(anchors.impersonates[index])
        yield GroundTruth(
            run=run,
            kind=TruthKind.ANCHOR,
            external_id=external_id("a", index),
            attributes={
                "style": "expert" if anchors.expert[index] else "hype",
                "professionalism": _round(anchors.professionalism[index]),
                "clarity": _round(anchors.clarity[index]),
                "interactivity": _round(anchors.interactivity[index]),
                "is_ai": bool(anchors.ai[index]),
                "declared_ai": bool(anchors.declared_ai[index]),
                "impersonates": vocab.PUBLIC_FIGURES[figure][0]
                if figure >= 0
                else None,
                "specialty": vocab.CATEGORY_CODES[int(anchors.specialty[index])],
                "reregistration_of": _earlier(returning, "a", index),
            },
        )


def _merchants(run: SimulationRun, world: World, tally: Tally):
    merchants = world.merchants
    claim_products = np.bincount(
        world.products.merchant[world.products.claims], minlength=len(merchants.honesty)
    )
    returning = returning_accounts(len(merchants.honesty))
    for index in range(len(merchants.honesty)):
        yield GroundTruth(
            run=run,
            kind=TruthKind.MERCHANT,
            external_id=external_id("m", index),
            attributes={
                "honesty": _round(merchants.honesty[index]),
                "dishonest": bool(merchants.dishonest[index]),
                "return_propensity": _round(merchants.return_propensity[index]),
                "orders": int(tally.orders[index]),
                "complaints": int(tally.complaints[index]),
                "returns": int(tally.returns[index]),
                "gmv": round(float(tally.gmv[index]), 2),
                "products_with_absolute_claims": int(claim_products[index]),
                "reregistration_of": _earlier(returning, "m", index),
            },
        )


def _products(run: SimulationRun, world: World):
    products = world.products
    for index in range(len(products.merchant)):
        yield GroundTruth(
            run=run,
            kind=TruthKind.PRODUCT,
            external_id=external_id("p", index),
            attributes={
                "quality": _round(products.quality[index]),
                "absolute_claims": bool(products.claims[index]),
                "ai_generated_image": bool(products.ai_image[index]),
                "implicit_aigc_label": bool(products.ai_image_labelled[index]),
            },
        )


def _rooms(run: SimulationRun, world: World):
    rooms, sessions = world.rooms, world.sessions
    live = np.zeros(len(rooms.anchor), dtype=bool)
    live[sessions.room[~np.isfinite(sessions.end)]] = True
    broadcasts = np.bincount(sessions.room, minlength=len(rooms.anchor))
    for index in range(len(rooms.anchor)):
        anchor = int(rooms.anchor[index])
        yield GroundTruth(
            run=run,
            kind=TruthKind.ROOM,
            external_id=external_id("r", index),
            attributes={
                "virtual_background": bool(rooms.virtual_background[index]),
                "ai_anchor": bool(world.anchors.ai[anchor]),
                "usual_start_hour": int(rooms.hour[index]),
                "broadcasts": int(broadcasts[index]),
                "live_at_end": bool(live[index]),
            },
        )


def _earlier(returning: dict[int, int], prefix: str, index: int) -> str | None:
    """The account a re-registration replaces (clause 6.2.3), if it is one."""
    earlier = returning.get(index)
    return external_id(prefix, earlier) if earlier is not None else None
