"""The cheaper cold analysis (#29.1) computes exactly what the straightforward one did.

What makes a cold analysis of a large plan cheaper: its queries are compiled to
SQL once per process and their rows built without ``Model.__init__``
(core/loading.py); each role's JD state is worked out from
its required sections only (the only ones that can lack anything or begin a
JD), their rows picked from rows grouped by kind once
(roles/jd/completeness.section_rows) instead of scanned once per section; the
kits reuse the JD items and the criteria gaps the success criteria that
completeness loaded. Here the analysis is computed both ways, the reference way
patched in (each query evaluated as the Django queryset it is compiled from, rows
built by Django's own ``from_db``, ``Rows.select`` per section for every
section, the kits loading their own items, the criteria gaps their own
timeframes), on the seed plan and on random generated plans with JD rows
removed at random, and everything the pages show must be equal, down to the
wording and order of every gap and each JD's state.
"""

import datetime

import pytest
from django.db import models, transaction
from hypothesis import given, settings
from hypothesis import strategies as st

import problems.models as problem_models
from core.loading import CompiledQuery
from coverage import analysis as analysis_module
from coverage import outcomes
from coverage.analysis import analyse_plan, forget_analyses
from hiringplan.management.commands.generate_plan import generate_plan
from interviews import loops
from problems.models import Plan
from roles.jd import completeness
from roles.jd.sections import SECTIONS
from roles.models import CheckIn, Hire, JDItem, LandscapeArea, Role, SuccessCriterion
from tests.conftest import examples
from tests.coverage.test_incremental import snapshot

pytestmark = pytest.mark.django_db


def _reference_facts(role, rows_by_model):
    """jd_missing and jd_begun as they were: Rows.select once per section, twice over, for
    every section (a row model the analysis no longer loads, the landscape, as no rows)."""

    def rows(section):
        return (
            section.rows.select(rows_by_model.get(section.rows.model, [])) if section.rows else []
        )

    missing = []
    for section in SECTIONS:
        missing.extend(section.missing(role, rows(section)))
    begun = any(
        section.begins_jd and section.has_content(role, rows(section)) for section in SECTIONS
    )
    return tuple(missing), begun


def _django_from_db(cls, db, field_names, values):
    return models.Model.from_db.__func__(cls, db, field_names, values)


def _orm_instances(query, value, known=None):
    """What CompiledQuery.instances stands for: the queryset, evaluated by Django, with the
    known related objects assigned as a related manager's queryset assigns them."""
    instances = list(query.build(value))
    for name, related in (known or {}).items():
        for instance in instances:
            field = instance._meta.get_field(name)
            setattr(
                instance,
                name,
                related[getattr(instance, field.attname)] if isinstance(related, dict) else related,
            )
    return instances


def _full_snapshot(plan) -> dict:
    forget_analyses()
    analysis = analyse_plan(Plan.objects.get(pk=plan.pk))
    out = snapshot(analysis)
    out["jd"] = [
        (r.pk, r.jd_state.missing, r.jd_state.begun, r.jd_state.key) for r in analysis.roles
    ]
    # The loaded rows themselves, attribute for attribute, with what each has cached of its
    # relations, and the evidence the outcomes read.
    out["instances"] = [
        _loaded(instance)
        for instance in [*analysis.problems, *analysis.roles]
        + [c for row in analysis.rows for c in row.coverages]
        + list(analysis.questions.values())
        + list(analysis.steps.values())
    ]
    out["evidence"] = [
        (
            role.pk,
            [
                (_loaded(hire), sorted((k, _loaded(c)) for k, c in hire.loaded_check_ins.items()))
                for hire in role.loaded_hires
            ],
            [_loaded(criterion) for criterion in role.loaded_criteria],
        )
        for role in analysis.roles
    ]
    out["outcomes"] = {
        today: [
            (pk, o.outcome, o.reasons, [h.pk for h in o.hires])
            for pk, o in analysis.outcomes(today).items()
        ]
        for today in (datetime.date(2026, 1, 1), datetime.date(2027, 6, 1), datetime.date.max)
    }
    return out


_TRANSIENT = {"_state", "_jd_state", "loaded_hires", "loaded_criteria", "loaded_check_ins"}


def _loaded(instance) -> tuple:
    """A loaded row as plain values: its class, fields, state and cached relations' ids."""
    state = instance._state
    return (
        type(instance).__name__,
        # (repr: True is not 1, an aware datetime not the same instant elsewhere)
        sorted((k, repr(v)) for k, v in instance.__dict__.items() if k not in _TRANSIENT),
        (state.adding, state.db),
        sorted((name, related.pk) for name, related in state.fields_cache.items()),
    )


def _both_ways(plan, monkeypatch) -> tuple[dict, dict]:
    fast = _full_snapshot(plan)
    with monkeypatch.context() as m:
        m.setattr(problem_models.PlanContent, "from_db", classmethod(_django_from_db))
        m.setattr(CompiledQuery, "instances", _orm_instances)
        m.setattr(CompiledQuery, "rows", lambda query, value: list(query.build(value)))
        m.setattr(
            analysis_module,
            "load_evidence",
            lambda plan, roles, criteria=None: outcomes.load_evidence(plan, roles),
        )
        m.setattr(completeness, "jd_facts", _reference_facts)
        m.setattr(
            analysis_module,
            "plan_kits",
            lambda plan, roles, jd_items=None: loops.plan_kits(plan, roles),
        )
        criteria_gaps = analysis_module._criteria_gaps
        m.setattr(
            analysis_module,
            "_criteria_gaps",
            lambda plan, roles, criteria=None: criteria_gaps(plan, roles),
        )
        reference = _full_snapshot(plan)
    return fast, reference


