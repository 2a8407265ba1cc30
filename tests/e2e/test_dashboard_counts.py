"""The efficiency dashboard in Chromium (issue 8), at a desktop and a phone width: a designer sees figures
that match the requests this test made — read from the page's metrics and from the per-form table it offers
as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from builder.workflow import Action
from tests.e2e.conftest import LiveServer, Shots, live_server, nav, new_page, settle, sign_in
from tests.e2e.journeys import decided, metric, pothole, seeded_database, submitted, warm_up, withdrawn
from tests.e2e.journeys import patient_expect  # noqa: F401 - autouse fixture

pytestmark = pytest.mark.e2e
PORTS = range(8750, 8760)  # this module's share of issue 8's ports (8740-8779)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, browser: Browser) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("dashboard")
    url = seeded_database(folder)
    # Six pothole reports: two approved, one rejected, one withdrawn, one waiting for the resident, one open.
    receipts = [submitted(url, "report-pothole", pothole(f"Station Road {n}"), f"dash-{n}") for n in range(6)]
    decided(url, receipts[0].reference, Action.APPROVE)
    decided(url, receipts[1].reference, Action.APPROVE)
    decided(url, receipts[2].reference, Action.REJECT, "A private road.")
    withdrawn(url, receipts[3])
    decided(url, receipts[4].reference, Action.RETURN, "Which side of the road?")
    with live_server(folder, PORTS, seed=False) as server:
        warm_up(browser, server.base)
        yield server


def test_dashboard_counts_match_the_requests(live: LiveServer, browser: Browser, viewport: str, shots: Shots) -> None:
    page = new_page(browser, viewport)
    sign_in(page, live.base, "designer")
    nav(page, "Dashboard", until=page.get_by_role("heading", name="Efficiency dashboard"))
    expect(page.get_by_role("heading", name="Efficiency dashboard")).to_be_visible(timeout=15_000)
    # The figures are computed on the first visit (seconds on a busy machine) and cached for five minutes.
    expect(metric(page, "Requests received")).to_be_visible(timeout=60_000)
    settle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    shots(page, f"dashboard-{viewport}")

    expect(metric(page, "Requests received")).to_have_text("6")
    expect(metric(page, "Open now")).to_have_text("2")  # the open one and the one waiting for the resident
    expect(metric(page, "Approved")).to_have_text("67%")  # of the three decided: withdrawn is not a decision

    with page.expect_download() as download:
        page.get_by_role("button", name="Download forms (CSV)").click()
    text = download.value.path().read_text(encoding="utf-8-sig")  # with a byte-order mark, for Excel
    rows = {row["Form"]: row for row in csv.DictReader(io.StringIO(text))}
    potholes = rows["Report a pothole"]
    assert {k: potholes[k] for k in ("Received", "Open now", "Approved", "Rejected", "Withdrawn")} == {
        "Received": "6", "Open now": "2", "Approved": "2", "Rejected": "1", "Withdrawn": "1"}
