"""Issue 27 #9: several "new kit question" posts on one stage at once all land, on PostgreSQL.

A stage with no questions yet has no rows to lock, so numbering the new
question's position from them let simultaneous posts take the same position
(an IntegrityError, a 500). Real threads, real transactions; skipped on SQLite,
which serialises writers.
"""

import threading

import pytest
from django.db import connection

from interviews.models import InterviewStage, Question
from tests.conftest import client_for
from tests.interviews.test_kits import question_form

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

ROLE = "senior-dashboard-engineer"
URL = f"/plans/q1-2026/roles/{ROLE}/interview/questions/new/"


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL's concurrent transactions; SQLite serialises writers.")


@pytest.mark.parametrize("posts", [4, 6])
def test_simultaneous_new_questions_on_an_empty_stage_all_land(manager, plan, posts):
    role = plan.roles.get(slug=ROLE)
    stage = InterviewStage.objects.get(plan=plan, name="Team Fit")
    Question.objects.filter(role=role, stage=stage).delete()
    start = threading.Barrier(posts)
    results: list = [None] * posts

    def post(index):
        client = client_for(manager, raise_request_exception=False)
        try:
            start.wait(timeout=10)
            results[index] = client.post(
                URL, question_form(stage, prompt=f"Question {index} of the burst?")
            ).status_code
        except BaseException as error:  # reported below
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(code, int) and code < 400 for code in results), results
    saved = Question.objects.filter(role=role, stage=stage).order_by("position")
    assert saved.count() == posts
    assert list(saved.values_list("position", flat=True)) == list(range(1, posts + 1))
    guide = client_for(manager).get(f"/plans/q1-2026/roles/{ROLE}/interview/").content.decode()
    for index in range(posts):
        assert f"Question {index} of the burst?" in guide
