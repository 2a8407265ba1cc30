"""Resident journeys of DESIGN.md §1 in Chromium, at a desktop and at a phone width (issue 8): a two-page
form with an attachment the reviewer downloads intact, a rejection whose reason the resident reads as
plain text, and a withdrawal that takes the request out of the reviewer's queue.

One server per module; the reviewer signs in once (desktop: reviewers work at a desk) and the
resident side runs at both widths.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.conftest import LiveServer, Shots, live_server, nav, new_page, open_list, settle, sign_in
from tests.e2e.journeys import (TREE_PERMIT, box, expander, metric, open_case, open_form, png, pothole,
                                seeded_database, state_of, submitted, track, tree_permit, warm_up)
from tests.e2e.journeys import patient_expect  # noqa: F401 - autouse fixture

pytestmark = pytest.mark.e2e
PORTS = range(8740, 8750)  # this module's share of issue 8's ports (8740-8779)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, browser: Browser) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("journeys")
    seeded_database(folder, tree_permit())
    with live_server(folder, PORTS, seed=False) as server:
        warm_up(browser, server.base)
        yield server


@pytest.fixture(scope="module")
def reviewer(live: LiveServer, browser: Browser) -> Iterator[Page]:
    page = new_page(browser, "desktop")
    sign_in(page, live.base, "roads")
    yield page
    page.context.close()


def error_after(field: Locator) -> Locator:
    """The announced message drawn right after a field (the renderer puts a field's errors there)."""
    return field.locator("xpath=ancestor::div[@data-testid='stElementContainer'][1]"
                         "/following-sibling::div[1]").get_by_role("alert")


def _fill_tree_page(page: Page, *, where: str | None) -> None:
    if where is not None:
        box(page, "textbox", "Where is the tree?").fill(where)
    page.get_by_text("Prune more than a third of the crown").click()
    trunk = box(page, "spinbutton", "Trunk width at 1.3 m height (cm)")
    trunk.fill("45")
    trunk.press("Enter")
    page.get_by_text("Dangerous", exact=True).click()
    settle(page)


def _resident_submits_with_photo(page: Page, base: str, photo: bytes, shots: Shots) -> tuple[str, str]:
    open_form(page, base, TREE_PERMIT, "Tree work permit")
    _fill_tree_page(page, where=None)  # the required place is forgotten
    page.get_by_role("button", name="Next").click()
    settle(page)
    where = box(page, "textbox", "Where is the tree?")
    # What assistive technology reads: an alert with the message (the icon is hidden from it).
    expect(error_after(where)).to_match_aria_snapshot("- alert:\n  - paragraph: This field is required.")
    expect(page.get_by_text("Step 1 of 2: The tree")).to_be_visible()  # Next was refused
    shots(page, "resident-page-1-refused")

    where.fill("Linden Avenue 4, front garden")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Step 2 of 2: You and a photo")).to_be_visible(timeout=15_000)
    expect(page.get_by_role("button", name="Upload", exact=True)).to_be_visible()
    settle(page)  # a rerun under way would replace the uploader and drop the chosen file
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": "tree.png", "mimeType": "image/png", "buffer": photo}])
    expect(page.get_by_role("button", name="Remove tree.png")).to_be_visible()
    settle(page)
    box(page, "textbox", "Your full name").fill("Riley Resident")
    email = box(page, "textbox", "Email address")
    email.fill("riley@example.org")
    email.press("Enter")
    settle(page)
    shots(page, "resident-page-2-photo")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("Your request has been submitted.")).to_be_visible(timeout=15_000)
    shots(page, "resident-receipt")
    return page.get_by_test_id("stMetricValue").inner_text().strip(), page.get_by_test_id("stCode").inner_text().strip()


def test_two_page_form_with_an_attachment(live: LiveServer, browser: Browser, reviewer: Page, viewport: str,
                                          shots: Shots) -> None:
    photo = png()
    reference, code = _resident_submits_with_photo(new_page(browser, viewport), live.base, photo, shots)
    assert reference.startswith("TR-") and len(code) >= 20

    open_case(reviewer, reference)
    expect(reviewer.get_by_text("Tree work permit", exact=True)).to_be_visible()
    download_button = reviewer.get_by_role("button", name="tree.png (1 kB)")
    with reviewer.expect_download() as download:
        download_button.click()
    shots(reviewer, "reviewer-case-with-file")
    assert download.value.suggested_filename == "tree.png"
    fetched = download.value.path().read_bytes()
    assert hashlib.sha256(fetched).hexdigest() == hashlib.sha256(photo).hexdigest()


REASON = "Not a **pothole**: the [kerb](https://example.org) belongs to the _canal authority_ #3."


