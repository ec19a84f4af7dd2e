"""The database itself refuses bad data, with the constraint's name in the error."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from coverage.models import Coverage
from problems.models import OpenQuestion, Problem
from roles.models import JDItem, Role, SuccessCriterion


def test_duplicate_rank_in_a_plan_is_refused(plan):
    with pytest.raises(IntegrityError), transaction.atomic():
        Problem.objects.create(plan=plan, slug="another", rank=1, title="Another problem")


def test_two_unranked_problems_are_fine(plan):
    Problem.objects.create(plan=plan, slug="u1", title="Unranked one")
    Problem.objects.create(plan=plan, slug="u2", title="Unranked two")
    assert plan.problems.unranked().count() == 5


def test_negative_or_zero_headcount_is_refused(plan):
    role = plan.roles.get(slug="senior-dashboard-engineer")
    role.headcount = 0
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        role.save()
    assert "role_headcount_at_least_one" in str(error.value) or "CHECK" in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        Role.objects.filter(pk=role.pk).update(headcount=-1)
    role.refresh_from_db()
    assert role.headcount == 1


def test_invalid_confidence_is_refused(plan):
    role = plan.roles.get(slug="mid-level-mobile-engineer")
    problem = plan.problems.get(rank=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Coverage.objects.create(role=role, problem=problem, confidence="certain")


def test_same_role_problem_twice_is_refused(plan):
    existing = Coverage.objects.filter(role__plan=plan).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Coverage.objects.create(role=existing.role, problem=existing.problem, confidence="low")


def test_resolved_question_needs_a_resolution(plan):
    with pytest.raises(IntegrityError), transaction.atomic():
        OpenQuestion.objects.create(plan=plan, position=99, topic="X", question="Y?", resolved=True)


def test_invalid_timeframe_and_blank_rows_are_refused(plan):
    role = plan.roles.get(slug="senior-dashboard-engineer")
    with pytest.raises(IntegrityError), transaction.atomic():
        SuccessCriterion.objects.create(role=role, timeframe=2, position=500, target="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        JDItem.objects.create(role=role, kind="red_flag", position=500, text="")
    with pytest.raises(IntegrityError), transaction.atomic():
        JDItem.objects.create(role=role, kind="gossip", position=501, text="x")


def test_model_validation_gives_a_clear_message(plan):
    role = plan.roles.get(slug="senior-dashboard-engineer")
    role.headcount = 0
    with pytest.raises(ValidationError) as error:
        role.full_clean()
    assert "Headcount must be at least 1." in str(error.value)
