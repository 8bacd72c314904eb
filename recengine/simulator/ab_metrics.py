"""Per-viewer outcome ledger of an online A/B test and its per-arm summary.

Every metric is a ratio of sums over the arm's viewers (clicks over exposures,
GMV over visits, ...). Its 95 % interval is a percentile bootstrap that resamples
viewers, not exposures, because one viewer's exposures are not independent.

Ground-truth measures use what only the simulator knows:
- interest: the viewer's latent interest in the item's category times the number
  of categories, so 1.0 is what a random category would give;
- diversity: per page, the share of item pairs from different categories;
- quality share: exposures of expert anchors selling for honest merchants (live
  feed) or of honest merchants' products (product feed).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recengine.models import EventKind
from recengine.simulator.world import N_CATEGORIES, World

ARMS = ("personalised", "popularity")
BOOTSTRAP_SAMPLES = 1000
COLUMNS = (
    "visits",
    "exposures",
    "clicks",
    "orders",
    "gmv",
    "not_interested",
    "interest",
    "diversity",
    "quality",
)
# metric -> (numerator column, denominator column)
METRICS = {
    "ctr": ("clicks", "exposures"),
    "cvr": ("orders", "clicks"),
    "gmv_per_visit": ("gmv", "visits"),
    "orders_per_visit": ("orders", "visits"),
    "interest": ("interest", "exposures"),
    "diversity": ("diversity", "visits"),
    "quality_share": ("quality", "exposures"),
    "not_interested_rate": ("not_interested", "exposures"),
}
_COUNTED = {
    EventKind.CLICK: "clicks",
    EventKind.ORDER: "orders",
    EventKind.NOT_INTERESTED: "not_interested",
}


class Ledger:
    """Sums per viewer (world index) of everything the metrics need."""

    def __init__(self, world: World):
        self.world = world
        self.sums = np.zeros((len(world.viewers.region), len(COLUMNS)))
        self._column = {name: i for i, name in enumerate(COLUMNS)}
        anchors, merchants = world.anchors, world.merchants
        honest_room = ~merchants.dishonest[world.rooms.merchant]
        self._room_quality = anchors.expert[world.rooms.anchor] & honest_room
        self._product_quality = ~merchants.dishonest[world.products.merchant]

    def add(self, viewer: int, column: str, value: float) -> None:
        self.sums[viewer, self._column[column]] += value

    def record(self, kind: int, viewer: int, amount: float | None) -> None:
        column = _COUNTED.get(kind)
        if column is None:
            return
        self.add(viewer, column, 1.0)
        if kind == EventKind.ORDER and amount is not None:
            self.add(viewer, "gmv", float(amount))

    def visit(self, viewer: int, live: bool, items: list[int]) -> None:
        world = self.world
        served = np.asarray(items, dtype=np.int64)
        category = (world.rooms if live else world.products).category[served]
        quality = (self._room_quality if live else self._product_quality)[served]
        interest = world.viewers.interests[viewer, category] * N_CATEGORIES

        self.add(viewer, "visits", 1.0)
        self.add(viewer, "exposures", float(len(served)))
        self.add(viewer, "interest", float(interest.sum()))
        self.add(viewer, "quality", float(quality.sum()))
        self.add(viewer, "diversity", page_diversity(category))


def page_diversity(category: np.ndarray) -> float:
    """Share of item pairs on a page whose categories differ (0 for < 2 items)."""
    n = len(category)
    if n < 2:
        return 0.0
    same = (category[:, None] == category[None, :]).sum() - n
    return 1.0 - same / (n * (n - 1))


@dataclass(frozen=True)
class Estimate:
    value: float
    low: float
    high: float

    def as_dict(self) -> dict[str, float]:
        return {"value": self.value, "low": self.low, "high": self.high}


@dataclass(frozen=True)
class ArmReport:
    viewers: int
    visits: int
    exposures: int
    metrics: dict[str, Estimate]

    def as_dict(self) -> dict:
        return {
            "viewers": self.viewers,
            "visits": self.visits,
            "exposures": self.exposures,
            "metrics": {name: e.as_dict() for name, e in self.metrics.items()},
        }


@dataclass(frozen=True)
class Comparison:
    """Both arms, and per metric the lift: personalised minus popularity."""

    arms: dict[str, ArmReport]
    lift: dict[str, Estimate]


def summarise(ledger: Ledger, arm_of_viewer: np.ndarray, *, seed: int) -> Comparison:
    """Per arm, every metric with its bootstrap interval; and the lift of the first
    arm over the second with the interval of the difference. ``arm_of_viewer``
    holds the index into ``ARMS`` of each viewer (world index).

    The arms hold different viewers, so each is resampled on its own and the
    replicate differences give the lift's interval. Whether the engine wins is read
    from that interval excluding zero, not from the arms' intervals failing to
    overlap, which asks for far more than a 95 % difference.
    """
    rng = np.random.default_rng(seed)
    reports, spreads = {}, {}
    for index, arm in enumerate(ARMS):
        rows = ledger.sums[(arm_of_viewer == index) & (ledger.sums[:, 0] > 0)]
        reports[arm], spreads[arm] = _arm(rows, rng)
    first, second = ARMS
    lift = {}
    for name in METRICS:
        value = reports[first].metrics[name].value - reports[second].metrics[name].value
        low, high = np.percentile(
            spreads[first][name] - spreads[second][name], [2.5, 97.5]
        )
        lift[name] = Estimate(float(value), float(low), float(high))
    return Comparison(reports, lift)


def _arm(
    rows: np.ndarray, rng: np.random.Generator
) -> tuple[ArmReport, dict[str, np.ndarray]]:
    """The arm's report and, per metric, its bootstrap replicates."""
    totals = rows.sum(axis=0)
    resampled = _bootstrap_totals(rows, rng)
    metrics, spreads = {}, {}
    for name, (top, bottom) in METRICS.items():
        i, j = COLUMNS.index(top), COLUMNS.index(bottom)
        value = _ratio(totals[i], totals[j])
        spread = spreads[name] = _ratio(resampled[:, i], resampled[:, j])
        low, high = np.percentile(spread, [2.5, 97.5]) if len(rows) else (0.0, 0.0)
        metrics[name] = Estimate(float(value), float(low), float(high))
    report = ArmReport(
        viewers=len(rows),
        visits=int(totals[0]),
        exposures=int(totals[1]),
        metrics=metrics,
    )
    return report, spreads


