"""Imported JSON Schemas refuse answers to questions they do not ask, and open forms are not published."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from builder.errors import AnswersInvalid, DefinitionInvalid
from builder.usecases import forms, requests
from tests.fakes import FakeUnitOfWork
from tests.helpers import DESIGNER, RESIDENT

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
OPEN_MESSAGE = "would accept and store answers to questions it does not ask"
STEP = {"id": "check", "name": "Check", "group": "Road inspectors", "policy": "any", "sla_days": 5,
        "actions": ["approve", "reject"]}
# A plain JSON Schema as a city brings it: no additionalProperties, a conditional field in if/then,
# one in allOf and one behind draft-07 dependencies.
PLAIN_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "title": "Skip permit",
    "required": ["a"],
    "properties": {"a": {"type": "string", "title": "Address", "maxLength": 200},
                   "kind": {"type": "string", "title": "Kind", "enum": ["small", "large"]},
                   "company": {"type": "string", "title": "Company", "maxLength": 200}},
    "if": {"properties": {"kind": {"const": "large"}}, "required": ["kind"]},
    "then": {"properties": {"weeks": {"type": "integer", "title": "Weeks"}}},
    "allOf": [{"properties": {"note": {"type": "string", "title": "Note", "maxLength": 200}}}],
    "dependencies": {"company": {"properties": {"vat": {"type": "string", "title": "VAT", "maxLength": 20}},
                                 "required": ["vat"]}},
}


def _uow() -> FakeUnitOfWork:
    return FakeUnitOfWork(groups={"Road inspectors": ["roads"]}, departments={"public-works"})


def _publish(uow: FakeUnitOfWork, document: dict[str, Any]) -> None:
    document = {**document, "workflow": {"steps": [STEP]}}
    forms.create_form(document, DESIGNER, uow, now=NOW)
    forms.publish(document["slug"], DESIGNER, uow, now=NOW)


def _submit(uow: FakeUnitOfWork, answers: dict[str, Any], key: str) -> requests.Receipt:
    return requests.submit("skips", answers, RESIDENT, uow, idempotency_key=key, now=NOW)


def test_an_imported_schema_refuses_a_made_up_status_answer() -> None:
    uow = _uow()
    document = forms.import_document(json.dumps(PLAIN_SCHEMA), slug="skips", department="public-works")
    assert document["schema"]["unevaluatedProperties"] is False
    _publish(uow, document)
    with pytest.raises(AnswersInvalid) as refused:
        _submit(uow, {"a": "Market Street 1", "status": "approved"}, "k1")
    assert [e.message for e in refused.value.errors] == ["This form does not accept the extra answer “status”."]
    assert uow.requests.rows == {}


def test_fields_of_conditional_branches_still_go_through_a_closed_import() -> None:
    uow = _uow()
    _publish(uow, forms.import_document(json.dumps(PLAIN_SCHEMA), slug="skips", department="public-works"))
    answers = {"a": "Market Street 1", "kind": "large", "weeks": 2, "note": "by the bakery",
               "company": "Skips Ltd", "vat": "BE0123"}
    receipt = _submit(uow, answers, "k1")
    stored = uow.requests.get(receipt.reference)
    assert stored is not None and stored.answers == answers
    with pytest.raises(AnswersInvalid) as refused:  # "weeks" only belongs to a large skip
        _submit(uow, {"a": "Market Street 1", "kind": "small", "weeks": 2}, "k2")
    assert [e.message for e in refused.value.errors] == ["This form does not accept the extra answer “weeks”."]


def test_import_turns_draft07_dependencies_into_their_2020_12_names() -> None:
    schema = {**PLAIN_SCHEMA, "dependencies": {"company": ["a"], "kind": {"required": ["note"]}}}
    imported = forms.import_document(json.dumps(schema), slug="skips", department="public-works")["schema"]
    assert "dependencies" not in imported
    assert imported["dependentRequired"] == {"company": ["a"]}
    assert imported["dependentSchemas"] == {"kind": {"required": ["note"]}}
    assert imported["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_a_schema_that_closes_itself_is_kept_as_written() -> None:
    schema = {**PLAIN_SCHEMA, "additionalProperties": False}
    imported = forms.import_document(json.dumps(schema), slug="skips", department="public-works")["schema"]
    assert "unevaluatedProperties" not in imported and imported["additionalProperties"] is False


def test_an_open_form_is_refused_at_publishing_in_plain_words() -> None:
    uow = _uow()
    document = forms.import_document(json.dumps(PLAIN_SCHEMA), slug="skips", department="public-works")
    document["schema"].pop("unevaluatedProperties")
    with pytest.raises(DefinitionInvalid) as refused:
        _publish(uow, document)
    [problem] = [e for e in refused.value.errors if OPEN_MESSAGE in e.message]
    assert problem.path == ("schema",)
    assert "“unevaluatedProperties” to false" in problem.message
    assert forms.versions_of("skips", DESIGNER, uow) == []


def test_a_whole_formwork_definition_left_open_is_closed_on_import_too() -> None:
    definition = {"slug": "elsewhere", "title": "Skip permit", "department": "other", "schema": PLAIN_SCHEMA,
                  "uiSchema": {}, "workflow": {"steps": []}}
    imported = forms.import_document(json.dumps(definition), slug="skips", department="public-works")
    assert (imported["slug"], imported["department"]) == ("skips", "public-works")
    assert imported["schema"]["unevaluatedProperties"] is False
    assert imported["schema"]["dependentSchemas"]["company"]["required"] == ["vat"]


def test_an_imported_schema_refuses_a_status_smuggled_inside_a_group_or_a_row() -> None:
    uow = _uow()
    nested = {"type": "object", "title": "Skip permit", "required": ["a"], "properties": {
        "a": {"type": "string", "title": "Address", "maxLength": 200},
        "owner": {"type": "object", "title": "Owner", "properties": {
            "name": {"type": "string", "title": "Name", "maxLength": 80}}},
        "skips": {"type": "array", "title": "Skips", "maxItems": 5, "items": {"type": "object", "properties": {
            "size": {"type": "string", "title": "Size", "maxLength": 20}}}}}}
    _publish(uow, forms.import_document(json.dumps(nested), slug="skips", department="public-works"))
    honest = {"a": "Market Street 1", "owner": {"name": "Ada"}, "skips": [{"size": "small"}]}
    for smuggled, where in (({**honest, "owner": {"name": "Ada", "status": "approved"}}, ("owner",)),
                            ({**honest, "skips": [{"size": "small", "status": "approved"}]}, ("skips", 0))):
        with pytest.raises(AnswersInvalid) as refused:
            _submit(uow, smuggled, f"smuggled-{where}")
        assert [(e.path, e.message) for e in refused.value.errors] == [
            (where, "This form does not accept the extra answer “status”.")]
    assert uow.requests.rows == {}  # nothing stored
    assert uow.requests.get(_submit(uow, honest, "honest").reference).answers == honest
