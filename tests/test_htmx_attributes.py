"""htmx reads `data-hx-*` as it reads `hx-*`, and only the former is valid HTML (#30)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BARE_HX = re.compile(r"(?<![-\w.])hx-(get|post|put|patch|delete|target|swap|swap-oob|trigger|push-url|vals|headers|select|boost|include|indicator|confirm|on|sync)\b")


def test_templates_and_tags_use_data_hx_attributes():
    sources = [*ROOT.glob("templates/**/*.html"), *ROOT.glob("*/templatetags/*.py"), ROOT / "static/js/app.js"]
    offenders = [f"{path.relative_to(ROOT)}: {match.group(0)}" for path in sources for match in BARE_HX.finditer(path.read_text())]
    assert sources and not offenders, offenders
