"""The re-rank layer (clause 5.4.3): ordered steps, each recorded in the trace.

Candidates arrive from ranking with a score; each step keeps, drops or rescales
them and writes one ``TraceStep`` so that a response can show what governance did.
The order is fixed: eligibility, policy filter, "not interested" suppression, credit
throttling and quality boost, business rules, diversity (MMR), exploration slots.
Everything here is numpy over the serving tables; no database, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from recengine.governance.policy import PolicySnapshot, allowed_items

NONE = -1  # no anchor / merchant / category


@dataclass(frozen=True)
class ItemTable:
    """The items of one scene, aligned by index; vectors are L2-normalised."""

    kind: str
    pk: np.ndarray
    anchor: np.ndarray
    merchant: np.ndarray
    category: np.ndarray
    created_at: np.ndarray
    vectors: np.ndarray

    def __len__(self) -> int:
        return len(self.pk)


@dataclass(frozen=True)
class RerankConfig:
    """Versioned with the ranking weights; the console shows it."""

    diversity_lambda: float = 0.7
    mmr_pool_factor: int = 4
    max_per_anchor: int = 2
    max_per_merchant: int = 3
    exploration_share: float = 0.1
    new_item_days: float = 14.0

    def __post_init__(self):
        if not 0.0 <= self.diversity_lambda <= 1.0:
            raise ValueError("diversity_lambda must lie in [0, 1]")
        if not 0.0 <= self.exploration_share <= 0.5:
            raise ValueError("exploration_share must lie in [0, 0.5]")
        if min(self.mmr_pool_factor, self.max_per_anchor, self.max_per_merchant) < 1:
            raise ValueError("pool factor and per-anchor/merchant caps must be >= 1")
        if self.new_item_days <= 0:
            raise ValueError("new_item_days must be positive")

    def as_dict(self) -> dict[str, float]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class NegativeFeedback:
    """What a viewer said "not interested" to, already decayed to factors in [0, 1]."""

    items: frozenset[int] = frozenset()
    anchors: dict[int, float] = field(default_factory=dict)
    merchants: dict[int, float] = field(default_factory=dict)
    categories: dict[int, float] = field(default_factory=dict)
    # Unit vectors of the rejected items, and how strongly each still counts
    # (1 at once, fading like the anchor / category damping): similar items are
    # lowered too (clause 6.3.3).
    vectors: np.ndarray | None = None
    strength: np.ndarray | None = None


# Cosine from which an item counts as similar to a rejected one, and the largest
# share of its score a rejection takes from an identical item.
SIMILAR_FROM = 0.6
SIMILAR_WEIGHT = 0.5


def similarity_factor(vectors: np.ndarray, feedback: NegativeFeedback) -> np.ndarray:
    """Score multiplier in [1 - SIMILAR_WEIGHT, 1] for items like rejected ones."""
    if feedback.vectors is None or len(feedback.vectors) == 0 or len(vectors) == 0:
        return np.ones(len(vectors))
    cosine = vectors @ feedback.vectors.T
    closeness = np.clip((cosine - SIMILAR_FROM) / (1.0 - SIMILAR_FROM), 0.0, 1.0)
    penalty = (closeness * feedback.strength[None, :]).max(axis=1)
    return 1.0 - SIMILAR_WEIGHT * penalty


@dataclass(frozen=True)
class Exploration:
    """Beta posteriors of new items' click-through, for Thompson sampling."""

    pool: np.ndarray  # item indices of new anchors' / merchants' items
    impressions: np.ndarray
    clicks: np.ndarray


@dataclass(frozen=True)
class RerankContext:
    now: float
    size: int
    policy: PolicySnapshot
    eligible: np.ndarray | None = None  # boolean mask over the table; None = all
    feedback: NegativeFeedback = NegativeFeedback()
    exploration: Exploration | None = None
    rng: np.random.Generator | None = None


@dataclass(frozen=True)
class TraceStep:
    step: str
    before: int
    after: int
    note: str = ""

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


@dataclass
class Slate:
    index: np.ndarray
    score: np.ndarray
    reasons: dict[int, list[str]] = field(default_factory=dict)
    trace: list[TraceStep] = field(default_factory=list)

    def keep(self, mask: np.ndarray, step: str, note: str = "") -> None:
        before = len(self.index)
        self.index, self.score = self.index[mask], self.score[mask]
        self.trace.append(TraceStep(step, before, len(self.index), note))


def rerank(
    table: ItemTable,
    index: np.ndarray,
    score: np.ndarray,
    context: RerankContext,
    config: RerankConfig,
) -> Slate:
    order = np.argsort(-score, kind="stable")
    slate = Slate(index=np.asarray(index)[order], score=np.asarray(score)[order])
    allowed = allowed_mask(table, context)

    slate.keep(allowed[slate.index], "eligibility_and_policy", _policy_note(context))
    _suppress(table, slate, context.feedback)
    _throttle(table, slate, context.policy)
    _business_rules(table, slate, config, context.policy.exposure_cap)
    _diversify(table, slate, context.size, config)
    _explore(table, slate, context, config, allowed)
    return slate


