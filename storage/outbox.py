"""The mail worker: sends the outbox over SMTP, with retries and exponential backoff.

The app runs it in a background thread of each process (``start_in_app``, every
``FORMWORK_MAIL_WORKER_SECONDS``, default 5), so a city on one machine needs no second service. It can
also run as its own process: ``python -m storage outbox`` (loops) or ``python -m storage outbox --once``
(one pass, e.g. from cron), with ``FORMWORK_MAIL_WORKER_SECONDS=0`` for the app. Several workers may run
at once, also against one PostgreSQL database from several machines:

- A worker *claims* a message with one conditional UPDATE (``WHERE id = … AND sent_at IS NULL AND
  attempts = <what it read>``) that also counts the attempt and pushes ``next_attempt_at`` past a
  lease. Only one worker's UPDATE matches; the other sees 0 rows and skips the message.
- The claim commits before the mail is sent and ``sent_at`` commits right after, so a message is sent
  once. Only a crash between the SMTP server accepting a message and that commit can repeat it,
  after the lease; the Message-ID is derived from the message key so mail systems can drop the copy.

Without ``FORMWORK_SMTP_HOST`` messages are written to the log (logger ``formwork.mail``) and
marked sent: nothing fails in development or in a city without mail.

After ``MAX_ATTEMPTS`` failed tries (about an hour) the worker gives up on a message: it logs an
error, and the message is listed for administrators -- on the administration page (*Undelivered mail*,
where it can be tried again) and by ``python -m storage outbox --undelivered`` -- instead of vanishing.
Sent messages are deleted ``SENT_MAIL_KEPT`` after sending, undelivered ones as long after they were
queued, by the retention purge (``forget_old_mail``): the outbox is a queue, not an archive of what
residents were told (each request's history is that record).
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate

from sqlalchemy import Engine, delete, update
from sqlmodel import Session, col, select

from builder.usecases.admin import MAIL_KEPT_DAYS
from storage.models import OutboxMail
from storage.settings import Settings

log = logging.getLogger("formwork.mail")

MAX_ATTEMPTS = 8
BASE_DELAY = timedelta(seconds=30)  # 30 s, 1 min, 2 min, ... about 1 hour before the last try
LEASE = timedelta(minutes=5)  # a claimed message is not touched by other workers for this long
BATCH = 50
# Long enough to answer "did you write to me?", short for personal data (the administration page says it too).
SENT_MAIL_KEPT = timedelta(days=MAIL_KEPT_DAYS)


@dataclass(frozen=True)
class Pass:
    sent: int = 0
    failed: int = 0
    skipped: int = 0  # claimed by another worker first


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try."""
    return BASE_DELAY * (2 ** max(attempts - 1, 0))


Sender = Callable[[EmailMessage], None]


def smtp_sender(settings: Settings) -> Sender:
    def send(message: EmailMessage) -> None:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(message)

    return send


def log_sender(message: EmailMessage) -> None:
    log.info("Mail (no SMTP server configured) to %s: %s\n%s", message["To"], message["Subject"],
             message.get_content())


def sender_for(settings: Settings) -> Sender:
    return smtp_sender(settings) if settings.smtp_host else log_sender


