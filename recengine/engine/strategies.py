"""The two serving strategies over loaded artifacts: numpy, no database, no files.

``personalised``: profile (long-term + session) -> recall channels -> pair features
-> pCTR / pCVR -> multi-objective score -> re-rank (policy, "not interested",
credit, business rules, diversity, exploration).

``non_personalised`` (clause 6.3.1): quality and popularity in the coarse context
(scene, local hour), then the same re-rank with no personal feedback. It receives
no viewer at all, so it cannot read a personal feature.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from recengine.engine import reasons, scoring
from recengine.engine.artifacts import EngineArtifacts, SceneModel
from recengine.governance.policy import PolicySnapshot
from recengine.governance.rerank import (
    Exploration,
    NegativeFeedback,
    RerankConfig,
    RerankContext,
    Slate,
    merchant_factors,
    policy_mask,
    rerank,
)
from recengine.ranking.objectives import ObjectiveWeights, leading

NEW_SECONDS = 14 * 86_400.0
# The non-personalised strategy re-ranks this many candidates per slot asked for:
# enough for the business rules and MMR to choose from, few enough that a 100k
# catalogue is not sorted and throttled item by item on every request.
SHORTLIST_PER_SLOT = 50


@dataclass(frozen=True)
class Request:
    scene: str
    size: int
    now: float
    hour: int
    eligible: np.ndarray  # over the scene's items: live now / on sale
    policy: PolicySnapshot
    weights: ObjectiveWeights
    config: RerankConfig
    seed: int


@dataclass
class Picked:
    """The slate's item indices with one reason each."""

    index: np.ndarray
    score: np.ndarray
    reasons: list[str]
    trace: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class Viewer:
    row: int | None  # interest model key (fitted row, or a session-only key)
    feedback: NegativeFeedback
    history: sp.csr_matrix | None  # CF history row (1 x the scene's CF items)
    # Items of tags the viewer deleted, not yet forgotten by training (6.3.2).
    forgotten: np.ndarray | None = None


def _exploration(scene: SceneModel, now: float) -> Exploration:
    """Items of anchors / merchants new to the platform, with their CTR evidence."""
    pool = scene.fresh_items(now, NEW_SECONDS)
    clicks = np.round(scene.ctr_prior[pool] * scene.exposures[pool])
    return Exploration(pool, scene.exposures[pool], clicks)


def _context(scene: SceneModel, request: Request, feedback) -> RerankContext:
    return RerankContext(
        now=request.now,
        size=request.size,
        policy=request.policy,
        eligible=request.eligible,
        feedback=feedback,
        exploration=_exploration(scene, request.now),
        rng=np.random.default_rng(request.seed),
    )


def non_personalised(artifacts: EngineArtifacts, request: Request) -> Picked:
    scene = artifacts.scenes[request.scene]
    score = scoring.non_personal_scores(scene, request.hour)
    candidates = shortlist(scene, score, request)
    slate = rerank(
        scene.table(),
        candidates,
        score[candidates],
        _context(scene, request, NegativeFeedback()),
        request.config,
    )
    text = str(reasons.CHANNELS["non_personalised"])
    why = [
        str(reasons.CHANNELS["exploration"]) if int(i) in slate.reasons else text
        for i in slate.index
    ]
    return _picked(slate, why)


def shortlist(scene: SceneModel, score: np.ndarray, request: Request) -> np.ndarray:
    """The servable items the re-rank would rank highest, by score after credit
    throttling and quality boost: the same top as re-ranking every item, down to
    the business rules and MMR, which look no further than this many."""
    table = scene.table()
    allowed = request.eligible & policy_mask(table, request.policy)
    keep = max(request.size * SHORTLIST_PER_SLOT, 1)
    candidates = np.flatnonzero(allowed)
    if len(candidates) <= keep:
        return candidates
    factors = merchant_factors(table, request.policy)
    adjusted = score[candidates] * factors[0, candidates] * factors[1, candidates]
    return candidates[np.argpartition(-adjusted, keep - 1)[:keep]]


