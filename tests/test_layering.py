"""Apps depend one way: console ← orgs ← feedback ← retention ← api (STYLE.md)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Lowest first: an app may import the apps before it, never those after it.
LAYERS = ["console", "orgs", "feedback", "retention", "api"]
# The project's wiring names every app: root URLs and settings (settings name apps as strings).
WIRING = {Path("console/urls.py")}


def _imported_apps(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in LAYERS:
                yield top, node.lineno


def _modules(app):
    for path in sorted((ROOT / app).rglob("*.py")):
        relative = path.relative_to(ROOT)
        if "migrations" not in relative.parts and relative not in WIRING:
            yield relative


@pytest.mark.parametrize("app", LAYERS)
def test_no_app_imports_an_app_above_it(app):
    above = set(LAYERS[LAYERS.index(app) + 1:])
    upward = [
        f"{relative}:{line} imports {imported}"
        for relative in _modules(app)
        for imported, line in _imported_apps(ROOT / relative)
        if imported in above
    ]
    assert upward == []
