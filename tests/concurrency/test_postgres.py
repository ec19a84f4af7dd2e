"""Every create and edit endpoint, posted by two users at the same moment, on PostgreSQL.

Each race holds the two requests at the same point, the plan's revision bump
that every save makes inside its transaction, so they overlap however fast the
machine is. The rendezvous has a short time-out: when the code under test
serialises the two (a lock), the first one waits it out alone and the test
checks the serial outcome; when nothing serialises them, both meet and the
race is real. Either way the outcome must be correct: exactly one winner, or
both kept (at distinct positions or slugs), and never a 500.
"""

import contextlib
import threading

import pytest
from django.contrib.messages import constants
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import close_old_connections, connection

from coverage.models import Coverage
from interchange import imports
from interviews.models import InterviewStage
from problems.models import NextStep, OpenQuestion, Plan, Problem
from roles.models import Role
from tests.conftest import client_for
from tests.roles.helpers import HTMX

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

P = "/plans/q1-2026"
DASHBOARD = "senior-dashboard-engineer"
RENDEZVOUS_SECONDS = 0.5


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL's concurrent transactions; SQLite serialises writers.")


@pytest.fixture
def race(monkeypatch):
    """``race(call, call)`` runs the calls in two threads that meet inside their saves."""

    def run(*calls):
        barrier = threading.Barrier(len(calls))
        waited = threading.local()
        original = Plan.mark_changed.__func__

        def meeting_point(cls, **lookup):
            if not getattr(waited, "done", False):
                waited.done = True
                # Broken: the other request is held by a lock, no overlap to force.
                with contextlib.suppress(threading.BrokenBarrierError):
                    barrier.wait(timeout=RENDEZVOUS_SECONDS)
            return original(cls, **lookup)

        monkeypatch.setattr(Plan, "mark_changed", classmethod(meeting_point))
        start = threading.Barrier(len(calls))
        results = [None] * len(calls)

        def worker(index, call):
            try:
                start.wait()
                results[index] = call()
            except BaseException as error:  # reported below, with the other result
                results[index] = error
            finally:
                connection.close()

        threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        monkeypatch.undo()
        for result in results:
            assert not isinstance(result, BaseException), results
            assert result.status_code < 500, [r.status_code for r in results]
        return results

    return run


def poster(user, url, data, *, htmx=False):
    client = client_for(user, raise_request_exception=False)
    return lambda: client.post(url, data, **(HTMX if htmx else {}))


def level(response, wanted) -> bool:
    """Whether the response's request queued a message of level ``wanted`` (302 answers)."""
    storage = getattr(response.wsgi_request, "_messages", None)
    return any(m.level == wanted for m in (storage._queued_messages if storage else []))


def outcomes(responses):
    """'saved' or 'refused' per response, as the user would read it.

    Refused forms answer 422 and conflicts 409 (to htmx too); a redirect that
    refuses queues an error message.
    """
    kinds = []
    for response in responses:
        if response.status_code >= 400 or level(response, constants.ERROR):
            kinds.append("refused")
        else:
            kinds.append("saved")
    return sorted(kinds)


# --- Creates ---------------------------------------------------------------------------------


def test_two_new_questions_are_both_kept_at_distinct_positions(race, leader, plan):
    before = set(OpenQuestion.objects.filter(plan=plan).values_list("position", flat=True))
    url = f"{P}/questions/new/"
    race(
        poster(leader, url, {"topic": "A", "question": "First?"}),
        poster(leader, url, {"topic": "B", "question": "Second?"}),
    )
    added = OpenQuestion.objects.filter(plan=plan).exclude(position__in=before)
    assert sorted(added.values_list("question", flat=True)) == ["First?", "Second?"]
    assert sorted(added.values_list("position", flat=True)) == [max(before) + 1, max(before) + 2]


def test_two_new_next_steps_are_both_kept_at_distinct_positions(race, leader, plan):
    before = set(NextStep.objects.filter(plan=plan).values_list("position", flat=True))
    url = f"{P}/next-steps/new/"
    responses = race(
        poster(leader, url, {"text": "Call Samee"}),
        poster(leader, url, {"text": "Email Haroun"}),
    )
    assert [r.status_code for r in responses] == [302, 302]
    added = NextStep.objects.filter(plan=plan).exclude(position__in=before)
    assert sorted(added.values_list("text", flat=True)) == ["Call Samee", "Email Haroun"]
    assert sorted(added.values_list("position", flat=True)) == [max(before) + 1, max(before) + 2]


