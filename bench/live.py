"""Pages that stay current (issue #33.4): what the live check costs the server.

Two measurements, both with production settings (DEBUG off, every middleware):

1. **The check.** ``/plans/<slug>/live/?seen=<etag>`` as an open page polls it
   (templates/_live.html), answered 304 while nothing changed: many requests
   in-process (the WSGI handler, no network), median and p99, and its queries,
   next to the trivial logged-in view (session, user and groups, then nothing).
2. **Three leaders with the matrix open.** gunicorn on the same database serves a
   steady mixed load (overview, matrix, gaps, JD at a fixed rate); the server's CPU
   time (its workers' utime + stime from /proc) is measured with and without three
   leaders polling at the page's interval, in alternating rounds. The increase is
   also worked out from the CPU one poll costs (a burst of polls alone), which a busy
   machine blurs less than the difference of two rounds.

Run: python -m bench.live [--checks 2000] [--seconds 20] [--rounds 3] [--check-only]
Database: BENCH_LIVE_DATABASE_URL, by default a SQLite file in bench/results.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import sys
import threading
import time
from pathlib import Path

from bench.common import Gunicorn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SLUG = "q1-2026"
MIXED = [
    f"/plans/{SLUG}/",
    f"/plans/{SLUG}/matrix/",
    f"/plans/{SLUG}/gaps/",
    f"/plans/{SLUG}/roles/senior-dashboard-engineer/",
]
LEADERS = 3


def poll_interval() -> float:
    """The page's poll interval, read from the template the pages include."""
    text = (ROOT / "templates" / "_live.html").read_text()
    return float(re.search(r"every (\d+(?:\.\d+)?)s", text).group(1))


def prepare(database_url: str) -> dict:
    """Migrate and load the seed (once), sign in three leaders; their cookies and the ETag."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.pop("REDIS_URL", None)
    if database_url.startswith("postgres"):
        import psycopg

        name = database_url.rsplit("/", 1)[1]
        admin = database_url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    from bench.common import session_cookie, setup_django

    setup_django(database_url)
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command

    from core.permissions import LEADERSHIP
    from problems.models import Plan

    call_command("migrate", verbosity=0)
    if not Plan.objects.filter(slug=SLUG).exists():
        call_command("loaddata", "q1-2026", verbosity=0)
    cookies = []
    for i in range(LEADERS):
        user, _ = User.objects.get_or_create(username=f"bench-leader-{i}")
        user.groups.add(Group.objects.get(name=LEADERSHIP))
        cookies.append(session_cookie(user))
    return {"cookies": cookies}


def current_etag(caller) -> str:
    status, _, headers = caller.get(f"/plans/{SLUG}/live/")
    assert status == 200, status
    return headers["ETag"].strip('"')


# --- 1. The check, in-process -------------------------------------------------------------


def orm_live_row(plan_slug: str):
    """The live check's query as the ORM built it before (an annotated subquery): the
    "before" of the plain-SQL query in plans.discussion.live_row, timed in the same run."""
    from django.db.models import Max, OuterRef, Subquery

    from plans.discussion import Thread
    from problems.models import Plan

    stamp = Subquery(
        Thread.objects.filter(plan=OuterRef("pk"))
        .order_by()
        .values("plan")
        .annotate(m=Max("updated_at"))
        .values("m")[:1]
    )
    row = (
        Plan.objects.filter(slug=plan_slug)
        .annotate(stamp=stamp)
        .values_list("pk", "revision", "stamp")
        .first()
    )
    return row and (row[0], row[1], row[2] and row[2].isoformat())


def _summary(samples: list[float]) -> dict:
    samples = sorted(samples)
    return {
        "p10": samples[len(samples) // 10],
        "median": statistics.median(samples),
        "p99": samples[int(len(samples) * 0.99) - 1],
    }


def time_check(cookie: str, checks: int) -> dict:
    """The unchanged check (304), the same with the ORM query it had before, and the trivial
    logged-in view, interleaved request by request so a busy machine slows all three alike."""
    from django.db import connection

    from bench.common import WSGICaller
    from plans import discussion

    caller = WSGICaller(cookie)
    etag = current_etag(caller)
    path = f"/plans/{SLUG}/live/?seen={etag}"
    headers = {"HX-Request": "true"}
    status, _, _ = caller.get(path, headers)
    assert status == 304, status
    queries: list[str] = []

    def count(execute, sql, *args):
        queries.append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(count):
        caller.get(path, headers)

    plain_row = discussion.live_row

    def before():
        discussion.live_row = orm_live_row
        try:
            return caller.get(path, headers)
        finally:
            discussion.live_row = plain_row

    kinds = {
        "live": lambda: caller.get(path, headers),
        "before": before,
        "floor": lambda: caller.get("/bench/trivial-logged-in"),
    }
    samples: dict[str, list[float]] = {name: [] for name in kinds}
    cpu: dict[str, list[float]] = {name: [] for name in kinds}
    for _ in range(50):
        for fn in kinds.values():
            fn()  # warm up
    for _ in range(checks):
        for name, fn in kinds.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            fn()
            cpu[name].append(time.process_time() - start_cpu)
            samples[name].append(time.perf_counter() - start)
    changed = []
    for _ in range(max(10, checks // 10)):
        start = time.perf_counter()
        caller.get(f"/plans/{SLUG}/live/?seen=stale", headers)
        changed.append(time.perf_counter() - start)
    return {
        **{name: _summary(values) for name, values in samples.items()},
        # CPU time of this process per request: what the server spends, without the waits
        # for a core that a shared machine adds to the wall-clock time.
        "cpu": {name: statistics.median(values) for name, values in cpu.items()},
        "changed": _summary(changed),
        "queries": len(queries),
        "sql": queries,
        "n": checks,
        "etag": etag,
    }


# --- 2. Three leaders on a loaded server --------------------------------------------------


def start_server(database_url: str, workers: int) -> Gunicorn:
    """gunicorn with the production settings on the benchmark's database, Redis left out."""
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["DATABASE_URL"] = database_url
    log = ROOT / "bench" / "results" / "live-server.log"
    return Gunicorn(env, workers=workers, log=log).wait_ready()


