"""Schema changes go through Alembic; the app upgrades the database to the newest revision on start.

Starting the app on a database that is already current is the common case, and Alembic's machinery
(its import, the script directory, the environment script) costs more than everything else at start.
``upgrade`` therefore first compares the database's ``alembic_version`` with the head revisions read
from the migration files (one small query; the files are parsed once per process), and hands over to
Alembic only when they differ -- a fresh database, a newer release, or anything it cannot tell.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
VERSION_TABLE = "alembic_version"  # Alembic's default; env.py does not change it


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest revision (a no-op when it is there already)."""
    if _at_head(engine):
        return
    from alembic import command

    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def is_current(engine: Engine) -> bool:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head


def new_revision(engine: Engine, message: str) -> None:
    """Developers: autogenerate a migration from the models (``python -m storage revision "msg"``)."""
    from alembic import command

    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)


def _at_head(engine: Engine) -> bool:
    """True when the database records exactly the head revision(s) of the migration files.

    False whenever in doubt (no version table yet, unreadable migration files): Alembic then decides.
    """
    heads = head_revisions()
    if not heads:
        return False
    try:
        with engine.connect() as connection:
            stored = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    except DBAPIError:  # no version table: a fresh database
        return False
    return set(stored) == heads


@cache
def head_revisions() -> frozenset[str]:
    """The revisions no other migration revises, read from the files' ``revision``/``down_revision``.

    Empty when a file does not state them as plain literals (Alembic's own reading is then used).
    """
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        found = _module_literals(path, ("revision", "down_revision"))
        if found is None or not isinstance(found.get("revision"), str):
            return frozenset()
        revisions.add(found["revision"])
        down = found.get("down_revision")
        revised.update([down] if isinstance(down, str) else down or ())
    return frozenset(revisions - revised)


def _module_literals(path: Path, names: tuple[str, ...]) -> dict[str, object] | None:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError, ValueError):
        return None
    found: dict[str, object] = {}
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else (
            node.target if isinstance(node, ast.AnnAssign) else None)
        if isinstance(target, ast.Name) and target.id in names and node.value is not None:
            try:
                found[target.id] = ast.literal_eval(node.value)
            except ValueError:
                return None
    return found
