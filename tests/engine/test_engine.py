"""Training, activation and the two serving strategies on a simulated platform."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings

from recengine import serving
from recengine.models import (
    BroadcastSession,
    Event,
    EventKind,
    GroundTruth,
    LiveRoom,
    ModelStatus,
    ModelVersion,
    Scene,
    TruthKind,
    Viewer,
)
from recengine.pseudonym import pseudonym_for
from recengine.services.lifecycle import activate_model, rollback_model
from recengine.serving.event_rows import new_event

NOW_AFTER = dt.timedelta(minutes=5)


def _serve_version(version: str, actor) -> None:
    activate_model(actor=actor, version=version, reason="test")
    runtime = serving.runtime()
    runtime.refresh(force=True)
    runtime.wait()


def _recommend(trained, viewer_id, scene=Scene.LIVE_FEED, **extra):
    return serving.recommend(
        viewer_id=viewer_id,
        scene=scene,
        size=10,
        now=trained.until + NOW_AFTER,
        record=False,
        **extra,
    )


def _active_viewer(trained) -> int:
    runtime = serving.runtime()
    viewers = runtime._artifacts.scenes["live_feed"].cf_viewers
    return min(viewers)


def test_training_registers_a_candidate_with_its_evaluation(trained, db):
    model = ModelVersion.objects.get(version=trained.first)

    assert model.status == ModelStatus.CANDIDATE
    assert Path(settings.DATA_DIR, model.artifact).is_file()
    offline = model.evaluation["offline"]["live_feed"]["metrics"]
    assert set(offline) == {
        "engine",
        "engine_ctr_cvr",
        "non_personalised",
        "most_popular",
        "item_knn",
    }
    assert 0.0 <= offline["engine"]["ndcg"] <= 1.0
    holdout = model.evaluation["rates"]["live_feed"]["pctr"]["holdout"]
    assert {"log_loss", "auc", "ece"} <= set(holdout)


def test_activation_switches_serving_without_restart(trained, db, platform_admin):
    assert _recommend(trained, None).strategy == "popularity"

    _serve_version(trained.first, platform_admin)
    assert _recommend(trained, None).model_version == trained.first

    _serve_version(trained.second, platform_admin)
    assert _recommend(trained, None).model_version == trained.second


def test_a_retired_version_never_serves_and_rollback_restores(
    trained, db, platform_admin
):
    _serve_version(trained.first, platform_admin)
    _serve_version(trained.second, platform_admin)

    rollback_model(actor=platform_admin, reason="worse in production")
    runtime = serving.runtime()
    runtime.refresh(force=True)
    during = _recommend(trained, None).model_version
    runtime.wait()

    assert during != trained.second
    assert _recommend(trained, None).model_version == trained.first


def test_the_live_feed_serves_only_rooms_live_now(trained, db, platform_admin):
    _serve_version(trained.first, platform_admin)
    now = trained.until + NOW_AFTER

    result = _recommend(trained, _active_viewer(trained))

    live = set(
        BroadcastSession.objects.filter(
            started_at__lte=now, ended_at__isnull=True
        ).values_list("room__external_id", flat=True)
    )
    assert result.items
    assert {item.id for item in result.items} <= live
    assert result.strategy == "personalised"
    assert all(item.reason for item in result.items)


def test_the_trace_lists_the_rerank_steps_when_asked(trained, db, platform_admin):
    _serve_version(trained.first, platform_admin)

    plain = _recommend(trained, _active_viewer(trained)).as_dict()
    traced = _recommend(trained, _active_viewer(trained), trace=True).as_dict()

    assert "trace" not in plain
    steps = [step["step"] for step in traced["trace"]]
    assert steps[0] == "eligibility_and_policy"
    assert "diversity" in steps


def test_a_click_changes_the_very_next_response(trained, db, platform_admin):
    _serve_version(trained.first, platform_admin)
    viewer = _active_viewer(trained)
    before = _recommend(trained, viewer)
    served = {item.id for item in before.items}
    rooms = LiveRoom.objects.filter(
        external_id__in=[i.id for i in before.items]
    ).values_list("category_id", flat=True)
    target = (
        LiveRoom.objects.exclude(category_id__in=list(rooms))
        .filter(sessions__ended_at__isnull=True)
        .exclude(external_id__in=served)
        .first()
    )
    if target is None:
        pytest.skip("every live room already shares a category with the response")

    moment = trained.until + NOW_AFTER
    clicks = [
        new_event(
            event_id=f"t-click-{n}",
            kind=EventKind.CLICK,
            occurred_at=moment,
            viewer_id=viewer,
            room_id=target.pk,
            anchor_id=target.anchor_id,
        )
        for n in range(3)
    ]
    serving.log_events(clicks)
    after = _recommend(trained, viewer)

    def category_count(result) -> int:
        ids = [item.id for item in result.items]
        return LiveRoom.objects.filter(
            external_id__in=ids, category_id=target.category_id
        ).count()

    assert category_count(after) > category_count(before)


def test_personalisation_off_reads_no_personal_feature(
    trained, db, platform_admin, monkeypatch
):
    _serve_version(trained.first, platform_admin)
    viewer = Viewer.objects.get(pk=_active_viewer(trained))
    viewer.personalization_enabled = False
    viewer.save()
    artifacts = serving.runtime()._artifacts

    class Forbidden:
        def __getattr__(self, name):
            raise AssertionError(f"personal feature read: {name}")

    class ForbiddenMap(dict):
        def get(self, *args):
            raise AssertionError("viewer map read")

        def __getitem__(self, key):
            raise AssertionError("viewer map read")

        def __contains__(self, key):
            raise AssertionError("viewer map read")

    monkeypatch.setattr(artifacts, "interest", Forbidden())
    monkeypatch.setattr(artifacts, "interest_viewers", ForbiddenMap())
    for scene in artifacts.scenes.values():
        monkeypatch.setattr(scene, "cf_viewers", ForbiddenMap())

    result = _recommend(trained, viewer.pk)

    assert result.strategy == "non_personalised"
    assert result.items


def _interest_of_served(result, interests: dict[str, float]) -> float:
    codes = dict(
        LiveRoom.objects.filter(
            external_id__in=[item.id for item in result.items]
        ).values_list("external_id", "category__code")
    )
    return float(np.mean([interests.get(codes.get(i.id), 0.0) for i in result.items]))


def test_short_video_viewers_get_more_relevant_live_rooms(
    trained, db, platform_admin, capsys
):
    _serve_version(trained.first, platform_admin)
    interacted = set(
        Event.objects.filter(room__isnull=False)
        .exclude(kind=EventKind.IMPRESSION)
        .values_list("viewer_id", flat=True)
    ) | set(
        Event.objects.filter(product__isnull=False)
        .exclude(kind=EventKind.IMPRESSION)
        .values_list("viewer_id", flat=True)
    )
    truths = GroundTruth.objects.filter(kind=TruthKind.VIEWER)
    personal, general = [], []
    for truth in truths:
        if not truth.attributes["short_video_history"]:
            continue
        viewer = Viewer.objects.get(pseudonym=pseudonym_for(truth.external_id))
        if viewer.pk in interacted:
            continue
        interests = truth.attributes["interests"]
        personal.append(_interest_of_served(_recommend(trained, viewer.pk), interests))
        general.append(_interest_of_served(_recommend(trained, None), interests))

    lift = float(np.mean(personal) - np.mean(general))
    with capsys.disabled():
        print(
            f"\nshort-video-only viewers: {len(personal)}, mean interest of served "
            f"categories personalised {np.mean(personal):.4f} vs non-personalised "
            f"{np.mean(general):.4f} (lift {lift:+.4f})"
        )
    assert len(personal) >= 10
    assert lift > 0
