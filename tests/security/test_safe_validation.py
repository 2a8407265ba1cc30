"""Validation cannot be made to fetch references, hang on a pattern or blow the stack."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from builder.definition_limits import definition_limit_errors
from builder.errors import DefinitionInvalid, InputTooLarge
from builder.publishing_checks import publishing_errors
from builder.definition import FormDefinition
from builder.validation import MAX_ANSWER_DEPTH, field_errors, validator_for


@pytest.fixture
def listening_server() -> Iterator[tuple[str, list[str]]]:
    """A server on 127.0.0.1 that records every request it receives (there must be none)."""
    received: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the standard library's name
            received.append(self.path)
            body = json.dumps({"type": "string", "maxLength": 1}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/schema.json", received
    server.shutdown()
    server.server_close()


def _form(schema: dict) -> FormDefinition:
    return FormDefinition.model_validate({"slug": "limits-test", "title": "T", "department": "roads", "schema": schema,
                                          "uiSchema": {}, "workflow": {"steps": []}})


def test_a_remote_reference_is_never_fetched_and_is_refused_at_publishing(listening_server: tuple[str, list[str]]) -> None:
    url, received = listening_server
    schema = {"type": "object", "properties": {"name": {"$ref": url}}}
    with pytest.raises(DefinitionInvalid, match="outside itself"):
        field_errors(schema, {"name": "a long answer"})
    problems = publishing_errors(_form(schema), group_exists=lambda name: True)
    assert any("Only references inside the form" in p.message for p in problems)
    assert received == []


def test_a_file_reference_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps({"const": "TOP-SECRET-CONTENT"}))
    schema = {"type": "object", "properties": {"name": {"$ref": secret.as_uri()}}}
    with pytest.raises(DefinitionInvalid, match="outside itself") as refused:
        field_errors(schema, {"name": "guess"})
    assert "TOP-SECRET-CONTENT" not in str(refused.value)
    problems = publishing_errors(_form(schema), group_exists=lambda name: True)
    assert any(secret.as_uri() in p.message for p in problems)


def test_a_catastrophic_pattern_finishes_and_gives_its_answer() -> None:
    schema = {"type": "object", "properties": {"code": {"type": "string", "maxLength": 100_000, "pattern": "^(a+)+$"}}}
    outcome: list[list] = []
    worker = threading.Thread(target=lambda: outcome.append(field_errors(schema, {"code": "a" * 50_000 + "!"})))
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "the pattern check did not finish"
    assert [e.path for e in outcome[0]] == [("code",)]
    assert "expected format" in outcome[0][0].message


def test_a_pattern_re2_cannot_run_is_refused_when_saved() -> None:
    schema = {"type": "object", "properties": {"word": {"type": "string", "maxLength": 9, "pattern": "^(a)\\1$"}}}
    problems = definition_limit_errors(schema)
    assert problems and problems[0].path == ("schema", "properties", "word")
    assert "cannot be used" in problems[0].message


def test_deep_answers_get_a_clear_error_not_a_recursion_error() -> None:
    deep: dict = {}
    node = deep
    for _ in range(5_000):
        node["a"] = {}
        node = node["a"]
    with pytest.raises(InputTooLarge, match="nested too deeply"):
        field_errors({"type": "object"}, deep)
    shallow: dict = {}
    node = shallow
    for _ in range(MAX_ANSWER_DEPTH - 2):
        node["a"] = {}
        node = node["a"]
    assert field_errors({"type": "object", "additionalProperties": True}, shallow) == []  # a free-form map


def test_huge_answers_are_refused_with_a_clear_message() -> None:
    with pytest.raises(InputTooLarge, match="too large"):
        field_errors({"type": "object"}, {"text": "x" * 1_100_000})


def test_texts_and_lists_without_limits_get_default_limits() -> None:
    schema = {"type": "object", "properties": {"note": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}}}
    problems = {e.path: e.message for e in field_errors(schema, {"note": "x" * 10_001, "tags": ["t"] * 501})}
    assert problems == {("note",): "Enter at most 10000 characters.", ("tags",): "Add at most 500."}


def test_schema_size_depth_and_field_count_limits_are_refused_at_publishing() -> None:
    deep: dict = {"type": "object"}
    node = deep
    for _ in range(400):
        node["properties"] = {"a": {"type": "object"}}
        node = node["properties"]["a"]
    assert "nested more than" in publishing_errors(_form(deep), group_exists=lambda n: True)[0].message
    many = {"type": "object", "properties": {f"f{i}": {"type": "integer"} for i in range(401)}}
    assert "401 fields" in definition_limit_errors(many)[0].message
    huge = {"type": "object", "properties": {"f": {"type": "string", "description": "x" * 300_000}}}
    assert "too large" in definition_limit_errors(huge)[0].message


def test_unique_items_only_on_simple_values_and_limits_under_their_ceiling() -> None:
    schema = {"type": "object", "properties": {
        "rows": {"type": "array", "maxItems": 5, "uniqueItems": True, "items": {"type": "object"}},
        "tags": {"type": "array", "maxItems": 5, "uniqueItems": True, "items": {"type": "string", "maxLength": 9}},
        "essay": {"type": "string", "maxLength": 5_000_000},
        "many": {"type": "array", "maxItems": 1_000_000, "items": {"type": "integer"}}}}
    problems = {e.path[-1]: e.message for e in definition_limit_errors(schema)}
    assert set(problems) == {"rows", "essay", "many"}
    assert "simple values" in problems["rows"]


# A crafted answer must not smuggle values into any object: nested groups, rows of a list, a conditional
# branch's group, a group defined under $defs. The same answers without the extra value are accepted.
SMUGGLING_FORM = {
    "type": "object", "unevaluatedProperties": False,
    "$defs": {"person": {"type": "object", "properties": {"name": {"type": "string", "maxLength": 80}}}},
    "properties": {
        "kind": {"type": "string", "enum": ["home", "business"]},
        "addr": {"type": "object", "properties": {"street": {"type": "string", "maxLength": 80}}},
        "rows": {"type": "array", "maxItems": 5, "items": {
            "type": "object", "properties": {"item": {"type": "string", "maxLength": 80}}}},
        "owner": {"$ref": "#/$defs/person"},
    },
    "allOf": [{"if": {"properties": {"kind": {"const": "business"}}, "required": ["kind"]},
               "then": {"properties": {"company": {"type": "object", "properties": {
                   "vat": {"type": "string", "maxLength": 20}}}}}}],
}
HONEST = {"kind": "business", "addr": {"street": "Market Street 1"}, "rows": [{"item": "skip"}],
          "owner": {"name": "Ada"}, "company": {"vat": "BE0123"}}


@pytest.mark.parametrize(("where", "smuggled"), [
    (("addr",), {"addr": {"street": "Market Street 1", "status": "approved"}}),
    (("rows", 0), {"rows": [{"item": "skip", "status": "approved"}]}),
    (("owner",), {"owner": {"name": "Ada", "status": "approved"}}),
    (("company",), {"company": {"vat": "BE0123", "status": "approved"}}),
])
def test_no_object_of_an_answer_accepts_a_value_the_form_does_not_ask_for(
        where: tuple, smuggled: dict) -> None:
    assert field_errors(SMUGGLING_FORM, HONEST) == []
    problems = field_errors(SMUGGLING_FORM, {**HONEST, **smuggled})
    assert [(p.path, p.message) for p in problems] == [(where, "This form does not accept the extra answer “status”.")]


def test_a_conditional_group_sent_while_its_condition_does_not_hold_is_refused() -> None:
    problems = field_errors(SMUGGLING_FORM, {**HONEST, "kind": "home"})
    assert [(p.path, p.message) for p in problems] == [((), "This form does not accept the extra answer “company”.")]


BACKTRACKING_NAMES = {"type": "object", "patternProperties": {"^(a+)+$": {"type": "string"}}}


@pytest.mark.parametrize("schema", [{**BACKTRACKING_NAMES, "additionalProperties": False}, BACKTRACKING_NAMES],
                         ids=["additionalProperties", "closed"])
def test_a_catastrophic_pattern_on_a_property_name_finishes_and_refuses_it(schema: dict) -> None:
    # Python's re takes minutes on this name and holds every session meanwhile; RE2 answers at once.
    started = time.monotonic()
    problems = field_errors(schema, {"a" * 30 + "!": "x", "aaa": "fine"})
    assert time.monotonic() - started < 5, "a designer's pattern ran with backtracking on a resident's property name"
    assert [(p.path, p.message) for p in problems] == [((), f"This form does not accept the extra answer “{'a' * 30}!”.")]


@pytest.mark.parametrize("schema", [
    {"type": "object", "properties": {"name": {"type": "string"}}, "additionalProperties": False},
    {"type": "object", "properties": {"name": {"type": "string"}}, "patternProperties": {"^x-": {"type": "string"}},
     "additionalProperties": False},
    {"type": "object", "properties": {"name": {"type": "string"}}, "patternProperties": {"^x-": {"type": "string"}},
     "unevaluatedProperties": False},
    {"type": "object", "properties": {"name": {"type": "string"}}, "unevaluatedProperties": {"type": "number"}},
    {"$defs": {"person": {"properties": {"name": {"type": "string"}}}}, "type": "object",
     "allOf": [{"$ref": "#/$defs/person"}], "unevaluatedProperties": False},
])
def test_extra_properties_are_refused_in_jsonschema_s_own_words(schema: dict) -> None:
    answers = {"name": "Ada", "x-ok": "1", "status": "approved", "weeks": "2"}
    ours = [e.message for e in validator_for(schema).iter_errors(answers)]
    standard = [e.message for e in Draft202012Validator(schema).iter_errors(answers)]
    assert ours == standard and ours


ODD_VALUES = {"type": "object", "properties": {
    "website": {"type": "string", "format": "uri", "title": "Website"},
    "code": {"type": "string", "pattern": "^[A-Z]+$", "title": "Code"},
    "amount": {"type": "number", "multipleOf": 0.5, "title": "Amount"},
    "rows": {"type": "array", "items": {"type": "object", "properties": {"note": {"type": "string"}}}}}}


@pytest.mark.parametrize(("answers", "path", "message"), [
    ({"website": "http://["}, ("website",), "Enter a web address"),  # urlsplit raises on an unclosed IPv6 host
    ({"code": "AB\ud800"}, ("code",), "cannot be stored"),  # RE2 cannot read a lone surrogate
    ({"rows": [{"note": "ok"}, {"note": "\udfff"}]}, ("rows", 1, "note"), "cannot be stored"),
    ({"amount": float("inf")}, ("amount",), "Enter a number written with digits."),  # Fraction(inf) raises
    ({"amount": float("nan")}, ("amount",), "Enter a number written with digits."),
])
def test_odd_values_a_crafted_answer_can_hold_get_a_message_at_their_field(
        answers: dict, path: tuple, message: str) -> None:
    """Python's json reads NaN, Infinity and lone surrogates; none of them may crash the check."""
    found = field_errors(ODD_VALUES, answers)
    assert [e.path for e in found] == [path]
    assert message in found[0].message