def allowed_mask(table: ItemTable, context: RerankContext) -> np.ndarray:
    """Items that may be served at all: eligible now and not blocked or unreviewed."""
    allowed = policy_mask(table, context.policy)
    return allowed if context.eligible is None else context.eligible & allowed


# One mask and one merchant factor per (item table, policy snapshot): both change
# rarely, and at 100k items the membership tests and dictionary lookups cost
# milliseconds that no request should pay again.
_cached: dict[tuple[str, int, int], tuple[ItemTable, PolicySnapshot, np.ndarray]] = {}
CACHE_SIZE = 16


def _per_policy(what: str, table: ItemTable, policy: PolicySnapshot, build):
    key = (what, id(table), id(policy))
    cached = _cached.get(key)
    if cached is not None and cached[0] is table and cached[1] is policy:
        return cached[2]
    value = build(table, policy)
    value.setflags(write=False)
    if len(_cached) >= CACHE_SIZE:
        _cached.clear()
    _cached[key] = (table, policy, value)
    return value


def policy_mask(table: ItemTable, policy: PolicySnapshot) -> np.ndarray:
    return _per_policy("mask", table, policy, _policy_mask)


def merchant_factors(table: ItemTable, policy: PolicySnapshot) -> np.ndarray:
    """Per item: its merchant's credit multiplier times its quality boost
    (rows 0 and 1 of the result), 1 for items without a merchant."""
    return _per_policy("factors", table, policy, _merchant_factors)


def _merchant_factors(table: ItemTable, policy: PolicySnapshot) -> np.ndarray:
    merchants, inverse = np.unique(table.merchant, return_inverse=True)
    credit = np.array(
        [policy.multiplier(int(m)) if m != NONE else 1.0 for m in merchants]
    )
    boost = np.array(
        [policy.quality_boost.get(int(m), 1.0) if m != NONE else 1.0 for m in merchants]
    )
    return np.vstack([credit[inverse], boost[inverse]]).reshape(2, len(table))


def _policy_mask(table: ItemTable, policy: PolicySnapshot) -> np.ndarray:
    live = table.kind == "live_room"
    return allowed_items(
        policy,
        table.kind,
        table.pk,
        anchor=table.anchor if live else None,
        merchant=table.merchant,
    )


def _policy_note(context: RerankContext) -> str:
    return f"policy v{context.policy.version}"


def _suppress(table: ItemTable, slate: Slate, feedback: NegativeFeedback) -> None:
    keep = ~np.isin(table.pk[slate.index], list(feedback.items))
    slate.keep(keep, "not_interested", f"{len(feedback.items)} items suppressed")
    factor = np.ones(len(slate.index))
    for column, penalties in (
        (table.anchor, feedback.anchors),
        (table.merchant, feedback.merchants),
        (table.category, feedback.categories),
    ):
        for key, value in penalties.items():
            factor[column[slate.index] == key] *= value
    factor *= similarity_factor(table.vectors[slate.index], feedback)
    slate.score = slate.score * factor
    _resort(slate)


def _throttle(table: ItemTable, slate: Slate, policy: PolicySnapshot) -> None:
    factors = merchant_factors(table, policy)
    credit, boost = factors[0, slate.index], factors[1, slate.index]
    slate.score = slate.score * credit * boost
    throttled = int(np.count_nonzero(credit < 1.0))
    slate.trace.append(
        TraceStep(
            "credit_and_quality",
            len(slate.index),
            len(slate.index),
            f"{throttled} throttled by credit",
        )
    )
    _resort(slate)


def _business_rules(
    table: ItemTable,
    slate: Slate,
    config: RerankConfig,
    credit_cap: dict[int, int] | None = None,
) -> None:
    """At most N items of one anchor or merchant in a list; a merchant's credit
    tier may lower its N (clause 6.2.2)."""
    credit_cap = credit_cap or {}
    keep = [True] * len(slate.index)
    per_anchor: dict[int, int] = {}
    per_merchant: dict[int, int] = {}
    # Plain Python ints: indexing numpy arrays item by item costs several times more.
    anchors = table.anchor[slate.index].tolist()
    merchants = table.merchant[slate.index].tolist()
    for position, (anchor, merchant) in enumerate(zip(anchors, merchants, strict=True)):
        if anchor != NONE and per_anchor.get(anchor, 0) >= config.max_per_anchor:
            keep[position] = False
            continue
        cap = min(config.max_per_merchant, credit_cap.get(merchant, 1 << 30))
        if merchant != NONE and per_merchant.get(merchant, 0) >= cap:
            keep[position] = False
            continue
        per_anchor[anchor] = per_anchor.get(anchor, 0) + 1
        per_merchant[merchant] = per_merchant.get(merchant, 0) + 1
    caps = f"max {config.max_per_anchor}/anchor, {config.max_per_merchant}/merchant"
    slate.keep(np.array(keep, dtype=bool), "business_rules", caps)


