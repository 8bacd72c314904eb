"""The viewer directory: keys from memory, switches obeyed by the next lookup."""

from __future__ import annotations

import pytest
from django.utils import timezone

from recengine import markers
from recengine.models import Viewer
from recengine.pseudonym import pseudonym_for
from recengine.serving import viewers
from recengine.serving.viewers import SWITCHES_SECONDS, ViewerDirectory
from tests.engine.test_markers import Clock


def _viewer(user_id: str, *, enabled: bool = True) -> Viewer:
    return Viewer.objects.create(
        pseudonym=pseudonym_for(user_id),
        created_at=timezone.now(),
        personalization_enabled=enabled,
    )


@pytest.fixture
def directory():
    return ViewerDirectory(shared=True, clock=Clock())


def test_a_known_viewer_is_answered_from_memory(
    db, directory, django_assert_num_queries
):
    on, off = _viewer("v-on"), _viewer("v-off", enabled=False)
    with django_assert_num_queries(2):  # the key of one viewer and the set of switches
        assert directory.lookup(pseudonym_for("v-on")) == (on.pk, True)
    with django_assert_num_queries(1):  # the other viewer's key
        assert directory.lookup(pseudonym_for("v-off")) == (off.pk, False)
    with django_assert_num_queries(0):
        for _ in range(3):
            assert directory.lookup(pseudonym_for("v-on")) == (on.pk, True)
            assert directory.lookup(pseudonym_for("v-off")) == (off.pk, False)


def test_a_switch_changed_elsewhere_is_obeyed_once_its_marker_moves(db, directory):
    viewer = _viewer("v-1")
    assert directory.lookup(pseudonym_for("v-1")) == (viewer.pk, True)

    # Another process switched it off: the row changed and, after the commit, the
    # marker moved. No signal reached this process.
    Viewer.objects.filter(pk=viewer.pk).update(personalization_enabled=False)
    assert directory.lookup(pseudonym_for("v-1")) == (viewer.pk, True)
    markers.bump(viewers.SWITCHES_MARKER)
    assert directory.lookup(pseudonym_for("v-1")) == (viewer.pk, False)


def test_switches_are_read_again_after_a_while_even_without_a_marker(db, directory):
    viewer = _viewer("v-1")
    directory.lookup(pseudonym_for("v-1"))
    Viewer.objects.filter(pk=viewer.pk).update(personalization_enabled=False)

    directory.clock.now += SWITCHES_SECONDS + 1

    assert directory.lookup(pseudonym_for("v-1")) == (viewer.pk, False)


def test_saving_a_switch_tells_this_process_at_once_and_others_on_commit(
    db, django_capture_on_commit_callbacks
):
    viewers.DIRECTORY._shared = True
    viewers.DIRECTORY.forget()
    try:
        viewer = _viewer("v-1")
        assert viewers.DIRECTORY.lookup(pseudonym_for("v-1")) == (viewer.pk, True)
        before = markers.read(viewers.SWITCHES_MARKER)

        with django_capture_on_commit_callbacks(execute=True):
            viewer.personalization_enabled = False
            viewer.save()
            assert viewers.DIRECTORY.lookup(pseudonym_for("v-1")) == (viewer.pk, False)

        assert markers.read(viewers.SWITCHES_MARKER) != before
    finally:
        viewers.DIRECTORY._shared = None
        viewers.DIRECTORY.forget()


def test_registering_a_viewer_leaves_the_switches_alone(
    db, django_capture_on_commit_callbacks
):
    markers.bump(viewers.SWITCHES_MARKER)
    before = markers.read(viewers.SWITCHES_MARKER)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _viewer("v-new")
    assert callbacks == []
    assert markers.read(viewers.SWITCHES_MARKER) == before


def test_an_unregistered_viewer_is_looked_up_again_until_registered(db, directory):
    assert directory.lookup(pseudonym_for("v-later")) == (None, None)
    viewer = _viewer("v-later")
    assert directory.lookup(pseudonym_for("v-later")) == (viewer.pk, True)


def test_a_deleted_viewer_is_forgotten_once_the_keys_marker_moves(db, directory):
    viewer = _viewer("v-1")
    directory.lookup(pseudonym_for("v-1"))
    Viewer.objects.filter(pk=viewer.pk).delete()
    markers.bump(viewers.KEYS_MARKER)
    assert directory.lookup(pseudonym_for("v-1")) == (None, None)


def test_without_markers_every_lookup_reads_the_row(db, directory, monkeypatch):
    viewer = _viewer("v-1")
    directory.lookup(pseudonym_for("v-1"))
    Viewer.objects.filter(pk=viewer.pk).update(personalization_enabled=False)
    # A cache that cannot be reached: no marker can be read or written.
    monkeypatch.setattr(markers, "_fetch", lambda keys: {})
    monkeypatch.setattr(markers, "write", lambda *args, **kwargs: False)

    assert directory.lookup(pseudonym_for("v-1")) == (viewer.pk, False)


def test_without_a_shared_cache_every_lookup_reads_the_row(
    db, django_assert_num_queries
):
    directory = ViewerDirectory(shared=False)
    viewer = _viewer("v-1")
    for _ in range(2):
        with django_assert_num_queries(1):
            assert directory.lookup(pseudonym_for("v-1")) == (viewer.pk, True)


def test_a_web_worker_reads_every_key_in_the_background(
    transactional_db, django_assert_num_queries
):
    first, *others = [_viewer(f"v-{i}") for i in range(5)]
    directory = ViewerDirectory(shared=True)
    directory.background = True

    assert directory.lookup(pseudonym_for("v-0")) == (first.pk, True)
    directory.wait()

    with django_assert_num_queries(0):
        for index, viewer in enumerate(others, start=1):
            assert directory.lookup(pseudonym_for(f"v-{index}")) == (viewer.pk, True)


def test_a_full_directory_reads_further_viewers_per_request(
    db, django_assert_num_queries
):
    first, second = _viewer("v-1"), _viewer("v-2")
    directory = ViewerDirectory(shared=True, max_entries=1)
    directory.lookup(pseudonym_for("v-1"))
    for _ in range(2):
        with django_assert_num_queries(1):
            assert directory.lookup(pseudonym_for("v-2")) == (second.pk, True)
    with django_assert_num_queries(0):
        assert directory.lookup(pseudonym_for("v-1")) == (first.pk, True)
