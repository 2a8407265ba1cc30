"""The unit of work: one session, one transaction; rolls back unless committed.

A database that refuses the work — disk full, read-only file, a lock held past the busy timeout, a
PostgreSQL server restarting — surfaces as ``StorageUnavailable`` (a ``FormworkError`` pages already
show) instead of a driver error and a stack trace. The transaction is rolled back first, so nothing
of it is stored and the person can simply try again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Self
from weakref import WeakKeyDictionary

from sqlalchemy import Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from builder.errors import StaleRequest, StorageUnavailable
from storage.attachments import SqlAttachments
from storage.engine import writing
from storage.repositories import SqlAudit, SqlDirectory, SqlForms, SqlInsights, SqlOutbox, SqlRequests

log = logging.getLogger(__name__)
# The driver errors that mean "the database cannot do this now", not "the code asked for something wrong".
UNAVAILABLE = (OperationalError, InterfaceError)


class SqlUnitOfWork:
    """``with uow:`` opens a write transaction (``BEGIN IMMEDIATE`` on SQLite);
    ``with uow.reading():`` a read-only one. Either is rolled back unless ``commit()`` was called."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._writer = _writer_of(engine)
        self.session: Session | None = None

    def _open(self, engine: Engine) -> None:
        self.session = Session(engine, expire_on_commit=False)
        self.forms = SqlForms(self.session)
        self.requests = SqlRequests(self.session)
        self.directory = SqlDirectory(self.session)
        self.audit = SqlAudit(self.session)
        self.outbox = SqlOutbox(self.session)
        self.insights = SqlInsights(self.session)
        self.attachments = SqlAttachments(self.session)

    def __enter__(self) -> Self:
        self._open(self._writer)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._close()
        if isinstance(exc, UNAVAILABLE):
            raise _unavailable(exc) from exc

    @contextmanager
    def reading(self) -> Iterator[Self]:
        self._open(self._engine)
        try:
            yield self
        except UNAVAILABLE as exc:
            raise _unavailable(exc) from exc
        finally:
            self._close()

    def commit(self) -> None:
        assert self.session is not None
        self._transaction_ended()
        try:
            self.session.commit()
        except StaleDataError:
            self.session.rollback()
            raise StaleRequest() from None

    def _transaction_ended(self) -> None:
        # The repositories keep a few reads for the length of one transaction (the audit chain's head,
        # group members); whatever comes next on this session is a new transaction.
        self.audit.transaction_ended()
        self.directory.transaction_ended()

    def rollback(self) -> None:
        if self.session is not None:
            self._transaction_ended()
            self.session.rollback()

    def _close(self) -> None:
        if self.session is None:
            return
        try:
            self.session.rollback()
            self.session.close()
        except UNAVAILABLE:
            # The connection is already gone (server restarted, file vanished): the pool drops it.
            log.warning("rollback on a broken database connection failed; the connection is discarded")
        finally:
            self.session = None


_WRITERS: WeakKeyDictionary[Engine, Engine] = WeakKeyDictionary()


def _writer_of(engine: Engine) -> Engine:
    # A unit of work is made per use case call: derive the writing engine once per engine, not per call.
    writer = _WRITERS.get(engine)
    if writer is None:
        writer = _WRITERS[engine] = writing(engine)
    return writer


def _unavailable(exc: BaseException) -> StorageUnavailable:
    log.error("database unavailable: %s", exc)  # the operator's cause; the person sees the plain message
    return StorageUnavailable()
