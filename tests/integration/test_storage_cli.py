"""The administrator's command line, run as an administrator runs it: ``python -m storage ...`` in its own
process, against a database given by ``FORMWORK_DATABASE_URL`` (SQLite, and PostgreSQL when configured).

Asserted: the exit codes and the sentences the administrator reads.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from builder.passwords import verify_password
from builder.usecases import requests, review
from builder.workflow import Action, Command
from storage.engine import make_engine
from storage.models import Submission
from storage.uow import SqlUnitOfWork
from tests.helpers import RESIDENT, ROADS

ROOT = Path(__file__).resolve().parents[2]
POTHOLE = {"location": "Market Street 12", "size": "small", "name": "Ysolde Canary", "email": "y@resident.example"}
LONG_AGO = datetime(2024, 1, 8, 10, tzinfo=UTC)  # more than the pothole form's 730 days of retention ago
PUBLISHED_AT = LONG_AGO - timedelta(days=1)  # read by the ``seeded`` fixture


def storage_cli(url: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python -m storage ARGS`` in a new process, from a folder outside the checkout."""
    env = {**os.environ, "FORMWORK_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "storage", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=300, check=False)




def _references(engine: Engine) -> set[str]:
    with Session(engine) as session:
        return set(session.exec(select(Submission.reference)).all())


def test_migrate_creates_a_fresh_sqlite_database_and_can_run_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    for _ in range(2):  # the second run finds nothing to do and still succeeds
        run = storage_cli(url, "migrate", cwd=tmp_path)
        assert run.returncode == 0, run.stderr
        assert run.stdout.strip() == "Database is at the newest schema."
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM submission")).scalar() == 0
    finally:
        engine.dispose()


def test_demo_prints_a_password_per_role_that_signs_in_and_publishes_the_two_city_forms(
        database_url: str, tmp_path: Path) -> None:
    run = storage_cli(database_url, "demo", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "Demo content loaded. Sign in with:"
    printed = {line.split()[1]: (line.split()[0], line.split()[2]) for line in lines[1:] if line.strip()}
    assert {role for role, _password in printed.values()} == {"administrator", "designer", "reviewer", "resident"}
    engine = make_engine(database_url)
    try:
        uow = SqlUnitOfWork(engine)
        with uow.reading():
            users = {username: uow.directory.user(username) for username in printed}
            published = {version.form_slug: version.number for version in uow.forms.published()}
        # Each printed password is the one stored for that user: the administrator can sign in with it.
        assert all(user is not None and verify_password(password, user.password_hash)
                   for (_role, password), user in zip(printed.values(), users.values(), strict=True))
        assert users["admin"].is_admin and printed["admin"][0] == "administrator"
        assert published == {"report-pothole": 1, "street-party-permit": 1}
        again = storage_cli(database_url, "demo", cwd=tmp_path)  # loading twice adds nothing
        assert again.returncode == 0, again.stderr
        with uow.reading():
            assert {version.form_slug: version.number for version in uow.forms.published()} == published
            assert len(uow.directory.all_users()) == len(printed)
    finally:
        engine.dispose()


def test_without_a_command_or_with_an_unknown_one_the_usage_is_shown(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    help_run = storage_cli(url, "--help", cwd=tmp_path)
    assert help_run.returncode == 0 and "backup PATH" in help_run.stdout and "verify-audit" in help_run.stdout
    assert storage_cli(url, cwd=tmp_path).returncode == 2
    unknown = storage_cli(url, "bakup", "x", cwd=tmp_path)
    assert unknown.returncode == 2 and "Unknown command 'bakup'" in unknown.stdout
    for command in ("backup", "restore"):
        missing = storage_cli(url, command, cwd=tmp_path)
        assert missing.returncode == 2 and missing.stdout.strip() == f"Usage: python -m storage {command} PATH"


def test_verify_audit_reports_ok_then_names_the_first_broken_link_after_tampering(
        seeded: SqlUnitOfWork, engine: Engine, database_url: str, tmp_path: Path) -> None:
    first = requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key="a")
    requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key="b")
    with engine.connect() as connection:
        events = connection.execute(text("SELECT count(*) FROM audit_event")).scalar()
    intact = storage_cli(database_url, "verify-audit", cwd=tmp_path)
    assert intact.returncode == 0, intact.stderr
    assert intact.stdout.strip() == f"Audit chain intact: {events} events verified."

    with engine.begin() as connection:  # what an intruder with database access would have to do
        if engine.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER audit_event_no_update"))
        else:
            connection.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"))
        seq = connection.execute(text("SELECT min(seq) FROM audit_event WHERE action = 'submit'")).scalar()
        connection.execute(text("UPDATE audit_event SET actor = 'somebody-else' WHERE seq = :seq"), {"seq": seq})
    broken = storage_cli(database_url, "verify-audit", cwd=tmp_path)
    assert broken.returncode == 1, broken.stderr
    assert broken.stdout.startswith(f"Audit chain BROKEN at event {seq}: submit on {first.reference} by "
                                    "somebody-else at ")
    assert f"({seq} events read). This event or the one before it was changed or removed." in broken.stdout


def test_purge_anonymises_what_is_past_retention_and_says_which(
        seeded: SqlUnitOfWork, engine: Engine, database_url: str, tmp_path: Path) -> None:
    old = requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key="old", now=LONG_AGO)
    review.act(old.reference, Command(Action.REJECT, ROADS, text="Not a pothole"), 1, seeded, now=LONG_AGO)
    recent = requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key="new")
    engine.dispose()  # the app is quiet: nothing keeps the SQLite write-ahead log busy

    run = storage_cli(database_url, "purge", cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "Retention purge: 1 request(s) anonymised."
    assert lines[1].split() == [old.reference, "report-pothole", "rejected", "(kept", "730", "days)"]
    with seeded.reading():
        assert seeded.requests.get(old.reference).answers == {}
        assert seeded.requests.get(recent.reference).answers["name"] == "Ysolde Canary"
    engine.dispose()
    again = storage_cli(database_url, "purge", cwd=tmp_path)
    assert again.returncode == 0 and again.stdout.strip() == "Retention purge: 0 request(s) anonymised."
    assert storage_cli(database_url, "verify-audit", cwd=tmp_path).returncode == 0  # the purge is audited, chained


def _needs_client_tools(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
        if missing:
            pytest.skip(f"{' and '.join(missing)} not installed (PostgreSQL client tools): the PostgreSQL "
                        "backup/restore commands were NOT tested")


def test_backup_then_restore_brings_back_the_requests_submitted_before_the_backup(
        seeded: SqlUnitOfWork, engine: Engine, database_url: str, tmp_path: Path) -> None:
    _needs_client_tools(database_url)
    kept = requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key="before")
    target = tmp_path / "backups" / "formwork.backup"
    run = storage_cli(database_url, "backup", str(target), cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    kind = "sqlite" if engine.dialect.name == "sqlite" else "postgresql"
    assert run.stdout.strip() == f"Backup written: {target} ({target.stat().st_size:,} bytes, {kind})."
    assert target.stat().st_mode & 0o077 == 0 and target.parent.stat().st_mode & 0o077 == 0
    later = requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key="after")
    assert {kept.reference, later.reference} <= _references(engine)

    engine.dispose()  # "stop the app first"
    restored = storage_cli(database_url, "restore", str(target), cwd=tmp_path)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert restored.stdout.strip() == (f"Restored from {target}. Run `python -m storage verify-audit` to check the "
                                       "audit chain.")
    present = _references(engine)
    assert kept.reference in present and later.reference not in present
    verified = storage_cli(database_url, "verify-audit", cwd=tmp_path)
    assert verified.returncode == 0 and verified.stdout.startswith("Audit chain intact: ")
    # The restored database is the app's again: it accepts the next request.
    assert requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key="next").reference


