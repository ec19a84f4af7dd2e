"""Hypothesis throws random and hostile input at the JD section editors: never a 500, never half a save."""

import pytest
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from roles.jd.editor import SectionEditor
from roles.jd.sections import EDITABLE_SECTIONS as SECTIONS
from tests.conftest import examples
from tests.roles.helpers import HTMX, section_url

HOSTILE = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "<script>x</script>",
        "' OR 1=1 --",
        "9" * 50,
        "-1",
        "1e309",
        "\u202e",
        "²",  # str.isdigit is true of it; int() raises (found here, in CI)
        "😀" * 300,
    ]
)
TEXT = st.one_of(st.text(max_size=300), HOSTILE)


def snapshot(role):
    role.refresh_from_db()
    rows = []
    for model_rows in (role.items.all(), role.criteria.all(), role.landscape.all()):
        rows += sorted(str(row.__dict__ | {"_state": None}) for row in model_rows)
    fields = {
        f.attname: getattr(role, f.attname)
        for f in role._meta.concrete_fields
        if f.attname != "updated_at"
    }
    return fields, rows


@st.composite
def section_posts(draw):
    section = draw(st.sampled_from(SECTIONS))
    data = {"version": draw(st.one_of(st.just("1"), TEXT))}
    for name in section.fields:
        data[f"role-{name}"] = draw(TEXT)
    parted = section.rows is not None and section.rows.part_field is not None
    if parted and draw(st.integers(0, 9)):
        data["part"] = draw(st.one_of(st.sampled_from(["1", "3", "6", "12"]), TEXT))
    if section.rows is not None:
        total = draw(st.one_of(st.integers(0, 4).map(str), HOSTILE))
        data["rows-TOTAL_FORMS"] = total
        data["rows-INITIAL_FORMS"] = draw(st.one_of(st.just("0"), HOSTILE))
        for i in range(4):
            data[f"rows-{i}-id"] = draw(
                st.one_of(st.just(""), st.integers(-5, 10**6).map(str), HOSTILE)
            )
            for name in section.rows.fields:
                data[f"rows-{i}-{name}"] = draw(TEXT)
            if draw(st.booleans()):
                data[f"rows-{i}-DELETE"] = "on"
    if draw(st.booleans()):
        data["row_action"] = draw(
            st.one_of(
                st.sampled_from(["add", "up-1", "down-0", "up-99", "remove-0", "remove-9"]), TEXT
            )
        )
    return section.key, data, draw(st.booleans())


@pytest.mark.filterwarnings("ignore")
@settings(max_examples=examples(60))  # deadline and health checks: the profile's
@given(post=section_posts())
def test_section_editors_never_crash_and_never_half_save(manager_client, plan, post):
    key, data, htmx = post
    role = plan.roles.get(slug="senior-dashboard-engineer")
    with transaction.atomic():
        before = snapshot(role)
        response = manager_client.post(section_url(key), data, **(HTMX if htmx else {}))
        assert response.status_code in (200, 302, 400, 409, 422), response.status_code
        after = snapshot(role)
        if before != after:
            # Anything that changed was a whole, valid save at the next version.
            assert after[0]["version"] == before[0]["version"] + 1
            assert response.status_code in (200, 302)
            section = next(s for s in SECTIONS if s.key == key)
            part = section.rows.part_value(data.get("part")) if section.rows else None
            editor = SectionEditor(section, role, data, part=part)
            assert editor.is_valid()
        transaction.set_rollback(True)


@pytest.mark.parametrize("action", ["remove-0", "add", "down-0"])
def test_a_hostile_row_count_never_builds_that_many_rows(manager_client, plan, action):
    """Found by the fuzz test above: ``TOTAL_FORMS`` of 10**50 with "remove-0" built
    a list of 10**50 rows and took the server's memory. The count is bounded now;
    a million here would cost well over 20 MB if it were still built."""
    import tracemalloc

    from tests.roles.helpers import open_editor

    data = open_editor(manager_client, "red_flags")
    before = plan.roles.get(slug="senior-dashboard-engineer").items.count()
    data["rows-TOTAL_FORMS"] = "1000000"
    data["row_action"] = action
    tracemalloc.start()
    try:
        response = manager_client.post(section_url("red_flags"), data, **HTMX)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code in (200, 422)
    assert peak < 20_000_000, peak
    assert plan.roles.get(slug="senior-dashboard-engineer").items.count() == before
