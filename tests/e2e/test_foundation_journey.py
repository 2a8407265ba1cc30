"""The foundation journey in a real Chromium (issue 2), at a desktop and at a phone width: the designer
creates a form from a demo template and publishes it, a resident fills both pages and submits, a
reviewer approves it from the inbox, and the resident sees "Approved" with reference + access code."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from builder.usecases import requests
from storage.engine import make_engine
from storage.uow import SqlUnitOfWork
from tests.e2e.conftest import LiveServer, Shots, choose, live_server, nav, new_page, settle, sign_in

pytestmark = pytest.mark.e2e
PORTS = range(8660, 8670)  # this module's share of the Streamlit ports (8660-8679 belong to issue 8)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("journey"), PORTS) as server:
        yield server


def _designer_publishes(page: Page, base: str, slug: str, shots: Shots) -> None:
    sign_in(page, base, "designer")
    nav(page, "Design forms", until=page.get_by_role("heading", name="Design forms"))
    expect(page.get_by_role("heading", name="Design forms")).to_be_visible(timeout=15_000)
    page.get_by_role("tab", name="Start from a template").click()
    template = page.get_by_role("combobox", name="Template")  # the tree form is not in the demo yet
    choose(page, template, "Ask permission to fell or prune a tree")
    address = page.locator(".st-key-tpl_slug-tree-removal").get_by_role("textbox")  # keyed by the template
    address.fill(slug)
    address.press("Enter")
    settle(page)
    shots(page, "designer-template")
    page.get_by_role("button", name="Create draft").click()
    settle(page)
    expect(page.get_by_role("heading", name="Preview")).to_be_visible(timeout=15_000)  # the builder opened
    shots(page, "designer-builder")
    page.get_by_test_id("stButtonGroup").get_by_text("Check and publish").click()
    settle(page)
    page.get_by_role("button", name="Publish this version").click()
    expect(page.get_by_text("Published as version 1")).to_be_visible(timeout=15_000)
    shots(page, "designer-published")


def _box(page: Page, role: str, label: str) -> Locator:
    """An input by its accessible name: the label as written, required ones with a plain " *" after it."""
    return page.get_by_role(role, name=re.compile(rf"^{re.escape(label)}( \*)?$"))


def _resident_submits(page: Page, base: str, slug: str, shots: Shots) -> tuple[str, str]:
    page.goto(base)
    settle(page)
    page.locator(f'a[href*="{slug}"]').first.click()
    expect(_box(page, "textbox", "Where is the tree?")).to_be_visible(timeout=15_000)
    _box(page, "textbox", "Where is the tree?").fill("Linden Avenue 4, front garden")
    page.get_by_text("Prune more than a third of the crown").click()
    _box(page, "spinbutton", "Trunk width at 1.3 m height (cm)").fill("45")
    _box(page, "spinbutton", "Trunk width at 1.3 m height (cm)").press("Enter")
    page.get_by_text("Dangerous", exact=True).click()  # five reasons: shown as radio buttons
    settle(page)
    shots(page, "resident-page-1")
    page.get_by_role("button", name="Next").click()
    expect(_box(page, "textbox", "Your full name")).to_be_visible(timeout=15_000)
    _box(page, "textbox", "Your full name").fill("Riley Resident")
    _box(page, "textbox", "Email address").fill("riley@example.org")
    _box(page, "textbox", "Email address").press("Enter")
    settle(page)
    shots(page, "resident-page-2")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("Your request has been submitted.")).to_be_visible(timeout=15_000)
    shots(page, "resident-receipt")
    reference = page.get_by_test_id("stMetricValue").inner_text().strip()
    code = page.get_by_test_id("stCode").inner_text().strip()
    return reference, code


def _reviewer_approves(page: Page, base: str, reference: str, shots: Shots) -> None:
    sign_in(page, base, "roads")
    nav(page, "Inbox", until=page.get_by_role("combobox", name="Open a request"))
    choose(page, page.get_by_role("combobox", name="Open a request"), reference)
    shots(page, "reviewer-inbox")
    page.get_by_role("button", name="Open request").click()
    expect(page.get_by_role("heading", name=reference)).to_be_visible(timeout=15_000)
    page.get_by_text("Approve", exact=True).first.click()  # the radio choice
    settle(page)
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.get_by_text("Approved.").first).to_be_visible(timeout=15_000)
    shots(page, "reviewer-approved")


def _resident_sees_outcome(page: Page, base: str, reference: str, code: str, shots: Shots) -> None:
    page.goto(base)
    settle(page)
    nav(page, "Follow a request", until=page.get_by_label("Reference"))
    page.get_by_label("Reference").fill(reference)
    page.get_by_role("textbox", name="Access code").fill(code)
    page.get_by_role("button", name="Show my request").click()
    expect(page.get_by_text("Approved").first).to_be_visible(timeout=15_000)
    shots(page, "resident-tracks")


def test_designer_resident_reviewer_journey(live: LiveServer, browser: Browser, viewport: str, shots: Shots) -> None:
    slug = f"tree-work-{viewport}"
    _designer_publishes(new_page(browser, viewport), live.base, slug, shots)
    resident = new_page(browser, viewport)
    reference, code = _resident_submits(resident, live.base, slug, shots)
    assert len(code) >= 20, "the access code is shown in full so the resident can copy it"
    _reviewer_approves(new_page(browser, viewport), live.base, reference, shots)
    _resident_sees_outcome(resident, live.base, reference, code, shots)

    shown = requests.status(reference, code, SqlUnitOfWork(make_engine(live.database_url)))
    assert (shown.reference, shown.state) == (reference, "approved")
