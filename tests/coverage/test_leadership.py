"""Leadership's review (issue #13): problem dispositions and the verdict, gaps by kind,
a hire that solves no problem and cell history.

The seed's verdict and a hire on hold are tests/hiringplan/test_coverage_rules.py's; who may
download the proposal is tests/hiringplan/test_permissions.py's, its content
tests/documents/test_pdfs.py's."""

import re

from coverage.analysis import GapKind, RowStatus, analyse_plan
from coverage.models import Coverage
from problems.models import Disposition, NextStep
from roles.models import Decision, Role
from tests.conftest import page_text


def edit_url(problem):
    return f"/plans/{problem.plan.slug}/problems/{problem.slug}/edit/"


def form_data(problem, **changes):
    data = {
        "rank": problem.rank or "",
        "title": problem.title,
        "short_title": problem.short_title,
        "impact": problem.impact,
        "root_cause": problem.root_cause,
        "disposition": problem.disposition,
        "disposition_note": problem.disposition_note,
        "disposition_question": problem.disposition_question or "",
        "disposition_step": problem.disposition_step or "",
        "version": problem.version,
    }
    data.update(changes)
    return data


def outside_hiring(client, problem, step=1):
    return client.post(
        edit_url(problem),
        form_data(
            problem,
            disposition=Disposition.OUTSIDE_HIRING,
            disposition_note="product clarity from Samee",
            disposition_step=step,
        ),
    )


def test_5_addressed_outside_hiring_while_4_only_has_a_recommended_hire(leader_client, plan):
    five = plan.problems.get(rank=5)
    response = outside_hiring(leader_client, five)
    assert response.status_code == 302
    five.refresh_from_db()
    assert five.disposition == Disposition.OUTSIDE_HIRING
    assert five.disposition_note == "product clarity from Samee"
    assert five.disposition_step == 1 and five.version == 2

    analysis = analyse_plan(plan)
    row = analysis.row_for(five.pk)
    assert row.status == RowStatus.OUTSIDE_HIRING
    assert [o.position for o in row.owners] == [1]
    assert not [g for g in analysis.gaps if g.problem == five]
    # #4 is covered only by a recommended hire nobody decided on: still "Not yet".
    assert analysis.verdict.answer == "Not yet"
    assert [g.problem.rank for g in analysis.verdict.blocking] == [4]

    overview = page_text(leader_client.get(f"/plans/{plan.slug}/"))
    assert "Not yet. 1 blocking gap" in overview
    assert (
        "↗ Addressed outside hiring #5 New products undefined: product clarity from Samee"
        " · owned by next step 1 (Align with Samee on problem → hire mapping)" in overview
    )
    matrix = leader_client.get(f"/plans/{plan.slug}/matrix/").text
    status = re.search(rf'<td id="row-status-{five.pk}"[^>]*>(.*?)</td>', matrix).group(1)
    assert "Addressed outside hiring" in status and "product clarity from Samee" in status


def test_the_verdict_says_yes_naming_what_is_dealt_with_outside_hiring(leader_client, plan):
    outside_hiring(leader_client, plan.problems.get(rank=5))
    outbound = plan.roles.get(origin="recommended", title__icontains="outbound")
    outbound.decision = Decision.PROCEED
    outbound.save()
    verdict = analyse_plan(plan).verdict
    assert verdict.solved
    # Every hire the yes rests on is still only proposed, so it says so (#27).
    answer = (
        "Yes, if you proceed with the 5 proposed hires; "
        "with #5 addressed outside hiring: product clarity from Samee"
    )
    assert verdict.answer == answer
    overview = page_text(leader_client.get(f"/plans/{plan.slug}/"))
    assert answer + "." in overview
    gaps = page_text(leader_client.get(f"/plans/{plan.slug}/gaps/"))
    assert answer + "." in gaps


def test_accepted_risk_needs_a_reason_and_is_named(leader_client, plan):
    four = plan.problems.get(rank=4)
    response = leader_client.post(
        edit_url(four), form_data(four, disposition=Disposition.ACCEPTED_RISK)
    )
    assert response.status_code == 422
    assert "Write down why the risk is accepted." in page_text(response)
    four.refresh_from_db()
    assert four.disposition == Disposition.HIRING

    response = leader_client.post(
        edit_url(four),
        form_data(
            four,
            disposition=Disposition.ACCEPTED_RISK,
            disposition_note="Outbound can wait until Q2",
        ),
    )
    assert response.status_code == 302
    outside_hiring(leader_client, plan.problems.get(rank=5))
    verdict = analyse_plan(plan).verdict
    assert verdict.answer == (
        "Yes, if you proceed with the 5 proposed hires; "
        "with #4 an accepted risk: Outbound can wait until Q2; "
        "#5 addressed outside hiring: product clarity from Samee"
    )


