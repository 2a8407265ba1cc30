"""Retention per kind of request on real databases (SQLite and PostgreSQL): the storage query and the
purge agree on which requests each period removes, and the rest stay whole."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from builder.usecases import forms, requests, review
from builder.workflow import Action, Command
from storage import retention
from storage.audit_check import verify_audit
from tests.conftest import template
from tests.helpers import DESIGNER, RESIDENT, ROADS, seed_organisation

T0 = datetime(2025, 2, 3, 10, tzinfo=UTC)
POTHOLE = {"location": "Market Street 12", "size": "small", "name": "Riley", "email": "riley@resident.example"}


def test_each_kind_is_purged_after_its_own_period(engine: Engine) -> None:
    uow = seed_organisation(engine)
    document = template("report-pothole")
    document["settings"].update(retention_days=365, retention_withdrawn_days=30, retention_abandoned_days=90)
    forms.create_form(document, DESIGNER, uow, now=T0 - timedelta(days=1))
    forms.publish("report-pothole", DESIGNER, uow, now=T0 - timedelta(days=1))

    def submit(key: str) -> str:
        return requests.submit("report-pothole", POTHOLE, RESIDENT, uow, idempotency_key=key, now=T0).reference

    approved = submit("approved")
    review.act(approved, Command(Action.APPROVE, ROADS), 1, uow, now=T0)
    gave_up = submit("withdrawn")
    requests.resident_act(gave_up, None, Action.WITHDRAW, "", 1, RESIDENT, uow, now=T0)
    asked = submit("asked")
    review.act(asked, Command(Action.RETURN, ROADS, text="A photo, please?"), 1, uow, now=T0)
    review.act(asked, Command(Action.COMMENT, ROADS, text="Still waiting."), 2, uow, now=T0 + timedelta(days=80))

    def purge(days: int) -> set[tuple[str, str, int, bool]]:
        result = retention.purge(engine, now=T0 + timedelta(days=days))
        return {(p.reference, p.state, p.retention_days, p.abandoned) for p in result.requests}

    assert purge(29) == set()
    assert purge(31) == {(gave_up, "withdrawn", 30, False)}
    assert purge(91) == {(asked, "withdrawn", 90, True)}  # waiting since day 0; the comment on day 80 does not count
    with uow.reading():
        kept = uow.requests.get(approved)
        assert kept is not None and kept.answers["name"] == "Riley"
    assert purge(366) == {(approved, "approved", 365, False)}
    assert purge(400) == set()  # idempotent
    with uow.reading():
        assert all(uow.requests.get(r).answers == {} for r in (approved, gave_up, asked))
        history = [e.event for e in uow.audit.for_request(asked)]
    assert [(e.action, e.actor) for e in history[-2:]] == [("abandon", "system"), ("purge", "retention")]
    assert "after 90 days" in history[-1].comment
    assert verify_audit(engine)[1] is None
