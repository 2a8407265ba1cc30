"""The dependency rules of DESIGN.md §4, read from every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FORBIDDEN = {
    "builder": {"streamlit", "sqlmodel", "sqlalchemy", "alembic", "storage", "ui", "pages", "psycopg"},
    "storage": {"streamlit", "ui", "pages"},
    "ui": {"storage", "sqlmodel", "sqlalchemy", "alembic", "psycopg"},
    "pages": {"storage", "sqlmodel", "sqlalchemy", "alembic", "psycopg"},
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def modules(layer: str) -> list[Path]:
    return sorted(p for p in (ROOT / layer).rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_what_it_may(layer: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_roots(path) & FORBIDDEN[layer]) for path in modules(layer)
    }
    offenders = {name: bad for name, bad in offenders.items() if bad}
    assert offenders == {}, f"layer rule broken: {offenders}"


def test_every_layer_has_modules() -> None:
    # Guards the test above against passing vacuously when a folder is renamed.
    for layer in FORBIDDEN:
        assert modules(layer), f"no modules found in {layer}/"


def test_pages_never_open_a_session() -> None:
    for path in modules("pages") + modules("ui"):
        source = path.read_text(encoding="utf-8")
        assert "Session(" not in source and "create_engine" not in source, path


def test_the_check_notices_a_broken_rule(tmp_path: Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text("import streamlit as st\nfrom sqlalchemy import select\n")
    assert imported_roots(sample) & FORBIDDEN["builder"] == {"streamlit", "sqlalchemy"}
