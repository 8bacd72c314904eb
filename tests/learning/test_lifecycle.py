"""Model versions: candidate -> active -> superseded -> retired (clause 8.2.2)."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from recengine.models import ModelStatus, ModelVersion, RankingConfig
from recengine.services.lifecycle import (
    ACTIVE_MODEL_KEY,
    LifecycleError,
    activate_model,
    current_ranking_config,
    publish_ranking_config,
    register_candidate,
    retire_model,
    rollback_model,
)

pytestmark = pytest.mark.django_db(transaction=True)
T0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


@pytest.fixture
def engineer():
    return get_user_model().objects.create_user("engineer", password="pw-Strong-1")


def _candidate(version: str, evaluation=None) -> ModelVersion:
    return register_candidate(
        version=version,
        window_start=T0,
        window_end=T0 + dt.timedelta(days=14),
        artifact=f"models/{version}.joblib",
        artifact_sha256="0" * 64,
        evaluation={"ndcg@10": 0.3} if evaluation is None else evaluation,
        training_seconds=12.0,
    )


def test_activation_needs_an_evaluation_a_person_and_a_reason(engineer):
    _candidate("m1", evaluation={})
    _candidate("m2")

    with pytest.raises(LifecycleError, match="evaluation"):
        activate_model(actor=engineer, version="m1", reason="try")
    with pytest.raises(LifecycleError, match="person"):
        activate_model(actor=None, version="m2", reason="try")
    with pytest.raises(LifecycleError, match="person"):
        activate_model(actor=engineer, version="m2", reason=" ")
    assert not ModelVersion.objects.filter(status=ModelStatus.ACTIVE).exists()


def test_activating_supersedes_the_previous_version_and_records_who(engineer):
    _candidate("m1")
    _candidate("m2")
    activate_model(actor=engineer, version="m1", reason="first launch")

    activate_model(actor=engineer, version="m2", reason="better NDCG")

    statuses = dict(ModelVersion.objects.values_list("version", "status"))
    assert statuses == {"m1": ModelStatus.SUPERSEDED, "m2": ModelStatus.ACTIVE}
    latest = ModelVersion.objects.get(version="m2").history.first()
    assert latest.history_change_reason == "better NDCG"
    assert latest.history_user == engineer
    assert cache.get(ACTIVE_MODEL_KEY) == "m2"


def test_rollback_is_one_action_and_retires_the_faulty_version(engineer):
    _candidate("m1")
    _candidate("m2")
    activate_model(actor=engineer, version="m1", reason="launch")
    activate_model(actor=engineer, version="m2", reason="upgrade")

    restored = rollback_model(actor=engineer, reason="CTR dropped")

    assert restored.version == "m1"
    assert ModelVersion.objects.get(version="m2").status == ModelStatus.RETIRED
    assert cache.get(ACTIVE_MODEL_KEY) == "m1"


def test_a_retired_version_never_serves_again(engineer):
    _candidate("m1")
    retire_model(actor=engineer, version="m1", reason="stale")

    with pytest.raises(LifecycleError, match="retired"):
        activate_model(actor=engineer, version="m1", reason="again")


def test_the_active_version_cannot_be_retired_directly(engineer):
    _candidate("m1")
    activate_model(actor=engineer, version="m1", reason="launch")

    with pytest.raises(LifecycleError):
        retire_model(actor=engineer, version="m1", reason="oops")


def test_ranking_configuration_is_versioned(engineer):
    assert current_ranking_config().version == 0
    defaults = current_ranking_config()

    first = publish_ranking_config(
        actor=engineer,
        weights=defaults.weights | {"quality": 0.3},
        rerank=defaults.rerank,
        reason="quality first (6.2.1)",
    )

    assert first.version == 1
    assert current_ranking_config().weights["quality"] == 0.3
    with pytest.raises(LifecycleError):
        publish_ranking_config(
            actor=engineer,
            weights=defaults.weights | {"ctr": -1},
            rerank=defaults.rerank,
            reason="bad",
        )
    with pytest.raises(LifecycleError):
        publish_ranking_config(
            actor=engineer,
            weights=defaults.weights,
            rerank=defaults.rerank | {"exploration_share": 0.9},
            reason="bad",
        )
    assert RankingConfig.objects.count() == 1
