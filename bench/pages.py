"""Page speed at seed size, 10x and 100 problems x 300 roles: time, queries, throughput ratio.

Run: python -m bench.pages  (or `make bench` for everything)
"""

import statistics
import time

from bench.common import (
    WSGICaller,
    bench_user,
    median_seconds,
    ms,
    prepare_database,
    session_cookie,
    setup_django,
    table,
)

SIZES = [("seed", None), ("10x", (80, 90)), ("100x300", (100, 300))]
PAGES = {
    "overview": "/plans/{slug}/",
    "matrix": "/plans/{slug}/matrix/",
    "gaps": "/plans/{slug}/gaps/",
    "jd": "/plans/{slug}/roles/{role}/",
    "roles list": "/plans/{slug}/roles/",
    # A content diff of two plans of this size (problems, hires, mappings, JD word diff).
    "compare 2 plans": "/plans/{slug}/compare/?with={other}",
    # Four scenarios side by side: the analysis five times.
    "4 scenarios": "/plans/{slug}/scenarios/compare/?{scenarios}",
    # Generated plans have hires and check-ins (issue 31); the seed has none.
    "hires": "/plans/{slug}/hires/",
    "check-ins due": "/plans/{slug}/check-ins/",
}


def run(repeat: int = 25, fresh: bool = True) -> dict:
    from django.db import connection

    from coverage.models import Scenario
    from hiringplan.management.commands.generate_plan import generate_plan
    from plans.next_quarter import clone_plan
    from problems.models import Plan

    if fresh:
        prepare_database()
    plans = {"seed": ("q1-2026", "senior-dashboard-engineer", 8 * 9)}
    seed = Plan.objects.get(slug="q1-2026")
    Plan.objects.filter(slug="bench-seed-b").delete()
    clone_plan(seed, title="Seed copy", slug="bench-seed-b", period="Q2 2026")
    for name, size in SIZES:
        if size:
            generate_plan(f"bench-{name}", problems=size[0], roles=size[1])
            generate_plan(f"bench-{name}-b", problems=size[0], roles=size[1], seed=2)
            plans[name] = (f"bench-{name}", "role-1", size[0] * size[1])
    others = {"seed": "bench-seed-b", "10x": "bench-10x-b", "100x300": "bench-100x300-b"}
    picked = {}
    for size, (slug, _, _) in plans.items():
        plan = Plan.objects.get(slug=slug)
        roles = list(plan.roles.values_list("slug", flat=True))
        ids = [
            Scenario.objects.create(
                plan=plan, name=f"bench {i}", decisions={r: "hold" for r in roles[i::4]}
            ).pk
            for i in range(4)
        ]
        picked[size] = "&".join(f"s={pk}" for pk in ids)
    caller = WSGICaller(session_cookie(bench_user()))
    floor = median_seconds(lambda: caller.get("/bench/trivial-logged-in"), repeat * 4)
    bare = median_seconds(lambda: caller.get("/bench/trivial"), repeat * 4)

    results = {}
    rows = []
    for size, _ in SIZES:
        slug, role, cells = plans[size]
        for page, pattern in PAGES.items():
            path = pattern.format(slug=slug, role=role, other=others[size], scenarios=picked[size])
            status, _, _ = caller.get(path)
            assert status == 200, (path, status)
            queries = []

            def count(execute, *args, queries=queries):
                queries.append(args[0])
                return execute(*args)

            with connection.execute_wrapper(count):
                caller.get(path)
            n = repeat if size != "100x300" else max(5, repeat // 3)
            seconds = median_seconds(lambda path=path: caller.get(path), n)
            results[(size, page)] = {"seconds": seconds, "queries": len(queries), "cells": cells}
            rows.append(
                [
                    size,
                    page,
                    ms(seconds),
                    len(queries),
                    f"{floor / seconds:.2f}",
                    f"{bare / seconds:.3f}",
                ]
            )
    print("\nPages (median server time, in-process WSGI, DEBUG off)")
    print(f"Trivial logged-in view: {ms(floor)}; trivial public view: {ms(bare)}")
    print(
        table(
            [
                "size",
                "page",
                "median",
                "queries",
                "throughput vs logged-in trivial",
                "vs public trivial",
            ],
            rows,
        )
    )
    growth = []
    for page in PAGES:
        base = results[("seed", page)]["seconds"]
        ten = results[("10x", page)]["seconds"]
        big = results[("100x300", page)]
        growth.append([page, f"{ten / base:.1f}x", f"{big['seconds'] / base:.1f}x"])
    print("\nGrowth with size (time ratio to seed)")
    print("Cells: seed 8x9 = 72, 10x 80x90 = 7,200, 100x300 = 30,000")
    print(
        table(
            ["page", "10x / seed", "100x300 / seed"],
            growth,
        )
    )
    edits = edit_rows(caller, plans, repeat)
    versus = matrix_vs_plan_list(caller, plans, repeat)
    return {"pages": results, "floor": floor, "bare": bare, "edits": edits, "versus": versus}


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def edit_rows(caller, plans, repeat: int) -> dict:
    """An htmx cell edit at three sizes, and the matrix load that follows it."""
    from coverage.models import Coverage
    from problems.models import Problem

    results, rows = {}, []
    for size, _ in SIZES:
        slug, role, cells = plans[size]
        problem = Problem.objects.filter(plan__slug=slug).order_by("pk").first().slug
        url = f"/plans/{slug}/matrix/cell/{role}/{problem}/"
        matrix = f"/plans/{slug}/matrix/"
        caller.get(matrix)  # the leader has the matrix open: its analysis is cached
        edit, after = [], []
        for i in range(repeat + 1):
            current = Coverage.objects.filter(
                role__plan__slug=slug, role__slug=role, problem__slug=problem
            ).first()
            data = {
                "confidence": ["high", "low"][i % 2],
                "rationale": "",
                "version": current.version if current else 0,
            }
            response = {}

            def post(data=data, response=response, url=url):
                response["r"] = caller.post(url, data, {"HX-Request": "true"})

            seconds = _timed(post)
            assert response["r"][0] == 200, response["r"][:2]
            load = _timed(lambda matrix=matrix: caller.get(matrix))
            if i:  # the first is a warm-up
                edit.append(seconds)
                after.append(load)
        results[size] = {
            "edit": statistics.median(edit),
            "after": statistics.median(after),
            "cells": cells,
        }
    base = results["seed"]["edit"]
    for size, _ in SIZES:
        r = results[size]
        rows.append([size, r["cells"], ms(r["edit"]), f"{r['edit'] / base:.2f}x", ms(r["after"])])
    print("\nCell edit (htmx POST, median; each edit changes the plan's revision)")
    print(table(["size", "cells", "edit", "edit / seed edit", "matrix load after the edit"], rows))
    return results


def matrix_vs_plan_list(caller, plans, repeat: int) -> dict:
    """The matrix page against the plan list (same chrome, almost no content), same run."""
    from django.core.cache import caches

    # Interleaved (plan list, matrix, plan list, ...) so that load from other
    # processes on the machine hits both alike; the ratio is of the medians.
    results, rows = {}, []
    for size, _ in SIZES:
        slug, _, _ = plans[size]
        matrix = f"/plans/{slug}/matrix/"
        n = repeat * 4 if size == "seed" else max(5, repeat // 2)
        # Wide plans show 30 role columns a page: per-cell costs are of the cells shown.
        cells = caller.get(matrix)[1].count(b'class="cell ')
        caller.get("/plans/")
        base, hits = [], []
        for _ in range(n):
            base.append(_timed(lambda: caller.get("/plans/")))
            hits.append(_timed(lambda matrix=matrix: caller.get(matrix)))
        plan_list, hit = statistics.median(base), statistics.median(hits)

        def miss(matrix=matrix):
            caches["default"].clear()  # the rendered fragments; the analysis stays cached
            return _timed(lambda: caller.get(matrix))

        miss()
        cold = statistics.median(miss() for _ in range(n))
        results[size] = {"hit": hit, "miss": cold, "cells": cells, "plan list": plan_list}
        rows.append(
            [
                size,
                cells,
                ms(plan_list),
                ms(hit),
                f"{plan_list / hit:.2f}",
                f"{max(hit - plan_list, 0) / cells * 1e6:.3f} µs",
                ms(cold),
                f"{(cold - hit) / cells * 1e6:.2f} µs",
            ]
        )
    print("\nMatrix page vs plan list, interleaved: throughput ratio = plan list / matrix")
    print(
        table(
            [
                "size",
                "cells on the page",
                "plan list",
                "matrix (fragment cached)",
                "throughput vs plan list",
                "cached page beyond the plan list, per cell",
                "matrix (fragment rendered)",
                "render per cell",
            ],
            rows,
        )
    )
    return results


def run_edits(repeat: int = 25) -> dict:
    """Only the cell edit and matrix-vs-plan-list sections (issue #21), on fresh plans."""
    from hiringplan.management.commands.generate_plan import generate_plan

    prepare_database()
    plans = {"seed": ("q1-2026", "senior-dashboard-engineer", 8 * 9)}
    for name, size in SIZES:
        if size:
            generate_plan(f"bench-{name}", problems=size[0], roles=size[1])
            plans[name] = (f"bench-{name}", "role-1", size[0] * size[1])
    caller = WSGICaller(session_cookie(bench_user()))
    return {
        "edits": edit_rows(caller, plans, repeat),
        "versus": matrix_vs_plan_list(caller, plans, repeat),
    }


if __name__ == "__main__":
    setup_django()
    run()
