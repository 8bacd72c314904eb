"""Serving cost: latency and throughput of the recommendation endpoint over HTTP.

    python bench/serve.py --small         # 5k viewers, a few minutes
    python bench/serve.py --workdir DIR   # 100k viewers, 100k products, 5k rooms
    python bench/serve.py --workdir DIR --build-only   # build now, measure later

One run builds (or, with a ``--workdir`` that already holds one, reuses) a simulated
platform with a trained and activated engine version, starts gunicorn with two sync
workers for the project and for ``bench/reference_app.py`` (an exact numpy top-k over
the same product vectors), and measures each with an open-loop load at a constant
rate (latency counted from the scheduled send time, so queueing counts) and with
closed loops at two concurrencies (maximum throughput). It ends with a cProfile of
the endpoint in process for each scene (``--profile-only``: nothing else). See
``bench/README.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import http.client
import json
import os
import queue
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_USER = "serve-bench"
SCENES = ("live_feed", "product_feed")
THREAD_LIMITS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
# Full size: the target platform. The simulator derives rooms and merchants from the
# number of viewers by default (at most 5,000 rooms and about 20k products); here they
# are set explicitly, about eight products per merchant.
FULL = {"viewers": 100_000, "rooms": 5_000, "merchants": 12_500, "days": 3}
SMALL = {"viewers": 5_000, "rooms": 250, "merchants": 625, "days": 2}


def main() -> None:
    args = _arguments()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="bench-serve-"))
    workdir.mkdir(parents=True, exist_ok=True)
    _environment(workdir, args.database_url, args.redis_url)

    import django

    django.setup()
    build = _build_or_reuse(workdir, args)
    if args.build_only:
        print(f"workdir        {workdir}")
        print(f"platform       {_describe(build)}")
        return
    token, viewers, version, vectors = _prepare(workdir)
    print(f"workdir        {workdir}")
    print(f"platform       {_describe(build)}")
    print(f"engine         {version}; product vectors {vectors[0]} x {vectors[1]}")

    if not args.profile_only:
        results = _measure(workdir, token, viewers, version, args)
        _report(results, args.rate)
        (workdir / "serve-results.json").write_text(json.dumps(results, indent=2))
    _profile(token, viewers, args.profile_requests)


# -- environment and platform ---------------------------------------------------


def _environment(workdir: Path, database_url: str, redis_url: str) -> None:
    keys = _secrets(workdir)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "console.settings",
            "DATA_DIR": str(workdir),
            "DATABASE_URL": database_url or f"sqlite:///{workdir}/platform.sqlite3",
            "DEBUG": "false",
            "SECRET_KEY": keys["secret_key"],
            "PSEUDONYM_KEY": keys["pseudonym_key"],
            "AIGC_SIGNING_KEY": keys["aigc_signing_key"],
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "SECURE_SSL_REDIRECT": "false",
            "LOG_LEVEL": "WARNING",
        }
    )
    if redis_url:
        # Production's set: the policy and model version checks read Redis markers.
        os.environ["REDIS_URL"] = redis_url
    for name in THREAD_LIMITS:
        os.environ[name] = "1"


def _secrets(workdir: Path) -> dict[str, str]:
    """Keys kept with the database: a reused platform needs the same pseudonyms."""
    path = workdir / "bench-secrets.json"
    keys = {
        "secret_key": secrets.token_urlsafe(50),
        "pseudonym_key": secrets.token_urlsafe(32),
        "aigc_signing_key": secrets.token_urlsafe(32),
    }
    if path.exists():
        stored = json.loads(path.read_text())
        if keys.keys() <= stored.keys():
            return stored
        # A platform built before a key existed keeps its keys and gains the new one.
        keys.update(stored)
    path.touch(mode=0o600)
    path.write_text(json.dumps(keys))
    return keys


def _build_or_reuse(workdir: Path, args: argparse.Namespace) -> dict:
    from django.core.management import call_command

    from recengine.models import ModelStatus, ModelVersion, SimulationRun

    record = workdir / "build.json"
    call_command("migrate", verbosity=0)
    active = ModelVersion.objects.filter(status=ModelStatus.ACTIVE).exists()
    if active and record.exists():
        return {**json.loads(record.read_text()), "reused": True}

    sizes = SMALL if args.small else FULL
    simulate_seconds = 0.0
    if not SimulationRun.objects.exists():
        simulate_seconds = _simulate(sizes, args.seed)
    train_seconds = _train(sizes["days"])
    build = {
        **SimulationRun.objects.get().stats,
        "viewers": SimulationRun.objects.get().viewers,
        "simulate_seconds": round(simulate_seconds, 1),
        "train_seconds": round(train_seconds, 1),
    }
    record.write_text(json.dumps(build, indent=2))
    return {**build, "reused": False}


def _simulate(sizes: dict, seed: int) -> float:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command(
        "simulate",
        f"--seed={seed}",
        f"--viewers={sizes['viewers']}",
        f"--days={sizes['days']}",
        f"--rooms={sizes['rooms']}",
        f"--merchants={sizes['merchants']}",
    )
    return time.perf_counter() - started


def _train(days: int) -> float:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db.models import Max

    from recengine.models import Event

    user, _ = get_user_model().objects.get_or_create(username=BENCH_USER)
    until = Event.objects.aggregate(last=Max("occurred_at"))["last"]
    until += dt.timedelta(seconds=1)
    started = time.perf_counter()
    call_command(
        "train",
        f"--until={until.isoformat()}",
        f"--days={days}",
        "--activate",
        f"--actor={user.username}",
        "--reason=serving benchmark",
        stdout=open(os.devnull, "w"),  # noqa: SIM115  (the evaluation JSON is long)
    )
    return time.perf_counter() - started


def _prepare(workdir: Path) -> tuple[str, int, str, tuple[int, int]]:
    """An API key, the viewer count, the active version and its product vectors."""
    import numpy as np
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from recengine.engine.artifacts import EngineArtifacts
    from recengine.engine.pipeline import artifact_path
    from recengine.models import ApiScope, ModelStatus, ModelVersion, SimulationRun
    from recengine.services.apikeys import issue_api_key

    # DEBUG is off, so pages (an error page too) need the collected files.
    call_command("collectstatic", "--noinput", verbosity=0)
    user = get_user_model().objects.get(username=BENCH_USER)
    _, token = issue_api_key(
        actor=user, name="serving benchmark", scopes=[ApiScope.RECOMMENDATIONS_READ]
    )
    model = ModelVersion.objects.get(status=ModelStatus.ACTIVE)
    artifacts = EngineArtifacts.load(artifact_path(model), model.artifact_sha256)
    vectors = artifacts.scenes["product_feed"].vectors
    np.save(workdir / "reference-vectors.npy", vectors)
    return token, SimulationRun.objects.get().viewers, model.version, vectors.shape


def _describe(build: dict) -> str:
    how = (
        "reused"
        if build["reused"]
        else f"built: simulate {build['simulate_seconds']} s, "
        f"train {build['train_seconds']} s"
    )
    if build["reused"]:
        how += (
            f" (built earlier: simulate {build['simulate_seconds']} s, "
            f"train {build['train_seconds']} s)"
        )
    return (
        f"{build['viewers']} viewers, {build['products']} products, "
        f"{build['rooms']} rooms, {build['events_total']} events; {how}"
    )


# -- servers and measurements ---------------------------------------------------


@contextmanager
def _gunicorn(app: str, extra_env: dict[str, str], log: Path) -> Iterator[int]:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        app,
        "--workers=2",
        "--worker-class=sync",
        f"--bind=127.0.0.1:{port}",
        f"--chdir={ROOT}",
        "--timeout=120",
        "--backlog=2048",
        "--log-level=warning",
    ]
    env = {**os.environ, **extra_env}
    with open(log, "ab") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=output)
    try:
        wait_listening(port, process)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=60)


def _measure(
    workdir: Path, token: str, viewers: int, version: str, args: argparse.Namespace
) -> dict:
    results = {}
    log = workdir / "gunicorn.log"
    with _gunicorn("console.wsgi:application", {}, log) as port:
        for scene in SCENES:
            target = EngineTarget(port, token, viewers, scene, seed=args.seed)
            warm_engine(target, version)
            results[f"engine {scene}"] = _load_figures(target, args)
    vectors = {"REFERENCE_VECTORS": str(workdir / "reference-vectors.npy")}
    with _gunicorn("bench.reference_app:application", vectors, log) as port:
        target = ReferenceTarget(port)
        warm(target, 50)
        results["reference top-k"] = _load_figures(target, args)
    return results


def _load_figures(target: Target, args: argparse.Namespace) -> dict:
    figures = {"open": open_loop(target, args.rate, args.seconds).summary()}
    for concurrency in args.concurrency:
        closed = closed_loop(target, concurrency, args.closed_seconds)
        figures[f"c{concurrency}"] = closed.summary()
    return figures


def _report(results: dict, rate: float) -> None:
    print()
    head = f"{'endpoint':26s} {'@' + str(int(rate)) + '/s p50':>11s} {'p95':>7s}"
    head += f" {'p99':>7s} {'err':>4s}"
    closed = [key for key in next(iter(results.values())) if key != "open"]
    for key in closed:
        head += f" {key + ' req/s':>11s} {'p99':>7s}"
    print(head)
    for name, figures in results.items():
        row = figures["open"]
        line = f"{name:26s} {row['p50_ms']:11.1f} {row['p95_ms']:7.1f}"
        line += f" {row['p99_ms']:7.1f} {row['errors']:4d}"
        for key in closed:
            line += f" {figures[key]['rps']:11.0f} {figures[key]['p99_ms']:7.1f}"
        print(line)

    reference = results["reference top-k"]
    print()
    for scene in SCENES:
        engine = results[f"engine {scene}"]
        ratios = {key: engine[key]["rps"] / reference[key]["rps"] for key in closed}
        p99 = engine["open"]["p99_ms"]
        shown = ", ".join(f"{key} {ratio:.2f}" for key, ratio in ratios.items())
        print(
            f"{scene:13s} throughput engine/reference {shown}"
            f"  (target >= 0.75: {_verdict(min(ratios.values()) >= 0.75)});"
            f" p99 at {rate:.0f} req/s {p99:.1f} ms"
            f" (target <= 20 ms: {_verdict(p99 <= 20)})"
        )


def _verdict(met: bool) -> str:
    return "met" if met else "missed"


def _profile(token: str, viewers: int, requests: int) -> None:
    """cProfile of the endpoint through Django's test client, in this process."""
    import cProfile
    import pstats

    from django.test import Client

    from recengine import serving

    client = Client(HTTP_AUTHORIZATION=f"Api-Key {token}")
    rng = random.Random(7)

    def path(scene: str) -> str:
        viewer = viewer_id(rng.randrange(viewers))
        return f"{ENDPOINT}?viewer={viewer}&scene={scene}&size=20"

    # As in a gunicorn worker: exposures and catalogue reloads off the request path.
    serving.run_in_web_worker()
    serving.runtime().refresh(force=True)
    serving.runtime().wait(300)
    for scene in SCENES:
        for _ in range(50):
            client.get(path(scene))
        pauses = _GcPauses()
        took = []
        with pauses:
            for _ in range(requests):
                started = time.perf_counter()
                client.get(path(scene))
                took.append(time.perf_counter() - started)
        plain_ms = sum(took) / requests * 1000
        slowest = sorted(took)[int(0.99 * (requests - 1))] * 1000

        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(requests):
            assert client.get(path(scene)).status_code == 200
        profiler.disable()
        print(f"\n{scene}: {plain_ms:.2f} ms per request in process, no profiler")
        print(f"  p99 {slowest:.2f} ms; garbage collector: {pauses.summary()}")
        print(f"profile of {requests} requests, by area of the code:")
        for area, seconds in by_area(pstats.Stats(profiler))[:14]:
            print(f"  {area:44s} {seconds / requests * 1000:7.2f} ms/request")
        stats = pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime")
        stats.print_stats(15)


