"""Typed readers for settings taken from environment variables.

Each reader refuses a malformed value with an error that names the variable, so a
misconfigured deployment stops at start instead of failing on the first request.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None:
        return None
    return value.strip()


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str:
    value = _raw(name)
    if value:
        return value
    if required:
        raise ImproperlyConfigured(f"Environment variable {name} is required.")
    return default or ""


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"Environment variable {name} must be a boolean (true/false), got {value!r}."
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"Environment variable {name} must be an integer, got {value!r}."
        ) from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(
            f"Environment variable {name} must be at least {minimum}, got {number}."
        )
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


_DB_ENGINES = {
    "postgres": "django.db.backends.postgresql",
    "postgresql": "django.db.backends.postgresql",
    "pgsql": "django.db.backends.postgresql",
    "sqlite": "django.db.backends.sqlite3",
}


def env_database(name: str, default_sqlite: Path) -> dict:
    """Django DATABASES entry from a URL such as postgresql://user@host:5432/db."""
    value = _raw(name)
    if not value:
        return _sqlite(default_sqlite)

    parts = urlsplit(value)
    engine = _DB_ENGINES.get(parts.scheme)
    if engine is None:
        raise ImproperlyConfigured(
            f"Environment variable {name} has an unsupported scheme {parts.scheme!r}; "
            "use postgresql://user:password@host:port/name or sqlite:///path."
        )
    if engine.endswith("sqlite3"):
        path = unquote(parts.path)
        if not path or path == "/":
            raise ImproperlyConfigured(f"Environment variable {name} names no file.")
        return _sqlite(Path(path))

    return _postgres(name, value, parts)


def _sqlite(path: Path) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        # Writers wait for each other instead of failing with "database is locked".
        "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE"},
    }


def _postgres(name: str, value: str, parts) -> dict:
    database = unquote(parts.path.lstrip("/"))
    if not parts.hostname or not database:
        raise ImproperlyConfigured(
            f"Environment variable {name} must name a host and a database: {value!r}."
        )
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured(
            f"Environment variable {name} has a malformed port: {value!r}."
        ) from None
    options = dict(parse_qsl(parts.query))
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": database,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname,
        "PORT": str(port or ""),
        "OPTIONS": options,
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }


@dataclass(frozen=True)
class RedisUrl:
    url: str


def env_redis(name: str) -> RedisUrl | None:
    value = _raw(name)
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in {"redis", "rediss", "unix"} or (
        parts.scheme != "unix" and not parts.hostname
    ):
        raise ImproperlyConfigured(
            f"Environment variable {name} must look like redis://host:6379/0, "
            f"got {value!r}."
        )
    return RedisUrl(value)
