"""Settings refuse bad environment values with a message naming the variable."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from console.env import (
    env_bool,
    env_database,
    env_int,
    env_list,
    env_redis,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parents[2]
DEFAULT_DB = Path("/srv/default.sqlite3")

# Variables the tests below set themselves; anything inherited would blur the result.
CONTROLLED = (
    "DEBUG",
    "SECRET_KEY",
    "PSEUDONYM_KEY",
    "AIGC_SIGNING_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "EVENT_BATCH_MAX_ROWS",
    "SECURE_HSTS_PRELOAD",
    "DJANGO_SETTINGS_MODULE",
)


# --- the readers, in process ------------------------------------------------------


@pytest.mark.parametrize("raw", ["1", "true", "Yes", " on "])
def test_bool_reads_true(monkeypatch, raw):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG", False) is True


@pytest.mark.parametrize("raw", ["0", "false", "NO", "off", ""])
def test_bool_reads_false(monkeypatch, raw):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG", True) is False


def test_bool_refuses_anything_else(monkeypatch):
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG"):
        env_bool("FLAG", False)


def test_missing_values_take_defaults(monkeypatch):
    monkeypatch.delenv("ABSENT", raising=False)
    assert env_bool("ABSENT", True) is True
    assert env_int("ABSENT", 7) == 7
    assert env_list("ABSENT", ["a"]) == ["a"]
    assert env_str("ABSENT", "fallback") == "fallback"
    assert env_redis("ABSENT") is None


def test_int_reads_and_checks_minimum(monkeypatch):
    monkeypatch.setenv("ROWS", " 250 ")
    assert env_int("ROWS", 1, minimum=1) == 250

    monkeypatch.setenv("ROWS", "0")
    with pytest.raises(ImproperlyConfigured, match="ROWS must be at least 1"):
        env_int("ROWS", 1, minimum=1)


@pytest.mark.parametrize("raw", ["many", "12.5", "1e3"])
def test_int_refuses_non_integers(monkeypatch, raw):
    monkeypatch.setenv("ROWS", raw)
    with pytest.raises(ImproperlyConfigured, match="ROWS must be an integer"):
        env_int("ROWS", 1)


def test_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example , b.example,, ")
    assert env_list("HOSTS", []) == ["a.example", "b.example"]


def test_required_string_names_the_variable(monkeypatch):
    monkeypatch.setenv("TOKEN", "   ")
    with pytest.raises(ImproperlyConfigured, match="TOKEN is required"):
        env_str("TOKEN", required=True)


def test_postgresql_url_is_parsed_in_full(monkeypatch):
    monkeypatch.setenv(
        "DB", "postgresql://rec%40ops:p%2Fss@db.internal:6432/live_rec?sslmode=require"
    )

    database = env_database("DB", DEFAULT_DB)

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["USER"], database["PASSWORD"]) == ("rec@ops", "p/ss")
    assert (database["HOST"], database["PORT"]) == ("db.internal", "6432")
    assert database["NAME"] == "live_rec"
    assert database["OPTIONS"] == {"sslmode": "require"}


def test_postgres_url_without_port_or_password(monkeypatch):
    monkeypatch.setenv("DB", "postgres://postgres@127.0.0.1/lcr")

    database = env_database("DB", DEFAULT_DB)

    assert (database["USER"], database["PASSWORD"], database["PORT"]) == (
        "postgres",
        "",
        "",
    )


def test_sqlite_url_and_default(monkeypatch, tmp_path):
    monkeypatch.setenv("DB", f"sqlite://{tmp_path}/x.sqlite3")
    database = env_database("DB", DEFAULT_DB)
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(database["NAME"]) == tmp_path / "x.sqlite3"

    monkeypatch.delenv("DB")
    assert env_database("DB", DEFAULT_DB)["NAME"] == str(DEFAULT_DB)


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("mysql://root@db/rec", "unsupported scheme"),
        ("postgresql://postgres@127.0.0.1:5432/", "must name a host and a database"),
        ("postgresql:///rec", "must name a host and a database"),
        ("postgresql://postgres@127.0.0.1:54x2/rec", "malformed port"),
        ("sqlite://", "names no file"),
    ],
)
def test_malformed_database_url_is_refused(monkeypatch, url, complaint):
    monkeypatch.setenv("DB", url)
    with pytest.raises(ImproperlyConfigured, match=f"DB .*{complaint}|DB {complaint}"):
        env_database("DB", DEFAULT_DB)


@pytest.mark.parametrize("url", ["http://cache:6379/0", "redis://", "redis:///0"])
def test_malformed_redis_url_is_refused(monkeypatch, url):
    monkeypatch.setenv("CACHE", url)
    with pytest.raises(ImproperlyConfigured, match="CACHE"):
        env_redis("CACHE")


# --- the settings module, in a fresh process ----------------------------------------


def run_django(
    env: dict[str, str], *args: str, tmp_path: Path
) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in CONTROLLED}
    clean.update(
        DJANGO_SETTINGS_MODULE="console.settings", DATA_DIR=str(tmp_path), **env
    )
    command = args or ("-c", "import django; django.setup()")
    return subprocess.run(
        [sys.executable, *command],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env() -> dict[str, str]:
    return {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "PSEUDONYM_KEY": secrets.token_urlsafe(32),
        "AIGC_SIGNING_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "rec.example.com",
        "SECURE_HSTS_PRELOAD": "true",
    }


def test_default_environment_starts(tmp_path):
    result = run_django({}, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "maybe"),
        ("EVENT_BATCH_MAX_ROWS", "many"),
        ("DATABASE_URL", "mysql://root@db/rec"),
        ("DATABASE_URL", "postgresql://postgres@127.0.0.1:port/rec"),
        ("REDIS_URL", "memcached://cache:11211"),
    ],
)
def test_bad_value_stops_start_naming_the_variable(tmp_path, variable, value):
    result = run_django({variable: value}, tmp_path=tmp_path)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"Environment variable {variable}" in result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "PSEUDONYM_KEY", "AIGC_SIGNING_KEY"])
def test_production_refuses_to_start_without_a_key(tmp_path, missing):
    env = production_env()
    del env[missing]

    result = run_django(env, tmp_path=tmp_path)

    assert result.returncode != 0
    assert f"Environment variable {missing} is required" in result.stderr


def test_production_refuses_the_debug_secret(tmp_path):
    debug_secret = run_django(
        {},
        "-c",
        "import django; django.setup(); "
        "from django.conf import settings; print(settings.SECRET_KEY)",
        tmp_path=tmp_path,
    ).stdout.strip()

    result = run_django(
        {**production_env(), "SECRET_KEY": debug_secret}, tmp_path=tmp_path
    )

    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


def test_production_environment_passes_the_deploy_checks(tmp_path):
    result = run_django(
        production_env(),
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        tmp_path=tmp_path,
    )

    assert result.returncode == 0, result.stdout + result.stderr
