"""Issue 31 #7: a check-in falling due e-mails its hiring manager, once, through a real SMTP
server in the test process (aiosmtpd, tests/mail.py); the e-mail says what is due and links to
it, never what anyone recorded; the link opens only for those allowed."""

import datetime
import io
import socket

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from plans.next_quarter import clone_plan
from problems.models import Plan
from roles.models import CheckInReminder, Hire, Timeframe, add_months
from tests.conftest import client_for, make_user, page_text

OPS = "senior-operations-engineer"
SECRET = "Missed the dashboards: SECRET-EVIDENCE-42"


def today():
    return timezone.localdate()


def run(*args) -> str:
    out = io.StringIO()
    call_command("send_check_in_reminders", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def site(settings):
    settings.SITE_URL = "http://hiring.example.test"


def hire_ada(manager_client, manager, start):
    response = manager_client.post(
        f"/plans/q1-2026/roles/{OPS}/hires/",
        {"seat": 1, "person_name": "Ada Lovelace", "start_date": start.isoformat(),
         "hiring_manager": manager.pk, "version": 0},
    )
    assert response.status_code == 302
    return Hire.objects.get(role__plan__slug="q1-2026", role__slug=OPS)


def check_in_path(hire):
    return f"/plans/{hire.role.plan.slug}/roles/{hire.role.slug}/hires/{hire.pk}/check-ins/"


def test_a_check_in_falling_due_is_mailed_once_and_says_only_what_is_due(
    mailbox, site, plan, manager, manager_client, leader_client, recruiter_client
):
    manager.email = "hm@example.com"
    manager.save()
    hire = hire_ada(manager_client, manager, add_months(today(), -3))  # 3-month criteria due today
    role = hire.role
    one_month = role.criteria.filter(timeframe=Timeframe.MONTH_1).first()
    recorded = manager_client.post(check_in_path(hire), {
        "criterion": one_month.pk, "result": "missed", "evidence": SECRET,
        "recorded_on": today().isoformat(), "version": 0})
    assert recorded.status_code == 302
    three = list(role.criteria.filter(timeframe=Timeframe.MONTH_3).order_by("position"))
    assert three
    overview_before = page_text(leader_client.get("/plans/q1-2026/"))

    out = run()
    assert f"Sent 1 reminder ({len(three)} check-in" in out
    message = mailbox.wait_for(1)[0]
    assert message["To"] == "hm@example.com"
    assert message["Subject"] == f"Check-in due: Ada Lovelace, {role.short_name or role.title} (3 months)"
    body = mailbox.body(message)
    for criterion in three:
        assert criterion.target in body
    assert today().strftime("%-d %B %Y") in body
    assert SECRET not in body and one_month.target not in body  # nothing recorded, nothing else
    link = f"http://hiring.example.test{check_in_path(hire)}"
    assert mailbox.links(message) == [link]
    rows = CheckInReminder.objects.filter(hire=hire)
    assert sorted(rows.values_list("criterion_id", flat=True)) == sorted(c.pk for c in three)
    assert set(rows.values_list("sent_to", "due_on")) == {("hm@example.com", today())}

    # Once: again the same day, and the next day, nothing more goes.
    assert "Sent 0 reminders" in run()
    assert "Sent 0 reminders" in run("--date", (today() + datetime.timedelta(days=1)).isoformat())
    assert len(mailbox.messages) == 1 and rows.count() == len(three)

    # The link opens for the hire's manager and Leadership, and for nobody else.
    path = link.removeprefix("http://hiring.example.test")
    page = page_text(manager_client.get(path))
    assert three[0].target in page and SECRET in page
    assert leader_client.get(path).status_code == 200
    assert recruiter_client.get(path).status_code == 403
    assert client_for(make_user("other-hm", "Hiring managers")).get(path).status_code == 403

    # A reminder is bookkeeping: what the pages show of the plan did not change.
    assert page_text(leader_client.get("/plans/q1-2026/")).replace(
        " ", "") == overview_before.replace(" ", "")
    due = page_text(manager_client.get("/plans/q1-2026/check-ins/"))
    assert "Ada Lovelace" in due and due.count("Overdue") == 0  # due today, not overdue yet


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_missed_day_is_caught_up_a_refusal_is_retried_and_a_carried_hire_is_reminded_there(
    mailbox, site, settings, plan, manager, manager_client
):
    manager.email = "hm@example.com"
    manager.save()
    hire = hire_ada(manager_client, manager, add_months(today(), -3) - datetime.timedelta(days=2))

    # The mail server is down: nothing recorded as sent, the command fails loudly.
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = _closed_port()
    with pytest.raises(CommandError, match="could not be sent"):
        run()
    assert not CheckInReminder.objects.exists()
    settings.EMAIL_PORT = port

    assert "Sent 1 reminder" in run()  # fell due two days ago: caught up
    assert len(mailbox.wait_for(1)) == 1

    # Next quarter's plan carries Ada and the reminders already sent: nothing goes twice.
    clone_plan(plan, title="Q2 2026", slug="q2-2026", period="Q2 2026")
    copy = Hire.objects.get(role__plan__slug="q2-2026")
    assert CheckInReminder.objects.filter(hire=copy).count() == CheckInReminder.objects.filter(
        hire=hire).count()
    assert "Sent 0 reminders" in run()
    six = add_months(copy.start_date, 6)
    out = run("--date", six.isoformat())
    assert "Sent 1 reminder" in out
    message = mailbox.wait_for(2)[1]
    assert mailbox.links(message) == [f"http://hiring.example.test{check_in_path(copy)}"]
    assert "Q2 2026" in mailbox.body(message)
    assert not CheckInReminder.objects.filter(hire=hire, due_on=six).exists()


def test_it_says_why_a_reminder_cannot_go(site, plan, manager, manager_client, mailbox):
    hire_ada(manager_client, manager, add_months(today(), -1))  # manager has no e-mail address
    out = run()
    assert "Sent 0 reminders" in out
    assert "Not sent: Ada Lovelace (Senior Operations Engineer): the hiring manager manager has no e-mail address." in out
    assert not CheckInReminder.objects.exists() and not mailbox.messages
    assert Plan.objects.filter(slug="q1-2026").exists()
