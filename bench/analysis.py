"""The full coverage analysis, cold (a new revision: nothing cached), at seed size and 100 x 300.

"Cold" is what a plan revision costs the first time any process analyses it:
``forget_analyses()`` (the per-revision analysis and JD-state caches), a fresh
``Plan`` row, then :func:`coverage.analysis.analyse_plan`. The issue's bound
(#29.1) is 40 ms at 100 x 300 on a quiet machine, about 1 µs per cell.

On a shared, loaded machine wall-clock medians mean little, so this prints the
minimum of N runs (wall and CPU time) and, with ``--instructions``, the number
of instructions one analysis executes, counted by valgrind's callgrind (the
same on a quiet machine and a loaded one). Each measured analysis starts after a
full garbage collection (not measured): otherwise whether the collector's
occasional full pass over the whole process (tens of milliseconds, about 75 M
instructions here) falls inside the one counted run depends on where the
previous run left its counters, not on the analysis. The collections the
analysis's own allocations trigger are measured. ``--baseline REV`` measures the
same thing on another commit (a ``git worktree`` of it, the same database)
in the same run, and prints the ratios.

Run: python -m bench.analysis [--runs 15] [--instructions] [--baseline main]
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIG = "bench-analysis-100x300"
SIZES = [("seed", "q1-2026", 8 * 9), ("100 x 300", BIG, 100 * 300)]

# A C function that calls back into Python: callgrind instruments and counts only what
# runs inside it, so the count is of the analysis alone, not of Django's start-up (which
# runs uninstrumented, a few times faster). Outside valgrind the macros do nothing.
_TOGGLE_C = """
#include <valgrind/callgrind.h>
int hp_measured(int (*callback)(void)) {
    CALLGRIND_START_INSTRUMENTATION;
    CALLGRIND_TOGGLE_COLLECT;
    int result = callback();
    CALLGRIND_TOGGLE_COLLECT;
    CALLGRIND_STOP_INSTRUMENTATION;
    return result;
}
"""


def _measured_call():
    """A function f(callable) that runs the callable inside hp_measured (or just runs it)."""
    build = Path(tempfile.gettempdir()) / f"hp_measured_{os.getuid()}_2"
    build.mkdir(exist_ok=True)
    library = build / "hp_measured.so"
    if not library.exists():
        source = build / "hp_measured.c"
        source.write_text(_TOGGLE_C)
        subprocess.run(
            ["cc", "-O1", "-shared", "-fPIC", "-o", str(library), str(source)], check=True
        )
    lib = ctypes.CDLL(str(library))
    callback_type = ctypes.CFUNCTYPE(ctypes.c_int)
    lib.hp_measured.argtypes = [callback_type]

    def call(fn):
        def body():
            fn()
            return 0

        lib.hp_measured(callback_type(body))

    return call


def prepare(database: Path) -> None:
    """The seed plan and a generated 100 x 300 plan in a SQLite database of their own."""
    from django.core.management import call_command

    from hiringplan.management.commands.generate_plan import generate_plan
    from problems.models import Plan

    call_command("migrate", verbosity=0)
    if not Plan.objects.filter(slug="q1-2026").exists():
        call_command("loaddata", "q1-2026", verbosity=0)
    if not Plan.objects.filter(slug=BIG).exists():
        generate_plan(BIG, problems=100, roles=300, seed=1)


def cold_analysis(slug: str):
    from coverage.analysis import analyse_plan, forget_analyses
    from problems.models import Plan

    forget_analyses()
    plan = Plan.objects.get(slug=slug)
    return lambda: analyse_plan(plan)


def measure(runs: int, counting: bool) -> dict:
    """{size: {"wall": s, "cpu": s}} (min of ``runs``), or one counted run per size."""
    out = {}
    call = _measured_call() if counting else None
    for size, slug, _ in SIZES:
        cold_analysis(slug)()  # imports, query compilation caches: not what a revision costs
        if counting:
            run = cold_analysis(slug)
            gc.collect()
            call(run)
            continue
        walls, cpus = [], []
        for _ in range(runs):
            run = cold_analysis(slug)
            gc.collect()
            wall, cpu = time.perf_counter(), time.process_time()
            run()
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        out[size] = {"wall": min(walls), "cpu": min(cpus)}
    return out


def child(database: str, runs: int, counting: bool) -> None:
    """In the measured process: set up Django on the given code, print the results as JSON."""
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    prepare(Path(database))
    print(json.dumps(measure(runs, counting)))


def _callgrind_counts(code: Path, database: Path) -> dict:
    """Instructions of one cold analysis per size, from one callgrind run per size."""
    counts = {}
    for index, (size, _, _) in enumerate(SIZES):
        out = Path(tempfile.mkdtemp()) / "callgrind.out"
        env = dict(os.environ, PYTHONPATH=str(code), HP_BENCH_ONLY_SIZE=str(index))
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--collect-atstart=no",
                "--instr-atstart=no",
                f"--callgrind-out-file={out}",
                sys.executable,
                "-m",
                "bench.analysis",
                "--child",
                str(database),
                "--runs",
                "1",
                "--instructions",
            ],
            cwd=code,
            env=env,
            check=True,
            capture_output=True,
        )
        for line in out.read_text().splitlines():
            if line.startswith(("summary:", "totals:")):
                counts[size] = int(line.split()[1])
        shutil.rmtree(out.parent, ignore_errors=True)
    return counts


def _run_on(code: Path, database: Path, runs: int) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "bench.analysis", "--child", str(database), "--runs", str(runs)],
        cwd=code,
        env=dict(os.environ, PYTHONPATH=str(code)),
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def run(runs: int = 15, instructions: bool = False, baseline: str | None = None) -> dict:
    from bench.common import RESULTS, table

    RESULTS.mkdir(parents=True, exist_ok=True)
    database = RESULTS / "analysis.sqlite3"
    root = HERE.parent
    codes = {"this tree": root}
    worktree = None
    if baseline:
        worktree = Path(tempfile.mkdtemp(prefix="hp-baseline-"))
        subprocess.run(
            ["git", "worktree", "add", "-q", "--detach", str(worktree), baseline],
            cwd=root,
            check=True,
        )
        # The baseline runs this file's measurement on its own code.
        shutil.copy(HERE / "analysis.py", worktree / "bench" / "analysis.py")
        codes = {f"baseline {baseline}": worktree, "this tree": root}
    try:
        results = {label: {} for label in codes}
        # Interleaved: baseline, this tree, baseline, this tree, so that load from
        # other processes falls on both alike; the minimum of each is kept.
        for _ in range(3):
            for label, code in codes.items():
                for size, r in _run_on(code, database, max(1, runs // 3)).items():
                    best = results[label].setdefault(size, r)
                    best["wall"] = min(best["wall"], r["wall"])
                    best["cpu"] = min(best["cpu"], r["cpu"])
        if instructions:
            for label, code in codes.items():
                for size, count in _callgrind_counts(code, database).items():
                    results[label][size]["instructions"] = count
    finally:
        if worktree:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(worktree)], cwd=root, check=False
            )
    load = os.getloadavg()[0]
    print(f"\nCold analysis (analyse_plan of a new revision), min of {runs} runs")
    print(f"Load average (1 min) at the end: {load:.2f}")
    headers = ["code", "size", "cells", "wall (min)", "CPU (min)", "per cell (CPU)"]
    if instructions:
        headers += ["instructions (callgrind)"]
    if baseline:
        headers += ["CPU vs baseline"] + (["instructions vs baseline"] if instructions else [])
    rows = []
    base = results.get(f"baseline {baseline}") if baseline else None
    for label, by_size in results.items():
        for size, _, cells in SIZES:
            r = by_size[size]
            row = [
                label,
                size,
                f"{cells:,}",
                f"{r['wall'] * 1000:.1f} ms",
                f"{r['cpu'] * 1000:.1f} ms",
                f"{r['cpu'] / cells * 1e6:.2f} µs",
            ]
            if instructions:
                row.append(f"{r['instructions'] / 1e6:.1f} M")
            if base:
                row.append(f"{r['cpu'] / base[size]['cpu']:.2f}")
                if instructions:
                    row.append(f"{r['instructions'] / base[size]['instructions']:.2f}")
            rows.append(row)
    print(table(headers, rows))
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--instructions", action="store_true")
    parser.add_argument("--baseline")
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        only = os.environ.get("HP_BENCH_ONLY_SIZE")
        if only is not None:
            SIZES = [SIZES[int(only)]]
        child(args.child, args.runs, args.instructions)
    else:
        sys.path.insert(0, str(HERE.parent))
        run(args.runs, args.instructions, args.baseline)
