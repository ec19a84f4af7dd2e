"""A cell edit carries the analysis forward incrementally; the result is the full analysis.

Hypothesis generates small random plans (statuses, decisions, origins, ranks,
dispositions with and without owners) and random sequences of cell edits
(set, change, clear, leave empty); after every edit the analysis the edit
produced must equal :func:`analyse_plan` of the plan reloaded from the
database, down to the order and wording of every gap.
"""

import pytest
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from coverage import analysis as analysis_module
from coverage.analysis import analyse_plan, cached_analysis
from coverage.models import Coverage
from coverage.services import save_cell
from hiringplan.management.commands.generate_plan import generate_plan
from problems.models import Disposition, OpenQuestion, Plan, Problem
from roles.models import Confidence, Role
from tests.conftest import examples

pytestmark = pytest.mark.django_db


def _coverages(coverages):
    return [
        (c.pk, c.role_id, c.problem_id, c.confidence, c.rationale, c.version) for c in coverages
    ]


def snapshot(analysis) -> dict:
    """Everything the pages show of an analysis, as plain values."""

    def gap(g):
        return (
            g.kind,
            g.severity,
            g.subject,
            g.explanation,
            g.problem.pk if g.problem else None,
            g.role.pk if g.role else None,
            g.question.pk if g.question else None,
        )

    verdict = analysis.verdict
    return {
        "revision": analysis.plan.revision,
        "problems": [p.pk for p in analysis.problems],
        "roles": [r.pk for r in analysis.roles],
        "rows": [
            (
                row.problem.pk,
                row.status,
                row.explanation,
                _coverages(row.coverages),
                [(type(o).__name__, o.pk) for o in row.owners],
            )
            for row in analysis.rows
        ],
        "columns": [(c.role.pk, c.status, _coverages(c.coverages)) for c in analysis.columns],
        "gaps": [gap(g) for g in analysis.gaps],
        "verdict": (
            verdict.solved,
            verdict.answer,
            verdict.gap_count,
            [gap(g) for g in verdict.blocking],
            [r.problem.pk for r in verdict.dealt_with],
        ),
        "groups": [(g.kind, len(g.gaps), g.collapsed) for g in analysis.gap_groups],
        "matrix": [
            [(cell.role.pk, cell.problem.pk, cell.symbol, cell.label) for cell in row.cells]
            for row in analysis.matrix_rows(analysis.columns)
        ],
    }


CONFIDENCES = ["", *Confidence.values]

plans = st.fixed_dictionaries(
    {
        "problems": st.integers(1, 5),
        "roles": st.integers(1, 7),
        "seed": st.integers(0, 10_000),
        # For each of up to 5 problems: hiring, outside hiring (owned or not), accepted risk.
        "dispositions": st.lists(
            st.sampled_from(["hiring", "outside-owned", "outside-unowned", "risk"]),
            max_size=5,
        ),
    }
)
edits = st.lists(
    st.tuples(st.integers(0, 6), st.integers(0, 4), st.sampled_from(CONFIDENCES), st.booleans()),
    min_size=1,
    max_size=8,
)


def _make_plan(spec) -> Plan:
    plan = generate_plan("hypo", problems=spec["problems"], roles=spec["roles"], seed=spec["seed"])
    question = OpenQuestion.objects.get(plan=plan, position=1)  # generate_plan made some
    for problem, kind in zip(plan.problems.order_by("pk"), spec["dispositions"], strict=False):
        if kind == "hiring":
            continue
        problem.disposition = (
            Disposition.ACCEPTED_RISK if kind == "risk" else Disposition.OUTSIDE_HIRING
        )
        problem.disposition_note = "dealt with elsewhere"
        if kind == "outside-owned":
            problem.disposition_question = question.position
        problem.save()
    return Plan.objects.get(pk=plan.pk)


@settings(max_examples=examples(25))  # deadline and health checks: the profile's
@given(spec=plans, sequence=edits)
def test_incremental_analysis_equals_full_recomputation(spec, sequence, monkeypatch):
    full = analysis_module.analyse_plan
    calls = []

    def counted(plan):
        calls.append(plan.revision)
        return full(plan)

    with transaction.atomic():
        analysis_module.forget_analyses()
        monkeypatch.setattr(analysis_module, "analyse_plan", counted)
        try:
            plan = _make_plan(spec)
            cached_analysis(plan)  # the page load before the first edit
            roles = list(Role.objects.filter(plan=plan).order_by("pk"))
            problems = list(Problem.objects.filter(plan=plan).order_by("pk"))
            for role_i, problem_i, confidence, with_rationale in sequence:
                role, problem = roles[role_i % len(roles)], problems[problem_i % len(problems)]
                current = Coverage.objects.filter(role=role, problem=problem).first()
                _, incremental = save_cell(
                    plan,
                    role,
                    problem,
                    confidence=confidence,
                    rationale="because" if confidence and with_rationale else "",
                    expected_version=current.version if current else 0,
                )
                fresh = Plan.objects.get(pk=plan.pk)
                assert incremental.plan.revision == fresh.revision
                assert snapshot(incremental) == snapshot(full(fresh))
                assert cached_analysis(fresh) is incremental  # what the next page load serves
            # Only the first load computed the analysis in full; every edit was incremental.
            assert len(calls) == 1
        finally:
            monkeypatch.undo()
            analysis_module.forget_analyses()
            transaction.set_rollback(True)


def test_a_cell_edit_without_a_cached_analysis_computes_it_in_full(plan):
    role = Role.objects.filter(plan=plan).order_by("pk").first()
    problem = Problem.objects.filter(plan=plan).order_by("pk").last()
    current = Coverage.objects.filter(role=role, problem=problem).first()
    _, result = save_cell(
        plan,
        role,
        problem,
        confidence=Confidence.LOW,
        rationale="",
        expected_version=current.version if current else 0,
    )
    assert snapshot(result) == snapshot(analyse_plan(Plan.objects.get(pk=plan.pk)))
