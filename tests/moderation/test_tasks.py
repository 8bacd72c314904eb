"""New content reaches the screen through the periodic task (every five minutes), and
what viewers type and anchors say is screened too."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from recengine.models import Event, EventKind, LiveRoom
from recengine.moderation.models import AigcLabel, ContentKind, ModerationCase
from recengine.moderation.policy_source import collect
from recengine.moderation.services import screen_catalogue
from recengine.moderation.tasks import screen_new_content
from recengine.schedules import MODERATION_SCREEN, ensure_default_schedules

pytestmark = pytest.mark.django_db


def test_the_screen_runs_every_five_minutes():
    ensure_default_schedules()

    job = PeriodicTask.objects.get(name=MODERATION_SCREEN)
    assert job.task == screen_new_content.name
    assert json.loads(job.kwargs) == {}
    assert (job.interval.every, job.interval.period) == (5, IntervalSchedule.MINUTES)


def test_the_task_screens_rows_ingested_since_the_last_run(screened, platform):
    LiveRoom.objects.create(
        external_id="r-new",
        anchor=platform.anchors[0],
        title="国家级好物 全网最低价",
        created_at=platform.now,
    )

    lines = screen_new_content()

    case = ModerationCase.objects.get(room__external_id="r-new")
    assert case.high_risk
    assert any(line.startswith("screened 1 elements") for line in lines)
    # The digital-human room of the platform got its declared label on the way.
    assert AigcLabel.objects.get().room == platform.rooms[1]


def test_prohibited_goods_in_the_danmaku_withhold_the_room(screened, platform):
    room = platform.rooms[0]
    Event.objects.create(
        event_id="dm-1",
        kind=EventKind.COMMENT,
        occurred_at=platform.now - dt.timedelta(minutes=20),
        viewer=platform.viewers[0],
        room=room,
        text="私聊出高仿大牌，加我 13912345678",
    )

    screen_catalogue(actor=None, now=platform.now)

    case = ModerationCase.objects.get(kind=ContentKind.DANMAKU, room=room)
    assert case.high_risk
    assert "prohibited_goods:高仿" in case.rule_hits
    assert "13912345678" not in case.excerpt  # personal data never stored
    assert room.pk in collect().unreviewed_rooms


def test_absolute_claims_in_the_transcript_withhold_the_room(screened, platform):
    session = platform.sessions[0]
    session.transcript = "这款面霜是全网第一，根治痘痘，100%有效！"
    session.save()

    screen_catalogue(actor=None, now=platform.now)

    case = ModerationCase.objects.get(kind=ContentKind.TRANSCRIPT, session=session)
    assert case.high_risk
    assert session.room_id in collect().unreviewed_rooms