def test_outside_hiring_needs_a_note_and_an_owner(leader_client, plan):
    five = plan.problems.get(rank=5)
    response = leader_client.post(
        edit_url(five), form_data(five, disposition=Disposition.OUTSIDE_HIRING)
    )
    assert response.status_code == 422
    text = page_text(response)
    assert "Say how it is addressed" in text
    assert "Link the open question or the next step that owns it" in text
    # A number that is not in the plan's list is refused, not stored.
    response = leader_client.post(
        edit_url(five),
        form_data(
            five,
            disposition=Disposition.OUTSIDE_HIRING,
            disposition_note="x",
            disposition_question=99,
        ),
    )
    assert response.status_code == 422
    five.refresh_from_db()
    assert five.disposition == Disposition.HIRING and five.version == 1


def test_back_to_hiring_clears_the_note_and_owner(leader_client, plan):
    five = plan.problems.get(rank=5)
    outside_hiring(leader_client, five)
    five.refresh_from_db()
    response = leader_client.post(edit_url(five), form_data(five, disposition=Disposition.HIRING))
    assert response.status_code == 302
    five.refresh_from_db()
    assert (five.disposition, five.disposition_note, five.disposition_step) == ("hiring", "", None)
    assert analyse_plan(plan).row_for(five.pk).status == RowStatus.UNCOVERED


def test_a_stale_problem_edit_is_refused_and_keeps_the_input(leader_client, plan):
    five = plan.problems.get(rank=5)
    stale = form_data(five)
    outside_hiring(leader_client, five)
    stale["impact"] = "My stale edit"
    response = leader_client.post(edit_url(five), stale)
    assert response.status_code == 409
    text = page_text(response)
    assert "Someone changed this problem since you opened it" in text
    assert "My stale edit" in response.text
    five.refresh_from_db()
    assert five.impact != "My stale edit"
    assert five.disposition == Disposition.OUTSIDE_HIRING


def test_when_the_owner_goes_away_the_problem_is_a_gap_again(leader_client, plan):
    five = plan.problems.get(rank=5)
    outside_hiring(leader_client, five)
    NextStep.objects.filter(plan=plan, position=1).delete()
    analysis = analyse_plan(plan)
    unowned = [g for g in analysis.gaps if g.kind == GapKind.UNOWNED_OUTSIDE_HIRING]
    assert [g.problem.rank for g in unowned] == [5]
    assert unowned[0].is_blocking


def test_only_leadership_and_admins_set_a_disposition(manager_client, recruiter_client, plan):
    five = plan.problems.get(rank=5)
    for client in (manager_client, recruiter_client):
        assert outside_hiring(client, five).status_code == 403
    five.refresh_from_db()
    assert five.disposition == Disposition.HIRING


def test_gap_links_offer_the_way_out_only_to_leadership(leader_client, recruiter_client, plan):
    five = plan.problems.get(rank=5)
    link = f'href="{edit_url(five)}#disposition"'
    assert link in leader_client.get(f"/plans/{plan.slug}/gaps/").text
    assert link in leader_client.get(f"/plans/{plan.slug}/").text
    assert link not in recruiter_client.get(f"/plans/{plan.slug}/gaps/").text


# --- Gaps by kind ---------------------------------------------------------------------


def test_gaps_are_grouped_by_kind_worst_first_with_bookkeeping_collapsed(leader_client, plan):
    analysis = analyse_plan(plan)
    groups = analysis.gap_groups
    assert sum(len(g.gaps) for g in groups) == len(analysis.gaps)
    assert [g.severity for g in groups] == sorted((g.severity for g in groups), reverse=True)
    assert groups[0].kind == GapKind.UNCOVERED_PROBLEM
    by_kind = {g.kind: g for g in groups}
    assert by_kind[GapKind.GUIDE_INCOMPLETE].collapsed
    assert not by_kind[GapKind.RECOMMENDED_ONLY].collapsed

    html = leader_client.get(f"/plans/{plan.slug}/gaps/").text
    details = re.findall(r'<details class="gap-group[^"]*" id="kind-(\w+)"( open)?>', html)
    assert [kind for kind, _ in details] == [g.kind for g in groups]
    opened = {kind for kind, is_open in details if is_open}
    assert opened == {g.kind for g in groups if not g.collapsed}
    guides = len(by_kind[GapKind.GUIDE_INCOMPLETE].gaps)
    assert f"Interview guide not complete ({guides})" in page_text(
        leader_client.get(f"/plans/{plan.slug}/gaps/")
    )


