"""Review together: threads, comments, mentions, the activity page and the live check, over HTTP."""


import pytest

from plans.discussion import Comment, Mention, Thread, counts_for
from problems.models import NextStep, OpenQuestion
from tests.conftest import client_for, make_user, page_text

PROBLEM = "outbound-scale-in-3-6-months"
ROLE = "senior-dashboard-engineer"


def start(client, plan, body="Is this really **High**?", **target):
    data = {"kind": "cell", "problem": PROBLEM, "role": ROLE, "body": body, **target}
    response = client.post(f"/plans/{plan.slug}/threads/", data)
    assert response.status_code == 302, response.content.decode()[:500]
    return Thread.objects.latest("pk")


@pytest.mark.django_db
def test_anyone_who_views_comments_and_the_thing_counts_it(recruiter_client, plan):
    thread = start(recruiter_client, plan, body="Why <script>alert(1)</script> *High*?")
    assert thread.kind == "cell" and thread.role.slug == ROLE and thread.problem.slug == PROBLEM
    page = recruiter_client.get(thread.url())
    body = page.content.decode()
    assert page.status_code == 200
    assert "<em>High</em>" in body and "<script>alert" not in body
    key = f"cell:{thread.role_id}:{thread.problem_id}"
    assert counts_for(plan) == {key: 1}
    listed = recruiter_client.get(f"/plans/{plan.slug}/threads/")
    assert thread.target_label in page_text(listed)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "target",
    [
        {"kind": "problem", "role": ""},
        {"kind": "role", "problem": ""},
        {"kind": "section", "problem": "", "section": "summary"},
    ],
)
def test_threads_on_each_kind_of_thing(leader_client, plan, target):
    thread = start(leader_client, plan, **target)
    assert thread.kind == target["kind"]
    assert leader_client.get(thread.url()).status_code == 200
    assert leader_client.get(thread.target_url()).status_code == 200


@pytest.mark.django_db
def test_a_thread_on_nothing_is_refused_without_500(leader_client, plan):
    for data in (
        {"kind": "cell", "problem": "no-such", "role": ROLE, "body": "x"},
        {"kind": "section", "role": ROLE, "section": "nope", "body": "x"},
        {"kind": "weird", "body": "x"},
        {"kind": "cell", "problem": PROBLEM, "role": ROLE, "body": "   "},
        {"kind": "scenario", "scenario": "99999", "body": "x"},
    ):
        assert leader_client.post(f"/plans/{plan.slug}/threads/", data).status_code == 422
    assert not Thread.objects.exists()


@pytest.mark.django_db
def test_edit_and_delete_keep_history_and_only_the_author_may(
    recruiter_client, manager_client, plan
):
    thread = start(recruiter_client, plan, body="first words")
    comment = thread.comments.get()
    url = f"/plans/{plan.slug}/comments/{comment.pk}/"
    assert manager_client.post(url, {"body": "hijack"}).status_code == 403
    assert recruiter_client.post(url, {"body": "second words"}).status_code == 302
    assert "second words" in page_text(recruiter_client.get(thread.url()))
    assert recruiter_client.post(url, {"delete": "1"}).status_code == 302
    text = page_text(recruiter_client.get(thread.url()))
    assert "Comment deleted." in text and "second words" not in text
    bodies = [h.body for h in Comment.history.filter(id=comment.pk).order_by("history_date")]
    assert bodies == ["first words", "second words", "second words"]
    assert Comment.history.filter(id=comment.pk).latest("history_date").deleted


@pytest.mark.django_db
def test_who_may_resolve(recruiter_client, manager_client, leader_client, plan, groups):
    thread = start(manager_client, plan)  # a cell: its owner is whoever edits coverage
    other_recruiter = client_for(make_user("rec2", "Recruiters"))
    resolve = f"/plans/{plan.slug}/threads/{thread.pk}/resolve/"
    assert other_recruiter.post(resolve, {"action": "resolve"}).status_code == 403
    assert manager_client.post(resolve, {"action": "resolve"}).status_code == 302  # the author
    thread.refresh_from_db()
    assert thread.is_resolved
    assert leader_client.post(resolve, {"action": "reopen"}).status_code == 302  # Leadership
    thread.refresh_from_db()
    assert not thread.is_resolved
    assert counts_for(plan) == {thread.target_key: 1}
    assert leader_client.post(resolve, {}).status_code == 422


@pytest.mark.django_db
def test_turn_into_open_question_appears_in_questions_and_gaps(
    recruiter_client, leader_client, plan
):
    gaps_before = page_text(leader_client.get(f"/plans/{plan.slug}/gaps/"))
    thread = start(recruiter_client, plan, body="Ask Samee whether the dashboard hire covers it")
    resolve = f"/plans/{plan.slug}/threads/{thread.pk}/resolve/"
    assert leader_client.post(resolve, {"action": "question"}).status_code == 302
    thread.refresh_from_db()
    question = thread.question
    assert thread.is_resolved and question is not None and not question.resolved
    assert question.problem_id == thread.problem_id and question.role_id == thread.role_id
    questions = page_text(leader_client.get(f"/plans/{plan.slug}/questions/"))
    assert "Ask Samee whether the dashboard hire covers it" in questions
    gaps = page_text(leader_client.get(f"/plans/{plan.slug}/gaps/"))
    assert "Ask Samee whether the dashboard hire covers it" in gaps
    assert gaps != gaps_before
    assert counts_for(plan) == {}
    # Once is enough: a second click does not add a second question.
    count = OpenQuestion.objects.filter(plan=plan).count()
    leader_client.post(resolve, {"action": "question"})
    assert OpenQuestion.objects.filter(plan=plan).count() == count


