"""The hottest statements (every submission, every decision), run on the driver's own cursor.

Through SQLAlchemy Core a statement costs 15-30 µs of execution-context set-up and result wrapping on
this machine, about ten times what SQLite itself needs for an indexed read or a one-row insert, and a
submission runs eight of them (bench/submit.py). A ``DriverStatement`` is plain SQL written once with
named parameters (``:name``), run on the cursor of the session's own connection:

- the same connection and transaction as everything else in the unit of work, so ``BEGIN IMMEDIATE``,
  PostgreSQL's row and advisory locks, commit and rollback are unchanged;
- values converted by the columns' own SQLAlchemy types for the database in use (``bind_types``), so a
  timestamp or a JSON value is stored exactly as the ORM stores it and reads back the same;
- a driver error raised as SQLAlchemy's (``sqlalchemy.exc.OperationalError``, ``IntegrityError``, ...),
  so the unit of work's mapping to ``StorageUnavailable`` and the callers' ``except`` clauses still hold.

Only what the hot path needs: SQLite and PostgreSQL (psycopg), rows as plain tuples, no result types.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import TypeEngine

Params = Mapping[str, Any]
_NAMED = re.compile(r"(?<![:\w]):(\w+)")  # ``:name``, not PostgreSQL's ``::type`` cast


class DriverStatement:
    """One statement in plain SQL with ``:name`` parameters; ``bind_types`` names the parameters whose
    values need their column's conversion (timestamps, JSON, dates), the others go to the driver as they
    are. ``postgresql`` is the statement's own text there, when the two databases need different SQL."""

    def __init__(self, sql: str, bind_types: Mapping[str, TypeEngine[Any]] | None = None, *,
                 postgresql: str | None = None) -> None:
        self.sql = sql
        self.postgresql = postgresql or sql
        self.bind_types = dict(bind_types or {})
        self._by_dialect: dict[str, tuple[str, list[tuple[str, Callable[[Any], Any]]]]] = {}

    def rows(self, connection: Connection, params: Params | Sequence[Params]) -> list[tuple[Any, ...]]:
        """Run once (a mapping) or for each of several rows (a sequence: the driver's executemany);
        the rows it returns, if any."""
        dialect = connection.dialect
        sql, converters = self._prepared(dialect)
        many = not isinstance(params, Mapping)
        values = [self._converted(p, converters) for p in params] if many else self._converted(params, converters)
        cursor = connection.connection.cursor()
        try:
            if many:
                cursor.executemany(sql, values)
            else:
                cursor.execute(sql, values)
            return cursor.fetchall() if cursor.description is not None else []
        except dialect.loaded_dbapi.Error as exc:
            raise DBAPIError.instance(sql, values, exc, dialect.loaded_dbapi.Error, dialect=dialect,
                                      hide_parameters=connection.engine.hide_parameters) from exc
        finally:
            cursor.close()

    def first(self, connection: Connection, params: Params) -> tuple[Any, ...] | None:
        found = self.rows(connection, params)
        return found[0] if found else None

    @staticmethod
    def _converted(params: Params, converters: list[tuple[str, Callable[[Any], Any]]]) -> dict[str, Any]:
        values = dict(params)
        for name, convert in converters:
            if values.get(name) is not None:
                values[name] = convert(values[name])
        return values

    def _prepared(self, dialect: Dialect) -> tuple[str, list[tuple[str, Callable[[Any], Any]]]]:
        prepared = self._by_dialect.get(dialect.name)
        if prepared is None:
            sql = self.postgresql if dialect.name == "postgresql" else self.sql
            prepared = self._by_dialect[dialect.name] = (_in_paramstyle(sql, dialect), [
                (name, convert) for name, type_ in self.bind_types.items()
                if (convert := type_.dialect_impl(dialect).bind_processor(dialect)) is not None])
        return prepared


def _in_paramstyle(sql: str, dialect: Dialect) -> str:
    """The SQL in the driver's parameter style: sqlite3 takes ``:name`` itself, psycopg wants ``%(name)s``."""
    if dialect.paramstyle in {"named", "qmark"}:
        return sql
    if dialect.paramstyle == "pyformat":
        return _NAMED.sub(r"%(\1)s", sql.replace("%", "%%"))
    raise NotImplementedError(f"no driver statements for the {dialect.paramstyle!r} parameter style")


def column_types(table: Any, *names: str) -> dict[str, TypeEngine[Any]]:
    """The SQLAlchemy types of these columns of a model (``bind_types`` by column name)."""
    columns = table.__table__.c
    return {name: columns[name].type for name in names}


class ResultType:
    """A column's conversion of a read value, as SQLAlchemy does it on each database (the value itself
    when the driver already returns the Python type)."""

    def __init__(self, type_: TypeEngine[Any]) -> None:
        self.type_ = type_
        self._by_dialect: dict[str, Callable[[Any], Any] | None] = {}

    def convert(self, connection: Connection, value: Any) -> Any:
        dialect = connection.dialect
        if dialect.name not in self._by_dialect:
            self._by_dialect[dialect.name] = self.type_.dialect_impl(dialect).result_processor(dialect, None)
        convert = self._by_dialect[dialect.name]
        return convert(value) if convert is not None else value