class _GcPauses:
    """Collections of the cyclic garbage collector while active, per generation."""

    def __init__(self) -> None:
        self.pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
        self._started = 0.0

    def __enter__(self) -> _GcPauses:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc) -> None:
        gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses[info["generation"]].append(time.perf_counter() - self._started)

    def summary(self) -> str:
        return ", ".join(
            f"gen{generation} {len(times)}x max {max(times, default=0) * 1000:.1f} ms"
            for generation, times in self.pauses.items()
        )


# -- load generation -----------------------------------------------------------
# Threads with http.client: gunicorn's sync workers close every connection after
# the response, so each request opens its own, as a real client of them would.

ENDPOINT = "/api/v1/recommendations/"
OPEN_LOOP_THREADS = 64
TIMEOUT = 10.0


def viewer_id(index: int) -> str:
    from recengine.simulator.catalogue import viewer_user_id

    return viewer_user_id(index)


class Target:
    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self.port = port
        self.headers = headers

    def path(self) -> str:
        raise NotImplementedError

    def get(self) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        try:
            connection.request("GET", self.path(), headers=self.headers)
            response = connection.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException):
            return 0, b""
        finally:
            connection.close()

    def hit(self) -> bool:
        return self.get()[0] == 200


class EngineTarget(Target):
    def __init__(
        self, port: int, token: str, viewers: int, scene: str, *, seed: int
    ) -> None:
        super().__init__(port, {"Authorization": f"Api-Key {token}"})
        self.viewers, self.scene = viewers, scene
        self.rng = random.Random(seed)

    def path(self) -> str:
        viewer = viewer_id(self.rng.randrange(self.viewers))
        return f"{ENDPOINT}?viewer={viewer}&scene={self.scene}&size=20"