def get(port: int, path: str, cookie: str, headers: dict | None = None, timeout: float = 30) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Cookie": cookie, **(headers or {})})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


class Steady:
    """Requests at a fixed rate (open loop, as users arrive), spread over a few threads."""

    def __init__(self, port: int, rate: float, cookie: str, paths: list[str], threads: int = 4):
        self.port, self.cookie, self.paths = port, cookie, paths
        self.interval = threads / rate
        self.threads = threads
        self.stop = threading.Event()
        self.done = 0
        self.errors = 0
        self.lock = threading.Lock()

    def _run(self, index: int) -> None:
        next_at = time.perf_counter() + index * self.interval / self.threads
        i = index
        while not self.stop.is_set():
            delay = next_at - time.perf_counter()
            if delay > 0 and self.stop.wait(delay):
                break
            status = get(self.port, self.paths[i % len(self.paths)], self.cookie)
            with self.lock:
                self.done += 1
                self.errors += status != 200
            i += self.threads
            next_at = max(next_at + self.interval, time.perf_counter() - self.interval)

    def start(self):
        self._workers = [
            threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(self.threads)
        ]
        for worker in self._workers:
            worker.start()
        return self

    def finish(self) -> None:
        self.stop.set()
        for worker in self._workers:
            worker.join()


