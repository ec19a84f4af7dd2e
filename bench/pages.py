"""Page speed at seed size, 10x and 100 problems x 300 roles: time, queries, throughput ratio.

Run: python bench/pages.py  (or `make bench` for everything)
"""

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
}


def run(repeat: int = 25, fresh: bool = True) -> dict:
    from django.db import connection

    from coverage.models import Scenario
    from documents.versions import clone_plan
    from hiringplan.management.commands.generate_plan import generate_plan
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
        growth.append(
            [
                page,
                f"{ten / base:.1f}x",
                f"{big['seconds'] / base:.1f}x",
                f"{big['seconds'] / big['cells'] * 1e6:.1f} µs" if page == "matrix" else "",
            ]
        )
    print("\nGrowth with size (time ratio to seed)")
    print("Cells: seed 8x9 = 72, 10x 80x90 = 7,200, 100x300 = 30,000")
    print(table(["page", "10x / seed", "100x300 / seed", "matrix per cell at 100x300"], growth))
    return {"pages": results, "floor": floor, "bare": bare}


if __name__ == "__main__":
    setup_django()
    run()
