"""Command line: ``python -m storage COMMAND``.

Commands:
  migrate            upgrade the database to the newest schema
  demo               load demo departments, groups, users and forms; prints the passwords
  verify-audit       verify the audit log's hash chain; names the first broken link (exit 1)
  outbox [--once]    send queued mail over SMTP (FORMWORK_SMTP_*), retrying with backoff; loops unless --once
  outbox --undelivered  list the mail given up on after every attempt (exit 1 when there is some)
  purge              anonymise requests kept past their form's retention (see storage/retention.py);
                     exit 1 when readers kept the SQLite WAL busy (run it again)
  backup PATH        write a consistent backup while the app runs (SQLite file or pg_dump archive)
  restore PATH       replace the database with a backup (stop the app first)
  revision MESSAGE   (developers) autogenerate a migration from the models
"""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy import Engine

from storage.audit_check import describe_link, verify_audit
from storage.demo import load_demo
from storage.engine import make_engine
from storage.migrate import new_revision, upgrade
from storage.settings import load_settings


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help"}:
        print(__doc__)
        return 0 if argv else 2
    command, *rest = argv
    engine = make_engine(load_settings().database_url)
    if command == "migrate":
        upgrade(engine)
        print("Database is at the newest schema.")
    elif command == "demo":
        upgrade(engine)
        print("Demo content loaded. Sign in with:")
        for username, role, password in load_demo(engine):
            print(f"  {role:<14} {username:<10} {password}")
    elif command == "verify-audit":
        counted, broken = verify_audit(engine)
        if broken is not None:
            print(f"Audit chain BROKEN at {describe_link(engine, broken)} ({counted} events read). "
                  "This event or the one before it was changed or removed.")
            return 1
        print(f"Audit chain intact: {counted} events verified.")
    elif command == "outbox":
        return _outbox_command(rest, engine)
    elif command in {"purge", "backup", "restore"}:
        return _records_command(command, rest, engine)
    elif command == "revision" and rest:
        new_revision(engine, " ".join(rest))
    else:
        print(f"Unknown command {command!r}.\n{__doc__}")
        return 2
    return 0


def _outbox_command(rest: list[str], engine: Engine) -> int:
    """The mail worker (issue 5); see storage/outbox.py."""
    import logging

    from storage import outbox

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = load_settings()
    if "--undelivered" in rest:
        return _undelivered(engine, listed=True)
    if "--once" in rest:
        result = outbox.send_due(engine, outbox.sender_for(settings), settings.mail_from)
        print(f"Outbox: {result.sent} sent, {result.failed} failed, {result.skipped} taken by another worker.")
        _undelivered(engine, listed=False)
        return 0
    outbox.run_forever(engine, settings)
    return 0


def _undelivered(engine: Engine, *, listed: bool) -> int:
    """Say which mail the worker gave up on (all of it when ``listed``); 1 when there is some."""
    from storage import outbox
    from storage.uow import SqlUnitOfWork

    with SqlUnitOfWork(engine).reading() as uow:
        given_up = uow.outbox.undelivered()
    if not given_up:
        if listed:
            print("No undelivered mail.")
        return 0
    print(f"{len(given_up)} message(s) undelivered after {outbox.MAX_ATTEMPTS} attempts; try them again from the "
          "administration page (Undelivered mail).")
    for mail in given_up if listed else []:
        print(f"  #{mail.id}  {mail.created_at:%Y-%m-%d %H:%M} UTC  to {mail.recipient}  {mail.subject!r}  "
              f"last error: {mail.last_error}")
    return 1


def _records_command(command: str, rest: list[str], engine: Engine) -> int:
    """Retention, backup and restore (issue 7)."""
    from storage import backup, retention

    if command == "purge":
        upgrade(engine)
        result = retention.purge(engine)
        print(f"Retention purge: {len(result.requests)} request(s) anonymised"
              + (f", {len(result.abandoned)} of them closed as abandoned (no answer from the resident)."
                 if result.abandoned else "."))
        for item in result.requests:
            closed = "  closed as abandoned" if item.abandoned else ""
            print(f"  {item.reference}  {item.form}  {item.state}  (kept {item.retention_days} days){closed}")
        if not result.wal_emptied:
            print("WARNING: other connections kept the database's write-ahead log busy, so it could not be "
                  "emptied: purged values may remain in the -wal file. Run `python -m storage purge` again "
                  "when the app is quiet.")
            return 1
        return 0
    if len(rest) != 1:
        print(f"Usage: python -m storage {command} PATH")
        return 2
    url = engine.url.render_as_string(hide_password=False)
    try:
        if command == "backup":
            result = backup.backup(url, Path(rest[0]))
            print(f"Backup written: {result.path} ({result.size:,} bytes, {result.kind}).")
        else:
            backup.restore(url, Path(rest[0]))
            print(f"Restored from {rest[0]}. Run `python -m storage verify-audit` to check the audit chain.")
    except backup.BackupFailed as failure:
        print(str(failure))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
