"""What ``app.py`` hands to the pages: a unit-of-work factory and the settings pages need.

``app.py`` is the only place that knows storage; it calls ``install`` on every run, and pages ask
``services()`` for a unit of work to pass to the core's use cases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import streamlit as st

from builder.ports import ANONYMOUS, Actor, UnitOfWork
from ui.nav import ensure_entry_point

ACTOR_KEY = "formwork_actor"


@dataclass(frozen=True)
class Services:
    uow_factory: Callable[[], UnitOfWork]
    holidays: tuple[date, ...] = ()
    demo_mode: bool = False
    public_url: str = "http://localhost:8501"
    # Run right after an erasure so the erased values leave the database files at once (SQLite: WAL
    # checkpoint, storage.retention.forget_erased); nothing to do without a database file.
    forget_erased: Callable[[], None] = lambda: None
    extra: dict[str, object] = field(default_factory=dict)

    def uow(self) -> UnitOfWork:
        return self.uow_factory()


_installed: Services | None = None


def install(services: Services) -> None:
    global _installed
    _installed = services


def services() -> Services:
    ensure_entry_point()
    if _installed is None:
        raise RuntimeError("Formwork pages run through app.py, which installs the services first.")
    return _installed


def set_actor(actor: Actor) -> None:
    st.session_state[ACTOR_KEY] = actor


def current_actor() -> Actor:
    ensure_entry_point()
    actor = st.session_state.get(ACTOR_KEY)
    return actor if isinstance(actor, Actor) else ANONYMOUS
