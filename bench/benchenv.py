"""Environment shared by the benchmark scripts: a production-like settings module
pointed at a work folder, and a fresh PostgreSQL database when one is named."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit


def prepare_environment(
    workdir: Path, database_url: str, *, recreate: bool = True
) -> None:
    os.environ["DATA_DIR"] = str(workdir)
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{workdir}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "console.settings"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("PSEUDONYM_KEY", secrets.token_urlsafe(32))
    os.environ.setdefault("AIGC_SIGNING_KEY", secrets.token_urlsafe(32))
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if database_url and recreate:
        recreate_postgres(database_url)


def recreate_postgres(url: str) -> None:
    """Drop and create the database the URL names; the bench owns it."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
