"""``kill -9`` of the real app — ``streamlit run`` on 127.0.0.1 — right after a resident clicks Submit and
right after a reviewer clicks Approve, then a restart on the same SQLite database.

tests/faults/test_kill_during_writes.py kills a helper that calls the use cases in a loop; this test kills
the server people actually use, at the moment a browser's click reaches it. A random delay of 0 to 0.6 s
between the click and SIGKILL lets the kill land before, during or after the write; whichever it is:

- the resident's request is either stored whole (its submit event, its acknowledgement mail, listed on
  "My requests" and openable there after the restart) or absent with nothing half-written;
- the decision is either stored whole (state, decision row, audit event agree) or not at all;
- the restarted app serves the next request: a submission in the browser whose access code then tracks
  it on "Follow a request";
- the audit chain verifies and SQLite's integrity check passes.

The live-server helper and the browser steps are the e2e suite's (tests/e2e/conftest.py); the browser is
the session's one Chromium (tests/conftest.py). Three server starts; about a minute on a quiet machine.
"""

from __future__ import annotations

import json
import os
import random
import signal
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine, text

from storage.audit_check import verify_audit
from storage.engine import make_engine
from tests.e2e.conftest import LiveServer, Shots, live_server, nav, new_page, settle, sign_in
from tests.e2e.journeys import box, metric
from tests.load.workload import Outcome, stored_problems

PORTS = range(8776, 8780)  # issue 8's share of the Streamlit ports (8740-8779); e2e modules use the rest
WAIT = 20_000  # ms: a first script run after a restart imports everything on a shared machine
pytestmark = [pytest.mark.faults, pytest.mark.e2e]


def _kill(server: LiveServer, delay: float) -> None:
    """SIGKILL ``delay`` seconds after the click, then wait until the port no longer answers."""
    time.sleep(delay)
    os.kill(server.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{server.base}/_stcore/health", timeout=0.5)
        except OSError:
            return
        time.sleep(0.1)
    raise AssertionError("the server still answers after SIGKILL")


def _fill_pothole(page: Page, base: str, location: str) -> None:
    page.goto(base)
    settle(page)
    page.locator('a[href*="form=report-pothole"]').first.click()
    where = box(page, "textbox", "Where is the pothole?")
    expect(where).to_be_visible(timeout=WAIT)
    where.fill(location)
    page.get_by_text("Smaller than a hand", exact=True).click()
    settle(page)
    page.get_by_role("button", name="Next").click()
    name = box(page, "textbox", "Your name")
    expect(name).to_be_visible(timeout=WAIT)
    name.fill("Riley Resident")
    email = box(page, "textbox", "Your email address")
    email.fill("riley@example.org")
    email.press("Enter")
    settle(page)


def _requests_at(engine: Engine, location: str) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT reference, state, step_id, submitted_by, answers FROM submission")
                                  ).mappings().all()
    def answers(row: Any) -> dict[str, Any]:
        return row["answers"] if isinstance(row["answers"], dict) else json.loads(row["answers"])
    return [dict(row) for row in rows if answers(row).get("location") == location]


def _whole(engine: Engine) -> None:
    """Nothing half-written anywhere (tests/load's checks, kills allowed) and the database file is sound."""
    assert stored_problems(engine, Outcome(), every_write_acknowledged=False) == []
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
    counted, broken = verify_audit(engine)
    assert broken is None, f"audit chain broken at event {broken} of {counted}"


def _my_requests(page: Page, base: str) -> None:
    page.goto(base)
    settle(page)
    nav(page, "My requests", until=page.get_by_role("heading", name="My requests", level=1))


def _open_mine(page: Page, reference: str) -> None:
    chooser = page.get_by_role("combobox", name="Open a request")
    for attempt in range(3):  # a tap during a script run may only focus the box
        chooser.click()
        try:
            expect(page.get_by_role("option", name=reference, exact=True)).to_be_visible(timeout=5_000)
            break
        except AssertionError:
            page.keyboard.press("Escape")
            settle(page)
            if attempt == 2:
                raise
    page.get_by_role("option", name=reference, exact=True).click()
    expect(page.get_by_role("heading", name=reference)).to_be_visible(timeout=WAIT)
    settle(page)


