"""The machine screen: a risk score per element from the classifier and the rules,
and the route that follows from it (clause 6.1.1).

Routing, by the clause and the practice around it: high risk, the model's uncertain
band, high-traffic or high-GMV rooms and AI-synthesised content (its own queue,
6.1.2) go to people; the rest is approved by the machine with a recorded reason.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import joblib
import numpy as np

from recengine.moderation.classifier import RiskClassifier
from recengine.moderation.content import Element
from recengine.moderation.models import CaseStatus, Queue, ScreenModel
from recengine.moderation.rules import rule_hits

HIGH_RISK = 0.8
UNCERTAIN_FROM = 0.35
RULE_RISK = 0.95  # a rule hit is certain, but leaves room above it for the model
DECISION_THRESHOLD = 0.5  # where precision and recall of the classifier are taken


@dataclass(frozen=True)
class Route:
    queue: str
    status: str
    high_risk: bool
    priority: int


@dataclass(frozen=True)
class Screened:
    element: Element
    risk: float
    probability: float | None
    hits: list[str]
    route: Route


def route(risk: float, *, rule_hit: bool, ai: bool, hot: bool) -> Route:
    high = rule_hit or risk >= HIGH_RISK
    # Priority orders a queue: risk first, a busy room sooner than a quiet one.
    priority = min(100, int(round(risk * 90)) + (10 if hot else 0))
    if ai:
        return Route(Queue.AIGC, CaseStatus.PENDING, high, priority)
    if high:
        return Route(Queue.HIGH_RISK, CaseStatus.PENDING, True, priority)
    if risk >= UNCERTAIN_FROM:
        return Route(Queue.UNCERTAIN, CaseStatus.PENDING, False, priority)
    if hot:
        return Route(Queue.HIGH_TRAFFIC, CaseStatus.PENDING, False, priority)
    return Route(Queue.NONE, CaseStatus.AUTO_APPROVED, False, 0)


def dump(classifier: RiskClassifier) -> tuple[bytes, str]:
    buffer = io.BytesIO()
    joblib.dump(classifier, buffer, compress=3)
    data = buffer.getvalue()
    return data, hashlib.sha256(data).hexdigest()


_CACHE: dict[str, RiskClassifier] = {}
_LOCK = threading.Lock()


def load(model: ScreenModel) -> RiskClassifier:
    """The fitted classifier of ``model``, once per process and version."""
    with _LOCK:
        cached = _CACHE.get(model.artifact_sha256)
        if cached is not None:
            return cached
        data = bytes(model.artifact)
        if hashlib.sha256(data).hexdigest() != model.artifact_sha256:
            raise ValueError(f"Screen model {model.version} does not match its hash.")
        # The artifact was written by train_screen and verified against its stored
        # hash above; joblib runs code on load, so nothing else is ever loaded.
        classifier = joblib.load(io.BytesIO(data))
        _CACHE[model.artifact_sha256] = classifier
        return classifier


def screen(
    elements: Sequence[Element], classifier: RiskClassifier | None
) -> list[Screened]:
    """Risk and route of each element; without a classifier the rules alone decide
    and every element without a hit goes to the uncertain queue."""
    kinds = [element.kind for element in elements]
    texts = [element.text for element in elements]
    if classifier is not None:
        probabilities: list[float | None] = list(
            map(float, classifier.predict_proba(kinds, texts))
        )
    else:
        probabilities = [None] * len(elements)

    out = []
    for element, probability in zip(elements, probabilities, strict=True):
        hits = [hit.as_text() for hit in rule_hits(element.text)]
        model_risk = UNCERTAIN_FROM if probability is None else probability
        risk = max(model_risk, RULE_RISK if hits else 0.0)
        chosen = route(
            risk, rule_hit=bool(hits), ai=element.ai_synthesised, hot=element.hot
        )
        out.append(
            Screened(element, float(np.round(risk, 4)), probability, hits, chosen)
        )
    return out
