"""Model versions and ranking configuration: every change through one function,
with its actor and reason in the history (clause 8.2.2)."""

from __future__ import annotations

import logging
from dataclasses import asdict

from django.db import transaction
from django.utils import timezone

from recengine import markers
from recengine.governance.rerank import RerankConfig
from recengine.models import AnchorPersona, ModelStatus, ModelVersion, RankingConfig
from recengine.ranking.objectives import ObjectiveWeights

logger = logging.getLogger(__name__)

ACTIVE_MODEL_KEY = markers.register("engine:active-model")
RANKING_KEY = markers.register("engine:ranking-version")


class LifecycleError(ValueError):
    """A transition the lifecycle does not allow; nothing was changed."""


def active_model() -> ModelVersion | None:
    return ModelVersion.objects.filter(status=ModelStatus.ACTIVE).first()


@transaction.atomic
def register_candidate(
    *,
    version: str,
    window_start,
    window_end,
    artifact: str,
    artifact_sha256: str,
    evaluation: dict,
    training_seconds: float,
) -> ModelVersion:
    model = ModelVersion(
        version=version,
        created_at=timezone.now(),
        window_start=window_start,
        window_end=window_end,
        artifact=artifact,
        artifact_sha256=artifact_sha256,
        evaluation=evaluation,
        training_seconds=training_seconds,
    )
    model._change_reason = "trained"
    model.save()
    logger.info("model candidate %s registered", version, extra={"model": version})
    return model


@transaction.atomic
def activate_model(*, actor, version: str, reason: str) -> ModelVersion:
    """Put a candidate (or a superseded version) into service."""
    model = ModelVersion.objects.select_for_update().filter(version=version).first()
    if model is None:
        raise LifecycleError(f"no model version {version!r}")
    if _missing_actor(actor) or not reason.strip():
        raise LifecycleError("activation needs a person and a reason")
    if model.status == ModelStatus.RETIRED:
        raise LifecycleError("a retired model version never serves again")
    if model.status == ModelStatus.ACTIVE:
        raise LifecycleError(f"{version} is already active")
    if not model.evaluation:
        raise LifecycleError("a model version needs an offline evaluation first")

    current = active_model()
    if current is not None:
        _move(current, ModelStatus.SUPERSEDED, actor, f"superseded by {version}")
    model.activated_at = timezone.now()
    model.activated_by = actor
    _move(model, ModelStatus.ACTIVE, actor, reason)
    _announce(version)
    return model


@transaction.atomic
def rollback_model(*, actor, reason: str) -> ModelVersion:
    """Retire the active version and bring back the one it superseded."""
    current = active_model()
    previous = (
        ModelVersion.objects.filter(status=ModelStatus.SUPERSEDED)
        .order_by("-activated_at")
        .first()
    )
    if current is None or previous is None:
        raise LifecycleError("nothing to roll back to")
    if _missing_actor(actor) or not reason.strip():
        raise LifecycleError("a rollback needs a person and a reason")
    _move(current, ModelStatus.RETIRED, actor, f"rolled back: {reason}")
    previous.activated_at = timezone.now()
    previous.activated_by = actor
    _move(previous, ModelStatus.ACTIVE, actor, f"rollback: {reason}")
    _announce(previous.version)
    return previous


@transaction.atomic
def retire_model(*, actor, version: str, reason: str) -> ModelVersion:
    model = ModelVersion.objects.select_for_update().filter(version=version).first()
    if model is None:
        raise LifecycleError(f"no model version {version!r}")
    if model.status == ModelStatus.ACTIVE:
        raise LifecycleError("activate another version or roll back before retiring")
    if _missing_actor(actor) or not reason.strip():
        raise LifecycleError("retiring needs a person and a reason")
    _move(model, ModelStatus.RETIRED, actor, reason)
    return model


def _missing_actor(actor) -> bool:
    return actor is None or getattr(actor, "pk", None) is None


def _move(model: ModelVersion, status: str, actor, reason: str) -> None:
    model.status = status
    model._change_reason = reason
    model._history_user = actor
    model.save()
    logger.info("model %s is now %s", model.version, status, extra={"model": model.pk})


def _announce(version: str) -> None:
    # Serving processes compare this marker on each request; the database stays the
    # authority when the cache is empty or unreachable.
    transaction.on_commit(lambda: _set_marker(ACTIVE_MODEL_KEY, version))


def _set_marker(key: str, value) -> None:
    markers.write(key, value)


def current_ranking_config() -> RankingConfig:
    config = RankingConfig.objects.order_by("-version").first()
    if config is None:
        config = RankingConfig(
            version=0,
            weights=ObjectiveWeights().as_dict(),
            rerank=asdict(RerankConfig()),
            reason="defaults",
        )
    return config


@transaction.atomic
def publish_ranking_config(
    *, actor, weights: dict, rerank: dict, reason: str
) -> RankingConfig:
    """A new version of the ranking weights and re-rank settings."""
    if _missing_actor(actor) or not reason.strip():
        raise LifecycleError("a ranking change needs a person and a reason")
    try:
        ObjectiveWeights(**weights)
        RerankConfig(**rerank)
    except (TypeError, ValueError) as problem:
        raise LifecycleError(f"invalid ranking configuration: {problem}") from None

    latest = RankingConfig.objects.select_for_update().order_by("-version").first()
    config = RankingConfig(
        version=(latest.version + 1) if latest else 1,
        weights=weights,
        rerank=rerank,
        created_at=timezone.now(),
        created_by=actor,
        reason=reason,
    )
    config._change_reason = reason
    config._history_user = actor
    config.save()
    transaction.on_commit(lambda: _set_marker(RANKING_KEY, config.version))
    return config


@transaction.atomic
def record_anchor_personas(
    scores: dict[int, tuple[float, float, float]], *, version: str
) -> int:
    """Replace the stored persona measures with those of a newly trained version."""
    now = timezone.now()
    rows = [
        AnchorPersona(
            anchor_id=anchor,
            professionalism=min(max(values[0], 0.0), 1.0),
            clarity=min(max(values[1], 0.0), 1.0),
            interactivity=min(max(values[2], 0.0), 1.0),
            model_version=version,
            computed_at=now,
        )
        for anchor, values in scores.items()
    ]
    # Derived measurements, rebuilt whole at each training; no history to keep.
    AnchorPersona.objects.all().delete()
    AnchorPersona.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
