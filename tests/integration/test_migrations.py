"""Schema changes reach databases that already hold requests: every revision in order, nothing lost."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine
from sqlmodel import SQLModel

from builder.usecases import insights, requests, review
from builder.workflow import Action, Command
from storage.migrate import alembic_config, head_revisions, is_current, upgrade
from storage.uow import SqlUnitOfWork
from tests.helpers import ADMIN, RESIDENT, ROADS

POTHOLE = {"location": "Market Street 12", "size": "large", "blocks_road": True}


def _to(engine: Engine, revision: str, *, down: bool = False) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def test_the_migrated_schema_is_exactly_the_models(engine: Engine) -> None:
    """A model changed without a migration would break every city that upgrades: autogenerate finds nothing."""
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []


def test_a_database_from_the_first_release_upgrades_and_keeps_its_requests(seeded: SqlUnitOfWork,
                                                                            engine: Engine) -> None:
    receipt = requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key="before-upgrade")
    case = review.open_case(receipt.reference, ROADS, seeded)
    review.act(receipt.reference, Command(Action.APPROVE, ROADS), case.request.row_version, seeded)
    insights.dashboard(ADMIN, seeded)  # figures stored once, then dropped with their tables below

    _to(engine, "0001", down=True)  # the schema as the first release created it, with this request in it
    assert not is_current(engine)
    upgrade(engine)  # what the app does on start

    assert is_current(engine)
    assert requests.status(receipt.reference, receipt.access_code or "", seeded).state == "approved"
    figures = insights.dashboard(ADMIN, seeded)  # the new figure tables are filled from the audit log
    assert [(f.form, f.received, f.approved) for f in figures.forms] == [("report-pothole", 1, 1)]


def test_the_quick_start_check_reads_the_same_head_as_alembic() -> None:
    from alembic.script import ScriptDirectory

    assert head_revisions() == set(ScriptDirectory.from_config(alembic_config()).get_heads())


def test_a_current_database_starts_without_alembic_and_an_old_one_is_upgraded(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's start skips Alembic only when nothing is to do: an old schema is still upgraded."""
    calls: list[str] = []
    real_upgrade = command.upgrade
    monkeypatch.setattr(command, "upgrade", lambda config, revision: (calls.append(revision),
                                                                     real_upgrade(config, revision)))
    upgrade(engine)
    assert calls == []  # already at head: no migration machinery
    _to(engine, "0001", down=True)
    upgrade(engine)
    assert calls == ["head"] and is_current(engine)


def test_versions_published_before_the_digest_column_get_theirs_and_take_submissions(
        seeded: SqlUnitOfWork, engine: Engine) -> None:
    from builder.published import document_digest

    _to(engine, "0002", down=True)  # the column as 0002 left it: absent
    upgrade(engine)
    with seeded.reading():
        version = seeded.forms.latest_version("report-pothole")
        head = seeded.forms.latest_head("report-pothole")
    assert version is not None and head is not None
    assert head.digest == version.digest == document_digest(version.definition)
    receipt = requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key="after-upgrade")
    assert requests.status(receipt.reference, receipt.access_code or "", seeded).state == "in_review"
