"""Two real serving processes obey a new blacklist entry within one second.

Two gunicorn instances, started through docker/entrypoint.sh as in production, serve
from the database of this test run (and from its Redis when configured). The test
adds the entry in its own process and polls both servers until the anchor's rooms
are gone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.utils import timezone

from recengine.models import ApiScope, BroadcastSession
from recengine.services.apikeys import issue_api_key
from recengine.trust.services import NewEntry, add_blacklist_entry
from tests.ops.test_processes import ENTRYPOINT, database_url, free_port

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 90
OBEY_WITHIN = 1.0

logger = logging.getLogger(__name__)


class Server:
    def __init__(self, env: dict[str, str], log: Path):
        self.bind = env["WEB_BIND"]
        self.log = log
        self.process = subprocess.Popen(
            ["sh", str(ENTRYPOINT), "web"],
            cwd=BASE_DIR,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def rooms(self, token: str) -> set[str] | None:
        url = f"http://{self.bind}/api/v1/recommendations/?viewer=u-1&scene=live_feed"
        request = urllib.request.Request(
            url, headers={"Authorization": f"Api-Key {token}"}
        )
        try:
            # The URL is built here from a local bind address.
            with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310
                return {item["id"] for item in json.load(answer)["items"]}
        except OSError:
            return None

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture
def servers(tmp_path: Path):
    started = []

    def start() -> Server:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "DATA_DIR": str(tmp_path),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "WEB_BIND": f"127.0.0.1:{free_port()}",
            "WEB_CONCURRENCY": "1",
            "MIGRATE_ON_START": "false",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
        server = Server(env, tmp_path / f"web-{len(started)}.log")
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def _wait_until(condition, what: str, servers: list[Server]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    logs = "\n".join(s.log.read_text(errors="replace")[-3000:] for s in servers)
    pytest.fail(f"no {what} within {STARTUP_SECONDS} s\n{logs}")


def test_two_serving_processes_obey_a_new_entry_within_a_second(
    servers, platform, platform_admin, trust_safety_user
):
    BroadcastSession.objects.create(
        external_id="s-now-2",
        room=platform.rooms[1],
        started_at=timezone.now() - dt.timedelta(minutes=5),
    )
    _, token = issue_api_key(
        actor=platform_admin, name="feed", scopes=[ApiScope.RECOMMENDATIONS_READ]
    )
    both = [servers(), servers()]
    everything = {"r-1", "r-2", "r-3"}
    _wait_until(
        lambda: all(server.rooms(token) == everything for server in both),
        "answer with every live room from both servers",
        both,
    )

    add_blacklist_entry(
        actor=trust_safety_user,
        new=NewEntry(kind="anchor", target=platform.anchors[0], reason="fraud"),
    )
    committed = time.monotonic()

    obeyed_after = {}
    while len(obeyed_after) < len(both) and time.monotonic() - committed < 5:
        for number, server in enumerate(both):
            if number not in obeyed_after and server.rooms(token) == {"r-2"}:
                obeyed_after[number] = time.monotonic() - committed
    logger.info("blacklist obeyed after %s seconds", obeyed_after)
    assert sorted(obeyed_after) == [0, 1], f"obeyed: {obeyed_after}"
    assert max(obeyed_after.values()) < OBEY_WITHIN, f"obeyed after {obeyed_after}"
    # And they keep obeying it.
    assert all(server.rooms(token) == {"r-2"} for server in both)
