"""Several app servers: a mixed read/write load and cell edits that land on other processes.

Three set-ups, one after the other in the same run, each on the same PostgreSQL
database of its own (created here: the seed plan and a generated 100 x 300
plan) with a ``db_worker`` rendering PDFs (``PDF_MODE=queue``):

* **one process**: one gunicorn server with one sync worker (LocMem cache);
* **2 x 3, LocMem**: two gunicorn servers of three sync workers each, each
  process with its own cache;
* **2 x 3, Redis**: the same with ``REDIS_URL`` (a Redis database of its own).

For each: (1) a bounded **mixed load** (``--seconds``, 30 by default): client
threads, half on each plan, each editing a matrix cell of its own and reading
pages, every request to either server at random: throughput, p50/p99 per kind
of request, errors (5xx, refused connections, answers other than 200/202),
pages inconsistent across servers (after an acknowledged edit the *other*
server's cell editor must show that version), and writes acknowledged vs found
in the database at the end. (2) The **cross-process edit ratio**: consecutive
cell edits on alternating servers (so nearly every edit lands on another
process than the previous one), the matrix loaded from the other server after
each; median edit at the seed plan and at 100 x 300, and their ratio (the
issue's bound: within 2x).

Needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379.

Run: python -m bench.cluster [--seconds 30] [--edits 12] [--clients 6]
     [--redis redis://127.0.0.1:6379/7] [--database postgres://.../name]
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from bench.common import Gunicorn

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/cluster_bench"
SIZES = [("seed", "q1-2026"), ("100 x 300", "bench-100x300")]


def prepare(database_url: str) -> str:
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    admin = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    from bench.common import bench_user, session_cookie
    from hiringplan.management.commands.generate_plan import generate_plan
    from problems.models import Plan

    call_command("migrate", verbosity=0)
    if not Plan.objects.filter(slug="q1-2026").exists():
        call_command("loaddata", "q1-2026", verbosity=0)
    if not Plan.objects.filter(slug="bench-100x300").exists():
        generate_plan("bench-100x300", problems=100, roles=300, seed=1)
    return session_cookie(bench_user())


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect (to the sign-in page) is an answer, not a page


_opener = urllib.request.build_opener(_NoRedirect)


class Caller:
    def __init__(self, cookie: str):
        self.csrf = secrets.token_hex(16)
        self.cookie = f"{cookie}; csrftoken={self.csrf}"

    def request(self, port, path, data=None, htmx=False) -> tuple[int, bytes, float]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body)
        request.add_header("Cookie", self.cookie)
        if data is not None:
            request.add_header("X-CSRFToken", self.csrf)
        if htmx:
            request.add_header("HX-Request", "true")
        started = time.perf_counter()
        try:
            with _opener.open(request, timeout=120) as response:
                status, content = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, content = error.code, error.read()
        return status, content, time.perf_counter() - started


def measure(caller, servers, edits: int) -> dict:
    from coverage.models import Coverage
    from problems.models import Problem
    from roles.models import Role

    results = {}
    for size, slug in SIZES:
        role = Role.objects.filter(plan__slug=slug).order_by("pk").first()
        problem = Problem.objects.filter(plan__slug=slug).order_by("pk").first()
        url = f"/plans/{slug}/matrix/cell/{role.slug}/{problem.slug}/"
        matrix = f"/plans/{slug}/matrix/"
        for server in servers:  # every worker has served the matrix once
            for _ in range(6):
                caller.request(server.port, matrix)
        edit_times, after_times, acknowledged, errors = [], [], 0, 0

        def version(role=role, problem=problem):
            current = Coverage.objects.filter(role=role, problem=problem).first()
            return current.version if current else 0

        start_version = version()
        for i in range(edits + 1):
            here, there = servers[i % 2], servers[(i + 1) % 2]
            data = {"confidence": ["high", "low"][i % 2], "rationale": "", "version": version()}
            status, content, seconds = caller.request(here.port, url, data, htmx=True)
            if i == 0 and status != 200:
                raise RuntimeError(f"cell edit answered {status}: {content[:300]!r}")
            if status == 200:
                acknowledged += 1
            else:
                errors += 1
            status, _, load = caller.request(there.port, matrix)
            errors += status != 200
            if i:  # the first is a warm-up
                edit_times.append(seconds)
                after_times.append(load)
        results[size] = {
            "edit": statistics.median(edit_times),
            "after": statistics.median(after_times),
            "acknowledged": acknowledged,
            "found": version() - start_version,
            "errors": errors,
        }
    return results


class Worker:
    """``manage.py db_worker``: renders the PDFs the export pages queue."""

    def __init__(self, env: dict, log: Path):
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--no-reload"],
            cwd=ROOT,
            env=dict(env, DJANGO_SETTINGS_MODULE="bench.settings"),
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


# Kinds of request in the mixed load, with how often a client picks each (weights).
READS = [("overview", 3), ("matrix", 3), ("JD page", 2), ("cell editor", 2), ("JD PDF", 1)]
WRITE_WEIGHT = 3  # "cell edit": a POST of the client's own cell


def _cells(slug: str, clients: int) -> list[tuple[str, str]]:
    """A distinct (role, problem) cell per client on the plan, so no two clients conflict."""
    from problems.models import Problem
    from roles.models import Role

    roles = list(Role.objects.filter(plan__slug=slug).order_by("pk").values_list("slug", flat=True))
    problems = list(
        Problem.objects.filter(plan__slug=slug).order_by("pk").values_list("slug", flat=True)
    )
    return [(roles[i % len(roles)], problems[(i * 3) % len(problems)]) for i in range(clients)]


def _cell_version(slug: str, role: str, problem: str) -> int:
    from coverage.models import Coverage

    current = Coverage.objects.filter(
        role__plan__slug=slug, role__slug=role, problem__slug=problem
    ).first()
    return current.version if current else 0


def _version_shown(html: bytes) -> int | None:
    import re

    found = re.search(rb'name="version" value="(\d+)"', html)
    return int(found.group(1)) if found else None


def load_cells(clients: int, sizes=SIZES) -> list[tuple[str, str, str]]:
    """(plan slug, role, problem) per client: half the clients on each plan, a cell each."""
    plans = [slug for _, slug in sizes]
    return [
        (plans[c % len(plans)], *_cells(plans[c % len(plans)], clients)[c]) for c in range(clients)
    ]


def mixed_load(caller, ports, seconds: float, cells, version_of=_cell_version, seed=1) -> dict:
    """A bounded mixed read/write load across the servers on ``ports``: a client thread per
    cell of ``cells`` ((plan slug, role, problem), each edited by its client alone), each
    request to a server at random. ``version_of(slug, role, problem)`` reads a cell's
    version from the database (before and after: writes found).

    Returns {"seconds", "requests", "by_kind": {kind: [seconds...]}, "errors": [...],
    "inconsistent", "acknowledged", "found", "conflicts"}.
    """
    lock = threading.Lock()
    by_kind: dict[str, list[float]] = {}
    errors: list[str] = []
    totals = {"inconsistent": 0, "acknowledged": 0, "conflicts": 0}
    work = [(c, *cell, version_of(*cell)) for c, cell in enumerate(cells)]
    started_versions = {tuple(w[1:4]): w[4] for w in work}
    deadline = time.monotonic() + seconds
    kinds = [name for name, _ in READS] + ["cell edit"]
    weights = [weight for _, weight in READS] + [WRITE_WEIGHT]

    def record(kind, status, elapsed):
        with lock:
            by_kind.setdefault(kind, []).append(elapsed)
            if status not in (200, 202):
                errors.append(f"{kind}: {status}")

    def client_loop(client, slug, role, problem, version):
        rng = random.Random(seed * 1000 + client)
        cell = f"/plans/{slug}/matrix/cell/{role}/{problem}/"
        paths = {
            "overview": f"/plans/{slug}/",
            "matrix": f"/plans/{slug}/matrix/",
            "JD page": f"/plans/{slug}/roles/{role}/",
            "cell editor": cell,
            "JD PDF": f"/plans/{slug}/roles/{role}/jd.pdf",
        }
        label = {plan: size for size, plan in SIZES}.get(slug, slug)
        i = 0
        while time.monotonic() < deadline:
            kind = rng.choices(kinds, weights)[0]
            here = rng.randrange(len(ports))
            try:
                if kind != "cell edit":
                    status, _, elapsed = caller.request(
                        ports[here], paths[kind], htmx=kind == "cell editor"
                    )
                    record(f"{kind} ({label})", status, elapsed)
                    continue
                data = {"confidence": ["high", "low"][i % 2], "rationale": "", "version": version}
                i += 1
                status, content, elapsed = caller.request(ports[here], cell, data, htmx=True)
                record(f"cell edit ({label})", status, elapsed)
                if status == 409:
                    with lock:
                        totals["conflicts"] += 1
                if status != 200:
                    continue
                version += 1
                with lock:
                    totals["acknowledged"] += 1
                # The other server (another process) must show the version just acknowledged.
                there = ports[(here + 1) % len(ports)]
                status, content, elapsed = caller.request(there, cell, htmx=True)
                record(f"cell editor ({label})", status, elapsed)
                if status == 200 and _version_shown(content) != version:
                    with lock:
                        totals["inconsistent"] += 1
            except OSError as error:  # refused, reset, timed out: an error, not a crash
                with lock:
                    errors.append(f"{kind}: {type(error).__name__}")

    threads = [threading.Thread(target=client_loop, args=w, daemon=True) for w in work]
    begun = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - begun
    found = sum(
        version_of(slug, role, problem) - started
        for (slug, role, problem), started in started_versions.items()
    )
    return {
        "seconds": elapsed,
        "requests": sum(len(v) for v in by_kind.values()),
        "by_kind": by_kind,
        "errors": errors,
        "found": found,
        **totals,
    }


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


SETUPS = [
    # (label, servers, workers per server, with Redis)
    ("one process", 1, 1, False),
    ("2 x 3, LocMem", 2, 3, False),
    ("2 x 3, Redis", 2, 3, True),
]


def run(
    seconds: float = 30,
    edits: int = 12,
    clients: int = 6,
    redis_url: str = "redis://127.0.0.1:6379/7",
    database_url: str | None = None,
    setups=SETUPS,
) -> dict:
    from bench.common import table

    database_url = database_url or os.environ.get("CLUSTER_BENCH_DATABASE_URL", DEFAULT_DB)
    cookie = prepare(database_url)
    caller = Caller(cookie)
    cells = load_cells(clients)
    log = ROOT / "bench" / "results" / "cluster-servers.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    base = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    base.update(
        DATABASE_URL=database_url,
        DATABASE_POOL_MIN="1",
        DATABASE_POOL_MAX="2",
        PDF_MODE="queue",
        MFA_REQUIRED_FOR_ADMINS="0",  # the bench user is an Admin signed in without a device
    )
    out = {}
    for label, count, workers, with_redis in setups:
        print(f"{label}: starting", file=sys.stderr, flush=True)
        extra = {"REDIS_URL": redis_url} if with_redis else {}
        if with_redis:
            import redis

            redis.Redis.from_url(redis_url).flushdb()
        servers = [Gunicorn(dict(base, **extra), workers=workers, log=log) for _ in range(count)]
        worker = Worker(dict(base, **extra), log)
        try:
            for server in servers:
                server.wait_ready(seconds=300)
            load = mixed_load(caller, [s.port for s in servers], seconds, cells)
            # One process: "alternating" servers are the same process (the baseline).
            pair = servers if len(servers) > 1 else servers * 2
            out[label] = {"load": load, "edits": measure(caller, pair, edits)}
        finally:
            for process in [*servers, worker]:
                try:
                    process.stop()
                except (OSError, subprocess.SubprocessError):
                    os.killpg(process.process.pid, signal.SIGKILL)
    load_average = os.getloadavg()
    print(
        f"\nMixed load, {seconds:.0f} s, {clients} clients (half on the seed plan, half on"
        " 100 x 300), each request to a server at random; PostgreSQL, one db_worker"
    )
    print(f"Load average at the end: {load_average[0]:.2f} {load_average[1]:.2f}")
    rows = []
    for label, r in out.items():
        load = r["load"]
        rows.append(
            [
                label,
                f"{load['requests'] / load['seconds']:.1f}/s",
                str(len(load["errors"])),
                str(load["inconsistent"]),
                f"{load['acknowledged']} / {load['found']}",
                str(load["conflicts"]),
            ]
        )
    print(
        table(
            [
                "set-up",
                "throughput",
                "errors",
                "inconsistent pages",
                "writes acked / found",
                "409s",
            ],
            rows,
        )
    )
    kinds = sorted({kind for r in out.values() for kind in r["load"]["by_kind"]})
    rows = []
    for kind in kinds:
        row = [kind]
        for r in out.values():
            samples = r["load"]["by_kind"].get(kind, [])
            row.append(
                f"{_percentile(samples, 0.5) * 1000:.0f} / {_percentile(samples, 0.99) * 1000:.0f}"
                f" ms (n={len(samples)})"
                if samples
                else "-"
            )
        rows.append(row)
    print("\np50 / p99 per kind of request")
    print(table(["request", *out], rows))
    print(
        "\nCell edits on alternating servers, the matrix loaded from the other server after"
        f" each (median of {edits})"
    )
    rows = []
    for label, r in out.items():
        results = r["edits"]
        seed = results["seed"]["edit"]
        for size, _ in SIZES:
            e = results[size]
            rows.append(
                [
                    label,
                    size,
                    f"{e['edit'] * 1000:.0f} ms",
                    f"{e['edit'] / seed:.2f}x",
                    f"{e['after'] * 1000:.0f} ms",
                    f"{e['acknowledged']} / {e['found']}",
                    str(e["errors"]),
                ]
            )
    print(
        table(
            [
                "set-up",
                "size",
                "edit",
                "edit / seed edit",
                "matrix after edit",
                "writes acked / found",
                "errors",
            ],
            rows,
        )
    )
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--edits", type=int, default=12)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--database")
    args = parser.parse_args()
    run(args.seconds, args.edits, args.clients, args.redis, args.database)
