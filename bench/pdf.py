"""PDF speed: WeasyPrint alone (the floor) against the app's first and cached exports.

Run: python bench/pdf.py  (or `make bench` for everything)
"""

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import (
    ROOT,
    WSGICaller,
    bench_user,
    median_seconds,
    ms,
    prepare_database,
    session_cookie,
    setup_django,
    table,
)

PEAK_MEMORY_SCRIPT = """
import resource, sys, time
sys.path.insert(0, sys.argv[1])
from documents import worker as pdf_worker
html = open(sys.argv[2], encoding="utf-8").read()
start = time.perf_counter()
pdf, _ = pdf_worker.render(html, "/static/", sys.argv[3:], 65536)
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, len(pdf))
"""


def first_export(caller, plan, path, repeat=3):
    """A cache miss each time: the plan gets a new revision before every request."""
    from problems.models import Plan

    samples = []
    for _ in range(repeat):
        Plan.mark_changed(pk=plan.pk)
        start = time.perf_counter()
        status, body, _ = caller.get(path)
        samples.append(time.perf_counter() - start)
        assert status == 200 and body.startswith(b"%PDF"), status
    samples.sort()
    return samples[len(samples) // 2]


def run(fresh: bool = True) -> dict:
    from django.template.loader import render_to_string

    from documents.rendering import DOCUMENTS, render_html_direct, render_pdf, static_dirs
    from hiringplan.management.commands.generate_plan import generate_plan
    from problems.models import Plan
    from roles.models import Role

    if fresh:
        prepare_database()
    plan = Plan.objects.get(slug="q1-2026")
    role = Role.objects.get(plan=plan, slug="senior-dashboard-engineer")
    big = generate_plan("bench-pdf-300", problems=100, roles=300)
    caller = WSGICaller(session_cookie(bench_user()))

    start = time.perf_counter()
    render_pdf("<p>warm up</p>")
    cold_start = time.perf_counter() - start

    rows, out = [], {"cold_start": cold_start}
    cases = [
        ("JD", plan, "jd", role, f"/plans/{plan.slug}/roles/{role.slug}/jd.pdf"),
        ("proposal (seed)", plan, "proposal", None, f"/plans/{plan.slug}/proposal.pdf"),
        ("proposal (100x300)", big, "proposal", None, f"/plans/{big.slug}/proposal.pdf"),
    ]
    for label, subject, kind, who, path in cases:
        plan_now = Plan.objects.get(pk=subject.pk)
        html = render_to_string(DOCUMENTS[kind].template, DOCUMENTS[kind].context(plan_now, who))
        repeat = 3 if "100x300" not in label else 1
        floor = median_seconds(lambda html=html: render_html_direct(html), repeat)
        first = first_export(caller, subject, path, repeat)
        caller.get(path)  # fill the cache for the current revision
        cached = median_seconds(lambda path=path: caller.get(path), 30)
        out[label] = {"floor": floor, "first": first, "cached": cached}
        rows.append(
            [
                label,
                ms(floor),
                f"{ms(first)} ({first / floor:.2f}x)",
                f"{ms(cached)} ({cached / floor:.4f}x)",
                f"{first / cached:,.0f}x",
            ]
        )

    # Peak memory of rendering the biggest document, in a process of its own.
    big_now = Plan.objects.get(pk=big.pk)
    html = render_to_string(
        DOCUMENTS["proposal"].template, DOCUMENTS["proposal"].context(big_now, None)
    )
    with tempfile.NamedTemporaryFile("w", suffix=".html", delete=False, encoding="utf-8") as handle:
        handle.write(html)
    result = subprocess.run(
        [sys.executable, "-c", PEAK_MEMORY_SCRIPT, str(ROOT), handle.name, *static_dirs()],
        capture_output=True,
        text=True,
        check=True,
    )
    Path(handle.name).unlink()
    seconds, max_rss_kb, size = result.stdout.split()
    out["big_proposal"] = {
        "seconds": float(seconds),
        "peak_rss_mb": int(max_rss_kb) / 1024,
        "bytes": int(size),
        "html_bytes": len(html.encode()),
    }

    print("\nPDFs (floor = WeasyPrint on the same HTML in-process; ratios to the floor)")
    print(f"Worker cold start (spawn + import WeasyPrint): {ms(cold_start)}")
    print(table(["document", "floor", "first export", "cached export", "first / cached"], rows))
    big_result = out["big_proposal"]
    print(
        f"100x300 proposal: {big_result['seconds']:.1f} s to render alone, peak RSS "
        f"{big_result['peak_rss_mb']:.0f} MB, {big_result['bytes'] / 1024:.0f} KiB PDF "
        f"from {big_result['html_bytes'] / 1024:.0f} KiB HTML"
    )
    return out


if __name__ == "__main__":
    setup_django()
    print(json.dumps(run(), indent=2, default=str))
