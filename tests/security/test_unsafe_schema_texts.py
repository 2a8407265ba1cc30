"""Schema-level texts a designer writes are checked like labels: ``enumNames``, ``errorMessage``, ``examples``.

Each is shown to residents (choice labels, the designer's own error messages, sample answers), so a
script link, raw HTML or an image from another site is refused when the definition is saved, and the
refusal names the field it sits in.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from builder.errors import DefinitionInvalid
from builder.publishing_checks import unsafe_text_errors
from builder.usecases import forms
from tests.conftest import template
from tests.fakes import FakeUnitOfWork
from tests.helpers import DESIGNER

UNSAFE = {
    "javascript link": "[Read the rules](javascript:alert(document.cookie))",
    "img tag": 'Pick one <img src="https://evil.example/p.gif">',
    "raw html": "<b onmouseover=alert(1)>Size</b>",
    "external image": "See ![map](https://tracker.example/pixel.png) first",
}


def _enum_names(schema: dict[str, Any], text: str) -> tuple[str, ...]:
    schema["properties"]["colour"] = {"type": "string", "enum": ["red", "blue"], "enumNames": ["Red", text]}
    return ("schema", "properties", "colour", "enumNames", 1)


def _error_message_text(schema: dict[str, Any], text: str) -> tuple[str, ...]:
    schema["properties"]["location"]["errorMessage"] = text
    return ("schema", "properties", "location", "errorMessage")


def _error_message_per_rule(schema: dict[str, Any], text: str) -> tuple[str, ...]:
    schema["properties"]["location"]["errorMessage"] = {"minLength": "Too short.", "maxLength": text}
    return ("schema", "properties", "location", "errorMessage", "maxLength")


def _error_message_required(schema: dict[str, Any], text: str) -> tuple[str, ...]:
    schema["errorMessage"] = {"required": {"location": text}}
    return ("schema", "errorMessage", "required", "location")


def _examples(schema: dict[str, Any], text: str) -> tuple[str, ...]:
    schema["properties"]["details"]["examples"] = ["A deep hole near the school", text]
    return ("schema", "properties", "details", "examples", 1)


PLACES: dict[str, Callable[[dict[str, Any], str], tuple[str, ...]]] = {
    "enumNames": _enum_names, "errorMessage": _error_message_text, "errorMessage per rule": _error_message_per_rule,
    "errorMessage of required": _error_message_required, "examples": _examples,
}


def _draft() -> tuple[FakeUnitOfWork, dict[str, Any]]:
    uow = FakeUnitOfWork(groups={"Road inspectors": []}, departments={"public-works", "events"})
    document = template("report-pothole")
    forms.create_form(document, DESIGNER, uow)
    return uow, document


@pytest.mark.parametrize("place", list(PLACES))
@pytest.mark.parametrize("kind", list(UNSAFE))
def test_unsafe_schema_texts_are_refused_when_saved_naming_the_field(place: str, kind: str) -> None:
    uow, document = _draft()
    before = copy.deepcopy(uow.forms.get("report-pothole").draft)
    edited = copy.deepcopy(document)
    path = PLACES[place](edited["schema"], UNSAFE[kind])
    with pytest.raises(DefinitionInvalid) as refused:
        forms.save_draft("report-pothole", edited, 1, DESIGNER, uow)
    assert [e.path for e in refused.value.errors] == [path]
    assert "Write plain text instead." in refused.value.errors[0].message
    assert uow.forms.get("report-pothole").draft == before  # nothing was saved


@pytest.mark.parametrize("place", list(PLACES))
def test_unsafe_schema_texts_are_refused_when_a_form_is_created(place: str) -> None:
    document = template("report-pothole")
    path = PLACES[place](document["schema"], UNSAFE["javascript link"])
    uow = FakeUnitOfWork(groups={"Road inspectors": []}, departments={"public-works"})
    with pytest.raises(DefinitionInvalid) as refused:
        forms.create_form(document, DESIGNER, uow)
    assert path in [e.path for e in refused.value.errors]


def test_plain_schema_texts_pass_and_fields_named_like_keywords_are_schemas_not_texts() -> None:
    document = template("report-pothole")
    _enum_names(document["schema"], "Light blue (like the sky)")
    _error_message_per_rule(document["schema"], "Keep it under 200 characters, e.g. “Market St. 12 > corner”.")
    _examples(document["schema"], "Next to the bus stop")
    # A field called "examples" whose pattern has angle brackets is a schema: its keywords are not texts.
    document["schema"]["properties"]["examples"] = {"type": "string", "title": "Examples", "pattern": "^<[a-z]+>$"}
    assert unsafe_text_errors(document) == []