def _bootstrap_totals(rows: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Column sums of ``BOOTSTRAP_SAMPLES`` resamples of the viewers."""
    n = len(rows)
    if n == 0:
        return np.zeros((BOOTSTRAP_SAMPLES, rows.shape[1]))
    weights = rng.multinomial(n, np.full(n, 1.0 / n), size=BOOTSTRAP_SAMPLES)
    return weights @ rows


def _ratio(top, bottom):
    return np.divide(
        top,
        bottom,
        out=np.zeros_like(np.asarray(top, float)),
        where=np.asarray(bottom) > 0,
    )


def format_table(arms: dict[str, ArmReport], lift: dict[str, Estimate]) -> str:
    """A plain-text table: one row per metric, one column per arm, then the lift."""
    head = f"{'metric':<22}" + "".join(f"{arm:>34}" for arm in [*arms, "lift"])
    lines = [head]
    for name in METRICS:
        estimates = [report.metrics[name] for report in arms.values()] + [lift[name]]
        cells = [f"{e.value:>12.4f} [{e.low:.4f}, {e.high:.4f}]" for e in estimates]
        lines.append(f"{name:<22}" + "".join(f"{cell:>34}" for cell in cells))
    for count in ("viewers", "visits", "exposures"):
        values = "".join(f"{getattr(r, count):>34}" for r in arms.values())
        lines.append(f"{count:<22}{values}")
    return "\n".join(lines)
