"""The mail worker against a real SMTP server on 127.0.0.1 (aiosmtpd), on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import multiprocessing
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine
from sqlmodel import Session, select

from builder.errors import PermissionDenied
from builder.usecases import requests, review
from builder.workflow import Action, Command
from storage import outbox
from storage.engine import make_engine
from storage.models import AuditRecord, OutboxMail
from storage.settings import Settings
from storage.uow import SqlUnitOfWork
from builder.ports import ANONYMOUS as RESIDENT  # anonymous: mail goes to the address in the form
from tests.helpers import ROADS

POTHOLE = {"location": "Market Street 12", "size": "small", "email": "riley@example.org"}
FORK = multiprocessing.get_context("fork")


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd API)
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, Settings]]:
    handler = Inbox()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, Settings(smtp_host="127.0.0.1", smtp_port=port, mail_from="city@example.org")
    controller.stop()


def _rows(engine: Engine) -> list[OutboxMail]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMail).order_by(OutboxMail.id)).all())


def test_resident_and_reviewers_are_told_and_each_mail_goes_once(seeded: SqlUnitOfWork, engine: Engine,
                                                                smtp: tuple[Inbox, Settings]) -> None:
    server, settings = smtp
    receipt = requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key="m1")
    version = review.open_case(receipt.reference, ROADS, seeded).request.row_version
    review.act(receipt.reference, Command(Action.RETURN, ROADS, text="Which side of the street?"), version, seeded)
    first = outbox.send_due(engine, outbox.sender_for(settings), settings.mail_from)
    again = outbox.send_due(engine, outbox.sender_for(settings), settings.mail_from)
    subjects = sorted((m["To"], m["Subject"]) for m in server.messages)
    assert ("riley@example.org", f"We received your request {receipt.reference}") in subjects
    assert ("riley@example.org", f"More information needed for {receipt.reference}") in subjects
    assert ("roads2@city.example", f"New request {receipt.reference}") in subjects  # the group hears of new work
    assert first.sent == len(server.messages) and again.sent == 0
    assert len({m["Message-ID"] for m in server.messages}) == len(server.messages)
    assert all(row.sent_at is not None for row in _rows(engine))


def test_unreachable_server_is_retried_with_growing_waits(seeded: SqlUnitOfWork, engine: Engine,
                                                          smtp: tuple[Inbox, Settings]) -> None:
    server, settings = smtp
    requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key="m2")
    down = Settings(smtp_host="127.0.0.1", smtp_port=_free_port())
    start = datetime.now(UTC)
    failed = outbox.send_due(engine, outbox.sender_for(down), "city@example.org", now=lambda: start)
    assert failed.failed >= 1 and failed.sent == 0
    row = _rows(engine)[0]
    assert row.attempts == 1 and "Connection" in row.last_error
    assert row.next_attempt_at == start + outbox.backoff(1)
    # not due yet: nothing is tried before the wait is over
    assert outbox.send_due(engine, outbox.sender_for(settings), settings.mail_from, now=lambda: start).sent == 0
    later = start + timedelta(seconds=31)
    outbox.send_due(engine, outbox.sender_for(down), "city@example.org", now=lambda: later)
    assert _rows(engine)[0].next_attempt_at == later + outbox.backoff(2) == later + timedelta(seconds=60)
    recovered = outbox.send_due(engine, outbox.sender_for(settings), settings.mail_from,
                                now=lambda: later + timedelta(minutes=2))
    assert recovered.sent == len(_rows(engine)) and len(server.messages) == recovered.sent


def _worker(url: str, host: str, port: int, start: Any) -> None:
    settings = Settings(smtp_host=host, smtp_port=port)
    engine = make_engine(url)
    start.wait(timeout=30)
    for _ in range(5):
        outbox.send_due(engine, outbox.sender_for(settings), "city@example.org")


def test_two_workers_never_send_the_same_mail(seeded: SqlUnitOfWork, engine: Engine, database_url: str,
                                              smtp: tuple[Inbox, Settings]) -> None:
    server, settings = smtp
    for number in range(15):
        requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key=f"w{number}")
    queued = len(_rows(engine))
    start = FORK.Barrier(2)
    workers = [FORK.Process(target=_worker, args=(database_url, settings.smtp_host, settings.smtp_port, start))
               for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    keys = [m["Message-ID"] for m in server.messages]
    assert len(keys) == queued and len(set(keys)) == queued


def test_without_smtp_settings_mail_goes_to_the_log(seeded: SqlUnitOfWork, engine: Engine,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    receipt = requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key="m3")
    with caplog.at_level(logging.INFO, logger="formwork.mail"):
        result = outbox.send_due(engine, outbox.sender_for(Settings()), "city@example.org")
    assert result.failed == 0 and result.sent == len(_rows(engine))
    assert f"We received your request {receipt.reference}" in caplog.text


def test_the_app_sends_mail_itself_without_a_second_service(seeded: SqlUnitOfWork, engine: Engine,
                                                            smtp: tuple[Inbox, Settings]) -> None:
    server, settings = smtp
    receipt = requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key="in-app")
    thread = outbox.start_in_app(engine, Settings(**{**settings.__dict__, "mail_worker_seconds": 0.1}))
    assert thread is not None
    try:
        for _ in range(100):  # waits for the background pass; the test asserts what arrived, not how fast
            if all(row.sent_at is not None for row in _rows(engine)):
                break
            thread.stopped.wait(0.1)
    finally:
        thread.stop()
    assert ("riley@example.org", f"We received your request {receipt.reference}") in {
        (m["To"], m["Subject"]) for m in server.messages}
    assert outbox.start_in_app(engine, Settings(mail_worker_seconds=0)) is None  # switched off


def _fail_every_attempt(engine: Engine, start: datetime) -> datetime:
    """The worker tries each message MAX_ATTEMPTS times against a server that is down; returns the clock after."""
    down = outbox.sender_for(Settings(smtp_host="127.0.0.1", smtp_port=_free_port()))
    clock = start
    for _ in range(outbox.MAX_ATTEMPTS):
        assert outbox.send_due(engine, down, "city@example.org", now=lambda: clock).failed >= 1
        clock += timedelta(hours=3)  # past any backoff
    return clock


def test_mail_given_up_on_is_shown_to_administrators_and_can_be_sent_again(
        seeded: SqlUnitOfWork, engine: Engine, smtp: tuple[Inbox, Settings], caplog: pytest.LogCaptureFixture,
        capsys: pytest.CaptureFixture[str]) -> None:
    from builder.usecases import admin
    from storage.__main__ import _undelivered
    from tests.helpers import ADMIN

    server, settings = smtp
    receipt = requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key="lost")
    queued = len(_rows(engine))
    with caplog.at_level(logging.ERROR, logger="formwork.mail"):
        after = _fail_every_attempt(engine, datetime.now(UTC))
    assert f"giving up after {outbox.MAX_ATTEMPTS} attempts" in caplog.text
    # Nothing more is tried on its own ...
    assert outbox.send_due(engine, outbox.sender_for(settings), settings.mail_from, now=lambda: after).sent == 0
    # ... but nothing vanishes either: the administrator sees every message, with the reason.
    given_up = admin.undelivered_mail(ADMIN, seeded)
    assert len(given_up) == queued and {m.attempts for m in given_up} == {outbox.MAX_ATTEMPTS}
    assert ("riley@example.org", f"We received your request {receipt.reference}") in {
        (m.recipient, m.subject) for m in given_up}
    assert all("Connection" in m.last_error for m in given_up)
    assert _undelivered(engine, listed=True) == 1  # python -m storage outbox --undelivered
    assert "riley@example.org" in capsys.readouterr().out
    with pytest.raises(PermissionDenied):
        admin.undelivered_mail(ROADS, seeded)
    # Once the server is back, the administrator tries them again and they arrive.
    for mail in given_up:
        assert admin.retry_mail(ADMIN, mail.id, seeded)
    assert not admin.retry_mail(ADMIN, given_up[0].id, seeded)  # already waiting again
    assert outbox.send_due(engine, outbox.sender_for(settings), settings.mail_from).sent == queued
    assert ("riley@example.org", f"We received your request {receipt.reference}") in {
        (m["To"], m["Subject"]) for m in server.messages}
    assert admin.undelivered_mail(ADMIN, seeded) == [] and _undelivered(engine, listed=True) == 0
    with Session(engine) as session:
        retried = session.exec(select(AuditRecord).where(AuditRecord.action == "retry_mail")).all()
    assert [r.actor for r in retried] == ["admin"] * queued


def test_the_purge_deletes_sent_mail_after_its_retention_and_keeps_mail_still_to_send(
        seeded: SqlUnitOfWork, engine: Engine, smtp: tuple[Inbox, Settings]) -> None:
    from storage import retention

    server, settings = smtp
    start = datetime.now(UTC)
    old = requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key="old", now=start)
    assert outbox.send_due(engine, outbox.sender_for(settings), settings.mail_from, now=lambda: start).sent >= 1
    later = start + outbox.SENT_MAIL_KEPT - timedelta(days=2)
    recent = requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key="recent", now=later)
    outbox.send_due(engine, outbox.sender_for(settings), settings.mail_from, now=lambda: later)
    waiting = requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key="waiting", now=start)

    def subjects() -> set[str]:
        return {row.subject for row in _rows(engine)}

    assert f"We received your request {old.reference}" in subjects()
    retention.purge(engine, now=start + outbox.SENT_MAIL_KEPT + timedelta(hours=1))
    assert f"We received your request {old.reference}" not in subjects()  # sent over 30 days ago: gone
    assert f"We received your request {recent.reference}" in subjects()  # sent 28 days ago: kept
    assert f"We received your request {waiting.reference}" in subjects()  # never sent: still to send
    assert all(row.sent_at is None for row in _rows(engine) if waiting.reference in row.subject)
