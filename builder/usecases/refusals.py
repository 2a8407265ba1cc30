"""Refusals the core writes to the audit log itself, so every caller of a use case leaves the same trace.

A use case decorated with ``audits_refusals`` records a ``Refused`` (the actor's roles do not allow it) or
a ``Hidden`` (it exists, but is not the actor's to see, and is answered like a thing that does not exist)
as a "denied" audit event, in its own transaction after the refused one rolled back, then raises it
again. Other failures — a field to correct, a colleague who acted first, a thing that really does not
exist — are not attempts at something forbidden and are not recorded.

The error remembers it was recorded (``already_recorded``), so a page that also records the refusals it
is handed (``ui.access.record_refusal``) does not write a second event, and a use case that calls another
records once.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from builder.errors import FormworkError, NotFound, PermissionDenied
from builder.ports import Actor, UnitOfWork
from builder.usecases.accounts import record_denied

P = ParamSpec("P")
R = TypeVar("R")
log = logging.getLogger("formwork.security")


class Refused(PermissionDenied):
    """The actor's roles do not allow this. ``what`` says what was attempted, for the audit log."""

    def __init__(self, message: str, *, what: str) -> None:
        super().__init__(message)
        self.what = what
        self.recorded = False


class Hidden(NotFound):
    """It exists but is not the actor's to see: the same message as for a thing that does not exist."""

    def __init__(self, message: str, *, what: str) -> None:
        super().__init__(message)
        self.what = what
        self.recorded = False


def already_recorded(error: BaseException) -> bool:
    return isinstance(error, Refused | Hidden) and error.recorded


def audits_refusals(use_case: Callable[P, R]) -> Callable[P, R]:
    """Record the use case's ``Refused`` / ``Hidden`` (it must take ``actor`` and ``uow`` arguments)."""
    signature = inspect.signature(use_case)
    assert {"actor", "uow"} <= set(signature.parameters), f"{use_case.__name__} needs actor and uow"
    doing = use_case.__name__.replace("_", " ")

    @functools.wraps(use_case)
    def recording(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return use_case(*args, **kwargs)
        except (Refused, Hidden) as error:
            if not error.recorded:
                bound = signature.bind(*args, **kwargs)
                bound.apply_defaults()
                _record(bound.arguments["actor"], f"{doing}: {error.what}", bound.arguments["uow"], error)
            raise
    return recording


def _record(actor: Actor, what: str, uow: UnitOfWork, error: Refused | Hidden) -> None:
    try:
        record_denied(actor, what, uow)
    except FormworkError:  # the refusal stands even if the log cannot be written; the cause goes to the server log
        log.exception("could not record a denied attempt: %s", what)
        return
    error.recorded = True
