"""Every page checks its own permission, even though the navigation only lists allowed pages.

A refused page shows one sentence and nothing of the data, and the attempt is written to the
audit log in its own transaction (``record_denied``), so nothing else a page did can roll it back.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from builder.errors import NotFound, PermissionDenied
from builder.ports import Actor
from builder.usecases.accounts import record_denied
from builder.usecases.refusals import already_recorded
from ui.context import current_actor, services

REFUSALS = (PermissionDenied, NotFound)


def require(allowed: Callable[[Actor], bool], message: str, *, what: str = "") -> Actor:
    """Stop the page, showing only ``message``, unless the current actor is allowed."""
    actor = current_actor()
    if not allowed(actor):
        # The calling page's file name says which page was refused.
        denied(actor, what or f"page {Path(sys._getframe(1).f_code.co_filename).stem}")
        st.warning(message)
        st.stop()
    return actor


def denied(actor: Actor, what: str) -> None:
    """Write a refused attempt to the audit log (a separate unit of work, after any rollback)."""
    try:
        record_denied(actor, what, services().uow())
    except Exception:  # the refusal stands even if the log cannot be written; the error goes to the server log
        logging.getLogger("formwork.security").exception("could not record a denied attempt: %s", what)


def record_refusal(actor: Actor, what: str, error: BaseException) -> bool:
    """After a use case failed: write the attempt to the audit log if the core refused it.

    Refusals are ``PermissionDenied`` (the role may not) and ``NotFound`` (not the actor's to see,
    answered like a thing that does not exist). Other failures — a colleague acted first
    (``StaleRequest``), a state that no longer allows the action, the database being unavailable —
    are not attempts at something forbidden and are not recorded. Returns whether it was recorded.
    A refusal the core recorded itself (``builder.usecases.refusals``) is not written a second time.
    """
    if already_recorded(error):
        return True
    if isinstance(error, REFUSALS):
        denied(actor, what)
        return True
    return False


def is_reviewer(actor: Actor) -> bool:
    return bool(actor.reviewer_groups)


def is_designer(actor: Actor) -> bool:
    return actor.is_admin or bool(actor.designer_departments)


def is_admin(actor: Actor) -> bool:
    return actor.is_admin


def is_signed_in(actor: Actor) -> bool:
    return actor.is_signed_in
