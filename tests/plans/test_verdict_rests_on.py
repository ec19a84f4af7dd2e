"""The verdict says what it rests on; sign-off with blocking gaps says so; the summary says
when it is as first proposed (issue 27, defect 6)."""

import re

from plans.models import Approval
from problems.models import Disposition
from tests.conftest import page_text
from tests.coverage.test_leadership import edit_url, form_data, outside_hiring

P = "/plans/q1-2026"
# The hires the covered ranked problems rest on: #1 (Operations, PAM Core Support x2,
# Integration Support), #2 (Pam Core, PAM Core Support), #3 (Operations).
RESTS_ON = [
    "senior-pam-core-engineer",
    "senior-operations-engineer",
    "pam-core-support-engineer",
    "integration-support-engineer",
]
DEALT_WITH = (
    "#4 an accepted risk: Outbound can wait until Q2; "
    "#5 addressed outside hiring: product clarity from Samee"
)


def text_of(response) -> str:
    """The page's text, without the space a link's end leaves before a comma or full stop."""
    return re.sub(r" ([,.)])", r"\1", page_text(response))


def deal_with_4_and_5(client, plan):
    four = plan.problems.get(rank=4)
    response = client.post(
        edit_url(four),
        form_data(
            four,
            disposition=Disposition.ACCEPTED_RISK,
            disposition_note="Outbound can wait until Q2",
        ),
    )
    assert response.status_code == 302
    assert outside_hiring(client, plan.problems.get(rank=5)).status_code == 302


def decide(client, plan, slug, decision):
    role = plan.roles.get(slug=slug)
    response = client.post(
        f"{P}/roles/{slug}/decision/", {"decision": decision, "version": role.version}
    )
    assert response.status_code == 302, response.status_code


def test_yes_says_it_rests_on_hires_still_only_proposed(leader_client, recruiter_client, plan):
    deal_with_4_and_5(leader_client, plan)
    answer = f"Yes, if you proceed with the 5 proposed hires; with {DEALT_WITH}."
    overview = text_of(leader_client.get(f"{P}/"))
    assert answer in overview
    assert "Every ranked problem has a committed hire with high confidence" not in overview
    assert (
        "leadership has not yet decided to proceed with Senior Pam Core, Senior Operations "
        "Engineer, PAM Core Support x2, Integration Support" in overview
    )
    html = leader_client.get(f"{P}/").text
    assert 'class="verdict verdict-if"' in html and "verdict-yes" not in html
    assert answer in page_text(leader_client.get(f"{P}/gaps/"))
    assert answer.rstrip(".") + " · 2 blocking" not in page_text(
        leader_client.get(f"{P}/scenarios/try/")
    )
    assert answer.rstrip(".") + " · 0 blocking gaps" in page_text(
        leader_client.get(f"{P}/scenarios/try/")
    )

    # Proceeding with Operations decides #1 and #3; #2 still rests on two proposed hires.
    decide(leader_client, plan, "senior-operations-engineer", "proceed")
    answer = f"Yes, if you proceed with the 3 proposed hires; with {DEALT_WITH}."
    overview = text_of(recruiter_client.get(f"{P}/"))
    assert answer in overview
    assert "decided to proceed with Senior Pam Core, PAM Core Support x2." in overview

    decide(leader_client, plan, "senior-pam-core-engineer", "proceed")
    overview = page_text(recruiter_client.get(f"{P}/"))
    assert f"Yes, with {DEALT_WITH}." in overview
    assert "Every ranked problem has a committed hire with high confidence" in overview
    assert 'class="verdict verdict-yes"' in recruiter_client.get(f"{P}/").text


def test_signing_off_a_plan_with_blocking_gaps_warns_and_records_them(leader_client, plan):
    page = page_text(leader_client.get(f"{P}/approval/"))
    assert "This plan has 2 blocking gaps" in page
    assert "New products undefined: No hire in the plan solves it." in page
    assert "Approve with 2 blocking gaps" in page

    response = leader_client.post(
        f"{P}/approval/", {"note": "Go anyway", "revision": plan.revision}, follow=True
    )
    assert response.status_code == 200
    assert "approved with 2 blocking gaps" in page_text(response)
    approval = Approval.objects.get(plan=plan)
    assert approval.verdict["blocking"] == 2
    assert approval.verdict["blocking_gaps"] == [
        "New products undefined: No hire in the plan solves it.",
        "Outbound will hit scale issues in 3-6mo: Only Outbound Engineer, a recommended "
        "addition not yet in the plan, solves it.",
    ]
    listing = page_text(leader_client.get(f"{P}/approval/"))
    assert re.search(
        r"by leader · verdict then: Not yet \(2 blocking\) · approved with 2 blocking gaps", listing
    )
    overview = page_text(leader_client.get(f"{P}/"))
    assert "✔ Approved" in overview and "Approved with 2 blocking gaps." in overview


def test_signing_off_without_blocking_gaps_does_not_warn(leader_client, plan):
    deal_with_4_and_5(leader_client, plan)
    page = page_text(leader_client.get(f"{P}/approval/"))
    assert "blocking gap" not in page
    plan.refresh_from_db()
    leader_client.post(f"{P}/approval/", {"note": "", "revision": plan.revision})
    approval = Approval.objects.get(plan=plan)
    assert approval.verdict["blocking_gaps"] == []
    assert "with 0 blocking" not in page_text(leader_client.get(f"{P}/"))


def test_the_summary_says_it_is_as_first_proposed_once_the_matrix_changes(leader_client, plan):
    matrix = text_of(leader_client.get(f"{P}/matrix/"))
    summary = matrix[matrix.index("Summary: hire confidence matrix") :]
    assert "as first proposed" not in summary.lower()

    # Leadership maps Senior Pam Core to #1 too, and drops its #2.
    core = plan.roles.get(slug="senior-pam-core-engineer")
    one, two = plan.problems.get(rank=1), plan.problems.get(rank=2)
    cell = f"{P}/matrix/cell/{core.slug}/"
    assert (
        leader_client.post(
            f"{cell}{one.slug}/", {"confidence": "medium", "rationale": "Also", "version": 0}
        ).status_code
        == 302
    )
    coverage = core.coverages.get(problem=two)
    response = leader_client.post(
        f"{cell}{two.slug}/", {"confidence": "", "rationale": "", "version": coverage.version}
    )
    assert response.status_code == 302

    matrix = text_of(leader_client.get(f"{P}/matrix/"))
    summary = matrix[matrix.index("Summary: hire confidence matrix") :]
    assert (
        "As first proposed; the matrix has changed since for 1 hire (marked ↺), whose rows "
        "show the mapping now." in summary
    )
    row = re.search(r"Senior Pam Core .{0,200}", summary).group(0)
    assert row.startswith(
        "Senior Pam Core ↺ #1 Onboarding bottleneck (first proposed: Stability/LLM) ◐ Medium"
    ), row
    # The others are as first proposed.
    assert "Senior Operations Engineer Observability/Automation ● High" in summary
