"""The foundation journey on real databases: SQLite and PostgreSQL (see tests/conftest.py)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from builder.errors import AnswersInvalid, DraftConflict, StaleRequest
from builder.usecases import forms, requests, review
from builder.workflow import Action, Command
from storage.audit_check import verify_audit
from storage.engine import make_engine
from storage.migrate import is_current, upgrade
from storage.uow import SqlUnitOfWork
from tests.conftest import template
from tests.helpers import DESIGNER, ROADS, ROADS2, RESIDENT, seed_organisation

POTHOLE = {"location": "Market Street 12", "size": "large", "blocks_road": True}


def test_migrations_bring_the_database_to_head(engine: Engine) -> None:
    assert is_current(engine)


def test_whole_journey(seeded: SqlUnitOfWork, engine: Engine) -> None:
    receipt = requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key="a")
    assert receipt.reference.startswith("PW-") and receipt.access_code
    inbox = review.inbox(ROADS, seeded)
    assert [r.reference for r in inbox.rows] == [receipt.reference]
    case = review.open_case(receipt.reference, ROADS, seeded)
    assert case.request.answers == POTHOLE and "approve" in case.actions
    assert review.act(receipt.reference, Command(Action.APPROVE, ROADS), case.request.row_version, seeded) == "approved"
    view = requests.status(receipt.reference, receipt.access_code, seeded)
    assert view.state == "approved" and view.state_label == "Approved"
    assert review.inbox(ROADS, seeded).total == 0
    counted, broken = verify_audit(engine)
    assert broken is None and counted >= 6


def test_reference_numbers_count_up_per_prefix_and_year(seeded: SqlUnitOfWork) -> None:
    refs = [requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key=str(i)).reference
            for i in range(3)]
    numbers = [int(ref.rsplit("-", 1)[1]) for ref in refs]
    assert numbers == [1, 2, 3]


def test_idempotent_submit(seeded: SqlUnitOfWork) -> None:
    first = requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key="same")
    second = requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key="same")
    assert second.reference == first.reference and second.access_code is None


def _publish_with_name_required(uow: SqlUnitOfWork) -> None:
    """Version 2 of the pothole form, where the resident's name becomes required."""
    form = forms.forms_for(DESIGNER, uow)[0]
    draft = copy.deepcopy(form.draft)
    draft["schema"]["required"] = [*draft["schema"]["required"], "name"]
    forms.save_draft(form.slug, draft, form.draft_revision, DESIGNER, uow)
    forms.publish(form.slug, DESIGNER, uow)


def test_a_retry_after_the_form_changed_gets_the_first_receipt_and_new_ones_the_new_rules(
        seeded: SqlUnitOfWork) -> None:
    first = requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key="sent-before")
    _publish_with_name_required(seeded)
    retry = requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key="sent-before")
    assert retry.reference == first.reference and retry.access_code is None
    with pytest.raises(AnswersInvalid) as refused:  # the prepared version 1 is not used for version 2
        requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key="sent-after")
    assert [error.path for error in refused.value.errors] == [("name",)]
    assert requests.submit("report-pothole", {**POTHOLE, "name": "Riley"}, RESIDENT, seeded,
                           idempotency_key="sent-after").access_code


def test_another_database_with_the_same_version_ids_is_validated_by_its_own_form(
        seeded: SqlUnitOfWork, tmp_path: Path) -> None:
    # Versions are prepared once per process (builder.published): by their content, not their id, which
    # another database in the same process (or a restored backup) gives to another definition.
    other_engine = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade(other_engine)
    other = seed_organisation(other_engine)
    forms.create_form(template("report-pothole"), DESIGNER, other)
    forms.publish("report-pothole", DESIGNER, other)
    _publish_with_name_required(other)
    try:
        requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key="here")
        with pytest.raises(AnswersInvalid):
            requests.submit("report-pothole", POTHOLE, RESIDENT, other, idempotency_key="there")
        assert requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key="here again").access_code
    finally:
        other_engine.dispose()


def test_optimistic_locking_refuses_the_second_of_two_decisions(seeded: SqlUnitOfWork) -> None:
    receipt = requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key="a")
    seen = review.open_case(receipt.reference, ROADS, seeded).request.row_version
    review.act(receipt.reference, Command(Action.APPROVE, ROADS), seen, seeded)
    with pytest.raises(StaleRequest):
        review.act(receipt.reference, Command(Action.REJECT, ROADS2, text="no"), seen, seeded)
    assert review.open_case(receipt.reference, ROADS, seeded).request.state == "approved"


def test_draft_conflict_between_two_designers(seeded: SqlUnitOfWork) -> None:
    form = forms.forms_for(DESIGNER, seeded)[0]
    forms.save_draft(form.slug, {**form.draft, "title": "First"}, form.draft_revision, DESIGNER, seeded)
    with pytest.raises(DraftConflict):
        forms.save_draft(form.slug, {**form.draft, "title": "Second"}, form.draft_revision, DESIGNER, seeded)
    assert forms.forms_for(DESIGNER, seeded)[0].title == "First"


def test_audit_events_are_append_only(seeded: SqlUnitOfWork, engine: Engine) -> None:
    requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key="a")
    for statement in ("UPDATE audit_event SET actor = 'mallory'", "DELETE FROM audit_event"):
        with pytest.raises(DBAPIError, match="append-only"):
            with engine.begin() as connection:
                connection.execute(text(statement))
    assert verify_audit(engine)[1] is None


def test_sqlite_connections_are_configured(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
