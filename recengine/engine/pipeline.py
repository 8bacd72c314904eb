"""Training: one engine version from a window of the event log, registered as a
candidate with its offline evaluation (clause 8.2.2). Activation is a separate,
human decision (``recengine.services.lifecycle.activate_model``)."""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from recengine.engine import offline
from recengine.engine.artifacts import EngineArtifacts
from recengine.engine.state import base_scenes, fit_state
from recengine.features.datasets import load_catalogue
from recengine.features.fusion import ItemFeatureBuilder
from recengine.features.persona import score_anchors
from recengine.models import ModelVersion
from recengine.ranking.objectives import ObjectiveWeights
from recengine.services.lifecycle import (
    current_ranking_config,
    record_anchor_personas,
    register_candidate,
)

logger = logging.getLogger(__name__)

MODELS_FOLDER = "models"
DEFAULT_DAYS = 14


class NothingToTrain(ValueError):
    """The window holds no catalogue or no behaviour to learn from."""


@dataclass
class TrainingResult:
    model: ModelVersion
    artifacts: EngineArtifacts
    seconds: float


def new_version(until: dt.datetime) -> str:
    return f"engine-{until:%Y%m%d-%H%M}-{uuid.uuid4().hex[:6]}"


def build(until: dt.datetime, days: int = DEFAULT_DAYS) -> EngineArtifacts:
    """Fit every part of the engine on ``[until - days, until)``; touches no file."""
    if until.tzinfo is None or days < 1:
        raise ValueError("training needs an aware end and at least one day")
    start = until - dt.timedelta(days=days)
    catalogue = load_catalogue(until)
    if len(catalogue.rooms) + len(catalogue.products) == 0:
        raise NothingToTrain("the catalogue is empty")
    vectors = ItemFeatureBuilder().fit_transform(catalogue)
    base, categories = base_scenes(vectors, catalogue, until)
    weights = ObjectiveWeights(**current_ranking_config().weights)

    # The first 80 % of the window teaches the models that the last 20 % measures.
    cutoff = offline.cutoff_of(start, until)
    part = fit_state(_copy(base), categories, start, cutoff)
    pctr, pcvr, calibration = offline.fit_rates(part, start, until)
    rankings = offline.evaluate(part, pctr, pcvr, start, until, weights)

    full = fit_state(base, categories, start, until)
    evaluation = {
        "window": {"start": start.isoformat(), "end": until.isoformat()},
        "cutoff": cutoff.isoformat(),
        "recall_models": full.cf_selection,
        "rates": calibration,
        "offline": rankings,
    }
    return EngineArtifacts(
        version=new_version(until),
        window_start=start.timestamp(),
        window_end=until.timestamp(),
        scenes=full.scenes,
        category_codes=categories,
        interest=full.interest,
        interest_viewers=full.interest_viewers,
        pctr=pctr,
        pcvr=pcvr,
        evaluation=evaluation,
        anchor_personas={
            int(anchor): tuple(float(v) for v in row)
            for anchor, row in score_anchors(catalogue.rooms).iterrows()
        },
    )


def _copy(base: dict) -> dict:
    import copy

    return {scene: copy.copy(model) for scene, model in base.items()}


def models_folder() -> Path:
    return Path(settings.DATA_DIR) / MODELS_FOLDER


def train(until: dt.datetime, days: int = DEFAULT_DAYS) -> TrainingResult:
    """Build, save under ``DATA_DIR/models`` and register a candidate version."""
    started = time.perf_counter()
    artifacts = build(until, days)
    path, digest = artifacts.save(models_folder())
    seconds = time.perf_counter() - started
    model = register_candidate(
        version=artifacts.version,
        window_start=until - dt.timedelta(days=days),
        window_end=until,
        artifact=str(Path(MODELS_FOLDER) / path.name),
        artifact_sha256=digest,
        evaluation=artifacts.evaluation,
        training_seconds=round(seconds, 2),
    )
    record_anchor_personas(artifacts.anchor_personas, version=artifacts.version)
    logger.info(
        "engine trained", extra={"model": model.version, "seconds": round(seconds, 1)}
    )
    return TrainingResult(model, artifacts, seconds)


def artifact_path(model: ModelVersion) -> Path:
    return Path(settings.DATA_DIR) / model.artifact
