"""Retention per kind of request: approved or rejected, withdrawn, abandoned (waiting for the resident)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from builder.definition import parse_definition
from builder.usecases import forms, insights, requests, review
from builder.workflow import Action, Command
from tests.conftest import template
from tests.fakes import FakeUnitOfWork
from tests.helpers import DESIGNER, RESIDENT, ROADS

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
POTHOLE = {"location": "Market Street 12", "size": "medium", "email": "riley@example.org"}


def published(**periods: int) -> FakeUnitOfWork:
    uow = FakeUnitOfWork(groups={"Road inspectors": ["roads", "roads2"]}, departments={"public-works", "events"})
    document = template("report-pothole")
    document["settings"].update(periods)
    forms.create_form(document, DESIGNER, uow, now=T0)
    forms.publish("report-pothole", DESIGNER, uow, now=T0)
    return uow


def submitted(uow: FakeUnitOfWork, key: str) -> str:
    return requests.submit("report-pothole", POTHOLE, RESIDENT, uow, idempotency_key=key, now=T0).reference


def decided(uow: FakeUnitOfWork, key: str, action: Action, *, at: datetime = T0) -> str:
    reference = submitted(uow, key)
    review.act(reference, Command(action, ROADS, text="Because."), 1, uow, now=at)
    return reference


def withdrawn(uow: FakeUnitOfWork, key: str, *, at: datetime = T0) -> str:
    reference = submitted(uow, key)
    requests.resident_act(reference, None, Action.WITHDRAW, "", 1, RESIDENT, uow, now=at)
    return reference


def purged(uow: FakeUnitOfWork, days: int) -> dict[str, tuple[str, int, bool]]:
    return {p.reference: (p.state, p.retention_days, p.abandoned)
            for p in insights.purge_expired(uow, now=T0 + timedelta(days=days))}


def test_each_kind_of_request_is_kept_for_its_own_period() -> None:
    uow = published(retention_days=730, retention_withdrawn_days=30, retention_abandoned_days=60)
    approved = decided(uow, "a", Action.APPROVE)
    rejected = decided(uow, "r", Action.REJECT)
    gave_up = withdrawn(uow, "w")
    withdrawn_later = withdrawn(uow, "w2", at=T0 + timedelta(days=40))
    asked = decided(uow, "n", Action.RETURN)

    assert purged(uow, 29) == {}
    assert purged(uow, 31) == {gave_up: ("withdrawn", 30, False)}
    assert purged(uow, 61) == {asked: ("withdrawn", 60, True)}
    assert purged(uow, 71) == {withdrawn_later: ("withdrawn", 30, False)}
    assert purged(uow, 729) == {}
    assert purged(uow, 731) == {approved: ("approved", 730, False), rejected: ("rejected", 730, False)}
    events = [e.event for e in uow.audit.for_request(asked)]
    assert [(e.action, e.actor) for e in events[-2:]] == [("abandon", "system"), ("purge", "retention")]
    assert "after 60 days" in events[-1].comment
    assert "after 30 days" in uow.audit.for_request(gave_up)[-1].event.comment


def test_abandoned_counts_from_when_the_waiting_started_not_from_a_later_comment() -> None:
    uow = published(retention_days=730, retention_abandoned_days=60)
    asked = decided(uow, "n", Action.RETURN)
    review.act(asked, Command(Action.COMMENT, ROADS, text="Still waiting for the photo."), 2, uow,
               now=T0 + timedelta(days=50))
    answered = decided(uow, "m", Action.RETURN)
    requests.resident_act(answered, None, Action.ANSWER, "Here it is.", 2, RESIDENT, uow, now=T0 + timedelta(days=10))
    asked_again = uow.requests.get(answered)
    assert asked_again is not None and asked_again.state == "in_review"
    review.act(answered, Command(Action.RETURN, ROADS, text="And the size?"), asked_again.row_version, uow,
               now=T0 + timedelta(days=20))

    assert purged(uow, 59) == {}
    assert purged(uow, 61) == {asked: ("withdrawn", 60, True)}  # the comment on day 50 did not restart the clock
    assert purged(uow, 79) == {}  # asked again on day 20: waiting since then
    assert purged(uow, 81) == {answered: ("withdrawn", 60, True)}


def test_a_longer_period_for_abandoned_requests_keeps_them_open_past_the_finished_one() -> None:
    uow = published(retention_days=30, retention_abandoned_days=365)
    approved = decided(uow, "a", Action.APPROVE)
    asked = decided(uow, "n", Action.RETURN)
    gave_up = withdrawn(uow, "w")
    assert purged(uow, 31) == {approved: ("approved", 30, False), gave_up: ("withdrawn", 30, False)}
    still = uow.requests.get(asked)
    assert still is not None and still.state == "needs_info" and still.answers
    assert purged(uow, 366) == {asked: ("withdrawn", 365, True)}


def test_without_their_own_periods_withdrawn_and_abandoned_follow_the_finished_one() -> None:
    uow = published(retention_days=100)
    references = {decided(uow, "a", Action.APPROVE), withdrawn(uow, "w"), decided(uow, "n", Action.RETURN)}
    assert purged(uow, 99) == {}
    assert {r: days for r, (_state, days, _abandoned) in purged(uow, 101).items()} == dict.fromkeys(references, 100)


def test_stored_definitions_without_the_new_periods_parse_unchanged() -> None:
    document = template("report-pothole")
    assert "retention_withdrawn_days" not in document["settings"]
    settings = parse_definition(document).settings
    assert (settings.retention_days, settings.retention_withdrawn_days, settings.retention_abandoned_days) == (
        730, None, None)
    assert (settings.retention.finished_days, settings.retention.withdrawn_days,
            settings.retention.abandoned_days) == (730, 730, 730)
    document["settings"].update(retention_withdrawn_days=14, retention_abandoned_days=90)
    own = parse_definition(document).settings.retention
    assert (own.finished_days, own.withdrawn_days, own.abandoned_days) == (730, 14, 90)


@pytest.mark.parametrize("name", ["retention_withdrawn_days", "retention_abandoned_days"])
@pytest.mark.parametrize("days", [0, -30, 36501])
def test_a_period_out_of_range_is_refused(name: str, days: object) -> None:
    document = template("report-pothole")
    document["settings"][name] = days
    with pytest.raises(ValidationError):
        parse_definition(document)
