"""Every page checks its own permission, even though the navigation only lists allowed pages."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from builder.ports import Actor
from ui.context import current_actor


def require(allowed: Callable[[Actor], bool], message: str) -> Actor:
    """Stop the page, showing only ``message``, unless the current actor is allowed."""
    actor = current_actor()
    if not allowed(actor):
        st.warning(message)
        st.stop()
    return actor


def is_reviewer(actor: Actor) -> bool:
    return bool(actor.reviewer_groups)


def is_designer(actor: Actor) -> bool:
    return actor.is_admin or bool(actor.designer_departments)


def is_admin(actor: Actor) -> bool:
    return actor.is_admin


def is_signed_in(actor: Actor) -> bool:
    return actor.is_signed_in
