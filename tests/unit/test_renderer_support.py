"""The lint of what the renderer cannot honour, and the plain-language messages of validation."""

from __future__ import annotations

import json
from pathlib import Path

from builder.renderer_support import unsupported_features
from builder.validation import field_errors

CORPUS = sorted((Path(__file__).resolve().parents[1] / "corpus").glob("*.json"))


def test_a_typo_in_a_keyword_is_reported_with_a_suggestion() -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string", "maxLenght": 20}}}
    [problem] = unsupported_features(schema, {})
    assert problem.path == ("schema", "properties", "name", "maxLenght")
    assert "did you mean “maxLength”" in problem.message


def test_an_unknown_widget_and_display_option_are_reported() -> None:
    ui = {"name": {"ui:widget": "colour-wheel", "ui:options": {"rows": 3, "sparkle": True}},
          "items": {"ui:widget": "textarea"}, "ui:pages": []}
    problems = {p.path: p.message for p in unsupported_features({"type": "object"}, ui)}
    assert set(problems) == {("uiSchema", "name", "ui:widget"), ("uiSchema", "name", "ui:options", "sparkle")}
    assert "“colour-wheel” is not available" in problems[("uiSchema", "name", "ui:widget")]


def test_structures_the_form_cannot_show_are_reported() -> None:
    schema = {"type": "object", "properties": {"pair": {"type": "array", "prefixItems": [{"type": "string"}]}},
              "patternProperties": {"^x-": {"type": "string"}}}
    paths = [p.path for p in unsupported_features(schema, {})]
    assert paths == [("schema", "properties", "pair", "prefixItems"), ("schema", "patternProperties")]


def test_every_corpus_form_is_fully_supported() -> None:
    for path in CORPUS:
        form = json.loads(path.read_text())
        assert unsupported_features(form["schema"], form["uiSchema"]) == [], path.name


def test_extra_answers_are_refused_by_name() -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string"}}, "additionalProperties": False}
    [problem] = field_errors(schema, {"name": "Ada", "status": "approved"})
    assert problem.message == "This form does not accept the extra answer “status”."


def test_custom_messages_per_field_and_per_rule() -> None:
    schema = {"type": "object", "required": ["zip"], "properties": {
        "zip": {"type": "string", "pattern": "^[0-9]{4}$", "errorMessage": {"pattern": "Four digits, please."}},
        "age": {"type": "integer", "minimum": 18, "errorMessage": "Adults only."}}}
    problems = {p.path: p.message for p in field_errors(schema, {"zip": "12", "age": 3})}
    assert problems == {("zip",): "Four digits, please.", ("age",): "Adults only."}
    assert field_errors(schema, {})[0].message == "This field is required."
    schema["properties"]["zip"]["errorMessage"]["required"] = "We need your postcode to find your street."
    assert field_errors(schema, {})[0].message == "We need your postcode to find your street."


def test_pages_must_cover_every_question_and_list_only_real_ones() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
              "if": {"properties": {"a": {"const": "x"}}}, "then": {"properties": {"c": {"type": "string"}}}}
    ui = {"ui:pages": [{"title": "One", "fields": ["a", "c"]}, {"title": "Two", "fields": ["z"]}]}
    messages = [p.message for p in unsupported_features(schema, ui)]
    assert messages == ["Page 2 lists “z”, which is not a question of this form.",
                        "The question “b” is on no page, so residents could never answer it."]
