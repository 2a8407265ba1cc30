"""Shared fixtures.

Storage and use-case tests that take the ``engine`` (or ``uow``) fixture run twice: on SQLite and
on PostgreSQL. PostgreSQL comes from ``FORMWORK_TEST_POSTGRES_URL`` (``.ci/run`` sets it); each test
gets its own schema. When the variable is set but the server cannot be reached the PostgreSQL runs
fail; when it is not set they are skipped and the summary says so loudly.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine, create_engine, text

from storage.engine import make_engine
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("FORMWORK_TEST_POSTGRES_URL", "")
_postgres_skipped: list[str] = []


def template(slug: str) -> dict:
    return json.loads((ROOT / "schemas" / "templates" / f"{slug}.json").read_text())


def _postgres_schema_url(schema: str) -> str:
    separator = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'formwork.db'}"
        return
    if not POSTGRES_URL:
        _postgres_skipped.append(request.node.nodeid)
        pytest.skip("FORMWORK_TEST_POSTGRES_URL is not set: PostgreSQL run skipped")
    schema = f"t_{secrets.token_hex(6)}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield _postgres_schema_url(schema)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    created = make_engine(database_url)
    upgrade(created)
    yield created
    created.dispose()


@pytest.fixture
def uow(engine: Engine) -> SqlUnitOfWork:
    return SqlUnitOfWork(engine)


# One Chromium per test process, shared by every browser test: Playwright's sync API refuses to start a
# second instance while one is running in the same process, so no module may launch its own.
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                "--no-first-run", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser() -> Iterator["Browser"]:
    from playwright.sync_api import sync_playwright

    if not Path("/usr/bin/chromium").exists():
        pytest.fail("browser tests need Debian's Chromium: apt-get install -y chromium (see README)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=BROWSER_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    _report_figures(terminalreporter)
    # Under pytest-xdist the skips happen in workers, so count them from the reports.
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if "FORMWORK_TEST_POSTGRES_URL" in str(r.longrepr)]
    if skipped or _postgres_skipped:
        terminalreporter.write_sep("!", "POSTGRESQL NOT TESTED", red=True, bold=True)
        terminalreporter.write_line(
            f"{len(skipped) or len(_postgres_skipped)} PostgreSQL test runs were skipped because FORMWORK_TEST_POSTGRES_URL "
            "is not set. CI sets it; set it locally to test PostgreSQL too.", red=True)


def _report_figures(terminalreporter: pytest.TerminalReporter) -> None:
    """Throughput measured by tests/load and tests/faults (``record_property("figures", ...)``): shown,
    never asserted. User properties travel with the reports, so this works under pytest-xdist too."""
    lines = [value for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", [])
             if report.when == "call" for name, value in report.user_properties if name == "figures"]
    if lines:
        terminalreporter.write_sep("-", "load and fault figures")
        for line in sorted(lines):
            terminalreporter.write_line(str(line))
