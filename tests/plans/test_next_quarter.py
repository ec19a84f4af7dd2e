"""Issue 27 #5: next quarter's plan keeps what owns its problems, starts when its period does,
is created off the request path, and its comparison shows the verdict, dispositions and gaps."""

import datetime

import lxml.html
import pytest

from coverage.analysis import analyse_plan
from plans import next_quarter
from plans.models import NextQuarterJob
from problems.models import Disposition, NextStep, Plan, Problem
from tests.conftest import page_text

NEXT = "/plans/q1-2026/next/"
FORM = {"title": "Q2 2026 Hiring Proposal", "slug": "q2-2026", "period": "Q2 2026"}


@pytest.fixture
def later(monkeypatch):
    """The background copy waits here until the test runs it."""
    queue = []
    monkeypatch.setattr(next_quarter, "run_in_background", queue.append)
    return queue


@pytest.fixture
def outside_hiring(plan):
    """#5 addressed outside hiring, owned by next step 2; step 1 is done."""
    NextStep.objects.filter(plan=plan, position=1).update(done=True)
    problem = Problem.objects.get(plan=plan, rank=5)
    problem.disposition = Disposition.OUTSIDE_HIRING
    problem.disposition_note = "product clarity from Samee"
    problem.disposition_step = 2
    problem.save()
    return problem


def test_the_form_suggests_the_periods_first_day(leader_client, plan):
    text = leader_client.get(NEXT).content.decode()
    assert 'value="q2-2026"' in text and 'value="2026-04-01"' in text


def test_next_quarters_plan_runs_in_the_background_and_keeps_its_owners(
    leader_client, plan, outside_hiring, later
):
    before = analyse_plan(plan).verdict
    open_steps = list(NextStep.objects.filter(plan=plan, done=False).values_list("text", flat=True))
    response = leader_client.post(NEXT, FORM)
    assert response.status_code == 302
    job = NextQuarterJob.objects.get(slug="q2-2026")
    assert response["Location"] == f"/plans/q1-2026/next/{job.pk}/"
    assert not Plan.objects.filter(slug="q2-2026").exists()  # Nothing copied in the request.
    waiting = leader_client.get(response["Location"])
    assert waiting.status_code == 200
    assert 'http-equiv="refresh"' in waiting.content.decode()
    assert "Starting “Q2 2026 Hiring Proposal”" in page_text(waiting)

    later.pop()()  # The background copy runs.
    done = leader_client.get(response["Location"])
    assert done.status_code == 302
    assert done["Location"] == "/plans/q2-2026/compare/?with=q1-2026"

    new = Plan.objects.get(slug="q2-2026")
    assert new.starts_on == datetime.date(2026, 4, 1)
    steps = NextStep.objects.filter(plan=new)
    assert list(steps.values_list("text", flat=True)) == open_steps  # done step 1 stays behind
    carried = Problem.objects.get(plan=new, rank=5)
    owner = steps.get(position=carried.disposition_step)
    assert owner.text == NextStep.objects.get(plan=plan, position=2).text
    after = analyse_plan(new).verdict
    assert len(after.blocking) == len(before.blocking)
    assert after.answer == before.answer

    compare = page_text(leader_client.get(done["Location"], follow=True))
    assert "Started “Q2 2026 Hiring Proposal”" in compare
    overview = page_text(leader_client.get("/plans/q2-2026/"))
    assert "Q2 2026" in overview


def test_a_step_owning_a_problem_comes_along_even_when_done(leader, plan, outside_hiring):
    NextStep.objects.filter(plan=plan, position=2).update(done=True)
    new = next_quarter.clone_plan(plan, title="Q2", slug="q2-2026", period="Q2 2026")
    carried = Problem.objects.get(plan=new, rank=5)
    owner = NextStep.objects.get(plan=new, position=carried.disposition_step)
    assert owner.text == NextStep.objects.get(plan=plan, position=2).text and owner.done
    assert not NextStep.objects.filter(
        plan=new, text=NextStep.objects.get(plan=plan, position=1).text
    ).exists()


def test_compare_shows_verdict_dispositions_and_gaps_before_and_after(
    leader_client, plan, outside_hiring
):
    new = next_quarter.clone_plan(plan, title="Q2", slug="q2-2026", period="Q2 2026")
    carried = Problem.objects.get(plan=new, rank=5)
    NextStep.objects.filter(plan=new, position=carried.disposition_step).delete()
    before = len(analyse_plan(plan).verdict.blocking)
    after = len(analyse_plan(new).verdict.blocking)
    assert after == before + 1  # #5 lost its owner: a blocking gap.
    text = page_text(leader_client.get("/plans/q2-2026/compare/?with=q1-2026"))
    assert "No differences" not in text
    assert "Verdict and blocking gaps" in text and "New blocking gaps" in text
    assert "Addressed outside hiring, but nothing owns it" in text
    assert f"{before} blocking gap" in text and f"{after} blocking gap" in text
    assert "How problems are dealt with" in text and "(nothing owns it)" in text


def test_a_failed_copy_says_why_and_offers_to_try_again(leader_client, plan, later):
    leader_client.post(NEXT, FORM)
    job = NextQuarterJob.objects.get(slug="q2-2026")
    Plan.objects.create(title="Taken meanwhile", slug="q2-2026", period="Q2 2026")
    later.pop()()
    job.refresh_from_db()
    assert job.state == NextQuarterJob.State.FAILED
    text = page_text(leader_client.get(f"/plans/q1-2026/next/{job.pk}/"))
    assert "was not started" in text and "already exists" in text and "Try again" in text


def test_a_slug_being_started_is_refused(leader_client, plan, later):
    leader_client.post(NEXT, FORM)
    again = leader_client.post(NEXT, FORM)
    assert again.status_code == 422 and "being started" in page_text(again)


def test_the_progress_page_polls_with_htmx_not_a_meta_refresh(leader_client, plan, later):
    """Lighthouse's ``meta-refresh`` audit: no page reloads itself under a screen reader;
    with htmx the progress asks again, without JavaScript the ``<noscript>`` refresh does."""

    leader_client.post(NEXT, FORM)
    job = NextQuarterJob.objects.get(slug="q2-2026")
    url = f"/plans/q1-2026/next/{job.pk}/"
    tree = lxml.html.document_fromstring(leader_client.get(url).content)
    assert not tree.xpath('//meta[@http-equiv="refresh"][not(ancestor::noscript)]')
    assert len(tree.xpath('//noscript/meta[@http-equiv="refresh"]')) == 1
    (poll,) = tree.xpath('//*[@id="next-quarter-progress"]')
    assert poll.get("data-hx-get") == url and poll.get("data-hx-trigger") == "load delay:2s"

    htmx = {"HTTP_HX_REQUEST": "true"}
    polled = leader_client.get(url, **htmx).content.decode()
    assert 'id="next-quarter-progress"' in polled and "<h1" not in polled and "<html" not in polled

    later.pop()()  # The background copy runs: the poll navigates to the comparison.
    done = leader_client.get(url, **htmx)
    assert done["HX-Redirect"] == "/plans/q2-2026/compare/?with=q1-2026"
