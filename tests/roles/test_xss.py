"""User text is escaped or sanitised everywhere it is shown: no script, handler, style or remote image."""

from html.parser import HTMLParser

import pytest

from core.markdown import render_markdown, render_markdown_inline
from problems.models import OpenQuestion
from roles.jd.sections import EDITABLE_SECTIONS as SECTIONS
from roles.models import ItemKind, JDItem, LandscapeArea, Role, SuccessCriterion

PAYLOADS = [
    '<script>alert("xss")</script>',
    "<img src=x onerror=alert(1)>",
    "[click me](javascript:alert(2))",
    '<a href="javascript:alert(3)">link</a>',
    "<b onmouseover=alert(4)>bold</b>",
    "<style>body{display:none}</style>",
    "![pixel](http://127.0.0.1:9/track.png)",
    '<iframe src="http://evil.example"></iframe>',
    '"><svg onload=alert(5)>',
]


class ActiveContentFinder(HTMLParser):
    """Collects whatever a browser would execute or fetch from parsed HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not (attrs.get("src") or "").startswith("/static/"):
            self.found.append(f"<script> {attrs}")
        if tag in ("style", "iframe", "svg", "object", "embed"):
            self.found.append(f"<{tag}>")
        if tag == "img" and not (attrs.get("src") or "").startswith(("/static/", "data:")):
            self.found.append(f"<img src={attrs.get('src')}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name == "style":
                self.found.append(f"<{tag} style=...>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                ("javascript:", "data:text")
            ):
                self.found.append(f"<{tag} {name}={value}>")


def assert_inert(html):
    finder = ActiveContentFinder()
    finder.feed(html)
    assert finder.found == []


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_renderers_strip_everything_active(payload):
    assert_inert(render_markdown(payload))
    assert_inert(render_markdown_inline(payload))


TEXT_FIELDS = sorted(
    {
        name
        for section in SECTIONS
        for name in section.fields
        if Role._meta.get_field(name).get_internal_type() in ("TextField", "CharField")
        and not Role._meta.get_field(name).choices
    }
)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_role_field_and_row_is_inert_on_every_page(manager_client, plan, payload):
    role = plan.roles.get(slug="senior-dashboard-engineer")
    for name in TEXT_FIELDS:
        field = Role._meta.get_field(name)
        setattr(role, name, payload[: field.max_length] if field.max_length else payload)
    role.save()
    JDItem.objects.filter(role=role).update(text=payload, group=payload[:160])
    SuccessCriterion.objects.filter(role=role).update(
        metric=payload[:120], target=payload, how_measured=payload[:200]
    )
    LandscapeArea.objects.filter(role=role).update(
        area=payload[:120], covers=payload, typical_features=payload
    )
    role.coverages.update(rationale=payload)
    OpenQuestion.objects.filter(plan=plan).update(question=payload, resolution=payload)
    pages = [
        f"/plans/q1-2026/roles/{role.slug}/",
        f"/plans/q1-2026/roles/{role.slug}/interview/",
        "/plans/q1-2026/",
        "/plans/q1-2026/matrix/",
        "/plans/q1-2026/gaps/",
        "/plans/q1-2026/roles/",
        "/plans/q1-2026/questions/",
    ]
    pages += [f"/plans/q1-2026/roles/{role.slug}/sections/{s.key}/edit/" for s in SECTIONS]
    for url in pages:
        response = manager_client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.text)
    assert ItemKind.RED_FLAG  # rows of every kind were filled above


@pytest.mark.parametrize("payload", [p for p in PAYLOADS if "<" in p and "[" not in p])
def test_the_checker_itself_catches_raw_payloads(payload):
    """Guard against a checker that passes everything."""
    with pytest.raises(AssertionError):
        assert_inert(payload)
