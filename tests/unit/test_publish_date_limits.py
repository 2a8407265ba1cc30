"""A date field with an earliest / latest day set in the builder can be published and is enforced."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from builder import editing as ed
from builder.errors import AnswersInvalid
from builder.lint import errors, lint
from builder.usecases import forms, requests
from tests.conftest import template
from tests.fakes import FakeUnitOfWork
from tests.helpers import DESIGNER, RESIDENT

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GROUPS = {"Events office": ["events"], "Public safety": ["safety"]}
PARTY = {"organiser": "Ann Organiser", "email": "ann@example.org", "street": "Elm Street",
         "start_time": "14:00", "end_time": "22:00", "guests": 40, "road_closure": False, "amplified_music": False}


def _party_with_date_limits() -> dict:
    document = template("street-party-permit")
    event_date = ed.read_field(document, "event_date")
    return ed.put_field(document, replace(event_date, earliest_date="2026-06-01", latest_date="today+365"))


def test_date_limits_set_in_the_builder_are_no_lint_error() -> None:
    document = _party_with_date_limits()
    assert errors(lint(document, group_size=lambda group: 1)) == []


def test_a_form_with_an_earliest_date_is_published_and_the_date_is_enforced() -> None:
    uow = FakeUnitOfWork(groups=GROUPS, departments={"events"})
    forms.create_form(_party_with_date_limits(), DESIGNER, uow, now=NOW)
    assert forms.publish("street-party-permit", DESIGNER, uow, now=NOW) == 1
    with pytest.raises(AnswersInvalid) as too_early:
        requests.submit("street-party-permit", {**PARTY, "event_date": "2026-05-31"}, RESIDENT, uow,
                        idempotency_key="early", now=NOW)
    assert [error.path for error in too_early.value.errors] == [("event_date",)]
    receipt = requests.submit("street-party-permit", {**PARTY, "event_date": "2026-06-01"}, RESIDENT, uow,
                              idempotency_key="ok", now=NOW)
    assert receipt.reference