def personalised(
    artifacts: EngineArtifacts, request: Request, viewer: Viewer
) -> Picked:
    scene = artifacts.scenes[request.scene]
    interest = artifacts.interest
    forget = _Forget(scene, viewer.forgotten)
    profile = forget.vector(interest.profile(viewer.row, request.now))
    shares = forget.shares(artifacts, viewer.row)
    cf = scoring.cf_item_scores(scene, forget.history(viewer.history))
    found = forget.recalled(
        scoring.recall(
            scene,
            profile=profile,
            cf_scores=cf,
            allowed=request.eligible,
            now=request.now,
        )
    )
    items = np.fromiter(found, dtype=np.int64, count=len(found))
    estimators = scoring.Estimators(
        artifacts.pctr.get(request.scene), artifacts.pcvr.get(request.scene)
    )
    score, objectives = scoring.rank_scores(
        scene,
        items,
        profile=profile,
        shares=shares,
        now=request.now,
        models=estimators,
        weights=request.weights,
        long_term=forget.vector(_long_term(interest, viewer.row)),
    )
    slate = rerank(
        scene.table(),
        items,
        score,
        _context(scene, request, viewer.feedback),
        request.config,
    )
    return _picked(
        slate, _reasons(scene, found, slate, items, objectives, request, profile)
    )


class _Forget:
    """What a deleted tag takes out of one personalised request (see
    ``recengine.engine.forgetting``); does nothing when no tag was deleted."""

    PERSONAL_CHANNELS = ("cf", "vector")

    def __init__(self, scene: SceneModel, mask: np.ndarray | None) -> None:
        self.mask = mask if mask is not None and mask.any() else None
        self.direction = None
        self.categories = np.empty(0, dtype=np.int64)
        if self.mask is None:
            return
        mean = scene.vectors[self.mask].mean(axis=0)
        norm = float(np.linalg.norm(mean))
        self.direction = mean / norm if norm > 0 else None
        found = scene.category[self.mask]
        self.categories = np.unique(found[found >= 0])

    def vector(self, profile: np.ndarray) -> np.ndarray:
        """The profile without the deleted tags' direction (only its positive part:
        a viewer's dislike stays)."""
        if self.direction is None or not np.any(profile):
            return profile
        along = max(float(profile @ self.direction), 0.0)
        left = profile - along * self.direction
        norm = float(np.linalg.norm(left))
        return (left / norm if norm > 0 else left).astype(np.float32)

    def shares(self, artifacts: EngineArtifacts, row: int | None) -> np.ndarray:
        interest = artifacts.interest
        if row is None or not 0 <= row < len(interest.categories_):
            return _shares(artifacts, row)
        counts = interest.categories_[row].copy()
        counts[self.categories[self.categories < len(counts)]] = 0.0
        return scoring.interest_shares(counts)

    def history(self, history: sp.csr_matrix | None) -> sp.csr_matrix | None:
        """The CF history row without the deleted tags' items (CF column i is the
        scene's item i)."""
        if self.mask is None or history is None:
            return history
        cleaned = history.copy()
        cleaned.data[self.mask[: cleaned.shape[1]][cleaned.indices]] = 0.0
        cleaned.eliminate_zeros()
        return cleaned

    def recalled(self, found: dict[int, str]) -> dict[int, str]:
        if self.mask is None:
            return found
        return {
            item: channel
            for item, channel in found.items()
            if not (self.mask[item] and channel in self.PERSONAL_CHANNELS)
        }


def _long_term(interest, row: int | None) -> np.ndarray:
    """Unit long-term profile; zeros for a viewer known only from this session."""
    if row is None or not 0 <= row < len(interest.long_):
        return np.zeros(interest.long_.shape[1], dtype=np.float32)
    vector = interest.long_[row]
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


def _shares(artifacts: EngineArtifacts, row: int | None) -> np.ndarray:
    interest = artifacts.interest
    if row is None or not 0 <= row < len(interest.categories_):
        return scoring.interest_shares(np.zeros(interest.categories_.shape[1]))
    return scoring.interest_shares(interest.categories_[row])


def _reasons(scene, found, slate, items, objectives, request, profile) -> list[str]:
    """One plain-word reason per slate item: its recall channel, the feature block
    that matched for a vector match, and the objective that ranked it highest."""
    position = {int(item): i for i, item in enumerate(items)}
    served = [int(i) for i in slate.index]
    ranked = [i for i in served if i not in slate.reasons and i in position]
    tops = dict(
        zip(
            ranked,
            leading(objectives, request.weights, [position[i] for i in ranked]),
            strict=True,
        )
    )
    why = []
    for item in served:
        if item not in tops:
            why.append(reasons.explain("exploration", None, None))
            continue
        channel = found.get(item, "popular")
        block = None
        if channel == "vector":
            blocks = scene.block_scores_for(profile, item)
            block = max(blocks, key=blocks.get)
        why.append(reasons.explain(channel, block, tops[item]))
    return why


def _picked(slate: Slate, why: list[str]) -> Picked:
    return Picked(
        index=np.asarray(slate.index, dtype=np.int64),
        score=np.asarray(slate.score, dtype=float),
        reasons=why,
        trace=[step.as_dict() for step in slate.trace],
    )
