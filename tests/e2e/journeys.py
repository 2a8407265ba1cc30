"""Steps the browser journeys of issue 8 share: a seeded server, the resident's and the reviewer's moves.

Requests a test only needs to exist are made through the use cases (fast, and the same code the pages
call); everything the test is about happens in the browser.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from playwright.sync_api import Browser, Locator, Page, expect

from builder.ports import ANONYMOUS, Actor
from builder.usecases import forms, requests, review
from builder.usecases.requests import Receipt
from builder.workflow import Action, Command
from storage.engine import make_engine
from storage.uow import SqlUnitOfWork
from tests.conftest import template
from tests.e2e.conftest import choose, click_until, nav, seed_demo, settle

ADMIN = Actor("admin", "Alex Admin", is_admin=True)
# The demo reviewer: "roads" decides for the road inspectors and the tree officers.
ROADS = Actor("roads", "Robin Roads", reviewer_groups=frozenset({"Road inspectors", "Tree officers"}))
TREE_PERMIT = "tree-permit"


def tree_permit() -> dict[str, Any]:
    """The tree template as a two-page form whose second page asks for a photo or a PDF plan."""
    definition = template("tree-removal")
    definition["slug"] = TREE_PERMIT
    definition["title"] = "Tree work permit"
    ui = definition["uiSchema"]
    ui["ui:pages"] = [
        {"title": "The tree", "fields": ["tree_location", "work", "replanting", "species", "trunk_cm", "reason",
                                         "other_reason", "protected"]},
        {"title": "You and a photo", "fields": ["name", "email", "photos"]},
    ]
    ui["photos"]["ui:options"]["accept"] = ["png", "pdf"]
    return definition


def seeded_database(folder: Path, *definitions: dict[str, Any]) -> str:
    """The demo (users demo-<user>-passphrase, pothole and street-party forms) plus ``definitions``, published."""
    url = f"sqlite:///{folder / 'formwork.db'}"
    seed_demo(url)
    uow = SqlUnitOfWork(make_engine(url))
    for definition in definitions:
        forms.create_form(definition, ADMIN, uow)
        forms.publish(definition["slug"], ADMIN, uow)
    return url


def warm_up(browser: Browser, base: str) -> None:
    """Let a fresh server run its first script (imports, catalogues) before a test counts its seconds.

    Only for time: a deep link works as the first page load too (tests/e2e/test_deep_links.py)."""
    page = browser.new_page()
    try:
        page.goto(base)
        expect(page.get_by_test_id("stSidebarNav")).to_be_attached(timeout=90_000)
        expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=90_000)
    finally:
        page.context.close()


def submitted(url: str, slug: str, answers: dict[str, Any], key: str) -> Receipt:
    """A request submitted by an anonymous resident (through the use case, not the browser)."""
    return requests.submit(slug, answers, ANONYMOUS, SqlUnitOfWork(make_engine(url)), idempotency_key=key)


def decided(url: str, reference: str, action: Action, text: str = "") -> str:
    """A reviewer's decision through the use case; returns the new state."""
    uow = SqlUnitOfWork(make_engine(url))
    version = review.open_case(reference, ROADS, uow).request.row_version
    return review.act(reference, Command(action, ROADS, text=text, public=True), version, uow,
                      idempotency_key=f"{reference}-{action.value}")


def withdrawn(url: str, receipt: Receipt) -> str:
    """The resident withdraws with their access code (through the use case); returns the new state."""
    uow = SqlUnitOfWork(make_engine(url))
    version = review.open_case(receipt.reference, ROADS, uow).request.row_version
    return requests.resident_act(receipt.reference, receipt.access_code, Action.WITHDRAW, "", version, ANONYMOUS, uow)


def state_of(url: str, reference: str) -> str:
    return review.open_case(reference, ROADS, SqlUnitOfWork(make_engine(url))).request.state


def pothole(location: str) -> dict[str, Any]:
    return {"location": location, "size": "small"}


def png(width: int = 4, height: int = 3) -> bytes:
    """A small valid PNG (grey pixels), made here so the test carries no binary file."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def box(page: Page, role: str, label: str) -> Locator:
    """An input by its visible label (required ones end in " *")."""
    tolerant = "".join(rf"\\?{re.escape(c)}" for c in label)  # labels go through markdown escaping
    return page.get_by_role(role, name=re.compile(rf"^{tolerant}( \\?\*)?$"))


def open_form(page: Page, base: str, slug: str, title: str) -> None:
    """From the catalogue, as a resident finds a form."""
    page.goto(base)
    settle(page)
    click_until(page.locator(f'a[href*="form={slug}"]').first.click, page.get_by_role("heading", name=title, level=1))
    settle(page)


def track(page: Page, base: str, reference: str, code: str) -> None:
    """The tracking page with the reference and access code, as the resident types them."""
    page.goto(base)
    settle(page)
    reference_box = page.get_by_label("Reference")
    nav(page, "Follow a request", until=reference_box)
    reference_box.fill(reference)
    page.get_by_role("textbox", name="Access code").fill(code)
    page.get_by_role("button", name="Show my request").click()
    expect(page.get_by_role("heading", name=reference)).to_be_visible(timeout=15_000)
    settle(page)


def open_case(page: Page, reference: str) -> None:
    """A signed-in reviewer opens a request from the inbox."""
    nav(page, "Inbox", until=page.get_by_role("combobox", name="Open a request"))
    choose(page, page.get_by_role("combobox", name="Open a request"), reference)
    page.get_by_role("button", name="Open request").click()
    expect(page.get_by_role("heading", name=reference)).to_be_visible(timeout=15_000)
    settle(page)


def expander(page: Page, label: str) -> Locator:
    """The header of an ``st.expander``, which opens and closes it."""
    return page.get_by_test_id("stExpander").locator("summary").filter(has_text=label)


def metric(page: Page, label: str) -> Locator:
    """The value of the ``st.metric`` with this label (expect it to have a text: a rerun may be drawing it)."""
    found = page.get_by_test_id("stMetric").filter(has=page.get_by_test_id("stMetricLabel").get_by_text(
        label, exact=True))
    return found.get_by_test_id("stMetricValue")


@pytest.fixture(autouse=True)
def patient_expect() -> Iterator[None]:
    """Wait up to 20 s for what a test expects to see: the machine is shared, and a Streamlit rerun under
    load takes seconds. Playwright's default of 5 s is given back afterwards."""
    expect.set_options(timeout=20_000)
    yield
    expect.set_options(timeout=5_000)