def test_two_roles_with_the_same_title_are_both_kept_with_distinct_slugs(race, manager, plan):
    data = {"title": "Data Engineer", "level": "senior", "function": "eng"}
    data |= {"origin": "proposed", "headcount": "1", "solves_none": "on"}
    url = f"{P}/roles/new/"
    responses = race(poster(manager, url, data), poster(manager, url, data))
    assert [r.status_code for r in responses] == [302, 302]
    made = Role.objects.filter(plan=plan, title="Data Engineer")
    assert sorted(made.values_list("slug", flat=True)) == ["data-engineer", "data-engineer-2"]
    positions = list(Role.objects.filter(plan=plan).values_list("position", flat=True))
    assert len(positions) == len(set(positions))


def test_two_unranked_problems_with_the_same_title_are_both_kept(race, leader, plan):
    url = f"{P}/problems/new/"
    data = {"title": "Churn in EMEA", "impact": "x"}
    responses = race(poster(leader, url, data), poster(leader, url, data))
    assert [r.status_code for r in responses] == [302, 302]
    slugs = sorted(
        Problem.objects.filter(plan=plan, title=data["title"]).values_list("slug", flat=True)
    )
    assert slugs == ["churn-in-emea", "churn-in-emea-2"]


def test_two_problems_taking_the_same_rank_exactly_one_wins(race, leader, plan):
    free = max(plan.problems.ranked().values_list("rank", flat=True)) + 1
    url = f"{P}/problems/new/"
    responses = race(
        poster(leader, url, {"title": "Alpha", "rank": str(free)}),
        poster(leader, url, {"title": "Beta", "rank": str(free)}),
    )
    assert sorted(r.status_code for r in responses) == [302, 422]
    loser = next(r for r in responses if r.status_code == 422)
    assert f"Someone else just gave rank {free}" in loser.text
    assert Problem.objects.filter(plan=plan, rank=free).count() == 1
    assert Problem.objects.filter(plan=plan, title__in=["Alpha", "Beta"]).count() == 1


def test_two_stages_with_different_names_get_distinct_positions(race, recruiter, plan):
    url = f"{P}/interviews/stages/new/"
    responses = race(
        poster(recruiter, url, {"name": "Pairing", "duration_minutes": "60", "applies_to": "all"}),
        poster(recruiter, url, {"name": "Lunch", "duration_minutes": "45", "applies_to": "all"}),
    )
    assert [r.status_code for r in responses] == [302, 302]
    positions = list(InterviewStage.objects.filter(plan=plan).values_list("position", flat=True))
    assert sorted(positions) == list(range(1, len(positions) + 1))


def test_two_stages_with_the_same_name_exactly_one_wins(race, recruiter, plan):
    url = f"{P}/interviews/stages/new/"
    data = {"name": "Pairing", "duration_minutes": "60", "applies_to": "all"}
    responses = race(poster(recruiter, url, data), poster(recruiter, url, data))
    assert sorted(r.status_code for r in responses) == [302, 422]
    assert InterviewStage.objects.filter(plan=plan, name="Pairing").count() == 1


def test_two_first_judgements_on_an_empty_cell_exactly_one_wins(race, leader, plan):
    role = plan.roles.get(slug=DASHBOARD)
    problem = next(
        p for p in plan.problems.all() if not Coverage.objects.filter(role=role, problem=p).exists()
    )
    url = f"{P}/matrix/cell/{role.slug}/{problem.slug}/"
    responses = race(
        poster(leader, url, {"confidence": "high", "rationale": "a", "version": "0"}, htmx=True),
        poster(leader, url, {"confidence": "low", "rationale": "b", "version": "0"}, htmx=True),
    )
    assert outcomes(responses) == ["refused", "saved"]
    assert Coverage.objects.get(role=role, problem=problem).version == 1


def test_two_confirmed_imports_of_one_new_plan_exactly_one_wins(race, admin_user, plan):
    """Two admins import the same export as a new plan and confirm at once: one plan, no 500."""
    client = client_for(admin_user)
    export = client.get(f"{P}/export.json").content
    confirms = []
    for _ in range(2):
        upload = SimpleUploadedFile("plan.json", export, content_type="application/json")
        response = client.post("/plans/import/", {"slug": "q3-2026", "fixture": upload})
        assert response.status_code == 302, response.content
        confirms.append(response["Location"])
    race(poster(admin_user, confirms[0], {}), poster(admin_user, confirms[1], {}))
    assert Plan.objects.filter(slug="q3-2026").count() == 1
    states = [imports.status(url.rstrip("/").rsplit("/", 1)[1])["state"] for url in confirms]
    assert sorted(states) == ["done", "failed"]


# --- Edits -----------------------------------------------------------------------------------