def test_kill_9_of_streamlit_right_after_submit_and_approve(tmp_path: Path, browser: Browser,
                                                            record_property: pytest.RecordProperty) -> None:
    started = time.monotonic()
    shots = Shots("test_kill_9_of_streamlit_right_after_submit_and_approve")
    url = f"sqlite:///{tmp_path / 'formwork.db'}"
    engine = make_engine(url)
    resident = new_page(browser, "phone")
    first_delay, second_delay = random.uniform(0, 0.6), random.uniform(0, 0.6)

    # 1. A signed-in resident clicks Submit; the server dies right after.
    with live_server(tmp_path, PORTS) as first:
        sign_in(resident, first.base, "resident")
        _fill_pothole(resident, first.base, "Kill Street 1")
        resident.get_by_role("button", name="Submit").click()
        _kill(first, first_delay)
    killed = _requests_at(engine, "Kill Street 1")
    assert len(killed) <= 1, killed  # stored once or not at all
    _whole(engine)

    with live_server(tmp_path, PORTS, seed=False) as second:
        # 2. Restarted on the same database: the resident finds the request there, or nothing.
        _my_requests(resident, second.base)  # still signed in: the session lives in the database
        if killed:
            request = killed[0]
            assert (request["state"], request["step_id"], request["submitted_by"]) == (
                "in_review", "inspection", "resident")
            _open_mine(resident, request["reference"])
            expect(metric(resident, "Status")).to_have_text("Being reviewed")
        else:
            expect(resident.get_by_text("You have not submitted any requests with this account yet.")
                   ).to_be_visible(timeout=WAIT)
        shots(resident, "after-restart-my-requests")

        # 3. The restarted app serves the next request, and its access code tracks it.
        _fill_pothole(resident, second.base, "Kill Street 2")
        resident.get_by_role("button", name="Submit").click()
        expect(resident.get_by_text("Your request has been submitted.")).to_be_visible(timeout=WAIT)
        reference = resident.get_by_test_id("stMetricValue").inner_text().strip()
        code = resident.get_by_test_id("stCode").inner_text().strip()
        shots(resident, "after-restart-receipt")
        visitor = new_page(browser, "phone")  # anyone with the reference and the code, not signed in
        visitor.goto(second.base)
        settle(visitor)
        nav(visitor, "Follow a request", until=visitor.get_by_label("Reference"))
        visitor.get_by_label("Reference").fill(reference)
        visitor.get_by_role("textbox", name="Access code").fill(code)
        visitor.get_by_role("button", name="Show my request").click()
        expect(visitor.get_by_role("heading", name=reference)).to_be_visible(timeout=WAIT)
        expect(metric(visitor, "Status")).to_have_text("Being reviewed")
        shots(visitor, "after-restart-tracked-with-code")
        visitor.context.close()

        # 4. A reviewer clicks Approve on it; the server dies right after.
        reviewer = new_page(browser, "desktop")
        sign_in(reviewer, second.base, "roads")
        reviewer.goto(f"{second.base}/case?ref={reference}")
        expect(reviewer.get_by_role("heading", name=reference)).to_be_visible(timeout=WAIT)
        settle(reviewer)
        expect(reviewer.get_by_test_id("stException")).to_have_count(0)
        approve = reviewer.get_by_role("button", name="Approve", exact=True)  # "Approve" is the preselected action
        expect(approve).to_be_visible(timeout=WAIT)
        approve.click()
        _kill(second, second_delay)
    approved = _requests_at(engine, "Kill Street 2")
    assert len(approved) == 1 and approved[0]["state"] in {"in_review", "approved"}, approved
    _whole(engine)  # state, decision row and audit event agree: decided whole or not at all

    # 5. Restarted again: the reviewer sees what is stored, and the audit chain still verifies.
    with live_server(tmp_path, PORTS, seed=False) as third:
        # The case link is the first page this server serves: the reviewer is still signed in by cookie.
        reviewer.goto(f"{third.base}/case?ref={reference}")
        expect(reviewer.get_by_role("heading", name=reference)).to_be_visible(timeout=WAIT)
        shown = "Approved" if approved[0]["state"] == "approved" else "Waiting for a decision"
        expect(metric(reviewer, "Status")).to_have_text(shown)
        shots(reviewer, "after-restart-reviewer-case")
    reviewer.context.close()
    resident.context.close()
    _whole(engine)
    with engine.connect() as connection:
        events = connection.execute(text("SELECT COUNT(*) FROM audit_event")).scalar_one()
    engine.dispose()
    seconds = time.monotonic() - started
    record_property("figures", f"kill -9 of streamlit run: submit killed after {first_delay:.2f} s → "
                               f"{'stored' if killed else 'absent'}; approve killed after {second_delay:.2f} s → "
                               f"{approved[0]['state']}; {events} audit events verified; {seconds:.0f} s")
