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