def test_seed_plan_analysis_is_the_reference_analysis(plan, monkeypatch):
    fast, reference = _both_ways(plan, monkeypatch)
    assert fast == reference
    # The seed plan has complete, reported, draft and unstarted JDs: the states differ.
    assert len({key for *_, key in fast["jd"]}) >= 2


def test_quickly_loaded_rows_are_djangos_rows(plan):
    """Attribute for attribute, state included, for every row model the analysis loads."""
    for model in (Role, JDItem, SuccessCriterion, LandscapeArea, problem_models.Problem):
        quick = list(model.objects.filter(**_of_plan(model, plan)).order_by("pk"))
        assert quick, model
        rows = list(
            model.objects.filter(**_of_plan(model, plan))
            .order_by("pk")
            .values_list(*[f.attname for f in model._meta.concrete_fields])
        )
        names = [f.attname for f in model._meta.concrete_fields]
        for instance, values in zip(quick, rows, strict=True):
            django = _django_from_db(model, "default", names, values)
            assert type(instance) is model
            assert _attributes(instance) == _attributes(django)
            assert (instance._state.adding, instance._state.db) == (False, "default")
            assert instance == django


def test_a_deferred_field_still_loads_through_django(plan):
    role = Role.objects.filter(plan=plan).only("pk", "title").order_by("pk").first()
    assert "role_summary" not in role.__dict__  # deferred, as Django defers it
    assert role.role_summary == Role.objects.get(pk=role.pk).role_summary


def _of_plan(model, plan):
    return {"plan": plan} if hasattr(model, "plan_id") else {"role__plan": plan}


def _attributes(instance) -> dict:
    return {k: v for k, v in instance.__dict__.items() if k != "_state"}


shapes = st.fixed_dictionaries(
    {
        "problems": st.integers(1, 6),
        "roles": st.integers(1, 8),
        "seed": st.integers(0, 10_000),
        # Which JD rows to remove (by position in the plan's rows), so that completeness varies.
        "drop_items": st.lists(st.integers(0, 60), max_size=30),
        "drop_criteria": st.lists(st.integers(0, 40), max_size=20),
    }
)


@settings(max_examples=examples(30))
@given(shape=shapes)
def test_generated_plan_analysis_is_the_reference_analysis(shape, monkeypatch):
    with transaction.atomic():
        plan = generate_plan(
            "equivalence", problems=shape["problems"], roles=shape["roles"], seed=shape["seed"]
        )
        for model, drops in ((JDItem, "drop_items"), (SuccessCriterion, "drop_criteria")):
            pks = list(model.objects.filter(role__plan=plan).order_by("pk").values_list("pk"))
            doomed = {pks[i % len(pks)][0] for i in shape[drops]} if pks else set()
            model.objects.filter(pk__in=doomed).delete()
        plan = Plan.objects.get(pk=plan.pk)
        fast, reference = _both_ways(plan, monkeypatch)
        assert fast == reference
        transaction.set_rollback(True)


def test_the_compiled_queries_load_what_the_querysets_load(plan):
    """Each query the analysis compiles once (core/loading.CompiledQuery) against the
    queryset it stood for before, relations cached on each row included."""
    generated = generate_plan("compiled", problems=4, roles=6, seed=3)
    for subject in (plan, generated):
        forget_analyses()
        analysis = analyse_plan(Plan.objects.get(pk=subject.pk))
        assert [_loaded(p) for p in analysis.problems] == [
            _loaded(p) for p in subject.problems.in_matrix_order()
        ]
        assert [_loaded(r) for r in analysis.roles] == [
            _loaded(r) for r in subject.roles.in_plan_order()
        ]
        coverages = sorted((c for row in analysis.rows for c in row.coverages), key=lambda c: c.pk)
        assert [_loaded(c) for c in coverages] == [
            _loaded(c)
            for c in problem_models.Problem.coverages.field.model.objects.filter(role__plan=subject)
            .select_related("role", "problem")
            .order_by("pk")
        ]
        hires = [h for r in analysis.roles for h in r.loaded_hires]
        assert [_loaded(h) for h in hires] == [
            _loaded(h)
            for h in Hire.objects.filter(role__plan=subject)
            .select_related("role")
            .order_by("role__origin", "role__position", "role_id", "seat", "pk")
        ]
        check_ins = sorted(
            (c for h in hires for c in h.loaded_check_ins.values()), key=lambda c: c.pk
        )
        assert [_loaded(c) for c in check_ins] == [
            _loaded(c) for c in CheckIn.objects.filter(hire__role__plan=subject).order_by("pk")
        ]
        for role in analysis.roles:
            expected = list(SuccessCriterion.objects.filter(role=role)) if role.loaded_hires else []
            assert [_loaded(c) for c in role.loaded_criteria] == [_loaded(c) for c in expected]
    assert check_ins, "the generated plan has check-ins"
