"""Container health checks that need more than a shell one-liner.

``web``: /healthz/ answers 200. ``beat``: the database holds enabled schedules and
the broker accepts a connection, which is all beat needs to do its work.
"""

from __future__ import annotations

import os
import sys
import urllib.request
from pathlib import Path

# Run as a script from docker/, the project packages sit one folder up.
PROJECT_DIR = Path(__file__).resolve().parent.parent


def check_web() -> bool:
    port = os.environ.get("WEB_BIND", "0.0.0.0:8000").rpartition(":")[2]
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/healthz/",
        # Behind a TLS proxy the app redirects plain HTTP; the probe speaks as
        # the proxy would.
        headers={"Host": "localhost", "X-Forwarded-Proto": "https"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        return response.status == 200


def check_beat() -> bool:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
    sys.path.insert(0, str(PROJECT_DIR))
    import django

    django.setup()
    from django_celery_beat.models import PeriodicTask

    from console.celery import app

    if not PeriodicTask.objects.filter(enabled=True).exists():
        return False
    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1)
    return True


def main(role: str) -> int:
    checks = {"web": check_web, "beat": check_beat}
    try:
        return 0 if checks[role]() else 1
    except Exception as error:  # any failure at all means unhealthy
        sys.stderr.write(f"{role} unhealthy: {error}\n")
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "web"))