class ReferenceTarget(Target):
    def __init__(self, port: int) -> None:
        super().__init__(port, {})

    def path(self) -> str:
        return "/?size=20"


@dataclass
class Sample:
    # Threads append to ``latencies`` (atomic under the GIL) and count errors in a
    # queue, since ``+=`` on a shared int is not.
    latencies: list[float] = field(default_factory=list)  # seconds
    errors: int = 0
    seconds: float = 0.0

    def summary(self) -> dict[str, float]:
        import numpy as np

        ms = np.array(self.latencies or [np.nan]) * 1000
        p50, p95, p99 = np.percentile(ms, [50, 95, 99])
        return {
            "requests": len(self.latencies),
            "errors": self.errors,
            "rps": len(self.latencies) / self.seconds,
            "p50_ms": float(p50),
            "p95_ms": float(p95),
            "p99_ms": float(p99),
            "max_ms": float(np.max(ms)),
        }


def open_loop(target: Target, rate: float, seconds: float) -> Sample:
    """Sends are scheduled by the clock; latency runs from the scheduled time."""
    sample, jobs = Sample(), queue.SimpleQueue()
    errors = queue.SimpleQueue()

    def work() -> None:
        while (scheduled := jobs.get()) is not None:
            ok = target.hit()
            if ok:
                sample.latencies.append(time.perf_counter() - scheduled)
            else:
                errors.put(1)

    threads = _start(work, OPEN_LOOP_THREADS)
    begin = time.perf_counter() + 0.05
    for index in range(int(rate * seconds)):
        at = begin + index / rate
        time.sleep(max(0.0, at - time.perf_counter()))
        jobs.put(at)
    for _ in threads:
        jobs.put(None)
    for thread in threads:
        thread.join()
    sample.seconds = time.perf_counter() - begin
    sample.errors = errors.qsize()
    return sample


