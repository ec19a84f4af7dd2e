"""The house's layout holds: imports run one way in every module of every app.

core <- problems <- roles <- interviews <- coverage <- {documents, interchange} <- plans,
with hiringplan/ (settings, site views) on top: no app imports it (settings aside), core/
imports no app, and documents/ and interchange/ do not import each other. Views, forms,
template tags and commands count like any module; migrations and tests do not.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LEVEL = {
    "core": 0,
    "problems": 1,
    "roles": 2,
    "interviews": 3,
    "coverage": 4,
    "documents": 5,
    "interchange": 5,
    "plans": 6,
}


def _imports(path: Path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


def _modules():
    for app in [*LEVEL, "hiringplan"]:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield app, path


def test_every_app_of_the_layout_is_installed():
    from django.apps import apps

    assert [app for app in LEVEL if not apps.is_installed(app)] == []


@pytest.mark.parametrize("app", [*LEVEL, "hiringplan"])
def test_imports_run_one_way(app):
    wrong = []
    for source, path in _modules():
        if source != app:
            continue
        for line, module in _imports(path):
            target = module.split(".")[0]
            if target == source or source == "hiringplan":
                continue
            where = f"{path.relative_to(ROOT)}:{line} imports {module}"
            if target == "hiringplan":
                if not module.startswith("hiringplan.settings"):
                    wrong.append(where)
            elif target in LEVEL and LEVEL[target] >= LEVEL[source]:
                wrong.append(where)
    assert wrong == []
