"""What a recommendation response is made of, shared by every serving strategy."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ItemKind = Literal["live_room", "product"]


@dataclass(frozen=True)
class ServedItem:
    """One exposure slot: the item's external id, never an internal key."""

    id: str
    kind: ItemKind
    score: float
    labels: list[str] = field(default_factory=list)
    reason: str = ""


@dataclass(frozen=True)
class RecommendationResult:
    """A response, with everything an audit needs to reconstruct why it was served."""

    items: list[ServedItem]
    strategy: str
    model_version: str
    policy_version: int
    request_id: str

    def as_dict(self) -> dict[str, object]:
        return {
            "items": [
                {
                    "id": item.id,
                    "kind": item.kind,
                    "score": item.score,
                    "labels": list(item.labels),
                    "reason": item.reason,
                }
                for item in self.items
            ],
            "strategy": self.strategy,
            "model_version": self.model_version,
            "policy_version": self.policy_version,
            "request_id": self.request_id,
        }