def section_post(manager, section, data, version):
    url = f"{P}/roles/{DASHBOARD}/sections/{section}/edit/"
    return poster(manager, url, {**data, "version": str(version)}, htmx=True)


def test_two_saves_of_one_jd_section_exactly_one_wins(race, manager, plan):
    role = plan.roles.get(slug=DASHBOARD)
    fields = {"role-role_summary": "S", "role-key_distinction": "K"}
    responses = race(
        section_post(manager, "summary", {**fields, "role-tech_stack": "Alice"}, role.version),
        section_post(manager, "summary", {**fields, "role-tech_stack": "Bob"}, role.version),
    )
    assert outcomes(responses) == ["refused", "saved"]
    role.refresh_from_db()
    assert role.tech_stack in ("Alice", "Bob") and role.version == 2


def test_two_saves_of_one_jd_list_exactly_one_wins(race, manager, plan):
    role = plan.roles.get(slug=DASHBOARD)
    rows = list(role.items.filter(kind="red_flag").order_by("position"))

    def data(extra):
        posted = {"rows-TOTAL_FORMS": str(len(rows) + 1), "rows-INITIAL_FORMS": "0"}
        for i, row in enumerate(rows):
            posted |= {f"rows-{i}-id": str(row.pk), f"rows-{i}-text": row.text}
        posted |= {f"rows-{len(rows)}-id": "", f"rows-{len(rows)}-text": extra}
        return posted

    responses = race(
        section_post(manager, "red_flags", data("Late"), role.version),
        section_post(manager, "red_flags", data("Rude"), role.version),
    )
    assert outcomes(responses) == ["refused", "saved"]
    texts = list(role.items.filter(kind="red_flag").values_list("text", flat=True))
    assert len(texts) == len(rows) + 1 and ("Late" in texts) != ("Rude" in texts)


@pytest.mark.parametrize(
    ("path", "first", "second", "user"),
    [
        ("decision/", {"decision": "hold"}, {"decision": "cut"}, "leader"),
        (
            "pipeline/",
            {"jd_status": "draft", "candidate_name": "Ann"},
            {"jd_status": "draft", "candidate_name": "Bo"},
            "recruiter",
        ),
        ("interview/complete/", {"complete": "1"}, {"complete": "0"}, "recruiter"),
    ],
)
def test_two_small_role_updates_exactly_one_wins(race, request, plan, path, first, second, user):
    role = plan.roles.get(slug=DASHBOARD)
    person = request.getfixturevalue(user)
    url = f"{P}/roles/{DASHBOARD}/{path}"
    version = {"version": str(role.version)}
    responses = race(poster(person, url, first | version), poster(person, url, second | version))
    assert outcomes(responses) == ["refused", "saved"]
    role.refresh_from_db()
    assert role.version == 2


def test_two_restores_exactly_one_wins(race, manager, plan):
    role = plan.roles.get(slug=DASHBOARD)
    fields = {"role-role_summary": "S", "role-key_distinction": "K", "role-tech_stack": "Go"}
    assert section_post(manager, "summary", fields, role.version)().status_code == 200
    role.refresh_from_db()
    assert role.version == 2
    url = f"{P}/roles/{DASHBOARD}/history/1/restore/"
    version = {"version": str(role.version)}
    responses = race(poster(manager, url, version), poster(manager, url, version))
    assert outcomes(responses) == ["refused", "saved"]
    role.refresh_from_db()
    assert role.version == 3 and role.tech_stack != "Go"


def test_two_resolutions_of_one_question_exactly_one_wins(race, leader, plan):
    question = OpenQuestion.objects.filter(plan=plan, resolved=False).first()
    url = f"{P}/questions/{question.position}/resolve/"
    version = str(question.version)
    responses = race(
        poster(leader, url, {"resolution": "Yes", "version": version}, htmx=True),
        poster(leader, url, {"resolution": "No", "version": version}, htmx=True),
    )
    assert outcomes(responses) == ["refused", "saved"]
    question.refresh_from_db()
    assert question.resolved and question.resolution in ("Yes", "No")


def test_reopen_and_done_twice_end_in_the_asked_state(race, leader, plan):
    question = OpenQuestion.objects.filter(plan=plan, resolved=True).first()
    step = NextStep.objects.filter(plan=plan, done=False).first()
    reopen = (f"{P}/questions/{question.position}/reopen/", {"version": str(question.version)})
    responses = race(poster(leader, *reopen), poster(leader, *reopen))
    assert "saved" in outcomes(responses)  # the other may be told it changed meanwhile
    done = (f"{P}/next-steps/{step.position}/done/", {"done": "on", "version": str(step.version)})
    responses = race(poster(leader, *done), poster(leader, *done))
    assert "saved" in outcomes(responses)
    question.refresh_from_db()
    step.refresh_from_db()
    assert not question.resolved and step.done


