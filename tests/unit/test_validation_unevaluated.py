"""``unevaluatedProperties`` looks only for the answers that are not the schema's own fields
(builder.unevaluated): the same verdicts and messages as jsonschema's own keyword, so a field the
resident may not send is still refused by name, and a field of a condition only when it holds."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator, validators
from referencing import Registry

from builder.validation import FORMAT_CHECKER, SafeValidator, field_errors
from tests.conftest import template

POTHOLE = template("report-pothole")["schema"]
NESTED = {"type": "object", "properties": {"contact": {
    "type": "object", "properties": {"phone": {"type": "string"}},
    "dependentSchemas": {"phone": {"properties": {"hours": {"type": "string"}}}},
    "unevaluatedProperties": False}}, "unevaluatedProperties": False}
BRANCHES = {"type": "object", "properties": {"kind": {"enum": ["a", "b"]}}, "allOf": [
    {"if": {"properties": {"kind": {"const": "a"}}, "required": ["kind"]},
     "then": {"properties": {"alpha": {"type": "string"}}}, "else": {"properties": {"beta": {"type": "string"}}}},
    {"anyOf": [{"properties": {"gamma": {"type": "integer"}}, "required": ["gamma"]}, {"required": ["kind"]}]},
    {"patternProperties": {"^x-": {"type": "string"}}}],
    "$defs": {"delta": {"properties": {"delta": {"type": "boolean"}}}},
    "oneOf": [{"$ref": "#/$defs/delta", "required": ["delta"]}, {"not": {"required": ["delta"]}}],
    "unevaluatedProperties": {"type": "string", "maxLength": 3}}
# jsonschema's own keyword in place of ours, everything else the same.
Reference = validators.extend(SafeValidator, {"unevaluatedProperties": Draft202012Validator.VALIDATORS[
    "unevaluatedProperties"]})

CASES: list[tuple[dict[str, Any], dict[str, Any]]] = [
    (POTHOLE, {"location": "Market Street 12", "size": "small"}),
    (POTHOLE, {"location": "Market Street 12", "size": "large", "blocks_road": True}),
    (POTHOLE, {"location": "Market Street 12", "size": "small", "blocks_road": True}),  # condition does not hold
    (POTHOLE, {"location": "Market Street 12", "size": "small", "colour": "grey"}),
    (POTHOLE, {"location": "Ma", "size": "huge", "colour": "grey"}),
    (POTHOLE, {"location": "Market Street 12"}),
    (POTHOLE, {}),
    (NESTED, {"contact": {"phone": "0123", "hours": "mornings"}}),
    (NESTED, {"contact": {"hours": "mornings"}}),
    (NESTED, {"contact": {"phone": "0123"}, "other": 1}),
    (BRANCHES, {"kind": "a", "alpha": "x"}),
    (BRANCHES, {"kind": "b", "alpha": "too long"}),
    (BRANCHES, {"kind": "b", "beta": "x", "gamma": 2, "x-tag": "t", "zz": "ok"}),
    (BRANCHES, {"gamma": 2, "gamma2": 5}),
    (BRANCHES, {"kind": "a", "delta": True}),
    (BRANCHES, {"kind": "a", "delta": "no"}),
]


@pytest.mark.parametrize(("schema", "answers"), CASES)
def test_same_errors_as_jsonschemas_own_keyword(schema: dict[str, Any], answers: dict[str, Any]) -> None:
    ours = SafeValidator(schema, registry=Registry(), format_checker=FORMAT_CHECKER)
    theirs = Reference(schema, registry=Registry(), format_checker=FORMAT_CHECKER)
    assert ours.is_valid(answers) == theirs.is_valid(answers)
    assert sorted(e.message for e in ours.iter_errors(answers)) == sorted(e.message for e in theirs.iter_errors(answers))


def test_a_field_of_a_condition_that_does_not_hold_is_refused_by_name() -> None:
    assert field_errors(POTHOLE, {"location": "Market Street 12", "size": "large", "blocks_road": True}) == []
    refused = field_errors(POTHOLE, {"location": "Market Street 12", "size": "small", "blocks_road": True})
    assert [(e.path, "“blocks_road”" in e.message) for e in refused] == [((), True)]
    extra = field_errors(POTHOLE, {"location": "Market Street 12", "size": "small", "colour": "grey"})
    assert [(e.path, "“colour”" in e.message) for e in extra] == [((), True)]
