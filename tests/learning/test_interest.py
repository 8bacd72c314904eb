"""Viewer interest: long-term decay, the session part and cross-domain transfer."""

import numpy as np
import pytest

from recengine.learning.interest import SECONDS_PER_DAY, InterestEvents, InterestModel
from recengine.models import EventKind

NOW = 1_000 * SECONDS_PER_DAY


@pytest.fixture
def content():
    """Six items in three categories; items of a category share a direction."""
    basis = np.eye(3, dtype=np.float32)
    vectors = np.repeat(basis, 2, axis=0) + 0.05
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors, np.array([0, 0, 1, 1, 2, 2])


def _events(rows):
    viewer, row, kind, age_days, short = zip(*rows, strict=True)
    return InterestEvents(
        viewer=np.array(viewer),
        row=np.array(row),
        kind=np.array(kind),
        timestamp=NOW - np.array(age_days) * SECONDS_PER_DAY,
        is_short_video=np.array(short),
    )


def _fit(content, rows, **params):
    vectors, categories = content
    return InterestModel(**params).fit(
        _events(rows), vectors, categories, n_viewers=3, n_categories=3, now=NOW
    )


def test_recent_behaviour_outweighs_old_behaviour(content):
    rows = [(0, 0, EventKind.ORDER, 60, False), (0, 2, EventKind.ORDER, 1, False)]
    model = _fit(content, rows, long_half_life_days=7)

    shares = model.category_shares(0)

    assert shares[1] > 0.95
    assert shares.sum() == pytest.approx(1.0)


def test_the_session_part_changes_the_profile_at_once(content):
    vectors, _ = content
    model = _fit(content, [(0, 0, EventKind.ORDER, 2, False)])
    before = model.profile(0, NOW) @ vectors[4]

    model.observe(0, vectors[4], EventKind.CLICK, NOW)
    after = model.profile(0, NOW + 5) @ vectors[4]

    assert after > before + 0.3


def test_the_session_part_fades_within_the_hour(content):
    vectors, _ = content
    model = _fit(content, [(0, 0, EventKind.ORDER, 2, False)])
    model.observe(0, vectors[4], EventKind.CLICK, NOW)

    later = model.profile(0, NOW + 3 * 3600) @ vectors[4]

    assert later < 0.3


def test_short_video_history_alone_gives_a_profile(content):
    vectors, _ = content
    rows = [(1, 2, EventKind.SHORT_VIDEO_VIEW, 3, True)] * 3
    model = _fit(content, rows)

    profile = model.profile(1, NOW)

    assert np.argmax(vectors @ profile) in (2, 3)
    assert model.category_shares(1)[1] == pytest.approx(1.0)


def test_not_interested_pushes_away(content):
    vectors, _ = content
    rows = [
        (2, 0, EventKind.CLICK, 1, False),
        (2, 4, EventKind.NOT_INTERESTED, 1, False),
    ]
    model = _fit(content, rows)

    profile = model.profile(2, NOW)

    assert profile @ vectors[4] < 0
    assert model.category_shares(2)[2] == 0


def test_an_unknown_viewer_has_no_profile(content):
    model = _fit(content, [(0, 0, EventKind.CLICK, 1, False)])

    assert not model.profile(None, NOW).any()
    assert not model.profile(2, NOW).any()
