"""Retention: purge expired requests, and make sure the purged values are gone from the files.

The purge itself is a use case (``builder.usecases.insights.purge_expired``): it anonymises each
finished, withdrawn or abandoned request older than its form's ``retention_days`` (answers, files,
comments and contact details go; the dated states stay for the figures) and writes a ``purge``
audit event. Here it is wired to the database, and on SQLite followed by a WAL checkpoint: with
``secure_delete`` on (storage/engine.py) freed bytes are zeroed, and ``wal_checkpoint(TRUNCATE)``
copies the zeroed pages home and empties the WAL, so the old values are in neither file. Each run also
deletes files chosen on a form but never sent, a day after their upload (``forget_abandoned_uploads``),
the housekeeping rows of sign-ins and rate limits (``forget_stale_sign_ins``), and mail sent more than
``storage.outbox.SENT_MAIL_KEPT`` ago (``storage.outbox.forget_old_mail``).

A request abandoned while waiting for the resident is closed in the same transaction (withdrawn, by
``system``, with an ``abandon`` audit event: ``builder.workflow.abandon``).

The checkpoint cannot empty the WAL while another connection still reads from it (a page being
shown, a backup): it then answers "busy". The purge tries again a few times, briefly, and says in its
result (``PurgeResult.wal_emptied``; the command prints it) when the WAL could still not be emptied:
the purged values may then remain in the ``-wal`` file until the next checkpoint, so run the purge
again when the app is quiet.

Scheduling: the app starts one daemon thread per process (``start_scheduler``, from app.py through
``st.cache_resource``) that purges a minute after start and then every
``FORMWORK_RETENTION_PURGE_HOURS`` hours (default 24; 0 turns it off, e.g. when cron runs
``python -m storage purge`` instead). Several replicas may all run it: a purge is idempotent and
each form's purge is one write transaction.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, and_, delete, or_, select
from sqlalchemy.orm import Session

from builder.throttling import WINDOW, window_is_over
from builder.usecases.accounts import SESSION_MAX_AGE
from builder.usecases.attachments import ABANDONED_UPLOAD_AGE
from builder.usecases.insights import PurgedRequest, purge_expired
from storage import outbox
from storage.engine import BUSY_TIMEOUT_MS
from storage.models import Attachment, AttachmentBlob, AuthSession, LoginThrottle, RateLimit, now_utc
from storage.uow import SqlUnitOfWork

log = logging.getLogger("formwork.retention")
DEFAULT_INTERVAL_HOURS = 24.0
FIRST_RUN_AFTER_SECONDS = 60.0
# The WAL checkpoint under live readers: how often to try, how long each try waits for readers to
# leave (SQLite's busy handler; the engine's own busy timeout is 30 s), and the pause between tries.
CHECKPOINT_ATTEMPTS = 5
CHECKPOINT_WAIT_MS = 500
CHECKPOINT_PAUSE_SECONDS = 0.2


@dataclass(frozen=True)
class PurgeResult:
    """What one purge did. ``wal_emptied`` is False when SQLite's WAL could not be emptied because
    readers kept it busy: the purged values may still be in the ``-wal`` file (run the purge again)."""

    requests: list[PurgedRequest] = field(default_factory=list)
    wal_emptied: bool = True

    @property
    def abandoned(self) -> list[PurgedRequest]:
        return [p for p in self.requests if p.abandoned]


def purge(engine: Engine, *, now: datetime | None = None) -> PurgeResult:
    """Purge expired requests of every form; on SQLite, then empty the WAL (retrying while readers keep it busy)."""
    purged = purge_expired(SqlUnitOfWork(engine), now=now)
    forget_stale_sign_ins(engine, now=now)
    forget_abandoned_uploads(engine, now=now)
    outbox.forget_old_mail(engine, now=now)
    emptied = True
    if engine.dialect.name == "sqlite":
        emptied = empty_wal(engine)
        if not emptied:
            log.warning("Retention purge: the WAL could not be emptied (busy readers); purged values may remain "
                        "in the -wal file until the next checkpoint. Run the purge again when the app is quiet.")
    return PurgeResult(purged, emptied)


def forget_stale_sign_ins(engine: Engine, *, now: datetime | None = None) -> int:
    """Delete sign-in sessions past their maximum age and throttle counters that count nothing any more.

    They hold usernames and would otherwise grow forever (every typed username gets a throttle row).
    Returns how many rows went.
    """
    at = now or now_utc()
    quiet = at - WINDOW
    with Session(engine) as session, session.begin():
        gone = session.execute(delete(AuthSession).where(AuthSession.created_at < at - SESSION_MAX_AGE)).rowcount
        gone += session.execute(delete(LoginThrottle).where(and_(
            LoginThrottle.window_started_at < quiet,
            or_(LoginThrottle.blocked_until.is_(None), LoginThrottle.blocked_until < quiet)))).rowcount
        windows = session.execute(select(RateLimit.window).distinct()).scalars().all()
        over = [window for window in windows if window_is_over(window, at)]
        if over:
            gone += session.execute(delete(RateLimit).where(RateLimit.window.in_(over))).rowcount
    return gone


def forget_abandoned_uploads(engine: Engine, *, now: datetime | None = None) -> int:
    """Delete files chosen on a form but never sent with a request, ``ABANDONED_UPLOAD_AGE`` after the upload.

    A resident who leaves the form or replaces a file leaves a file with no request; nobody can
    download it, and without this it would stay forever. Returns how many files went.
    """
    cutoff = (now or now_utc()) - ABANDONED_UPLOAD_AGE
    abandoned = (select(Attachment.id).where(Attachment.submission_id.is_(None))  # type: ignore[union-attr]
                 .where(Attachment.created_at < cutoff))
    with Session(engine) as session, session.begin():
        session.execute(delete(AttachmentBlob).where(AttachmentBlob.attachment_id.in_(abandoned)))  # type: ignore[attr-defined]
        return session.execute(delete(Attachment).where(Attachment.id.in_(abandoned))).rowcount  # type: ignore[attr-defined]


def forget_erased(engine: Engine) -> None:
    """Right after an erasure: on SQLite, move the zeroed pages home and empty the WAL at once, so the
    erased values are not left readable in the ``-wal`` file until the nightly purge. Nothing to do on
    PostgreSQL (its dead tuples are not reachable through the application)."""
    if engine.dialect.name == "sqlite" and not empty_wal(engine):
        log.warning("After an erasure the WAL could not be emptied (busy readers); the nightly purge empties it.")


def empty_wal(engine: Engine, *, attempts: int | None = None, wait_ms: int | None = None,
              pause_seconds: float | None = None) -> bool:
    """Checkpoint the WAL into the database file and truncate it, trying again while readers keep it
    busy. True once it is empty; False when still busy after the last try (nothing is lost then, but
    the WAL keeps the old page images until a later checkpoint)."""
    tries = max(1, CHECKPOINT_ATTEMPTS if attempts is None else attempts)
    wait = CHECKPOINT_WAIT_MS if wait_ms is None else wait_ms
    pause = CHECKPOINT_PAUSE_SECONDS if pause_seconds is None else pause_seconds
    for attempt in range(1, tries + 1):
        busy, _frames, _copied = checkpoint(engine, wait_ms=wait)
        if not busy:
            return True
        if attempt < tries:
            time.sleep(pause * attempt)
    return False


def checkpoint(engine: Engine, *, wait_ms: int | None = None) -> tuple[int, int, int]:
    """``PRAGMA wal_checkpoint(TRUNCATE)`` outside any transaction: (busy, wal frames, frames copied).

    ``wait_ms`` bounds how long it waits for readers (the connection's busy timeout, restored after)."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if wait_ms is not None:
            cursor.execute(f"PRAGMA busy_timeout={int(wait_ms)}")
        try:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            busy, frames, copied = cursor.fetchone()
        finally:
            if wait_ms is not None:
                cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cursor.close()
        return int(busy), int(frames), int(copied)
    finally:
        raw.close()


def interval_hours(environ: Mapping[str, str] | None = None) -> float:
    value = (os.environ if environ is None else environ).get("FORMWORK_RETENTION_PURGE_HOURS", "")
    return float(value) if value.strip() else DEFAULT_INTERVAL_HOURS


def start_scheduler(engine: Engine, *, every_hours: float | None = None,
                    first_after_seconds: float = FIRST_RUN_AFTER_SECONDS) -> threading.Thread | None:
    """Start the purge loop in a daemon thread (None when switched off)."""
    hours = interval_hours() if every_hours is None else every_hours
    if hours <= 0:
        return None
    thread = threading.Thread(target=_loop, args=(engine, hours * 3600, first_after_seconds),
                              name="formwork-retention", daemon=True)
    thread.start()
    return thread


def _loop(engine: Engine, every_seconds: float, first_after_seconds: float) -> None:
    wait = first_after_seconds
    stop = threading.Event()
    while not stop.wait(wait):
        try:
            result = purge(engine)
            if result.requests:
                log.info("Retention purge: %d request(s) anonymised, %d of them closed as abandoned.",
                         len(result.requests), len(result.abandoned))
        except Exception:  # a failed night must not end the loop; the next run tries again
            log.exception("Retention purge failed; it will be tried again.")
        wait = every_seconds