def _message(row: OutboxMail, mail_from: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = row.recipient
    message["Subject"] = row.subject
    message["Date"] = formatdate(usegmt=True)
    digest = hashlib.sha256(row.key.encode()).hexdigest()[:32]
    message["Message-ID"] = f"<{digest}@formwork>"
    message.set_content(row.body)
    return message


def _claim(engine: Engine, row: OutboxMail, now: datetime) -> bool:
    with engine.begin() as connection:
        claimed = connection.execute(
            update(OutboxMail).where(col(OutboxMail.id) == row.id, col(OutboxMail.sent_at).is_(None),
                                     col(OutboxMail.attempts) == row.attempts)
            .values(attempts=row.attempts + 1, next_attempt_at=now + LEASE))
        return claimed.rowcount == 1


def _finish(engine: Engine, row: OutboxMail, now: datetime, error: str | None) -> None:
    values: dict[str, object] = {"sent_at": now, "last_error": ""} if error is None else {
        "last_error": error[:500], "next_attempt_at": now + backoff(row.attempts + 1)}
    with engine.begin() as connection:
        connection.execute(update(OutboxMail).where(col(OutboxMail.id) == row.id).values(**values))


def due(engine: Engine, now: datetime, limit: int = BATCH) -> list[OutboxMail]:
    with Session(engine, expire_on_commit=False) as session:
        return list(session.exec(
            select(OutboxMail).where(col(OutboxMail.sent_at).is_(None), OutboxMail.attempts < MAX_ATTEMPTS,
                                     OutboxMail.next_attempt_at <= now)
            .order_by(col(OutboxMail.next_attempt_at)).limit(limit)).all())


def send_due(engine: Engine, send: Sender, mail_from: str, now: Callable[[], datetime] | None = None) -> Pass:
    """One pass over the messages due now."""
    clock = now or (lambda: datetime.now(UTC))
    sent = failed = skipped = 0
    for row in due(engine, clock()):
        if not _claim(engine, row, clock()):
            skipped += 1
            continue
        try:
            send(_message(row, mail_from))
        except (OSError, smtplib.SMTPException) as exc:  # refused, unreachable, timed out: try again later
            failed += 1
            log.warning("Mail %s to %s failed (attempt %d): %s", row.id, row.recipient, row.attempts + 1, exc)
            if row.attempts + 1 >= MAX_ATTEMPTS:
                log.error("Mail %s to %s: giving up after %d attempts; an administrator sees it under "
                          "Undelivered mail and can try it again.", row.id, row.recipient, MAX_ATTEMPTS)
            _finish(engine, row, clock(), f"{type(exc).__name__}: {exc}")
            continue
        sent += 1
        _finish(engine, row, clock(), None)
    return Pass(sent, failed, skipped)


def forget_old_mail(engine: Engine, now: datetime | None = None) -> int:
    """Delete messages sent more than ``SENT_MAIL_KEPT`` ago, and undelivered ones queued that long ago.
    Returns how many went (the retention purge runs this)."""
    cutoff = (now or datetime.now(UTC)) - SENT_MAIL_KEPT
    sent = col(OutboxMail.sent_at).is_not(None) & (col(OutboxMail.sent_at) < cutoff)
    given_up = (col(OutboxMail.sent_at).is_(None) & (col(OutboxMail.attempts) >= MAX_ATTEMPTS)
                & (col(OutboxMail.created_at) < cutoff))
    with engine.begin() as connection:
        return int(connection.execute(delete(OutboxMail).where(sent | given_up)).rowcount or 0)


def run_forever(engine: Engine, settings: Settings, interval: float = 5.0) -> None:
    """The worker loop of ``python -m storage outbox``."""
    send = sender_for(settings)
    log.info("Outbox worker started (%s).", f"SMTP {settings.smtp_host}:{settings.smtp_port}"
             if settings.smtp_host else "no SMTP server: mail goes to the log")
    while True:
        result = send_due(engine, send, settings.mail_from)
        if result.sent or result.failed:
            log.info("Outbox: %d sent, %d failed, %d taken by another worker.", result.sent, result.failed,
                     result.skipped)
        time.sleep(interval)


class MailThread(threading.Thread):
    """The app's own mail worker: a daemon thread that sends what is due every few seconds."""

    def __init__(self, engine: Engine, settings: Settings, every_seconds: float) -> None:
        super().__init__(name="formwork-mail", daemon=True)
        self.engine, self.settings, self.every_seconds = engine, settings, every_seconds
        self.stopped = threading.Event()

    def run(self) -> None:
        send = sender_for(self.settings)
        while not self.stopped.wait(self.every_seconds):
            try:
                send_due(self.engine, send, self.settings.mail_from)
            except Exception:  # noqa: BLE001 - a database hiccup must not end mail for the process's lifetime
                log.exception("Outbox pass failed; trying again in %.0f s.", self.every_seconds)

    def stop(self) -> None:
        self.stopped.set()


def start_in_app(engine: Engine, settings: Settings) -> MailThread | None:
    """Start the app's mail thread, or None when ``FORMWORK_MAIL_WORKER_SECONDS`` is 0."""
    if settings.mail_worker_seconds <= 0:
        return None
    thread = MailThread(engine, settings, settings.mail_worker_seconds)
    thread.start()
    return thread
