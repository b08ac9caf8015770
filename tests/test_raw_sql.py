"""Raw SQL only in an app's ``queries.py``, each statement with its test (DESIGN §3, decision 0010).

The source is read with ``ast``: a call that opens a cursor or sends SQL text (``cursor``,
``chunked_cursor``, ``execute``, ``executemany``, ``executescript``, ``RawSQL``, ``extra``, and ``raw`` given
an argument, as ``Manager.raw(sql)`` is) outside ``<app>/queries.py`` is reported with its file and line.
Tests (they set up tampering behind the ORM's back) and migrations (triggers, functions) are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "avrop"

SQL_CALLS = {"cursor", "chunked_cursor", "execute", "executemany", "executescript", "RawSQL", "extra"}


def _name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _sends_sql(call: ast.Call) -> bool:
    name = _name(call)
    return name in SQL_CALLS or (name == "raw" and bool(call.args))


def _skipped(rel: Path) -> bool:
    return "tests" in rel.parts or "migrations" in rel.parts


def raw_sql_outside_queries(root: Path) -> list[str]:
    """``path:line call`` of every call that sends SQL outside a ``queries.py``."""
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if _skipped(rel) or path.name == "queries.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Call) and _sends_sql(node):
                found.append(f"{rel}:{node.lineno} {ast.unparse(node.func)}()")
    return found


def statements_without_a_test(root: Path) -> list[str]:
    """Functions of a ``queries.py`` that send SQL but are not named in their app's
    ``tests/test_queries.py``."""
    missing = []
    for module in sorted(root.glob("*/queries.py")):
        tests = module.parent / "tests" / "test_queries.py"
        tested = tests.read_text(encoding="utf-8") if tests.exists() else ""
        for node in ast.parse(module.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            sends = any(isinstance(n, ast.Call) and _sends_sql(n) for n in ast.walk(node))
            if sends and node.name not in tested:
                missing.append(f"{module.relative_to(root)}: {node.name}")
    return missing


def test_no_raw_sql_outside_the_apps_queries_modules():
    found = raw_sql_outside_queries(SRC)
    assert not found, "SQL outside an app's queries.py (decision 0010):\n" + "\n".join(found)


def test_every_statement_of_a_queries_module_has_its_test():
    missing = statements_without_a_test(SRC)
    assert not missing, "statements without a test in <app>/tests/test_queries.py:\n" + "\n".join(missing)


def test_the_scanner_finds_sql_in_a_service_and_leaves_queries_tests_and_migrations(tmp_path):
    app = tmp_path / "shop"
    for folder in (app / "services", app / "tests", app / "migrations"):
        folder.mkdir(parents=True)
    (app / "services" / "orders.py").write_text(
        "from django.db import connection\n"
        "def total():\n"
        "    with connection.cursor() as c:\n"
        "        c.execute('SELECT 1')\n"
        "def rows(M):\n"
        "    return list(M.objects.raw('SELECT * FROM t')) + list(M.objects.extra(where=['1=1']))\n"
        "def fine(engine):\n"
        "    return engine.raw()\n"
    )
    (app / "queries.py").write_text(
        "from django.db import connection\n"
        "def counted():\n"
        "    with connection.cursor() as c:\n"
        "        c.execute('SELECT 1')\n"
        "def untested():\n"
        "    with connection.cursor() as c:\n"
        "        c.executemany('INSERT INTO t VALUES (%s)', [(1,)])\n"
        "def plain():\n"
        "    return 1\n"
    )
    (app / "tests" / "test_queries.py").write_text("from shop.queries import counted\n")
    (app / "tests" / "test_orders.py").write_text("def test(c):\n    c.execute('DELETE FROM t')\n")
    (app / "migrations" / "0002.py").write_text("def up(s):\n    s.execute('CREATE TRIGGER x')\n")
    assert raw_sql_outside_queries(tmp_path) == [
        "shop/services/orders.py:3 connection.cursor()",
        "shop/services/orders.py:4 c.execute()",
        "shop/services/orders.py:6 M.objects.raw()",
        "shop/services/orders.py:6 M.objects.extra()",
    ]
    assert statements_without_a_test(tmp_path) == ["shop/queries.py: untested"]
