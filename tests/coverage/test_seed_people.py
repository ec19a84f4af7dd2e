"""Issue 31 #9: the fixture hires nobody; generated plans have hires and check-ins; the demo
command makes a plan "six months later" that every page reads. Through HTTP where pages show it."""

import io
import json
from pathlib import Path

from django.core.management import call_command
from django.utils import timezone

from hiringplan.management.commands.generate_plan import generate_plan
from interchange.plan_data import snapshot
from problems.models import Plan
from roles.models import CheckIn, CheckInReminder, Hire, Role, Timeframe, add_months
from tests.conftest import page_text

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "q1-2026.json"


def test_the_fixture_is_the_seed_documents_and_hires_nobody(plan):
    models = {row["model"] for row in json.loads(FIXTURE.read_text())}
    assert not models & {"roles.hire", "roles.checkin", "roles.checkinreminder"}
    assert not Hire.objects.filter(role__plan=plan).exists()


def test_generated_plans_have_hires_and_check_ins_every_page_reads(leader_client, db):
    out = io.StringIO()
    call_command("generate_plan", "--slug", "gen", "--problems", "12", "--roles", "30", stdout=out)
    plan = Plan.objects.get(slug="gen")
    hires = Hire.objects.filter(role__plan=plan)
    check_ins = CheckIn.objects.filter(hire__role__plan=plan)
    assert f"{hires.count()} hires, {check_ins.count()} check-ins" in out.getvalue()
    assert hires.filter(start_date__isnull=False).count() >= 5 and check_ins.count() >= 10
    assert set(check_ins.values_list("result", flat=True)) >= {"met", "missed"}
    # Same seed, same day: the same people.
    names = sorted(hires.values_list("person_name", flat=True))
    again = generate_plan("gen", problems=12, roles=30)
    assert sorted(Hire.objects.filter(role__plan=again).values_list("person_name", flat=True)) == names

    overview = page_text(leader_client.get("/plans/gen/"))
    section = overview.split("Are they being solved?", 1)[1]
    assert "Nobody hired for this plan has started yet" not in section
    assert "At risk" in section
    started = (
        Hire.objects.filter(role__plan__slug="gen", start_date__lte=timezone.localdate())
        .select_related("role")
        .first()
    )
    assert started.person_name in page_text(leader_client.get("/plans/gen/hires/"))
    page = leader_client.get(f"/plans/gen/roles/{started.role.slug}/hires/{started.pk}/check-ins/")
    assert page.status_code == 200
    assert "Check-ins due" in page_text(leader_client.get("/plans/gen/check-ins/"))

    bare = generate_plan("bare", problems=3, roles=4, hires=False)
    assert not Hire.objects.filter(role__plan=bare).exists()


def test_a_criterion_falling_due_today_with_nothing_recorded_is_on_track_not_a_500(
    plan, leader_client, manager, manager_client
):
    role = Role.objects.get(plan=plan, slug="senior-dashboard-engineer")
    hire = Hire.objects.create(role=role, person_name="Ada Lovelace", hiring_manager=manager,
                               start_date=add_months(timezone.localdate(), -1))
    overview = leader_client.get("/plans/q1-2026/")
    assert overview.status_code == 200
    text = page_text(overview)
    assert "◐ On track" in text and "falls due today, nothing recorded yet" in text
    due = page_text(manager_client.get("/plans/q1-2026/check-ins/"))
    assert "Ada Lovelace" in due
    assert hire.role.criteria.filter(timeframe=Timeframe.MONTH_1).exists()


def test_the_demo_plan_six_months_later(plan, leader_client, manager, manager_client, mailbox,
                                        settings):
    before = snapshot(plan)
    out = io.StringIO()
    call_command("demo_six_months_later", stdout=out)
    demo = Plan.objects.get(slug="q1-2026-six-months")
    assert "Made 'q1-2026-six-months'" in out.getvalue()
    today = timezone.localdate()
    assert demo.starts_on == add_months(today.replace(day=1), -6)
    # The source plan is untouched: same content, still nobody hired.
    assert snapshot(Plan.objects.get(pk=plan.pk)) == before
    assert not Hire.objects.filter(role__plan=plan).exists()

    hires = Hire.objects.filter(role__plan=demo)
    assert hires.count() >= 5 and set(hires.values_list("hiring_manager", flat=True)) == {manager.pk}
    overview = page_text(leader_client.get("/plans/q1-2026-six-months/"))
    section = overview.split("Are they being solved?", 1)[1]
    for label in ("Solved", "At risk", "On track"):
        assert label in section, label
    gaps = leader_client.get("/plans/q1-2026-six-months/gaps/")
    assert gaps.status_code == 200
    # The first hire's 6-month check-ins fall due today: on the manager's page and mailed once.
    due = page_text(manager_client.get("/plans/q1-2026-six-months/check-ins/"))
    first = hires.order_by("pk").first()
    assert first.start_date == add_months(today, -6) and first.person_name in due
    manager.email = "hm@example.com"
    manager.save()
    settings.SITE_URL = "http://hiring.example.test"
    call_command("send_check_in_reminders", stdout=io.StringIO())
    messages = mailbox.wait_for(1)
    assert any(first.person_name in m["Subject"] for m in messages)
    assert CheckInReminder.objects.filter(hire=first, due_on=today).exists()
    # Making it again replaces it whole.
    call_command("demo_six_months_later", "--replace", stdout=io.StringIO())
    assert Hire.objects.filter(role__plan__slug="q1-2026-six-months").count() == hires.count()
