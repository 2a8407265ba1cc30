"""The batched writes of the hot path (``AuditLog.append_all``, ``Outbox.enqueue_all``), on SQLite and
PostgreSQL and in the fake: the same chain and the same refusals as one-by-one writes. The hot path's
statements run on the driver's cursor (``storage.statements``): what they store reads back through the
ORM as it was given, and a refusal is SQLAlchemy's error, as through the ORM."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from builder.audit import first_broken_link
from builder.ports import AuditEvent, OutboxMessage, RequestRecord
from storage.audit_check import verify_audit
from storage.models import OutboxMail
from storage.statements import DriverStatement
from storage.uow import SqlUnitOfWork
from tests.fakes import FakeUnitOfWork

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _events(reference: str) -> list[AuditEvent]:
    return [AuditEvent("submit", "anonymous", T0, reference, None, "submitted"),
            AuditEvent("start", "system", T0, reference, "submitted", "in_review", None, "inspection")]


def test_append_all_chains_in_order_with_one_head(engine: Engine) -> None:
    uow = SqlUnitOfWork(engine)
    with uow:
        single = uow.audit.append(AuditEvent("publish", "roads", T0, comment="report-pothole v1"))
        batch = uow.audit.append_all(_events("PW-2026-000001"))
        assert uow.audit.append_all([]) == []
        uow.commit()
    with uow:  # a new transaction reads the head afresh
        later = uow.audit.append_all(_events("PW-2026-000002"))
        uow.commit()
    chained = [single, *batch, *later]
    assert [e.seq for e in chained] == [1, 2, 3, 4, 5]
    assert all(e.prev_hash == before.hash for before, e in zip(chained, chained[1:]))
    with uow.reading():
        stored = uow.audit.for_request("PW-2026-000001")
    assert stored == batch
    assert verify_audit(engine) == (5, None)


def test_append_all_is_rolled_back_with_its_transaction(engine: Engine) -> None:
    uow = SqlUnitOfWork(engine)
    with uow:
        uow.audit.append_all(_events("PW-2026-000001"))  # not committed
    with uow:
        kept = uow.audit.append_all(_events("PW-2026-000002"))
        uow.commit()
    assert [e.seq for e in kept] == [1, 2]
    assert verify_audit(engine) == (2, None)


def test_enqueue_all_refuses_second_copies_within_and_across_batches(engine: Engine) -> None:
    uow = SqlUnitOfWork(engine)
    first = OutboxMessage("ev1:new_work:a@city.example", "a@city.example", "New request", "Body", T0)
    second = OutboxMessage("ev1:new_work:b@city.example", "b@city.example", "New request", "Body", T0)
    with uow:
        uow.outbox.enqueue_all([first, second, first])
        uow.outbox.enqueue_all([])
        uow.commit()
    with uow:
        uow.outbox.enqueue_all([second])
        uow.outbox.enqueue(first)
        uow.commit()
    with Session(engine) as session:
        rows = session.exec(select(OutboxMail).order_by(col(OutboxMail.id))).all()
    assert [(r.key, r.recipient, r.created_at) for r in rows] == [
        (first.key, first.recipient, T0), (second.key, second.recipient, T0)]


def test_fake_batches_match_one_by_one_writes() -> None:
    one_by_one, batched = FakeUnitOfWork(), FakeUnitOfWork()
    events = _events("PW-2026-000001")
    expected = [one_by_one.audit.append(e) for e in events]
    assert batched.audit.append_all(events) == expected
    assert first_broken_link(batched.audit.events) is None
    message = OutboxMessage("k", "a@city.example", "s", "b", T0)
    batched.outbox.enqueue_all([message, message])
    assert list(batched.outbox.messages.values()) == [message]


def test_a_request_written_on_the_driver_reads_back_as_given(seeded: SqlUnitOfWork) -> None:
    with seeded.reading():
        version = seeded.forms.latest_version("report-pothole")
    assert version is not None and version.id is not None and version.digest
    given = RequestRecord(
        reference="PW-2026-00001", access_code_hash="0" * 64, form_slug="report-pothole", version_id=version.id,
        version_number=version.number, answers={"location": "Rue de l’Église 3", "size": "large", "blocks_road": True},
        state="in_review", submitted_at=T0.replace(microsecond=123456), updated_at=T0, step_index=0,
        step_id="inspection", group="Road inspectors", due_on=date(2026, 11, 9), locale="fr", idempotency_key="k1")
    with seeded:
        stored = seeded.requests.add(given)
        assert seeded.requests.add(replace(given, reference="PW-2026-00002")) is None  # the same key: nothing
        seeded.commit()
    assert stored is not None and stored.id is not None
    with seeded.reading():
        read = seeded.requests.get(given.reference)
        assert seeded.requests.get("PW-2026-00002") is None
    assert read == replace(given, id=stored.id, row_version=1)


def test_a_refused_driver_statement_raises_sqlalchemys_error(engine: Engine) -> None:
    uow = SqlUnitOfWork(engine)
    second_head = DriverStatement("INSERT INTO audit_head (id, seq, hash) VALUES (:id, 0, :hash)")
    with uow, pytest.raises(IntegrityError):  # the chain has one head, id 1
        second_head.rows(uow.session.connection(), {"id": 1, "hash": "0" * 64})
    assert verify_audit(engine) == (0, None)
