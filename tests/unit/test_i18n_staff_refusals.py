"""Refusals of the core on staff pages: worded per error type in the reviewer's language, never the
core's English text (which is kept only for an error type nobody has worded yet)."""

from __future__ import annotations

import pytest

import ui.i18n
from builder.errors import (AnswersInvalid, DefinitionInvalid, DraftConflict, FieldError, FormworkError,
                            InputTooLarge, InvalidTransition, NotFound, PermissionDenied, RateLimited, StaleRequest,
                            StorageUnavailable)
from builder.workflow import MissingText
from ui.timeline import staff_refusal

KNOWN: list[FormworkError] = [
    StaleRequest(), InvalidTransition("Sam is already working on this request."),
    MissingText("Write the reason."), PermissionDenied("Only the resident can do that."),
    NotFound("There is no request with this reference in your groups."), DraftConflict("Saved by someone else."),
    StorageUnavailable(), RateLimited("Too many attempts."), InputTooLarge("Too long."),
    AnswersInvalid([]), DefinitionInvalid([FieldError(("schema",), "bad")]),
]


@pytest.fixture
def french(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ui.i18n, "current_locale", lambda: "fr")


def test_a_stale_request_is_explained_in_french(french: None) -> None:
    assert staff_refusal(StaleRequest()) == ("Cette demande a changé depuis que vous l’avez ouverte : quelqu’un "
                                             "d’autre l’a traitée. Rechargez-la et décidez à nouveau.")


@pytest.mark.parametrize("exc", KNOWN, ids=lambda e: type(e).__name__)
def test_every_known_refusal_is_translated_and_english_readers_keep_the_specifics(monkeypatch: pytest.MonkeyPatch,
                                                                 exc: FormworkError) -> None:
    monkeypatch.setattr(ui.i18n, "current_locale", lambda: "en")
    english = staff_refusal(exc)
    monkeypatch.setattr(ui.i18n, "current_locale", lambda: "fr")
    french = staff_refusal(exc)
    assert french != str(exc) and french != english, "the French catalogue has no entry for this refusal"
    if isinstance(exc, InvalidTransition | PermissionDenied | MissingText):  # the core's English names the specifics
        assert english == str(exc)
    else:
        assert english != str(exc)  # worded for staff, not the core's text


def test_refusals_of_different_kinds_are_told_apart(french: None) -> None:
    messages = [staff_refusal(exc) for exc in KNOWN if not isinstance(exc, AnswersInvalid | DefinitionInvalid)]
    assert len(set(messages)) == len(messages)
    assert staff_refusal(PermissionDenied("x")).startswith("Vos rôles ne permettent pas")
    assert staff_refusal(NotFound("x")).startswith("Aucune demande de vos groupes")


def test_problems_are_counted_in_french(french: None) -> None:
    errors = [FieldError(("schema",), "bad"), FieldError(("uiSchema",), "worse")]
    assert staff_refusal(DefinitionInvalid(errors)) == (
        "La définition du formulaire a 2 problèmes ; ouvrez-la dans l’éditeur pour voir où.")
    assert staff_refusal(AnswersInvalid([FieldError(("name",), "Ce champ est obligatoire.")])) == \
        "Ce champ est obligatoire."


def test_an_unknown_refusal_falls_back_to_the_core_text_escaped(french: None) -> None:
    class Unworded(FormworkError):
        pass

    assert staff_refusal(Unworded("Use *care* with <b>this</b>")) == r"Use \*care\* with \<b>this\</b>"