class Pollers:
    """Three leaders with the matrix open: each polls the live check at the page's interval."""

    def __init__(self, port: int, cookies: list[str], etag: str, interval: float):
        self.port, self.cookies, self.etag, self.interval = port, cookies, etag, interval
        self.stop = threading.Event()
        self.polls = 0
        self.not_modified = 0
        self.lock = threading.Lock()

    def _run(self, index: int) -> None:
        path = f"/plans/{SLUG}/live/?seen={self.etag}"
        # Leaders open the page at different moments.
        if self.stop.wait(self.interval * index / len(self.cookies)):
            return
        while True:
            status = get(self.port, path, self.cookies[index], {"HX-Request": "true"})
            with self.lock:
                self.polls += 1
                self.not_modified += status == 304
            if self.stop.wait(self.interval):
                return

    def start(self):
        self._threads = [
            threading.Thread(target=self._run, args=(i,), daemon=True)
            for i in range(len(self.cookies))
        ]
        for thread in self._threads:
            thread.start()
        return self

    def finish(self) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join()


def one_round(server, port, cookies, etag, rate, seconds, with_pollers, interval) -> dict:
    steady = Steady(port, rate, cookies[0], MIXED).start()
    time.sleep(1.0)  # let the rate settle before counting
    cpu0, wall0, done0 = server.cpu_seconds(), time.perf_counter(), steady.done
    pollers = Pollers(port, cookies, etag, interval).start() if with_pollers else None
    time.sleep(seconds)
    cpu1, wall1, done1 = server.cpu_seconds(), time.perf_counter(), steady.done
    if pollers:
        pollers.finish()
    steady.finish()
    wall = wall1 - wall0
    return {
        "cpu_per_s": (cpu1 - cpu0) / wall,
        "rps": (done1 - done0) / wall,
        "errors": steady.errors,
        "polls": pollers.polls if pollers else 0,
        "not_modified": pollers.not_modified if pollers else 0,
    }


def poll_cost(server, port, cookies, etag, polls: int) -> float:
    """CPU seconds of the server per live check (304), from a burst of checks alone."""
    path = f"/plans/{SLUG}/live/?seen={etag}"
    for _ in range(30):
        get(port, path, cookies[0], {"HX-Request": "true"})
    time.sleep(0.5)
    idle0 = server.cpu_seconds()
    time.sleep(2.0)
    idle = (server.cpu_seconds() - idle0) / 2.0  # the server's own ticking, per second
    cpu0, wall0 = server.cpu_seconds(), time.perf_counter()
    for i in range(polls):
        assert get(port, path, cookies[i % len(cookies)], {"HX-Request": "true"}) == 304
    cpu1, wall1 = server.cpu_seconds(), time.perf_counter()
    return max(0.0, (cpu1 - cpu0) - idle * (wall1 - wall0)) / polls


def measure_load(database_url, cookies, etag, rate, seconds, rounds, workers) -> dict:
    from django.db import connections

    interval = poll_interval()
    connections.close_all()  # nothing of this process holds the database while gunicorn runs
    server = start_server(database_url, workers)
    try:
        port = server.port
        for path in [*MIXED, "/bench/trivial-logged-in"]:  # every worker loads templates once
            for _ in range(workers * 4):
                assert get(port, path, cookies[0], timeout=120) == 200, path
        per_poll = poll_cost(server, port, cookies, etag, 1000)
        pairs = []
        for r in range(rounds):
            # Alternate which goes first, so a drift in the machine's load hits both alike.
            order = (False, True) if r % 2 == 0 else (True, False)
            got = {
                flag: one_round(server, port, cookies, etag, rate, seconds, flag, interval)
                for flag in order
            }
            pairs.append((got[False], got[True]))
    finally:
        server.stop()
    base_cpu = statistics.median(p[0]["cpu_per_s"] for p in pairs)
    with_cpu = statistics.median(p[1]["cpu_per_s"] for p in pairs)
    added_expected = LEADERS / interval * per_poll
    return {
        "interval": interval,
        "per_poll": per_poll,
        "pairs": pairs,
        "base_cpu": base_cpu,
        "with_cpu": with_cpu,
        "measured_increase": statistics.median(
            (w["cpu_per_s"] - b["cpu_per_s"]) / b["cpu_per_s"] for b, w in pairs
        ),
        "expected_increase": added_expected / base_cpu,
        "rate": rate,
        "seconds": seconds,
        "workers": workers,
    }


