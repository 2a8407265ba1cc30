"""Errors of the core, named for their meaning.

The tree::

    FormworkError
    ├── NotFound               something asked for does not exist (or may not be seen)
    ├── PermissionDenied       the actor may not do this
    ├── DefinitionInvalid      a form definition breaks the meta-schema or a lint rule
    ├── AnswersInvalid         a resident's answers break the form's schema (carries field errors)
    ├── InvalidTransition      the action is not allowed in the request's current state
    ├── StaleRequest           the request changed since the actor opened it
    ├── DraftConflict          someone else saved the draft since it was opened
    ├── RateLimited            too many attempts; try again later
    ├── InputTooLarge          a submission or definition exceeds a size or depth limit
    └── StorageUnavailable     the database cannot be read or written just now (nothing was changed)

Pages catch ``FormworkError`` and show ``str(error)``: every message is written for the person
who will read it.
"""

from __future__ import annotations

from dataclasses import dataclass


class FormworkError(Exception):
    """Base of every error the core raises on purpose."""


class NotFound(FormworkError):
    """The thing asked for does not exist, or the actor may not know it exists."""


class PermissionDenied(FormworkError):
    """The actor's roles do not allow this action."""


class InvalidTransition(FormworkError):
    """The action is not allowed in the request's current state."""


class StaleRequest(FormworkError):
    """Optimistic locking: the request's version moved on since it was read."""

    def __init__(self, message: str = "This request changed since you opened it. Reload it and decide again.") -> None:
        super().__init__(message)


class DraftConflict(FormworkError):
    """Two designers edited the same draft; the later save must not overwrite silently."""


class RateLimited(FormworkError):
    """Too many attempts in a short time."""


class InputTooLarge(FormworkError):
    """A submission or definition exceeds a size or depth limit."""


class StorageUnavailable(FormworkError):
    """The database refused the work (disk full, read-only, locked too long, server gone); the
    transaction was rolled back, so nothing of it was stored and the same action can be tried again."""

    def __init__(self, message: str = "We could not save or load this just now because of a problem on our side. "
                                      "Nothing was changed. Please try again in a few minutes.") -> None:
        super().__init__(message)


@dataclass(frozen=True)
class FieldError:
    """One problem, attached to the field where it happened.

    ``path`` is the JSON path of the field inside the answers (``()`` for the whole form).
    """

    path: tuple[str | int, ...]
    message: str

    @property
    def pointer(self) -> str:
        """The field's JSON pointer, e.g. ``/address/street``."""
        return "".join(f"/{part}" for part in self.path)


class DefinitionInvalid(FormworkError):
    """A form definition cannot be saved or published; ``errors`` says where and why."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        summary = "; ".join(f"{e.pointer or '/'}: {e.message}" for e in errors[:5])
        super().__init__(f"The form definition has {len(errors)} problem(s): {summary}")


class AnswersInvalid(FormworkError):
    """The answers do not satisfy the form; ``errors`` holds one entry per field problem."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        noun = "problem" if len(errors) == 1 else "problems"
        super().__init__(f"Please correct {len(errors)} {noun} in the form.")
