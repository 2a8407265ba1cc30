"""Links into the app work on the very first page a freshly started server serves (issue 8).

A server just started (after an update, a crash, a restart at night) treats `pages/` as a legacy
multipage folder until a session has run app.py's `st.navigation`; its first deep link then runs the
page file alone. Such a link must still open the page it names, with its query string:

- the tracking link of a receipt mail, opened on a phone, shows the tracking page with the reference;
- a reviewer still signed in from before the restart opens the case a link names.

No warm-up visit here: each link is the first page load of its server.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from builder.notifications import tracking_link
from builder.usecases.requests import Receipt
from storage.engine import make_engine
from storage.uow import SqlUnitOfWork
from tests.e2e.conftest import Shots, live_server, new_page, settle, sign_in
from tests.e2e.journeys import ROADS, metric, pothole, seeded_database, submitted
from tests.e2e.journeys import patient_expect  # noqa: F401 - autouse fixture

pytestmark = pytest.mark.e2e
PORTS = range(8670, 8675)  # this module's share of issue 8's ports (8660-8679)


@pytest.fixture
def request_in_review(tmp_path: Path) -> tuple[Path, str, Receipt]:
    url = seeded_database(tmp_path)
    return tmp_path, url, submitted(url, "report-pothole", pothole("Mill Lane 7"), "deep-link-mail")


def test_tracking_link_from_a_mail_opens_on_the_first_visit_after_a_start(
        request_in_review: tuple[Path, str, Receipt], browser: Browser, shots: Shots) -> None:
    folder, url, receipt = request_in_review
    with live_server(folder, PORTS, seed=False) as server:
        record = SqlUnitOfWork(make_engine(url))
        with record:
            stored = record.requests.get(receipt.reference)
        link = tracking_link(server.base, stored)
        assert link == f"{server.base}/track?ref={receipt.reference}&lang=en"
        resident = new_page(browser, "phone")
        resident.goto(link)
        expect(resident.get_by_role("heading", name="Follow a request", level=1)).to_be_visible()
        settle(resident)
        expect(resident.get_by_role("textbox", name="Reference")).to_have_value(receipt.reference)
        assert "/track?" in resident.url and f"ref={receipt.reference}" in resident.url
        resident.get_by_role("textbox", name="Access code").fill(receipt.access_code or "")
        resident.get_by_role("button", name="Show my request").click()
        expect(resident.get_by_role("heading", name=receipt.reference)).to_be_visible()
        expect(metric(resident, "Status")).to_have_text("Being reviewed")
        expect(resident.get_by_test_id("stException")).to_have_count(0)
        shots(resident, "tracking-link-first-visit-phone")
        resident.context.close()


def test_signed_in_reviewer_opens_a_case_link_on_the_first_visit_after_a_restart(
        request_in_review: tuple[Path, str, Receipt], browser: Browser, shots: Shots) -> None:
    folder, _url, receipt = request_in_review
    reviewer = new_page(browser, "desktop")
    with live_server(folder, PORTS, seed=False) as before:
        sign_in(reviewer, before.base, ROADS.username)
    # The login cookie belongs to 127.0.0.1 whatever the port: the restarted server sees it on its first page.
    with live_server(folder, PORTS, seed=False) as after:
        reviewer.goto(f"{after.base}/case?ref={receipt.reference}")
        expect(reviewer.get_by_role("heading", name=receipt.reference)).to_be_visible()
        expect(metric(reviewer, "Status")).to_have_text("Waiting for a decision")
        assert "/case?" in reviewer.url
        expect(reviewer.get_by_test_id("stException")).to_have_count(0)
        shots(reviewer, "case-link-first-visit-after-restart")
    reviewer.context.close()
