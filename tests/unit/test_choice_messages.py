"""“Choose one of: …” names the choices by the labels residents saw, in their language, and a fixed value is
said in words (“yes”, “« Paris »”), never as Python's ``'x'`` or ``True``."""

from __future__ import annotations

from builder.translations import localise
from builder.validation import field_errors
from tests.conftest import template


def _message(schema: dict, answers: dict, locale: str = "en") -> dict:
    return {e.path: e.message for e in field_errors(schema, answers, locale)}


def test_labelled_choices_are_named_by_their_labels_in_the_reader_s_language() -> None:
    pothole = template("report-pothole")
    answers = {"location": "Rue du Marché 12", "size": "huge"}
    assert _message(localise(pothole, "fr")["schema"], answers, "fr")[("size",)] == (
        "Choisissez l’une des options : « Plus petit qu'une main », « De la taille d'une assiette », "
        "« Plus grand qu'un pneu de voiture ».")


def test_enum_names_label_the_choices_and_unlabelled_values_are_quoted() -> None:
    schema = {"type": "object", "properties": {
        "bin": {"type": "string", "enum": ["s", "l"], "enumNames": ["Small bin", "Large bin"]},
        "floor": {"type": "integer", "enum": [1, 2]},
        "day": {"type": "string", "enum": ["mon", "tue"]},
        "tags": {"type": "array", "items": {"type": "string", "oneOf": [{"const": "a", "title": "Garden"},
                                                                         {"const": "b", "title": "Street"}]}}}}
    messages = _message(schema, {"bin": "xl", "floor": 3, "day": "sun", "tags": ["c"]})
    assert messages == {("bin",): "Choose one of: “Small bin”, “Large bin”.",
                        ("floor",): "Choose one of: 1, 2.",
                        ("day",): "Choose one of: “mon”, “tue”.",
                        ("tags", 0): "Choose one of: “Garden”, “Street”."}


def test_a_fixed_value_is_said_in_words() -> None:
    schema = {"type": "object", "properties": {"consent": {"type": "boolean", "const": True},
                                               "city": {"type": "string", "const": "Paris"}}}
    assert _message(schema, {"consent": False, "city": "Lyon"}) == {("consent",): "This must be yes.",
                                                                    ("city",): "This must be “Paris”."}
    assert _message(schema, {"consent": False, "city": "Lyon"}, "fr") == {
        ("consent",): "La valeur doit être oui.", ("city",): "La valeur doit être « Paris »."}


def test_translated_enum_names_are_the_labels_of_the_french_message() -> None:
    document = {"slug": "bins", "title": "Bins", "department": "roads", "uiSchema": {}, "workflow": {"steps": []},
                "schema": {"type": "object", "properties": {
                    "bin": {"type": "string", "enum": ["s", "l"], "enumNames": ["Small bin", "Large bin"]}}},
                "translations": {"fr": {"/schema/properties/bin/oneOf/0/title": "Petite poubelle",
                                        "/schema/properties/bin/oneOf/1/title": "Grande poubelle"}}}
    assert _message(localise(document, "fr")["schema"], {"bin": "xl"}, "fr") == {
        ("bin",): "Choisissez l’une des options : « Petite poubelle », « Grande poubelle »."}
