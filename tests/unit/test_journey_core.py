"""The foundation journey through the use cases, on the in-memory unit of work."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from builder.errors import AnswersInvalid, NotFound, PermissionDenied, StaleRequest
from builder.references import REFERENCE_PATTERN
from builder.usecases import forms, requests, review
from builder.workflow import Action, Command
from tests.conftest import template
from tests.fakes import FakeUnitOfWork
from tests.helpers import ADMIN, DESIGNER, ROADS, ROADS2, RESIDENT

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
POTHOLE = {"location": "Market Street 12", "size": "medium", "email": "riley@example.org"}


@pytest.fixture
def uow() -> FakeUnitOfWork:
    fake = FakeUnitOfWork(groups={"Road inspectors": ["roads", "roads2"], "Events office": ["events"],
                                  "Public safety": ["safety"]}, departments={"public-works", "events"})
    forms.create_form(template("report-pothole"), DESIGNER, fake, now=NOW)
    forms.publish("report-pothole", DESIGNER, fake, now=NOW)
    return fake


def submit(uow: FakeUnitOfWork, answers: dict | None = None, key: str = "k1") -> requests.Receipt:
    return requests.submit("report-pothole", answers or POTHOLE, RESIDENT, uow, idempotency_key=key, now=NOW)


def test_publish_creates_numbered_immutable_versions(uow: FakeUnitOfWork) -> None:
    draft = uow.forms.get("report-pothole")
    assert draft is not None
    changed = {**draft.draft, "title": "Report a pothole or crack"}
    forms.save_draft("report-pothole", changed, draft.draft_revision, DESIGNER, uow, now=NOW)
    assert forms.publish("report-pothole", DESIGNER, uow, now=NOW) == 2
    first, second = uow.forms.version("report-pothole", 1), uow.forms.version("report-pothole", 2)
    assert first and second
    assert first.definition["title"] == "Report a pothole"
    assert second.definition["title"] == "Report a pothole or crack"


def test_submission_points_to_the_exact_version_it_was_made_with(uow: FakeUnitOfWork) -> None:
    receipt = submit(uow)
    draft = uow.forms.get("report-pothole")
    assert draft is not None
    forms.save_draft("report-pothole", {**draft.draft, "title": "New"}, draft.draft_revision, DESIGNER, uow, now=NOW)
    forms.publish("report-pothole", DESIGNER, uow, now=NOW)
    stored = uow.requests.get(receipt.reference)
    assert stored is not None and stored.version_number == 1


def test_submit_gives_a_readable_reference_and_a_secret_code(uow: FakeUnitOfWork) -> None:
    receipt = submit(uow)
    assert REFERENCE_PATTERN.match(receipt.reference) and receipt.reference == "PW-2026-00001"
    assert receipt.access_code and len(receipt.access_code.replace("-", "")) == 26  # 128 bits in base 32
    assert submit(uow, key="k2").reference == "PW-2026-00002"
    stored = uow.requests.get(receipt.reference)
    assert stored is not None and receipt.access_code not in stored.access_code_hash


def test_submit_validates_on_the_server(uow: FakeUnitOfWork) -> None:
    with pytest.raises(AnswersInvalid) as caught:
        submit(uow, {"location": "x", "size": "huge", "status": "approved"})
    messages = {error.path: error.message for error in caught.value.errors}
    assert messages[("location",)] == "Enter at least 3 characters."
    assert messages[("size",)] == ("Choose one of: “Smaller than a hand”, “About the size of a dinner plate”, "
                                   "“Larger than a car tyre”.")  # the labels residents saw, not the codes
    assert any("extra" in m for m in messages.values())  # a crafted "status" answer is refused
    assert uow.requests.rows == {} and uow.commits == 2  # nothing half-written


def test_double_submit_is_applied_once(uow: FakeUnitOfWork) -> None:
    first = submit(uow, key="same")
    again = submit(uow, key="same")
    assert again.reference == first.reference and again.access_code is None
    assert len(uow.requests.rows) == 1


def test_reviewer_approves_and_resident_sees_the_outcome(uow: FakeUnitOfWork) -> None:
    receipt = submit(uow)
    page = review.inbox(ROADS, uow)
    assert [r.reference for r in page.rows] == [receipt.reference] and page.total == 1
    row = page.rows[0]
    assert row.due_on == date(2026, 3, 9)  # five working days after Monday
    state = review.act(receipt.reference, Command(Action.APPROVE, ROADS), row.row_version, uow, now=NOW)
    assert state == "approved"
    assert receipt.access_code
    view = requests.status(receipt.reference, receipt.access_code, uow)
    assert view.state_label == "Approved"
    assert [e.event.action for e in uow.audit.for_request(receipt.reference)] == [
        "submit", "enter_step", "approve", "complete"]


def test_reference_alone_shows_nothing(uow: FakeUnitOfWork) -> None:
    receipt = submit(uow)
    with pytest.raises(NotFound) as caught:
        requests.status(receipt.reference, "0000-0000-0000-0000-0000-0000-00", uow)
    assert "access code" in str(caught.value)
    with pytest.raises(NotFound) as unknown:
        requests.status("PW-2026-09999", "anything", uow)
    assert str(unknown.value) == str(caught.value)  # the same message: no hint that the reference exists


def test_a_stale_decision_is_refused(uow: FakeUnitOfWork) -> None:
    receipt = submit(uow)
    seen = review.inbox(ROADS, uow).rows[0].row_version
    review.act(receipt.reference, Command(Action.COMMENT, ROADS2, text="on my way"), seen, uow, now=NOW)
    with pytest.raises(StaleRequest) as caught:
        review.act(receipt.reference, Command(Action.APPROVE, ROADS), seen, uow, now=NOW)
    assert "changed since you opened it" in str(caught.value)


def test_other_groups_cannot_decide(uow: FakeUnitOfWork) -> None:
    from tests.helpers import EVENTS

    receipt = submit(uow)
    with pytest.raises(NotFound):  # as if the request did not exist: nothing leaks to other groups
        review.act(receipt.reference, Command(Action.APPROVE, EVENTS), 1, uow, now=NOW)
    with pytest.raises(NotFound):
        review.open_case(receipt.reference, EVENTS, uow)
    with pytest.raises(PermissionDenied):
        review.inbox(RESIDENT, uow)


def test_designers_only_publish_their_departments(uow: FakeUnitOfWork) -> None:
    from builder.ports import Actor

    outsider = Actor("other", designer_departments=frozenset({"social"}))
    with pytest.raises(NotFound):
        forms.publish("report-pothole", outsider, uow, now=NOW)
    assert forms.publish("report-pothole", ADMIN, uow, now=NOW) == 2