def test_a_new_hire_mapped_to_no_problem_blocks_and_shows_on_the_overview(leader_client, plan):
    role = Role.objects.create(plan=plan, title="Growth Hacker", slug="growth-hacker", position=99)
    analysis = analyse_plan(plan)
    gaps = [g for g in analysis.gaps if g.role == role]
    hope = [g for g in gaps if g.kind == GapKind.ROLE_WITHOUT_PROBLEM]
    assert hope and hope[0].is_blocking
    assert hope[0] in analysis.verdict.blocking
    overview = page_text(leader_client.get(f"/plans/{plan.slug}/"))
    assert "High Growth Hacker: No problem is mapped to it." in overview
    # Mapped with an unclear confidence only, it is still hires -> hope.
    Coverage.objects.create(role=role, problem=plan.problems.get(rank=1), confidence="unclear")
    plan.mark_changed(pk=plan.pk)
    hope = [
        g
        for g in analyse_plan(plan).gaps
        if g.role == role and g.kind == GapKind.ROLE_WITHOUT_PROBLEM
    ]
    assert (
        hope and hope[0].is_blocking and "only problem mappings are unclear" in hope[0].explanation
    )


# --- Cell history ----------------------------------------------------------------------


def cell_td(html, role, problem):
    return re.search(rf'<td id="cell-{role.pk}-{problem.pk}".*?</td>', html, re.S).group(0)


def test_cells_that_differ_from_the_first_proposal_say_so(leader_client, plan):
    html = leader_client.get(f"/plans/{plan.slug}/matrix/").text
    dashboard = plan.roles.get(first_proposed_as="Mid Dashboard")
    capacity = dashboard.coverages.get().problem
    assert ">was ?</a>" in cell_td(html, dashboard, capacity)
    # As first proposed and unchanged: no note.
    pam_core = plan.roles.get(first_mapping__startswith="#2")
    assert 'class="was"' not in cell_td(html, pam_core, plan.problems.get(rank=2))
    # A hire the original list did not have: nothing to compare with.
    outbound = plan.roles.get(origin="recommended", title__icontains="outbound")
    assert 'class="was"' not in cell_td(html, outbound, plan.problems.get(rank=4))


def test_the_cell_history_names_who_changed_what_when(leader_client, recruiter_client, plan):
    dashboard = plan.roles.get(first_proposed_as="Mid Dashboard")
    capacity = dashboard.coverages.get().problem
    cell = f"/plans/{plan.slug}/matrix/cell/{dashboard.slug}/{capacity.slug}/"
    coverage = dashboard.coverages.get()
    Coverage.history.bulk_history_create([coverage])  # as `make run` records the loaded plan
    response = leader_client.post(
        cell, {"confidence": "medium", "rationale": "Maybe", "version": coverage.version}
    )
    assert response.status_code == 302
    history = page_text(recruiter_client.get(cell + "history/"))
    assert (
        "As first proposed: ? Unclear (Mid Dashboard — solves: ?; is dashboard blocking growth?)"
        in history
    )
    assert re.search(r"· leader · High → Medium \(Maybe\)", history)
    # The editor carries the same history.
    editor = page_text(leader_client.get(cell, headers={"HX-Request": "true"}))
    assert "History (" in editor and "leader · High → Medium (Maybe)" in editor
    # The matrix notes the change on the cell for everyone.
    html = recruiter_client.get(f"/plans/{plan.slug}/matrix/").text
    assert f'href="{cell}history/"' in cell_td(html, dashboard, capacity)
    # Removing the cell is part of the trail too.
    coverage.refresh_from_db()
    leader_client.post(cell, {"confidence": "", "rationale": "", "version": coverage.version})
    history = page_text(recruiter_client.get(cell + "history/"))
    assert "leader · Medium (Maybe) → None" in history


def test_the_overview_shows_the_hires_as_first_proposed_and_now(leader_client, plan):
    text = page_text(leader_client.get(f"/plans/{plan.slug}/"))
    assert "The hires: as first proposed and now" in text
    dashboard = plan.roles.get(first_proposed_as="Mid Dashboard")
    now = dashboard.coverages.get().problem.label
    assert f"“Mid Dashboard”: ? Unclear is dashboard blocking growth? {now} High" in text
    assert "Not in the original list" in text
