"""Boundaries between the apps go one way (DESIGN §3, decision 0011).

The app import graph is computed from the source with ``ast``: imports at module level and inside functions,
relative imports, and modules named to ``import_module``/``__import__`` (a literal, or an f-string whose
literal start names the module). Tests and migrations are left out: tests build other apps' data, migrations
follow the models.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "avrop"

# Apps nothing may import: they put the others together.
TOP = {"web"}

# Apps only the shell may import: the supplier portal is pages and the supplier's drafting workspace over the
# owning apps' services (decision 0011); nothing of the buyer's side depends on it.
LEAVES = {"portal"}

# The order of the purchase-to-pay chain: an app may use the ones before it, never one after it.
CHAIN = ["ordering", "fulfilment", "serviceorders", "payables", "reports"]


def app_names(root: Path) -> set[str]:
    return {p.name for p in root.iterdir() if p.is_dir() and (p / "__init__.py").exists()}


def _dynamic_target(call: ast.Call) -> str | None:
    """The module named to import_module()/__import__(); '' if it is not written out; None if no such call."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if name not in {"import_module", "__import__"} or not call.args:
        return None
    first = call.args[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    if isinstance(first, ast.JoinedStr) and first.values:
        head = first.values[0]
        if isinstance(head, ast.Constant) and isinstance(head.value, str) and "." in head.value:
            return head.value.rsplit(".", 1)[0]  # f"avrop.portal.home_{area}" names avrop.portal
    return ""


def imported_modules(tree: ast.AST, package: list[str]) -> tuple[list[str], list[int]]:
    """Every module ``tree`` imports, and the lines of dynamic imports whose module is not written out."""
    modules: list[str] = []
    unknown: list[int] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                if node.module:
                    modules.append(".".join([*base, node.module]))
                else:
                    modules += [".".join([*base, alias.name]) for alias in node.names]
            else:
                modules.append(node.module or "")
                modules += [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Call):
            target = _dynamic_target(node)
            if target == "":
                unknown.append(node.lineno)
            elif target:
                modules.append(target)
    return modules, unknown


def app_graph(root: Path) -> tuple[dict[str, set[str]], dict[str, set[str]], list[str]]:
    """(app -> apps it imports, app -> third-party top-level packages, dynamic imports naming no module)."""
    apps = app_names(root)
    edges: dict[str, set[str]] = {app: set() for app in apps}
    packages: dict[str, set[str]] = {app: set() for app in apps}
    unknown: list[str] = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if len(rel.parts) < 2 or rel.parts[0] not in apps or {"tests", "migrations"} & set(rel.parts):
            continue
        app = rel.parts[0]
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        modules, lines = imported_modules(tree, ["avrop", *rel.parts[:-1]])
        unknown += [f"{rel}:{line}" for line in lines]
        for module in modules:
            parts = module.split(".")
            if parts[0] == "avrop":
                if len(parts) > 1 and parts[1] in apps and parts[1] != app:
                    edges[app].add(parts[1])
            elif parts[0]:
                packages[app].add(parts[0])
    return edges, packages, unknown


def cycles(edges: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one app (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(component)

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


@pytest.fixture(scope="module")
def graph():
    return app_graph(SRC)


def test_core_imports_no_other_app(graph):
    edges, _packages, _unknown = graph
    assert edges["core"] == set()


def test_core_names_no_other_apps_model(graph):
    """Core refers to the tenant through settings and TenantModel, never by an app label in a string."""
    edges, _packages, _unknown = graph
    others = tuple(f"{app}." for app in edges if app != "core")
    named = []
    for path in sorted((SRC / "core").rglob("*.py")):
        if {"tests", "migrations"} & set(path.relative_to(SRC).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and node.value.startswith(others)
            ):
                named.append(f"{path.relative_to(SRC)}:{node.lineno} {node.value!r}")
    assert named == []


def test_edi_imports_nothing_from_django_or_other_apps(graph):
    edges, packages, _unknown = graph
    assert edges["edi"] == set()
    assert not {"django", "ninja", "huey"} & packages["edi"]


def test_no_app_imports_the_shell(graph):
    edges, _packages, _unknown = graph
    assert {app: sorted(deps & TOP) for app, deps in edges.items() if deps & TOP} == {}


def test_no_dynamic_import_hides_its_module(graph):
    _edges, _packages, unknown = graph
    assert unknown == []


def test_no_cycle_between_apps(graph):
    edges, _packages, _unknown = graph
    found = sorted(sorted(c) for c in cycles(edges))
    assert found == [], "An import cycle between apps: invert or move the dependency (decision 0011)."


def test_only_the_shell_imports_the_portal(graph):
    edges, _packages, _unknown = graph
    importers = {app for app, deps in edges.items() if deps & LEAVES and app not in TOP | LEAVES}
    assert importers == set()


def test_the_chain_depends_backwards_only(graph):
    edges, _packages, _unknown = graph
    later = {app: set(CHAIN[position + 1 :]) for position, app in enumerate(CHAIN)}
    assert {app: sorted(edges[app] & after) for app, after in later.items() if edges[app] & after} == {}


def test_organisations_and_suppliers_depend_one_way(graph):
    edges, _packages, _unknown = graph
    assert "organisations" in edges["suppliers"]
    assert "suppliers" not in edges["organisations"]


# --- The graph builder itself -------------------------------------------------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "avrop"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for app in {name.split("/")[0] for name in files}:
        (root / app / "__init__.py").touch()
    return root


def test_the_builder_sees_every_kind_of_import(tmp_path):
    root = _tree(
        tmp_path,
        {
            "a/services.py": "def f():\n    from avrop.b.models import X\n",
            "b/views.py": "from ..c import selectors\n",
            "c/home.py": "import avrop.d.api\n",
            "d/hooks.py": "from importlib import import_module\nm = import_module('avrop.e.demo')\n",
            "e/late.py": "import importlib\nm = importlib.import_module(f'avrop.f.home_{1}')\n",
            "f/x.py": "__import__('avrop.a')\n",
            "a/tests/test_x.py": "from avrop.g import y\n",
            "a/migrations/0001.py": "from avrop.g import y\n",
            "g/__init__.py": "",
        },
    )
    edges, _packages, unknown = app_graph(root)
    assert edges == {
        "a": {"b"},
        "b": {"c"},
        "c": {"d"},
        "d": {"e"},
        "e": {"f"},
        "f": {"a"},
        "g": set(),
    }
    assert cycles(edges) == [{"a", "b", "c", "d", "e", "f"}]
    assert unknown == []


def test_the_builder_reports_dynamic_imports_it_cannot_name(tmp_path):
    root = _tree(
        tmp_path,
        {"a/home.py": "from importlib import import_module\nfor n in 'b':\n    import_module(f'{n}.home')\n"},
    )
    _edges, _packages, unknown = app_graph(root)
    assert unknown == ["a/home.py:3"]


def test_the_builder_sees_third_party_packages(tmp_path):
    root = _tree(tmp_path, {"edi/x.py": "from django.db import models\nimport lxml.etree\n"})
    _edges, packages, _unknown = app_graph(root)
    assert packages["edi"] == {"django", "lxml"}
