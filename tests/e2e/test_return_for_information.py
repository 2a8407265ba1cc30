"""A real browser: a reviewer asks for more information, the resident answers on the tracking page,
and the request is back at the same step with the answer in its history (issue 5)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from builder.ports import ANONYMOUS
from builder.usecases import forms, requests, review
from storage.engine import make_engine
from storage.migrate import upgrade
from tests.conftest import template
from tests.e2e.conftest import LiveServer, live_server, nav, new_page, settle, sign_in
from tests.helpers import DESIGNER, ROADS, seed_organisation

pytestmark = pytest.mark.e2e
PORTS = range(8620, 8630)  # this test's share of the Streamlit ports


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[LiveServer, str, str]]:
    url = f"sqlite:///{tmp_path / 'formwork.db'}"
    engine = make_engine(url)
    upgrade(engine)
    uow = seed_organisation(engine)
    forms.create_form(template("report-pothole"), DESIGNER, uow)
    forms.publish("report-pothole", DESIGNER, uow)
    receipt = requests.submit("report-pothole", {"location": "Market Street 12", "size": "small"}, ANONYMOUS, uow,
                              idempotency_key="e2e")
    engine.dispose()
    with live_server(tmp_path, PORTS, seed=False) as live:
        yield live, receipt.reference, receipt.access_code or ""


def _check_final_state(url: str, reference: str) -> None:
    from storage.uow import SqlUnitOfWork

    case = review.open_case(reference, ROADS, SqlUnitOfWork(make_engine(url)))
    assert (case.request.state, case.request.step_id) == ("in_review", "inspection")
    assert [e.event.action for e in case.history][-2:] == ["return", "answer"]


def test_return_for_information_round_trip(server: tuple[LiveServer, str, str], browser: Browser) -> None:
    live, reference, code = server
    base = live.base
    reviewer = new_page(browser, "desktop")
    sign_in(reviewer, base, "roads", "roads-test-passphrase")
    nav(reviewer, "Inbox", until=reviewer.get_by_role("combobox", name="Open a request"))
    reviewer.get_by_role("combobox", name="Open a request").click()
    reviewer.get_by_role("option", name=reference).click()
    settle(reviewer)
    reviewer.get_by_role("button", name="Open request").click()
    expect(reviewer.get_by_role("heading", name=reference)).to_be_visible(timeout=15_000)
    reviewer.get_by_text("Ask the resident for more information").first.click()
    settle(reviewer)
    reviewer.get_by_label("Your question to the resident").fill("Which side of the street is it on?")
    reviewer.get_by_role("button", name="Ask the resident for more information").click()
    expect(reviewer.get_by_text("Sent to the resident.")).to_be_visible(timeout=15_000)

    resident = new_page(browser, "phone")
    resident.goto(base)
    settle(resident)
    nav(resident, "Follow a request", until=resident.get_by_label("Reference"))
    resident.get_by_label("Reference").fill(reference)
    resident.get_by_role("textbox", name="Access code").fill(code)
    resident.get_by_role("button", name="Show my request").click()
    expect(resident.get_by_text("Which side of the street is it on?")).to_be_visible(timeout=15_000)
    expect(resident.get_by_text("More information needed from you")).to_be_visible()
    resident.get_by_label("Your answer").fill("The north side, in front of the bakery.")
    resident.get_by_role("button", name="Send answer").click()
    expect(resident.get_by_text("Your answer was sent")).to_be_visible(timeout=15_000)
    expect(resident.get_by_text("Being reviewed")).to_be_visible()

    reviewer.reload()
    expect(reviewer.get_by_text("The north side, in front of the bakery.")).to_be_visible(timeout=15_000)
    expect(reviewer.get_by_text("Waiting for a decision").first).to_be_visible()  # the staff wording
    _check_final_state(live.database_url, reference)