def _diversify(table: ItemTable, slate: Slate, size: int, config: RerankConfig) -> None:
    """Maximal marginal relevance over the item vectors (clause 5.3.3)."""
    before = len(slate.index)
    pool = min(before, size * config.mmr_pool_factor)
    index, score = slate.index[:pool], slate.score[:pool]
    chosen = mmr(table.vectors[index], score, size, config.diversity_lambda)
    slate.index, slate.score = index[chosen], score[chosen]
    slate.trace.append(
        TraceStep(
            "diversity", before, len(slate.index), f"MMR λ={config.diversity_lambda}"
        )
    )


def mmr(vectors: np.ndarray, score: np.ndarray, size: int, lam: float) -> np.ndarray:
    """Greedy MMR: relevance (scaled to [0, 1]) against similarity to items chosen."""
    n = len(score)
    if n == 0:
        return np.zeros(0, dtype=int)
    spread = float(score.max() - score.min())
    relevance = (score - score.min()) / spread if spread > 0 else np.ones(n)
    # gain = lam * relevance - (1 - lam) * (similarity to the closest item chosen);
    # the penalty term is kept up to date in place, and an item once chosen gets
    # an infinite penalty, so each step costs three array operations.
    base = lam * relevance
    penalised = (1.0 - lam) * (vectors @ vectors.T)
    chosen = [int(np.argmax(relevance))]
    penalty = penalised[chosen[0]].copy()
    penalty[chosen[0]] = np.inf
    while len(chosen) < min(size, n):
        best = int(np.argmax(base - penalty))
        chosen.append(best)
        np.maximum(penalty, penalised[best], out=penalty)
        penalty[best] = np.inf
    return np.array(chosen)


def _explore(
    table: ItemTable,
    slate: Slate,
    context: RerankContext,
    config: RerankConfig,
    allowed: np.ndarray,
) -> None:
    """Reserve a share of slots for new anchors' and merchants' items (Thompson)."""
    before = len(slate.index)
    exploration = context.exploration
    slots = int(round(context.size * config.exploration_share))
    if exploration is None or slots == 0 or context.rng is None:
        slate.trace.append(TraceStep("exploration", before, before, "no slots"))
        return

    pool = exploration.pool
    listed = np.zeros(len(table), dtype=bool)
    listed[slate.index] = True
    fit = allowed[pool] & ~listed[pool]
    if context.feedback.items:
        fit &= ~np.isin(table.pk[pool], list(context.feedback.items))
    candidates = pool[fit]
    if len(candidates) == 0:
        slate.trace.append(TraceStep("exploration", before, before, "no new items"))
        return

    clicks, shown = exploration.clicks[fit], exploration.impressions[fit]
    draws = thompson_draws(context.rng, clicks, np.maximum(shown - clicks, 0.0))
    picked = candidates[_largest(draws, slots)]
    _insert_spread(slate, picked, context.size)
    for item in picked:
        slate.reasons.setdefault(int(item), []).append("exploration")
    slate.trace.append(
        TraceStep("exploration", before, len(slate.index), f"{len(picked)} slots")
    )


def thompson_draws(
    rng: np.random.Generator, successes: np.ndarray, failures: np.ndarray
) -> np.ndarray:
    """One draw from each Beta(1 + successes, 1 + failures) posterior.

    Most new items have no click yet, and Beta(1, b) has the closed-form inverse
    CDF 1 - U^(1/b): those are drawn from one uniform each, several times faster
    than the general sampler, which draws the rest.
    """
    a, b = 1.0 + np.asarray(successes, float), 1.0 + np.asarray(failures, float)
    draws = 1.0 - rng.random(len(a)) ** (1.0 / b)
    general = np.flatnonzero(a != 1.0)
    if len(general):
        draws[general] = rng.beta(a[general], b[general])
    return draws


def _largest(values: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` largest values, largest first."""
    if k < len(values):
        top = np.argpartition(-values, k - 1)[:k]
        return top[np.argsort(-values[top], kind="stable")]
    return np.argsort(-values, kind="stable")


def _insert_spread(slate: Slate, picked: np.ndarray, size: int) -> None:
    """Put explored items at evenly spaced positions, trimming the list to ``size``."""
    keep = size - len(picked)
    index, score = list(slate.index[:keep]), list(slate.score[:keep])
    step = max(1, size // (len(picked) + 1))
    floor = min(score) if score else 0.0
    for n, item in enumerate(picked, start=1):
        position = min(n * step, len(index))
        index.insert(position, int(item))
        score.insert(position, floor)
    slate.index, slate.score = np.array(index, dtype=int), np.array(score)


def _resort(slate: Slate) -> None:
    order = np.argsort(-slate.score, kind="stable")
    slate.index, slate.score = slate.index[order], slate.score[order]


def intra_list_diversity(vectors: np.ndarray) -> float:
    """Mean pairwise (1 - cosine similarity) of a list: the metric MMR should raise."""
    n = len(vectors)
    if n < 2:
        return 0.0
    similarity = vectors @ vectors.T
    upper = similarity[np.triu_indices(n, k=1)]
    return float(np.mean(1.0 - upper))
