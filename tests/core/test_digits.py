"""Numbers people and files post are ASCII digits: '²' passes ``str.isdigit`` and made
``int()`` raise (a 500) wherever a posted number was checked that way.

Found by the section-editor fuzz test (tests/roles/test_fuzz_edit.py) on PostgreSQL in CI:
a version of '²' crashed the JD section editor. Every place that checked posted or
imported text with ``isdigit`` before ``int()`` now asks :func:`core.forms.is_digits`.
"""

import pytest

from core.forms import is_digits
from interchange.markdown import parse
from interviews.models import StageChoice
from roles.jd.sections import EDITABLE_SECTIONS
from tests.interviews.test_kits import PROCESS, choices_form
from tests.roles.helpers import HTMX, ROLE, section_url

SUPERSCRIPT = "²"
ARABIC_INDIC_TWELVE = "\u0661\u0662"


@pytest.mark.parametrize(
    "text, digits",
    [("0", True), ("12", True), ("", False), (SUPERSCRIPT, False), (ARABIC_INDIC_TWELVE, False),
     ("1²", False), (" 1", False), ("-1", False), ("1_0", False)],
)
def test_is_digits_takes_ascii_digits_only(text, digits):
    assert is_digits(text) is digits


def _role_state(plan):
    role = plan.roles.get(slug="senior-dashboard-engineer")
    return role.version, list(role.items.values_list("id", "kind", "text", "position"))


@pytest.mark.parametrize("htmx", [False, True])
def test_a_superscript_version_is_refused_not_a_crash(manager_client, plan, htmx):
    before = _role_state(plan)
    response = manager_client.post(
        section_url("basics"),
        {"version": SUPERSCRIPT, "role-title": "Renamed"},
        **(HTMX if htmx else {}),
    )
    assert response.status_code in (400, 409, 422)
    assert _role_state(plan) == before
    assert plan.roles.filter(title="Renamed").count() == 0


@pytest.mark.parametrize(
    "extra",
    [{"row_action": f"up-{SUPERSCRIPT}"}, {"row_action": f"remove-{SUPERSCRIPT}"},
     {f"rows-{SUPERSCRIPT}-text": "x", "row_action": "remove-0"}],
)
def test_superscript_row_numbers_are_ignored_not_a_crash(manager_client, plan, extra):
    section = next(s for s in EDITABLE_SECTIONS if s.rows is not None and s.rows.kind is not None)
    before = _role_state(plan)
    response = manager_client.post(
        section_url(section.key),
        {"version": "1", "rows-TOTAL_FORMS": "1", "rows-INITIAL_FORMS": "0", "rows-0-text": "a",
         **extra},
    )
    assert response.status_code in (200, 400, 409, 422)
    assert _role_state(plan) == before  # a row action re-renders the editor; nothing is saved


def test_a_superscript_stage_in_the_new_question_link_is_ignored(manager_client, plan):
    response = manager_client.get(f"{ROLE}interview/questions/new/?stage={SUPERSCRIPT}")
    assert response.status_code == 200
    assert 'name="stage"' in response.text


def test_a_superscript_stage_choice_is_dropped_and_the_rest_saved(recruiter_client, plan):
    versions, ticked = choices_form(recruiter_client.get(PROCESS).text)
    before = set(StageChoice.objects.filter(stage__plan=plan).values_list("stage", "role", "included"))
    response = recruiter_client.post(
        f"{PROCESS}loops/", {**versions, "takes": [*ticked, f"{SUPERSCRIPT}:1", f"1:{SUPERSCRIPT}"]}
    )
    assert response.status_code == 302
    after = set(StageChoice.objects.filter(stage__plan=plan).values_list("stage", "role", "included"))
    assert after == before  # the same ticks as the page showed: nothing lost, nothing added
    assert choices_form(recruiter_client.get(PROCESS).text)[1] == ticked


def test_a_superscript_problem_rank_in_markdown_is_no_rank_not_a_crash():
    parsed = parse(
        "# Plan Q3 2026\n\n## Current Problems\n\n| # | Problem |\n|---|---|\n"
        f"| #{SUPERSCRIPT} | Slow |\n| 2 | Late |\n"
    )
    problems = {p["title"]: p.get("rank") for p in parsed.data["problems.problem"]}
    assert problems["Slow"] is None
    assert problems["Late"] == 2
