"""Engines: SQLite with WAL, foreign keys, a busy timeout and ``BEGIN IMMEDIATE`` for writes;
PostgreSQL by URL.

SQLite's default deferred transaction that reads and then writes fails at once with "database is
locked" when another writer committed in between (SQLITE_BUSY_SNAPSHOT). Write transactions
therefore begin with ``BEGIN IMMEDIATE``, which waits for the write lock up front (busy_timeout).
Reads use a plain ``BEGIN`` so they never wait for writers under WAL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import StaticPool

from storage.settings import ensure_sqlite_folder
from storage.statements import DriverStatement

BUSY_TIMEOUT_MS = 30_000  # tests/load: 15 s was exceeded by 60 writers on a starved 2-core machine
WRITE_OPTION = "formwork_write"
# On the driver's cursor: every transaction begins with one, and through ``exec_driver_sql`` it cost
# about 0.05 ms of SQLAlchemy's execution context, more than SQLite's own work (bench/submit.py).
_BEGIN_WRITE = DriverStatement("BEGIN IMMEDIATE")
_BEGIN_READ = DriverStatement("BEGIN")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def writing(engine: Engine) -> Engine:
    """The same engine (and pool) whose transactions take SQLite's write lock at BEGIN."""
    return engine.execution_options(**{WRITE_OPTION: True})


def _sqlite_engine(url: str) -> Engine:
    ensure_sqlite_folder(url)
    in_memory = url in {"sqlite://", "sqlite:///:memory:"}
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}}
    if in_memory:
        kwargs["poolclass"] = StaticPool
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event emit BEGIN itself (pysqlite's own handling is off).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        write = connection.get_execution_options().get(WRITE_OPTION, False)
        (_BEGIN_WRITE if write else _BEGIN_READ).rows(connection, {})

    return engine