@pytest.mark.django_db
def test_turn_into_next_step(leader_client, plan):
    thread = start(leader_client, plan, body="Book a call with the agency")
    leader_client.post(f"/plans/{plan.slug}/threads/{thread.pk}/resolve/", {"action": "step"})
    step = NextStep.objects.get(threads=thread)
    assert step.text == "Book a call with the agency"
    assert "Book a call with the agency" in page_text(
        leader_client.get(f"/plans/{plan.slug}/next-steps/")
    )


@pytest.mark.django_db
def test_a_mention_notifies_in_app_and_by_mail(
    recruiter_client, plan, groups, mailbox, django_capture_on_commit_callbacks
):
    ana = make_user("ana", "Leadership", email="ana@example.com")
    make_user("outsider", email="out@example.com")  # in no group: may not see the plan
    with django_capture_on_commit_callbacks(execute=True):
        thread = start(recruiter_client, plan, body="@ana can you confirm? cc @outsider @ghost")
    assert list(Mention.objects.values_list("user__username", flat=True)) == ["ana"]
    message = mailbox.wait_for(1)[0]
    assert message["To"] == "ana@example.com"
    assert f"/plans/{plan.slug}/threads/{thread.pk}/" in mailbox.body(message)
    ana_client = client_for(ana)
    for_you = page_text(ana_client.get(f"/plans/{plan.slug}/for-you/"))
    assert "@ana can you confirm?" in for_you
    # Resolved threads leave the list.
    ana_client.post(f"/plans/{plan.slug}/threads/{thread.pk}/resolve/", {"action": "resolve"})
    assert "@ana can you confirm?" not in page_text(ana_client.get(f"/plans/{plan.slug}/for-you/"))


@pytest.mark.django_db
def test_for_you_lists_threads_on_what_you_own(recruiter_client, leader_client, plan):
    start(recruiter_client, plan, body="Unsure about this cell")
    assert "Unsure about this cell" not in page_text(
        recruiter_client.get(f"/plans/{plan.slug}/for-you/")
    )
    assert "Senior" in page_text(leader_client.get(f"/plans/{plan.slug}/for-you/"))


@pytest.mark.django_db
def test_activity_newest_first_with_filters(leader_client, recruiter_client, plan):
    start(recruiter_client, plan, body="a comment")
    leader_client.post(
        f"/plans/{plan.slug}/questions/new/",
        {"topic": "Budget", "question": "Is the budget final?"},
    )
    response = leader_client.get(f"/plans/{plan.slug}/activity/")
    assert response.status_code == 200
    entries = response.context["entries"]
    assert entries[0]["when"] >= entries[-1]["when"]
    assert any(e["kind"] == "comment" and e["who"] == "recruiter" for e in entries)
    only_comments = leader_client.get(f"/plans/{plan.slug}/activity/?kind=comment").context[
        "entries"
    ]
    assert only_comments and {e["kind"] for e in only_comments} == {"comment"}
    by_leader = leader_client.get(f"/plans/{plan.slug}/activity/?person=leader").context["entries"]
    assert all(e["who"] == "leader" for e in by_leader)
    assert (
        leader_client.get(f"/plans/{plan.slug}/activity/?kind=%00&person=x" * 3).status_code == 200
    )


@pytest.mark.django_db
def test_live_check_answers_304_until_something_changes(
    leader_client, recruiter_client, plan, django_assert_max_num_queries
):
    url = f"/plans/{plan.slug}/live/"
    first = leader_client.get(url)
    etag = first["ETag"]
    assert first.status_code == 200 and etag
    # The session, the user with its groups (one statement), and the one check.
    with django_assert_max_num_queries(3):
        unchanged = leader_client.get(url, {"seen": etag})
    assert unchanged.status_code == 304
    assert leader_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    start(recruiter_client, plan, body="a new comment")
    changed = leader_client.get(url, {"seen": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert changed["HX-Trigger"] == "plan-changed"
    assert "by recruiter" in page_text(changed)
    # A content change (a cell) is seen too.
    etag = changed["ETag"]
    leader_client.post(f"/plans/{plan.slug}/questions/new/", {"topic": "T", "question": "Q?"})
    assert leader_client.get(url, {"seen": etag}).status_code == 200


@pytest.mark.django_db
def test_since_you_last_looked_on_the_overview(leader_client, plan):
    overview = f"/plans/{plan.slug}/"
    assert "Since you last looked" not in page_text(leader_client.get(overview))
    assert "Since you last looked" not in page_text(leader_client.get(overview))  # nothing new
    leader_client.post(
        f"/plans/{plan.slug}/questions/new/", {"topic": "Budget", "question": "Final?"}
    )
    text = page_text(leader_client.get(overview))
    assert "Since you last looked" in text and "Gaps:" in text
    assert "Since you last looked" not in page_text(leader_client.get(overview))



@pytest.mark.django_db
@pytest.mark.parametrize("page", ["", "matrix/", "gaps/"])
def test_an_open_page_learns_its_revision_without_refreshing(leader_client, plan, page):
    """An open page's first check adopts the revision (no "plan-changed": nothing is swapped
    under the reader's cursor), and every later check is a 304 until something changes."""
    html = leader_client.get(f"/plans/{plan.slug}/{page}").content.decode()
    assert f'data-hx-get="/plans/{plan.slug}/live/"' in html
    first = leader_client.get(f"/plans/{plan.slug}/live/", {"seen": ""})
    assert first.status_code == 200 and "HX-Trigger" not in first
    later = leader_client.get(f"/plans/{plan.slug}/live/", {"seen": first["ETag"].strip('"')})
    assert later.status_code == 304
