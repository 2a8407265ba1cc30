"""The unit of work: one session, one transaction; rolls back unless committed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from builder.errors import StaleRequest
from storage.engine import writing
from storage.repositories import SqlAudit, SqlDirectory, SqlForms, SqlOutbox, SqlRequests


class SqlUnitOfWork:
    """``with uow:`` opens a write transaction (``BEGIN IMMEDIATE`` on SQLite);
    ``with uow.reading():`` a read-only one. Either is rolled back unless ``commit()`` was called."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._writer = writing(engine)
        self.session: Session | None = None

    def _open(self, engine: Engine) -> None:
        self.session = Session(engine, expire_on_commit=False)
        self.forms = SqlForms(self.session)
        self.requests = SqlRequests(self.session)
        self.directory = SqlDirectory(self.session)
        self.audit = SqlAudit(self.session)
        self.outbox = SqlOutbox(self.session)

    def __enter__(self) -> Self:
        self._open(self._writer)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._close()

    @contextmanager
    def reading(self) -> Iterator[Self]:
        self._open(self._engine)
        try:
            yield self
        finally:
            self._close()

    def commit(self) -> None:
        assert self.session is not None
        try:
            self.session.commit()
        except StaleDataError:
            self.session.rollback()
            raise StaleRequest() from None

    def rollback(self) -> None:
        if self.session is not None:
            self.session.rollback()

    def _close(self) -> None:
        if self.session is not None:
            self.session.rollback()
            self.session.close()
            self.session = None
