from recengine.models.events import AppendOnlyError, Event, EventKind, Scene
from recengine.models.integration import ApiKey, ApiScope
from recengine.models.lifecycle import ModelStatus, ModelVersion, RankingConfig
from recengine.models.platform import (
    Anchor,
    AnchorPersona,
    BroadcastSession,
    Category,
    InterestSource,
    InterestTag,
    LiveRoom,
    Merchant,
    Product,
    Region,
    ShortVideo,
    SpendingLevel,
    Viewer,
    ViewerIdentity,
    ViewerInterest,
)
from recengine.models.rights import DataExport, TagSuppression
from recengine.models.serving_stats import ServingLatency
from recengine.models.simulation import (
    GroundTruth,
    PlatformSnapshot,
    SimulationRun,
    TruthKind,
)

__all__ = [
    "Anchor",
    "AnchorPersona",
    "ApiKey",
    "ApiScope",
    "AppendOnlyError",
    "BroadcastSession",
    "Category",
    "DataExport",
    "Event",
    "EventKind",
    "GroundTruth",
    "InterestSource",
    "InterestTag",
    "LiveRoom",
    "Merchant",
    "ModelStatus",
    "ModelVersion",
    "PlatformSnapshot",
    "Product",
    "RankingConfig",
    "Region",
    "Scene",
    "ServingLatency",
    "ShortVideo",
    "SimulationRun",
    "SpendingLevel",
    "TagSuppression",
    "TruthKind",
    "Viewer",
    "ViewerIdentity",
    "ViewerInterest",
]
