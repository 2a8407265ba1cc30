"""Retention: purge expired requests, and make sure the purged values are gone from the files.

The purge itself is a use case (``builder.usecases.insights.purge_expired``): it anonymises each
finished, withdrawn or abandoned request older than its form's ``retention_days`` (answers, files,
comments and contact details go; the dated states stay for the figures) and writes a ``purge``
audit event. Here it is wired to the database, and on SQLite followed by a WAL checkpoint: with
``secure_delete`` on (storage/engine.py) freed bytes are zeroed, and ``wal_checkpoint(TRUNCATE)``
copies the zeroed pages home and empties the WAL, so the old values are in neither file. Each run also
deletes files chosen on a form but never sent, a day after their upload (``forget_abandoned_uploads``),
and the housekeeping rows of sign-ins and rate limits (``forget_stale_sign_ins``).

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
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import Engine, and_, delete, or_, select
from sqlalchemy.orm import Session

from builder.throttling import WINDOW, window_is_over
from builder.usecases.accounts import SESSION_MAX_AGE
from builder.usecases.attachments import ABANDONED_UPLOAD_AGE
from builder.usecases.insights import PurgedRequest, purge_expired
from storage.models import Attachment, AttachmentBlob, AuthSession, LoginThrottle, RateLimit, now_utc
from storage.uow import SqlUnitOfWork

log = logging.getLogger("formwork.retention")
DEFAULT_INTERVAL_HOURS = 24.0
FIRST_RUN_AFTER_SECONDS = 60.0


def purge(engine: Engine, *, now: datetime | None = None) -> list[PurgedRequest]:
    """Purge expired requests of every form; on SQLite, then empty the WAL."""
    purged = purge_expired(SqlUnitOfWork(engine), now=now)
    forget_stale_sign_ins(engine, now=now)
    forget_abandoned_uploads(engine, now=now)
    if engine.dialect.name == "sqlite":
        checkpoint(engine)
    return purged


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
    if engine.dialect.name == "sqlite":
        checkpoint(engine)


def checkpoint(engine: Engine) -> tuple[int, int, int]:
    """``PRAGMA wal_checkpoint(TRUNCATE)`` outside any transaction: (busy, wal frames, frames copied)."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        busy, frames, copied = cursor.fetchone()
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
            purged = purge(engine)
            if purged:
                log.info("Retention purge: %d request(s) anonymised.", len(purged))
        except Exception:  # a failed night must not end the loop; the next run tries again
            log.exception("Retention purge failed; it will be tried again.")
        wait = every_seconds
