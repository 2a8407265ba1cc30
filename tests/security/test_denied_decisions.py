"""Refusals from the core on the case, dashboard and "my requests" pages reach the audit log.

The pages call a use case and, when it refuses (``PermissionDenied`` or ``NotFound``), hand the error
to ``ui.access.record_refusal``, which writes a "denied" event in its own transaction — after the
refused work rolled back, so the record survives it. A stale version (a colleague was faster) is not
an attempt at something forbidden and is not recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from builder.errors import FormworkError, NotFound, StaleRequest
from builder.usecases import forms, insights, requests, review
from builder.workflow import Action, Command
from storage.audit_check import verify_audit
from storage.models import AuditRecord
from storage.uow import SqlUnitOfWork
from tests.conftest import template
from tests.helpers import DESIGNER, EVENTS, RESIDENT, ROADS, ROADS2, seed_organisation
from ui import access, context
from ui.context import Services

POTHOLE = {"location": "Market Street 12", "size": "medium"}
OUTSIDER = DESIGNER.__class__("outsider", "Olly Outsider", designer_departments=frozenset({"elsewhere"}))


@pytest.fixture
def pothole(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[SqlUnitOfWork, requests.Receipt]]:
    uow = seed_organisation(engine)
    forms.create_form(template("report-pothole"), DESIGNER, uow)
    forms.publish("report-pothole", DESIGNER, uow)
    receipt = requests.submit("report-pothole", POTHOLE, RESIDENT, uow, idempotency_key="k")
    # What app.py installs for the pages: the factory record_refusal writes the audit event with.
    monkeypatch.setattr(context, "_installed", Services(uow_factory=lambda: SqlUnitOfWork(engine)))
    yield uow, receipt


def _audit(engine: Engine) -> list[tuple[str, str, str | None]]:
    with Session(engine) as session:
        return [(r.action, r.actor, r.comment) for r in session.exec(select(AuditRecord).order_by(AuditRecord.seq))]


def _as_page(actor: Any, what: str, call: Callable[[], object]) -> FormworkError:
    """What the pages do: call the use case; on failure, record it if it was a refusal."""
    with pytest.raises(FormworkError) as failed:
        call()
    access.record_refusal(actor, what, failed.value)
    return failed.value


def test_a_decision_by_a_reviewer_of_another_group_is_refused_and_the_attempt_is_audited(
        pothole: tuple[SqlUnitOfWork, requests.Receipt], engine: Engine) -> None:
    uow, receipt = pothole
    version = review.open_case(receipt.reference, ROADS, uow).request.row_version
    before = _audit(engine)
    error = _as_page(EVENTS, f"decision approve on case {receipt.reference}", lambda: review.act(
        receipt.reference, Command(Action.APPROVE, EVENTS, text="approved by the wrong office"), version,
        SqlUnitOfWork(engine), idempotency_key="forged"))
    assert isinstance(error, NotFound)  # reveals nothing about the request
    after = _audit(engine)
    # Exactly one new event: the refusal; nothing of the refused decision (state, decision, event) was kept.
    assert after[:len(before)] == before and len(after) == len(before) + 1
    assert after[-1][0] == "denied" and after[-1][1] == EVENTS.label
    assert after[-1][2] == f"decision approve on case {receipt.reference}"
    case = review.open_case(receipt.reference, ROADS, uow)
    assert case.request.state == "in_review" and case.request.row_version == version and not case.decided
    assert verify_audit(engine)[1] is None  # the chain is intact
    # The request's own group can still decide, with the same version.
    assert review.act(receipt.reference, Command(Action.APPROVE, ROADS), version, uow) == "approved"


def test_a_stale_decision_is_not_recorded_as_denied(pothole: tuple[SqlUnitOfWork, requests.Receipt],
                                                    engine: Engine) -> None:
    uow, receipt = pothole
    version = review.open_case(receipt.reference, ROADS, uow).request.row_version
    review.act(receipt.reference, Command(Action.COMMENT, ROADS2, text="I am on it"), version, uow)
    error = _as_page(ROADS, f"decision approve on case {receipt.reference}",
                     lambda: review.act(receipt.reference, Command(Action.APPROVE, ROADS), version, uow))
    assert isinstance(error, StaleRequest)
    assert "denied" not in [action for action, _, _ in _audit(engine)]


def test_dashboard_open_data_and_my_requests_refusals_are_audited(
        pothole: tuple[SqlUnitOfWork, requests.Receipt], engine: Engine) -> None:
    uow, receipt = pothole
    _as_page(ROADS, "dashboard of report-pothole", lambda: insights.dashboard(ROADS, uow, forms=("report-pothole",)))
    _as_page(OUTSIDER, "open data export of report-pothole", lambda: insights.open_data("report-pothole", OUTSIDER, uow))
    neighbour = RESIDENT.__class__("neighbour", "Nico Neighbour")
    _as_page(neighbour, f"my request {receipt.reference}",
             lambda: requests.my_request_status(receipt.reference, neighbour, uow))
    denied = [(who, what) for action, who, what in _audit(engine) if action == "denied"]
    assert denied == [(ROADS.label, "dashboard of report-pothole"),
                      (OUTSIDER.label, "open data export of report-pothole"),
                      (neighbour.label, f"my request {receipt.reference}")]
