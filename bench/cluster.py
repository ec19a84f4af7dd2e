"""Several app servers: cell edits that land on different processes, with and without Redis.

Two gunicorn servers of three sync workers each on one PostgreSQL database
(its own, created here), the same run once with the per-process cache
(LocMem, the default) and once with ``REDIS_URL`` (a Redis database of its
own). Consecutive cell edits alternate between the servers, so nearly every
edit lands on another process than the previous one; after each edit the
matrix is loaded from the other server. Prints the median edit and matrix
load at the seed plan and at 100 x 300, the cross-process edit ratio (100 x 300
edit / seed edit), and writes acknowledged vs found (each acknowledged edit
must be one version of the cell). Needs PostgreSQL on 127.0.0.1:5432 and a
Redis on 127.0.0.1:6379.

Run: python -m bench.cluster [--edits 12] [--redis redis://127.0.0.1:6379/7]
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

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


class Server:
    def __init__(self, env: dict, log: Path):
        from bench.load import free_port

        self.port = free_port()
        env = dict(
            env,
            BIND=f"127.0.0.1:{self.port}",
            WEB_CONCURRENCY="3",
            GUNICORN_MAX_REQUESTS="0",
            DJANGO_SETTINGS_MODULE="bench.settings",
        )
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "python:hiringplan.gunicorn_conf",
                "hiringplan.wsgi",
            ],
            cwd=ROOT,
            env=env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


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


def wait_ready(caller, port):
    for _ in range(600):
        try:
            caller.request(port, "/healthz")
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


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


def run(
    edits: int = 12, redis_url: str = "redis://127.0.0.1:6379/7", database_url: str | None = None
) -> dict:
    database_url = database_url or os.environ.get("CLUSTER_BENCH_DATABASE_URL", DEFAULT_DB)
    cookie = prepare(database_url)
    caller = Caller(cookie)
    log = ROOT / "bench" / "results" / "cluster-servers.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    base = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    base.update(
        DATABASE_URL=database_url,
        DATABASE_POOL_MIN="1",
        DATABASE_POOL_MAX="2",
        MFA_REQUIRED_FOR_ADMINS="0",  # the bench user is an Admin signed in without a device
    )
    out = {}
    for label, extra in [("per process (LocMem)", {}), ("Redis", {"REDIS_URL": redis_url})]:
        if extra:
            import redis

            redis.Redis.from_url(redis_url).flushdb()
        servers = [Server(dict(base, **extra), log) for _ in range(2)]
        try:
            for server in servers:
                wait_ready(caller, server.port)
            out[label] = measure(caller, servers, edits)
        finally:
            for server in servers:
                server.stop()
    print("\nCell edits across two gunicorn servers x 3 workers, PostgreSQL, consecutive edits")
    print("on alternating servers, the matrix loaded from the other server after each (median)")
    from bench.common import table

    rows = []
    for label, results in out.items():
        seed = results["seed"]["edit"]
        for size, _ in SIZES:
            r = results[size]
            rows.append(
                [
                    label,
                    size,
                    f"{r['edit'] * 1000:.0f} ms",
                    f"{r['edit'] / seed:.2f}x",
                    f"{r['after'] * 1000:.0f} ms",
                    f"{r['acknowledged']} / {r['found']}",
                    str(r["errors"]),
                ]
            )
    print(
        table(
            [
                "cache",
                "size",
                "edit",
                "edit / seed edit",
                "matrix after edit",
                "writes acked / found",
                "5xx",
            ],
            rows,
        )
    )
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--edits", type=int, default=12)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/7")
    args = parser.parse_args()
    run(args.edits, args.redis)
