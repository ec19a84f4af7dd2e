"""PDF speed: WeasyPrint alone (the floor) against the app's first and cached exports.

Also the seed proposal's layout before and after issue #14 (print-quality
documents): page count and render time of the proposal with the templates and
print stylesheet of BASELINE (checked out from git into a temporary folder)
against today's, in the same run.

And the cost of tagging (#30): every seed document rendered untagged and
as PDF/UA-1, on the same HTML (``tagging_cost``; ``python -m bench.pdf tagging``
runs only that).

Run: python -m bench.pdf  (or `make bench` for everything)
"""

import io
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


# The last commit before the proposal flowed (chapters forced pages, no column blocks).
BASELINE = "7c4d0c1"


def _page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def _baseline_html(plan, folder: Path) -> str | None:
    """The seed proposal's HTML as BASELINE's templates drew it, or None outside a git clone."""
    from django.conf import settings
    from django.template.loader import render_to_string
    from django.test import override_settings

    from documents.rendering import DOCUMENTS
    from roles.jd.presentation import proposal_breakdown

    archive = subprocess.run(
        ["git", "archive", BASELINE, "templates", "static/css/print.css"],
        cwd=ROOT,
        capture_output=True,
    )
    if archive.returncode != 0:
        return None
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    context = DOCUMENTS["proposal"].context(plan, None)
    analysis = context["analysis"]
    # What the baseline's template read from its context.
    context["breakdown"] = proposal_breakdown(plan, analysis)
    context["rows"] = analysis.matrix_rows(analysis.columns) if context["grid"] else analysis.rows
    engine = {**settings.TEMPLATES[0], "DIRS": [folder / "templates"]}
    with override_settings(TEMPLATES=[engine]):
        return render_to_string("documents/proposal.html", context)


def layout_before_after(plan) -> tuple[list[list], dict]:
    """Pages and render time of the seed proposal: BASELINE's layout against today's."""
    from django.template.loader import render_to_string

    from documents import worker as pdf_worker
    from documents.rendering import DOCUMENTS, static_dirs

    results, rows = {}, []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        before = _baseline_html(plan, folder)
        after = render_to_string(
            DOCUMENTS["proposal"].template, DOCUMENTS["proposal"].context(plan, None)
        )
        cases = [("after (this layout)", after, static_dirs())]
        if before is not None:
            cases.insert(0, (f"before ({BASELINE})", before, [str(folder / "static")]))
        for label, html, dirs in cases:

            def render(html=html, dirs=dirs):
                return pdf_worker.render(html, "/static/", dirs, 65536)[0]

            pages = _page_count(render())
            seconds = median_seconds(render, 3)
            results[label] = {"pages": pages, "seconds": seconds}
    base = next(iter(results.values()))
    for label, result in results.items():
        rows.append(
            [
                label,
                result["pages"],
                ms(result["seconds"]),
                f"{result['seconds'] / base['seconds']:.2f}x",
            ]
        )
    return rows, results


TAGGING_TITLE = (
    "\nTagged PDFs (#30): untagged against PDF/UA-1 (in-process, alternating, median of 5)"
)


def tagging_cost(plan, role) -> tuple[list[list], dict]:
    """Render time of every seed document untagged (before #30) and as PDF/UA-1 (now).

    Both in this process, on the same HTML; "tagged" includes the pikepdf pass
    that scopes the table header cells.
    """
    from documents import worker as pdf_worker
    from documents.rendering import DOCUMENTS, document_html, static_dirs

    rows, out = [], {}
    for kind, spec in DOCUMENTS.items():
        html = document_html(plan, kind, role if spec.per_role else None)
        # Alternate the two, so a busy machine slows both alike; the median of 5 each.
        samples = {False: [], True: []}
        sizes = {}
        for _ in range(6):
            for tagged in (False, True):
                start = time.perf_counter()
                pdf = pdf_worker.render(html, "/static/", static_dirs(), 65536, tagged=tagged)[0]
                samples[tagged].append(time.perf_counter() - start)
                sizes[tagged] = len(pdf)
        results = {
            label: {"seconds": sorted(samples[tagged][1:])[2], "bytes": sizes[tagged]}
            for label, tagged in (("untagged", False), ("tagged", True))
        }
        out[kind] = results
        before, after = results["untagged"], results["tagged"]
        rows.append(
            [
                kind,
                ms(before["seconds"]),
                ms(after["seconds"]),
                f"{after['seconds'] / before['seconds']:.2f}x",
                f"{before['bytes'] / 1024:.0f} -> {after['bytes'] / 1024:.0f} KiB",
            ]
        )
    return rows, out


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
        ("posting", plan, "posting", role, f"/plans/{plan.slug}/roles/{role.slug}/posting.pdf"),
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

    layout_rows, out["seed_proposal_layout"] = layout_before_after(Plan.objects.get(pk=plan.pk))
    tagging_rows, out["tagging"] = tagging_cost(Plan.objects.get(pk=plan.pk), role)

    print("\nPDFs (floor = WeasyPrint on the same HTML in-process; ratios to the floor)")
    print(f"Worker cold start (spawn + import WeasyPrint): {ms(cold_start)}")
    print(table(["document", "floor", "first export", "cached export", "first / cached"], rows))
    print("\nSeed proposal layout, before and after #14 (WeasyPrint in-process, median of 3)")
    print(table(["layout", "pages", "render", "time vs before"], layout_rows))
    print(TAGGING_TITLE)
    print(table(["document", "untagged", "PDF/UA-1", "time", "size"], tagging_rows))
    big_result = out["big_proposal"]
    print(
        f"100x300 proposal: {big_result['seconds']:.1f} s to render alone, peak RSS "
        f"{big_result['peak_rss_mb']:.0f} MB, {big_result['bytes'] / 1024:.0f} KiB PDF "
        f"from {big_result['html_bytes'] / 1024:.0f} KiB HTML"
    )
    return out


def run_tagging() -> dict:
    from problems.models import Plan
    from roles.models import Role

    prepare_database()
    plan = Plan.objects.get(slug="q1-2026")
    role = Role.objects.get(plan=plan, slug="senior-dashboard-engineer")
    rows, out = tagging_cost(plan, role)
    print(TAGGING_TITLE)
    print(table(["document", "untagged", "PDF/UA-1", "time", "size"], rows))
    return out


if __name__ == "__main__":
    setup_django()
    if sys.argv[1:] == ["tagging"]:
        print(json.dumps(run_tagging(), indent=2, default=str))
    else:
        print(json.dumps(run(), indent=2, default=str))