def test_rejection_reason_reaches_the_resident_as_plain_text(live: LiveServer, browser: Browser, reviewer: Page,
                                                              viewport: str, shots: Shots) -> None:
    receipt = submitted(live.database_url, "report-pothole", pothole(f"Canal Walk 7 ({viewport})"),
                        f"reject-{viewport}")
    open_case(reviewer, receipt.reference)
    reviewer.get_by_text("Reject", exact=True).first.click()  # the radio choice
    settle(reviewer)
    reviewer.get_by_label("Reason for the rejection (the resident reads this)").fill(REASON)
    reviewer.get_by_role("button", name="Reject", exact=True).click()
    expect(reviewer.get_by_text("Rejected. The resident is told.")).to_be_visible(timeout=15_000)
    shots(reviewer, "reviewer-rejected")

    resident = new_page(browser, viewport)
    track(resident, live.base, receipt.reference, receipt.access_code or "")
    expect(metric(resident, "Status")).to_have_text("Rejected")
    main = resident.get_by_test_id("stMain")
    expect(main.get_by_test_id("stText").filter(has_text=REASON)).to_have_text(REASON)  # every character as typed
    expect(main.get_by_role("link", name="kerb")).to_have_count(0)
    expect(main.locator("strong, em")).to_have_count(0)
    expect(main.get_by_role("button", name="Withdraw request")).to_have_count(0)  # decided: nothing to withdraw
    shots(resident, "resident-sees-rejection")


def _inbox_references(page: Page, tab: str) -> list[str]:
    """The references the inbox offers to open on one tab (the table is drawn on a canvas), read anew."""
    nav(page, "Inbox", until=_tab_option(page, tab))
    if page.get_by_role("radio", name=re.compile(rf"^{re.escape(tab)} \(")).is_checked():
        # A click on the chosen tab runs nothing, and the list on screen may predate what the test just
        # changed: going through another tab has the page read the requests again.
        _show_tab(page, next(name for name in INBOX_TABS if name != tab))
    _show_tab(page, tab)
    chooser = page.get_by_role("combobox", name="Open a request")
    empty = page.get_by_text("No requests match.").or_(page.get_by_text("Nothing here. Well done!"))
    expect(chooser.or_(empty)).to_have_count(1)
    if empty.count():  # an empty tab shows a note instead of the table and the chooser
        return []
    open_list(page, chooser)
    names = [option.inner_text().strip() for option in page.get_by_role("option").all()]
    page.keyboard.press("Escape")
    return names


INBOX_TABS = ("Waiting for a decision", "Waiting for the resident", "Finished")


def _tab_option(page: Page, tab: str) -> Locator:
    return page.get_by_test_id("stRadioOption").filter(has_text=re.compile(rf"^{re.escape(tab)} \("))


def _show_tab(page: Page, tab: str) -> None:
    """Choose an inbox tab and wait for its own list: under load the previous tab's list can still be on
    screen after the click, so wait for this tab's count (its label says how many) above the list."""
    _tab_option(page, tab).click()
    expect(page.get_by_role("radio", name=re.compile(rf"^{re.escape(tab)} \("))).to_be_checked()
    settle(page)
    count = int(re.search(r"\((\d+)\)$", _tab_option(page, tab).inner_text().strip()).group(1))
    expect(page.get_by_text(re.compile(rf"^{count} requests?$"))).to_be_visible()


def test_resident_withdraws_and_the_inbox_lets_go(live: LiveServer, browser: Browser, reviewer: Page,
                                                  viewport: str, shots: Shots) -> None:
    receipt = submitted(live.database_url, "report-pothole", pothole(f"Mill Lane 2 ({viewport})"),
                        f"withdraw-{viewport}")
    assert receipt.reference in _inbox_references(reviewer, "Waiting for a decision")

    resident = new_page(browser, viewport)
    track(resident, live.base, receipt.reference, receipt.access_code or "")
    expander(resident, "Your answers").click()
    expect(resident.get_by_test_id("stExpanderDetails").first).to_be_visible()
    settle(resident)
    shots(resident, "resident-answers")
    expander(resident, "Withdraw this request").click()
    withdraw = resident.get_by_role("button", name="Withdraw request")
    expect(withdraw).to_be_disabled()  # nothing happens before the resident confirms
    resident.get_by_text("I want to withdraw this request. This cannot be undone.").click()
    settle(resident)
    shots(resident, "resident-confirms-withdrawal")
    withdraw.click()
    expect(resident.get_by_text("Your request was withdrawn.")).to_be_visible(timeout=15_000)
    expect(metric(resident, "Status")).to_have_text("Withdrawn by you")
    expect(resident.get_by_role("button", name="Withdraw request")).to_have_count(0)
    shots(resident, "resident-withdrawn")

    assert receipt.reference not in _inbox_references(reviewer, "Waiting for a decision")
    assert receipt.reference in _inbox_references(reviewer, "Finished")
    shots(reviewer, "reviewer-inbox-finished")
    assert state_of(live.database_url, receipt.reference) == "withdrawn"