def test_restoring_a_missing_backup_changes_nothing(
        seeded: SqlUnitOfWork, engine: Engine, database_url: str, tmp_path: Path) -> None:
    kept = requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key="k")
    engine.dispose()
    missing = tmp_path / "nowhere.backup"
    run = storage_cli(database_url, "restore", str(missing), cwd=tmp_path)
    assert run.returncode == 1 and run.stdout.strip() == f"There is no backup file at {missing}."
    assert kept.reference in _references(engine)


def test_restoring_a_damaged_sqlite_backup_says_so_and_changes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    assert storage_cli(url, "migrate", cwd=tmp_path).returncode == 0
    damaged = tmp_path / "damaged.backup"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x00" * 4000)
    run = storage_cli(url, "restore", str(damaged), cwd=tmp_path)
    assert (tmp_path / "app.db").exists()
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert run.stdout.startswith("The backup file is damaged, nothing was restored")


def test_without_a_database_setting_the_app_uses_a_sqlite_file_under_data(tmp_path: Path) -> None:
    """The README's first command sets nothing: the database is ./data/formwork.db, in WAL mode."""
    env = {k: v for k, v in os.environ.items() if k != "FORMWORK_DATABASE_URL"} | {"PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "storage", "migrate"], capture_output=True, text=True, env=env,
                         cwd=tmp_path, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    database = tmp_path / "data" / "formwork.db"
    assert database.exists()
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone() is not None
