"""A web worker reloads the catalogue in a thread; requests never wait for it."""

from __future__ import annotations

import datetime as dt
import gc
import threading
from types import SimpleNamespace

from recengine.engine import runtime as runtime_module
from recengine.engine.runtime import CATALOGUE_SECONDS, EngineRuntime
from recengine.serving.baseline import PopularityBaseline

NOW = dt.datetime(2026, 3, 10, 7, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def index(name: str) -> SimpleNamespace:
    return SimpleNamespace(name=name, covers=lambda now: True)


def blocking_loader(monkeypatch, names: list[str]):
    """Each load returns the next name, after ``release`` is set once it started."""
    started, release = threading.Event(), threading.Event()
    pending = iter(names)

    def load(now):
        started.set()
        release.wait(10)
        return index(next(pending))

    monkeypatch.setattr(runtime_module, "load_catalogue", load)
    monkeypatch.setattr(runtime_module, "_close_connection", lambda: None)
    return started, release


def test_a_stale_catalogue_keeps_answering_while_the_new_one_loads(monkeypatch):
    clock = Clock()
    engine = EngineRuntime(PopularityBaseline(), clock=clock)
    engine.background_reloads = True
    monkeypatch.setattr(runtime_module, "load_catalogue", lambda now: index("first"))
    assert engine._index(NOW).name == "first"

    started, release = blocking_loader(monkeypatch, ["second"])
    clock.now += CATALOGUE_SECONDS + 1

    assert engine._index(NOW).name == "first"
    assert started.wait(5)
    assert engine._index(NOW).name == "first"  # still loading: no second load

    loader = engine._catalogue_loader
    release.set()
    loader.join(5)
    assert engine._index(NOW).name == "second"


def test_outside_web_workers_a_stale_catalogue_is_reloaded_in_line(monkeypatch):
    clock = Clock()
    engine = EngineRuntime(PopularityBaseline(), clock=clock)
    names = iter(["first", "second"])
    monkeypatch.setattr(
        runtime_module, "load_catalogue", lambda now: index(next(names))
    )

    assert engine._index(NOW).name == "first"
    clock.now += CATALOGUE_SECONDS + 1

    assert engine._index(NOW).name == "second"


def test_a_failed_reload_leaves_the_loaded_catalogue_serving(monkeypatch):
    clock = Clock()
    engine = EngineRuntime(PopularityBaseline(), clock=clock)
    engine.background_reloads = True
    monkeypatch.setattr(runtime_module, "load_catalogue", lambda now: index("first"))
    monkeypatch.setattr(runtime_module, "_close_connection", lambda: None)
    engine._index(NOW)

    def broken(now):
        raise RuntimeError("database unavailable")

    monkeypatch.setattr(runtime_module, "load_catalogue", broken)
    clock.now += CATALOGUE_SECONDS + 1
    assert engine._index(NOW).name == "first"
    loader = engine._catalogue_loader
    if loader is not None:
        loader.join(5)

    assert engine._index(NOW).name == "first"


def test_with_a_change_marker_the_catalogue_reloads_only_when_it_moves(monkeypatch):
    from django.core.cache import cache

    from recengine import markers
    from recengine.engine.runtime import CATALOGUE_MAX_SECONDS
    from recengine.serving.catalogue_index import CATALOGUE_KEY

    clock = Clock()
    engine = EngineRuntime(PopularityBaseline(), clock=clock)
    names = iter(["first", "second", "third"])
    load = lambda now: index(next(names))  # noqa: E731
    monkeypatch.setattr(runtime_module, "load_catalogue", load)
    markers.bump(CATALOGUE_KEY)
    assert engine._index(NOW).name == "first"

    clock.now += CATALOGUE_SECONDS * 4  # unchanged: no reload
    assert engine._index(NOW).name == "first"

    markers.bump(CATALOGUE_KEY)  # a commit elsewhere changed the catalogue
    assert engine._index(NOW).name == "second"

    clock.now += CATALOGUE_MAX_SECONDS + 1  # a lost marker is caught up with
    assert engine._index(NOW).name == "third"
    cache.delete(CATALOGUE_KEY)


def test_a_catalogue_upsert_moves_the_marker(db, django_capture_on_commit_callbacks):
    from recengine import markers
    from recengine.services.catalogue import upsert_catalogue
    from recengine.serving.catalogue_index import CATALOGUE_KEY

    before = markers.read(CATALOGUE_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        upsert_catalogue("merchants", [{"external_id": "m-tea", "name": "茶铺"}])
    assert markers.read(CATALOGUE_KEY) != before


def test_a_web_worker_freezes_what_a_catalogue_load_left_in_memory(monkeypatch):
    monkeypatch.setattr(runtime_module, "load_catalogue", lambda now: index("first"))
    engine = EngineRuntime(PopularityBaseline(), clock=Clock())
    assert gc.get_freeze_count() == 0

    engine._index(NOW)
    assert gc.get_freeze_count() == 0  # commands and tests leave the collector be

    engine.invalidate()
    engine.freeze_heap = True
    try:
        engine._index(NOW)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
