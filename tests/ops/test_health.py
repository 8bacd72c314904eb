"""The /healthz/ probe used by load balancers and the compose health checks."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from console import health
from console.env import RedisUrl

pytestmark = pytest.mark.django_db


def test_healthy_platform_answers_200_without_login(client):
    response = client.get("/healthz/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["status"] == "ok"
    assert response.json()["checks"]["database"] == "ok"
    assert "no-cache" in response["Cache-Control"]


def test_broken_database_answers_503_and_names_it(client, monkeypatch):
    def refuse() -> None:
        raise OSError("connection refused")

    monkeypatch.setattr(health, "check_database", refuse)

    response = client.get("/healthz/")

    assert response.status_code == 503
    assert response.json()["status"] == "failed"
    assert response.json()["checks"]["database"] == "failed"
    # The probe tells which dependency failed, never why: that goes to the log.
    assert b"refused" not in response.content


def test_cache_is_checked_only_when_redis_is_configured(client, settings, monkeypatch):
    settings.REDIS = None
    assert "cache" not in client.get("/healthz/").json()["checks"]

    settings.REDIS = RedisUrl("redis://127.0.0.1:6379/0")
    assert client.get("/healthz/").json()["checks"]["cache"] == "ok"

    monkeypatch.setattr(cache, "get", lambda *args, **kwargs: None)
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "cache": "failed"}


def test_writes_are_refused(client):
    assert client.post("/healthz/").status_code == 405