def run(
    checks: int = 2000,
    seconds: int = 20,
    rounds: int = 3,
    rate: float = 10.0,
    database_url: str | None = None,
    check_only: bool = False,
) -> dict:
    from bench.common import RESULTS, table

    RESULTS.mkdir(parents=True, exist_ok=True)
    database_url = database_url or os.environ.get(
        "BENCH_LIVE_DATABASE_URL", f"sqlite:///{RESULTS / 'live.sqlite3'}"
    )
    setup = prepare(database_url)
    cookies = setup["cookies"]
    from django.db import connection

    vendor = connection.vendor
    check = time_check(cookies[0], checks)
    load_average = "/".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"\nLive check (issue #33.4), {vendor}: in-process WSGI, DEBUG off, {check['n']} checks "
        f"(machine load average {load_average})"
    )

    def row(label, summary, queries="", cpu=None):
        times = [f"{summary[k] * 1000:.2f} ms" for k in ("p10", "median", "p99")]
        return [label, *times, f"{cpu * 1000:.2f} ms" if cpu is not None else "", queries]

    print(
        table(
            ["request", "p10", "median", "p99", "CPU median", "queries"],
            [
                row(
                    "live check, unchanged (304)",
                    check["live"],
                    check["queries"],
                    check["cpu"]["live"],
                ),
                row(
                    "the same with the ORM query it had before",
                    check["before"],
                    check["queries"],
                    check["cpu"]["before"],
                ),
                row("live check, changed (200 + note)", check["changed"]),
                row("trivial logged-in view", check["floor"], "", check["cpu"]["floor"]),
            ],
        )
    )
    print(
        "Wall-clock times include waiting for a core on a busy machine; p10 and the CPU "
        "time of the process per request (CPU median) show the server's own work."
    )
    print("Queries of one unchanged check:")
    for sql in check["sql"]:
        print("  " + sql[:150])
    if check_only:
        return {"check": check}
    workers = int(os.environ.get("BENCH_LIVE_WORKERS", os.cpu_count() * 2 + 1))
    load = measure_load(database_url, cookies, check["etag"], rate, seconds, rounds, workers)
    print(
        f"\nThree leaders with the matrix open, {vendor}: gunicorn {workers} sync workers, a "
        f"steady {rate:g} req/s of {', '.join(p.rsplit('/', 2)[-2] or 'overview' for p in MIXED)}; "
        f"{LEADERS} pollers every {load['interval']:g} s; {rounds} alternating pairs of "
        f"{seconds} s rounds; server CPU = its processes' user + system time"
    )
    rows = []
    for i, (base, polled) in enumerate(load["pairs"], 1):
        for label, r in (("without pollers", base), ("with 3 pollers", polled)):
            rows.append(
                [
                    i,
                    label,
                    f"{r['rps']:.1f}",
                    f"{r['cpu_per_s'] * 1000:.0f} ms/s",
                    f"{r['polls']} ({r['not_modified']} x 304)" if r["polls"] else "",
                    r["errors"],
                ]
            )
    print(table(["round", "load", "req/s", "server CPU", "polls", "errors"], rows))
    per_poll = load["per_poll"] * 1000
    print(f"Server CPU per check (a burst of 1000 alone, via gunicorn): {per_poll:.2f} ms")
    print(
        f"Added load from 3 pollers: {load['expected_increase'] * 100:.2f}% from the cost per "
        f"check ({LEADERS}/{load['interval']:g} s x {load['per_poll'] * 1000:.2f} ms over "
        f"{load['base_cpu'] * 1000:.0f} ms/s); {load['measured_increase'] * 100:+.1f}% as the "
        "median difference of the paired rounds (machine noise included)"
    )
    return {"check": check, "load": load}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--checks", type=int, default=2000)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--check-only", action="store_true", help="only the in-process timing")
    args = parser.parse_args()
    run(args.checks, args.seconds, args.rounds, args.rate, check_only=args.check_only)
