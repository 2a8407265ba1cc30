"""A real browser: a reviewer asks for more information, the resident answers on the tracking page,
and the request is back at the same step with the answer in its history (issue 5).

The resident side runs at a desktop and at a phone width (issue 8); the reviewer works at a desk, as in
the other journeys. One server per module; each width gets its own request.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from builder.ports import ANONYMOUS
from builder.usecases import forms, requests, review
from builder.usecases.requests import Receipt
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork
from tests.conftest import template
from tests.e2e.conftest import LiveServer, Shots, live_server, nav, new_page, settle, sign_in
from tests.e2e.journeys import metric, open_case
from tests.e2e.journeys import patient_expect  # noqa: F401 - autouse fixture
from tests.helpers import DESIGNER, ROADS, seed_organisation

pytestmark = pytest.mark.e2e
PORTS = range(8620, 8630)  # this test's share of the Streamlit ports


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder: Path = tmp_path_factory.mktemp("return")
    engine = make_engine(f"sqlite:///{folder / 'formwork.db'}")
    upgrade(engine)
    uow = seed_organisation(engine)
    forms.create_form(template("report-pothole"), DESIGNER, uow)
    forms.publish("report-pothole", DESIGNER, uow)
    engine.dispose()
    with live_server(folder, PORTS, seed=False) as server:
        yield server


@pytest.fixture(scope="module")
def reviewer(live: LiveServer, browser: Browser) -> Iterator[Page]:
    page = new_page(browser, "desktop")
    sign_in(page, live.base, "roads", "roads-test-passphrase")
    yield page
    page.context.close()


def _submitted(url: str, location: str, key: str) -> Receipt:
    engine = make_engine(url)
    try:
        return requests.submit("report-pothole", {"location": location, "size": "small"}, ANONYMOUS,
                               SqlUnitOfWork(engine), idempotency_key=key)
    finally:
        engine.dispose()


def _check_final_state(url: str, reference: str) -> None:
    engine = make_engine(url)
    try:
        case = review.open_case(reference, ROADS, SqlUnitOfWork(engine))
    finally:
        engine.dispose()
    assert (case.request.state, case.request.step_id) == ("in_review", "inspection")
    assert [e.event.action for e in case.history][-2:] == ["return", "answer"]


def test_return_for_information_round_trip(live: LiveServer, browser: Browser, reviewer: Page, viewport: str,
                                           shots: Shots) -> None:
    receipt = _submitted(live.database_url, f"Market Street 12 ({viewport})", f"return-{viewport}")
    reference, code = receipt.reference, receipt.access_code or ""
    question = f"Which side of the street is it on? ({viewport})"
    answer = f"The north side, in front of the bakery ({viewport})."

    open_case(reviewer, reference)
    reviewer.get_by_text("Ask the resident for more information").first.click()  # the radio choice
    settle(reviewer)
    reviewer.get_by_label("Your question to the resident").fill(question)
    shots(reviewer, "reviewer-asks")
    reviewer.get_by_role("button", name="Ask the resident for more information").click()
    expect(reviewer.get_by_text("Sent to the resident.")).to_be_visible(timeout=15_000)
    expect(metric(reviewer, "Status")).to_have_text("Waiting for the resident")
    shots(reviewer, "reviewer-sent")

    resident = new_page(browser, viewport)
    resident.goto(live.base)
    settle(resident)
    nav(resident, "Follow a request", until=resident.get_by_label("Reference"))
    resident.get_by_label("Reference").fill(reference)
    resident.get_by_role("textbox", name="Access code").fill(code)
    resident.get_by_role("button", name="Show my request").click()
    expect(resident.get_by_text(question)).to_be_visible(timeout=15_000)
    expect(metric(resident, "Status")).to_have_text("More information needed from you")
    resident.get_by_label("Your answer").fill(answer)
    shots(resident, "resident-answers-question")
    resident.get_by_role("button", name="Send answer").click()
    expect(resident.get_by_text("Your answer was sent")).to_be_visible(timeout=15_000)
    expect(metric(resident, "Status")).to_have_text("Being reviewed")
    expect(resident.get_by_label("Your answer")).to_have_count(0)  # nothing more to answer
    shots(resident, "resident-answer-sent")

    reviewer.reload()
    expect(reviewer.get_by_text(answer)).to_be_visible(timeout=15_000)
    expect(metric(reviewer, "Status")).to_have_text("Waiting for a decision")  # the staff wording
    shots(reviewer, "reviewer-sees-answer")
    resident.context.close()
    _check_final_state(live.database_url, reference)
