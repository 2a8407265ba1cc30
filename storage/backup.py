"""Consistent online backups and restores (``python -m storage backup PATH`` / ``restore PATH``).

SQLite: the backup API copies the whole database in one step from a single read snapshot. Under WAL a
reader never blocks writers, so the app keeps accepting submissions while the copy runs, and the
copy holds exactly the transactions committed before it started (copying the files with ``cp``
does not: it can miss acknowledged rows that are still in the WAL). The copy is checked with
``PRAGMA integrity_check`` and moved into place only when it is sound.

PostgreSQL: ``pg_dump`` (custom format) reads one consistent snapshot while the app writes;
``pg_restore --clean --single-transaction`` puts it back. When the URL pins a schema through
``options=-csearch_path=...`` only that schema is dumped and restored.

A backup holds every resident's answers: the file is created readable and writable by its owner
only (0600, whatever the umask) before anything is written into it, and a new backup folder is 0700.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupFailed(RuntimeError):
    """The backup or restore did not complete; nothing was replaced."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    kind: str  # "sqlite" | "postgresql"


def backup(database_url: str, target: Path) -> BackupResult:
    target = Path(target)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if database_url.startswith("sqlite"):
        _sqlite_backup(_sqlite_path(database_url), target)
        return BackupResult(target, target.stat().st_size, "sqlite")
    _pg_dump(database_url, target)
    return BackupResult(target, target.stat().st_size, "postgresql")


def restore(database_url: str, source: Path) -> None:
    """Replace the database's content with the backup. Stop the app first."""
    source = Path(source)
    if not source.is_file():
        raise BackupFailed(f"There is no backup file at {source}.")
    if database_url.startswith("sqlite"):
        _sqlite_restore(source, _sqlite_path(database_url))
    else:
        _pg_restore(database_url, source)


def integrity(path: Path) -> str:
    """SQLite's own verdict on a database file ("ok" when sound)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return "\n".join(row[0] for row in connection.execute("PRAGMA integrity_check"))
    except sqlite3.DatabaseError as exc:  # not a database at all (truncated, overwritten): as damaged as can be
        return str(exc)
    finally:
        connection.close()


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupFailed("An in-memory database cannot be backed up.")
    return Path(database)


def _sqlite_backup(source: Path, target: Path) -> None:
    partial = _private_file(target.with_name(target.name + ".partial"))
    origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    copy = sqlite3.connect(partial)
    try:
        origin.backup(copy)  # pages=-1: one step, one snapshot
        # The copy takes the origin's WAL mode; one self-contained file is what a backup should be, and
        # no -wal or -shm file (created with the umask's permissions) is left beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
    finally:
        copy.close()
        origin.close()
    verdict = integrity(partial)
    if verdict != "ok":
        partial.unlink(missing_ok=True)
        raise BackupFailed(f"The copy failed its integrity check: {verdict}")
    os.chmod(partial, 0o600)
    os.replace(partial, target)


def _private_file(path: Path) -> Path:
    """A new, empty file only its owner may read (0600 regardless of the umask); an old one is replaced."""
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    os.chmod(path, 0o600)  # os.open's mode is filtered by the umask; 0600 only ever loses bits to it
    return path


def _sqlite_restore(source: Path, target: Path) -> None:
    verdict = integrity(source)
    if verdict != "ok":
        raise BackupFailed(f"The backup file is damaged, nothing was restored: {verdict}")
    target.parent.mkdir(parents=True, exist_ok=True)
    origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    destination = sqlite3.connect(target, timeout=30)
    try:
        origin.backup(destination)
        destination.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        destination.close()
        origin.close()


def _libpq(database_url: str) -> tuple[str, str | None]:
    """A libpq URI for the client tools, and the schema pinned by ``search_path`` (if any)."""
    url = make_url(database_url)
    options = " ".join(url.query.get("options", ()) if isinstance(url.query.get("options"), tuple)
                       else [url.query.get("options") or ""])
    schema = None
    for part in options.split():
        if part.startswith("-csearch_path="):
            schema = part.split("=", 1)[1].split(",")[0]
    plain = url.set(drivername="postgresql", query={})
    return plain.render_as_string(hide_password=False), schema


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupFailed(f"{name} is not installed; install the PostgreSQL client tools.")
    return found


def _pg_dump(database_url: str, target: Path) -> None:
    conninfo, schema = _libpq(database_url)
    partial = _private_file(target.with_name(target.name + ".partial"))
    command = [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={partial}"]
    command += [f"--schema={schema}"] if schema else []
    try:
        _run(command + [f"--dbname={conninfo}"])
    except BackupFailed:
        partial.unlink(missing_ok=True)
        raise
    os.chmod(partial, 0o600)
    os.replace(partial, target)


def _pg_restore(database_url: str, source: Path) -> None:
    conninfo, schema = _libpq(database_url)
    command = [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
               "--exit-on-error", f"--dbname={conninfo}"]
    command += [f"--schema={schema}"] if schema else []
    _run(command + [str(source)])


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupFailed(f"{Path(command[0]).name} failed: {result.stderr.strip()[:2000]}")


__all__ = ["BackupFailed", "BackupResult", "backup", "integrity", "restore"]