def test_two_edits_of_one_cell_exactly_one_wins(race, leader, plan):
    cell = Coverage.objects.filter(role__plan=plan).first()
    url = f"{P}/matrix/cell/{cell.role.slug}/{cell.problem.slug}/"
    version = str(cell.version)
    responses = race(
        poster(leader, url, {"confidence": "high", "version": version}, htmx=True),
        poster(leader, url, {"confidence": "", "version": version}, htmx=True),
    )
    assert outcomes(responses) == ["refused", "saved"]


def test_two_edits_of_one_stage_exactly_one_wins(race, recruiter, plan):
    stage = InterviewStage.objects.filter(plan=plan).first()
    url = f"{P}/interviews/stages/{stage.pk}/edit/"
    base = {"duration_minutes": "30", "applies_to": "all", "version": str(stage.version)}
    responses = race(
        poster(recruiter, url, {**base, "name": "Screen A"}, htmx=True),
        poster(recruiter, url, {**base, "name": "Screen B"}, htmx=True),
    )
    assert outcomes(responses) == ["refused", "saved"]


def test_two_edits_of_one_problem_exactly_one_wins(race, leader, plan):
    """Problems carry a version (#13): of two edits opened on it, one saves, one is refused."""
    problem = plan.problems.ranked().first()
    url = f"{P}/problems/{problem.slug}/edit/"
    base = {
        "rank": str(problem.rank),
        "title": problem.title,
        "disposition": problem.disposition,
        "version": str(problem.version),
    }
    responses = race(
        poster(leader, url, {**base, "impact": "A"}), poster(leader, url, {**base, "impact": "B"})
    )
    assert sorted(r.status_code for r in responses) == [302, 409]
    problem.refresh_from_db()
    assert problem.impact in ("A", "B") and problem.version == int(base["version"]) + 1


def test_concurrent_moves_keep_ranks_and_positions_a_sequence(race, leader, recruiter, plan):
    problems = list(plan.problems.ranked())
    race(
        poster(leader, f"{P}/problems/{problems[1].slug}/move/", {"direction": "up"}),
        poster(leader, f"{P}/problems/{problems[2].slug}/move/", {"direction": "up"}),
    )
    ranks = sorted(plan.problems.ranked().values_list("rank", flat=True))
    assert ranks == [p.rank for p in problems]
    stages = list(InterviewStage.objects.filter(plan=plan).order_by("position"))
    race(
        poster(recruiter, f"{P}/interviews/stages/{stages[1].pk}/move/", {"direction": "up"}),
        poster(recruiter, f"{P}/interviews/stages/{stages[2].pk}/delete/", {}),
    )
    positions = list(InterviewStage.objects.filter(plan=plan).values_list("position", flat=True))
    assert sorted(positions) == list(range(1, len(stages)))


# --- Dropped connections ---------------------------------------------------------------------


def test_pooled_connections_dropped_by_the_server_are_replaced_not_500(leader, plan):
    """After a database restart or failover, no user sees an error for a dead pooled connection,
    nor a 503 while the pool replaces them: the first failed check sweeps the whole pool
    (hiringplan/database/base.py), so the request that found a dead connection gets a fresh
    one after one back-off. Before, psycopg's pool found the dead connections one at a time,
    a second apart, and with several in the pool requests answered 503 for seconds."""
    import psycopg

    if not connection.settings_dict["OPTIONS"].get("pool"):
        pytest.skip("The connection pool is off (DATABASE_POOL=0).")
    client = client_for(leader, raise_request_exception=False)
    # The test client keeps the thread's connection between requests; a server
    # gives it back to the pool at the end of each (request_finished). Do that.
    assert client.get(f"{P}/").status_code == 200
    close_old_connections()  # the connection now sits in the pool
    # Several connections in the pool, as a busy server has: all of them will be dead.
    pool = connection.pool
    held = [pool.getconn() for _ in range(5)]
    for conn in held:
        pool.putconn(conn)
    params = connection.get_connection_params()
    params.pop("pool", None)
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        killed = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()[0]
    assert killed >= 5
    for _ in range(4):
        response = client.get(f"{P}/")
        close_old_connections()
        assert response.status_code == 200, response.status_code  # never a 500, nor a 503
        assert "Q1 2026" in response.text
    assert pool.get_stats().get("connections_lost", 0) >= 5  # found dead, and replaced