def closed_loop(target: Target, concurrency: int, seconds: float) -> Sample:
    """Each of ``concurrency`` clients sends its next request when one returns."""
    sample, errors = Sample(), queue.SimpleQueue()
    deadline = time.perf_counter() + seconds

    def work() -> None:
        while (sent := time.perf_counter()) < deadline:
            if target.hit():
                sample.latencies.append(time.perf_counter() - sent)
            else:
                errors.put(1)

    begin = time.perf_counter()
    for thread in _start(work, concurrency):
        thread.join()
    sample.seconds = time.perf_counter() - begin
    sample.errors = errors.qsize()
    return sample


def _start(work, count: int) -> list[threading.Thread]:
    threads = [threading.Thread(target=work, daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    return threads


def warm(target: Target, requests: int) -> None:
    for _ in range(requests):
        target.hit()


def warm_engine(target: EngineTarget, version: str, timeout: float = 600) -> None:
    """Until both workers have loaded the version (it loads in the background)."""
    deadline, streak, failures = time.monotonic() + timeout, 0, 0
    while streak < 40:
        if time.monotonic() > deadline:
            raise SystemExit(f"the engine did not serve {version} within {timeout} s")
        status, body = target.get()
        failures = failures + 1 if status != 200 else 0
        if failures >= 20:
            raise SystemExit(f"the engine answers {status}; see gunicorn.log")
        served = json.loads(body).get("model_version") if status == 200 else None
        streak = streak + 1 if served == version else 0
        if served != version:
            time.sleep(0.2)
    warm(target, 100)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_listening(port: int, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}; see its log")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not listen on {port} within {timeout} s")


def by_area(stats) -> list[tuple[str, float]]:
    """Own time summed by module of the project or by library."""
    areas: dict[str, float] = {}
    for (filename, _, function), row in stats.stats.items():
        area = _area(filename, function)
        areas[area] = areas.get(area, 0.0) + row[2]
    return sorted(areas.items(), key=lambda item: -item[1])


def _area(filename: str, function: str) -> str:
    path = filename.replace(os.sep, "/")
    for marker in ("/recengine/", "/console/", "/audits/"):
        if marker in path:
            return marker.strip("/") + "/" + path.split(marker, 1)[1]
    for library in ("django/db", "rest_framework", "django", "numpy", "pandas"):
        if f"/{library}/" in path:
            return library
    if "sqlite3" in path or "sqlite3" in function or "psycopg" in path:
        return "database driver"
    return "python and other" if path.startswith("/") else f"builtin {function}"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", default="", help="reuse or keep the platform")
    parser.add_argument("--small", action="store_true", help="5k viewers")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default="", help="cache and broker, as deployed")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--closed-seconds", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--profile-requests", type=int, default=500)
    parser.add_argument(
        "--profile-only",
        action="store_true",
        help="skip the load test: only the in-process profile of each scene",
    )
    parser.add_argument(
        "--build-only",
        action="store_true",
        help="build the platform in --workdir and stop; measure in a later run",
    )
    return parser.parse_args()


if __name__ == "__main__":
    main()
