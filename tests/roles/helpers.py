"""Build POST data for a JD section editor from what the server rendered."""

import re
from html import unescape

HTMX = {"HTTP_HX_REQUEST": "true"}
ROLE = "/plans/q1-2026/roles/senior-dashboard-engineer/"


def section_url(section, role=ROLE, part=None):
    query = f"?part={part}" if part is not None else ""
    return f"{role}sections/{section}/edit/{query}"


def form_data(html: str) -> dict:
    """The form's current values as a browser would submit them (without clicking a button)."""
    data = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        kind = kind.group(1) if kind else "text"
        value = re.search(r'value="([^"]*)"', tag)
        if kind == "checkbox":
            if "checked" in tag:
                data[name.group(1)] = "on"
            continue
        if kind == "submit":
            continue
        data[name.group(1)] = unescape(value.group(1)) if value else ""
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        data[name] = unescape(body.removeprefix("\n"))
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        selected = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        data[name] = unescape(selected.group(1)) if selected else ""
    return data


def open_editor(client, section, role=ROLE, part=None):
    response = client.get(section_url(section, role, part), **HTMX)
    assert response.status_code == 200, response.status_code
    return form_data(response.text)


def rows(data, field="text"):
    total = int(data["rows-TOTAL_FORMS"])
    return [data.get(f"rows-{i}-{field}", "") for i in range(total)]
