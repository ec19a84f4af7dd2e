"""Load: gunicorn (2 x cores + 1 workers) on PostgreSQL with pooling, wrk on loopback.

Hits the overview, matrix and a JD page concurrently for a bounded time and
reports throughput, p50/p99 latency and errors, next to a trivial logged-in
view served by the same gunicorn. A hostile scenario then reads a role whose
JD a hiring manager filled, to every limit, with the Markdown markdown-it is
slowest on (issue #18: before the bounds such a page took most of a minute and
every reader got a 500). Needs PostgreSQL (BENCH_DATABASE_URL, by
default postgres://postgres@127.0.0.1:5432/hiringplan_bench) and `wrk`.

Run: python -m bench.load [--seconds 20] [--connections 16]
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import Gunicorn, free_port  # noqa: F401 - free_port: bench.lighthouse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/hiringplan_bench"

LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1], {["Cookie"] = "%s", ["Host"] = "127.0.0.1"})
end
"""


def prepare(database_url: str) -> str:
    """Create the database if needed, migrate, load the seed, return a session cookie."""
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from bench.common import bench_user, session_cookie

    call_command("migrate", verbosity=0)
    call_command("loaddata", "q1-2026", verbosity=0)
    return session_cookie(bench_user())


HOSTILE_ROLE = "hostile-markdown"


def plant_hostile_role() -> str:
    """A role whose JD is as slow to render as the limits allow; returns its page's path."""
    from core.forms import ROW_TEXT_LIMIT
    from problems.models import Plan
    from roles.jd.editor import MAX_JD_CHARACTERS
    from roles.models import ItemKind, JDItem, Role

    plan = Plan.objects.get(slug="q1-2026")
    role, _ = Role.objects.get_or_create(
        plan=plan, slug=HOSTILE_ROLE, defaults={"title": "Hostile Markdown", "position": 999}
    )
    role.items.all().delete()
    pattern = "![" * (ROW_TEXT_LIMIT // 2 - 8)
    kinds = [ItemKind.RED_FLAG, ItemKind.MUST_HAVE, ItemKind.RESPONSIBILITY]
    rows = MAX_JD_CHARACTERS // len(pattern)
    JDItem.objects.bulk_create(
        JDItem(role=role, kind=kinds[i % 3], position=i, text=f"{i:04d}{pattern}")
        for i in range(rows)
    )
    return f"/plans/q1-2026/roles/{HOSTILE_ROLE}/"


def wrk(url: str, paths: list[str], cookie: str, seconds: int, connections: int) -> dict:
    script = LUA % (", ".join(f'"{p}"' for p in paths), cookie)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    result = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", handle.name, url],
        capture_output=True,
        text=True,
        check=True,
    )
    Path(handle.name).unlink()
    text = result.stdout

    def latency(label):
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)", text, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    socket_errors = re.search(r"Socket errors: (.*)", text)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
        "requests": int(re.search(r"(\d+) requests in", text).group(1)),
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "errors": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "none",
    }


def run(seconds: int = 20, connections: int = 16, database_url: str | None = None) -> dict:
    if shutil.which("wrk") is None:
        print("\nLoad: skipped, `wrk` is not installed (apt-get install wrk).")
        return {}
    database_url = database_url or os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    cookie = prepare(database_url)
    server = Gunicorn({**os.environ, "DATABASE_URL": database_url}).wait_ready()
    try:
        url = server.url
        import urllib.request

        warm = (
            "/bench/trivial-logged-in",
            "/plans/q1-2026/",
            "/plans/q1-2026/matrix/",
            "/plans/q1-2026/roles/senior-dashboard-engineer/",
        )
        for path in warm:  # every worker imports and compiles templates once
            for _ in range(30):
                request = urllib.request.Request(url + path, headers={"Cookie": cookie})  # noqa: S310
                urllib.request.urlopen(request).read()  # noqa: S310 - our own loopback server
        from django.db import connection

        workers = os.cpu_count() * 2 + 1
        pool_max = connection.settings_dict["OPTIONS"].get("pool", {}).get("max_size", "-")
        trivial = wrk(url, ["/bench/trivial-logged-in"], cookie, seconds, connections)
        mixed = wrk(
            url,
            [
                "/plans/q1-2026/",
                "/plans/q1-2026/matrix/",
                "/plans/q1-2026/roles/senior-dashboard-engineer/",
            ],
            cookie,
            seconds,
            connections,
        )
        hostile_path = plant_hostile_role()
        hostile = wrk(
            url,
            [hostile_path, "/plans/q1-2026/", "/plans/q1-2026/roles/senior-dashboard-engineer/"],
            cookie,
            seconds,
            connections,
        )
    finally:
        server.stop()
    from bench.common import table

    print(
        f"\nLoad: gunicorn {workers} sync workers on {os.cpu_count()} cores, PostgreSQL pool max "
        f"{pool_max}/worker, wrk 2 threads x {connections} connections, {seconds}s each, loopback"
    )
    print(
        table(
            [
                "scenario",
                "requests",
                "req/s",
                "p50",
                "p99",
                "errors",
                "socket errors",
                "vs trivial",
            ],
            [
                [
                    name,
                    r["requests"],
                    f"{r['rps']:.0f}",
                    f"{r['p50_ms']:.1f} ms",
                    f"{r['p99_ms']:.1f} ms",
                    r["errors"],
                    r["socket_errors"],
                    f"{r['rps'] / trivial['rps']:.2f}",
                ]
                for name, r in (
                    ("trivial logged-in view", trivial),
                    ("overview + matrix + JD", mixed),
                    ("hostile JD + overview + JD", hostile),
                )
            ],
        )
    )
    print(
        "Hostile: a JD filled to the limits with '![' rows, the Markdown markdown-it is "
        "slowest on; each worker renders it within the per-request budget, then from its cache."
    )
    return {"trivial": trivial, "mixed": mixed, "hostile": hostile, "workers": workers}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    run(args.seconds, args.connections)
