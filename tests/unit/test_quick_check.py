"""The compiled yes-check (builder.quick_check) agrees with jsonschema on every answer it is shown.

Validation trusts its "valid" without running jsonschema, so a yes where jsonschema finds an error
would let wrong or smuggled answers in. Each shipped template and each corpus form is checked against
its own sample, its known invalid answers and hundreds of changed copies of the sample (a field
missing, of another type, too long, an unexpected property at any depth)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from builder.quick_check import compile_check
from builder.validation import DEFAULT_MAX_ITEMS, DEFAULT_MAX_LENGTH, SafeValidator, answers_valid, validator_for

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "schemas" / "templates").glob("*.json"))
CORPUS = sorted((ROOT / "tests" / "corpus").glob("*.json"))
PROBES: list[Any] = [None, True, False, 0, 7, 3.0, 2.5, -1, "", "x", "large", "not-an-email", "2026-02-30",
                     "x" * (DEFAULT_MAX_LENGTH + 1), [], ["a"], ["a"] * (DEFAULT_MAX_ITEMS + 1), {}, {"status": "approved"}]


def _quick(schema: dict[str, Any]) -> Any:
    check = compile_check(validator_for(schema, closed=True), max_length=DEFAULT_MAX_LENGTH, max_items=DEFAULT_MAX_ITEMS)
    assert check is not None
    return check


def _variants(answers: Any) -> list[Any]:
    """The answers, and copies with one value at any depth removed, replaced by a probe, or given a sibling."""
    found: list[Any] = [answers]
    if isinstance(answers, dict):
        found.append({**answers, "status": "approved"})
        for key, value in answers.items():
            found.append({k: v for k, v in answers.items() if k != key})
            found += [{**answers, key: probe} for probe in PROBES]
            found += [{**answers, key: inner} for inner in _variants(value)[1:]]
    elif isinstance(answers, list) and answers:
        found += [[inner, *answers[1:]] for inner in _variants(answers[0])[1:]]
        found.append([*answers, copy.deepcopy(answers[0])])
    return found


def _cases(path: Path) -> tuple[dict[str, Any], list[Any]]:
    document = json.loads(path.read_text())
    answers = [case["answers"] for case in document.get("invalid", [])]
    sample = document.get("sample") or {}
    return document["schema"], [*answers, *_variants(sample)]


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_the_compiled_check_says_valid_exactly_when_jsonschema_does(path: Path) -> None:
    schema, answers = _cases(path)
    validator = validator_for(schema, closed=True)
    check = compile_check(validator, max_length=DEFAULT_MAX_LENGTH, max_items=DEFAULT_MAX_ITEMS)
    if check is None:  # a form with $ref, patternProperties, ...: validation runs jsonschema alone
        return
    verdicts = {(json.dumps(one, sort_keys=True), check(one), bool(validator.is_valid(one))) for one in answers}
    assert [(one, quick) for one, quick, full in verdicts if quick != full] == []
    assert {full for _, _, full in verdicts} == {True, False}  # both kinds of answers were tried


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.stem)
def test_every_template_is_compiled_and_agrees_with_jsonschema(path: Path) -> None:
    document = json.loads(path.read_text())
    validator = validator_for(document["schema"], closed=True)
    check = _quick(document["schema"])
    sample = {name: field.get("default", field.get("examples", [""])[0] if "examples" in field else "")
              for name, field in document["schema"].get("properties", {}).items()}
    verdicts = [(one, check(one), bool(validator.is_valid(one))) for one in _variants(sample)]
    assert [(one, quick) for one, quick, full in verdicts if quick != full] == []


POTHOLE = {"location": "Market Street 12", "size": "large", "blocks_road": True, "details": "Deep, near the bus stop.",
           "name": "Riley Resident", "email": "riley@example.org"}


def test_the_pothole_report_and_its_changed_copies_get_jsonschema_verdicts() -> None:
    schema = json.loads((ROOT / "schemas" / "templates" / "report-pothole.json").read_text())["schema"]
    validator, check = validator_for(schema, closed=True), _quick(schema)
    verdicts = [(one, check(one), bool(validator.is_valid(one))) for one in _variants(POTHOLE)]
    assert [(one, quick) for one, quick, full in verdicts if quick != full] == []
    assert sum(full for _, _, full in verdicts) > 10 and not all(full for _, _, full in verdicts)


CONDITIONAL = {"type": "object", "properties": {"size": {"type": "string", "enum": ["small", "large"]}},
               "required": ["size"],
               "allOf": [{"if": {"properties": {"size": {"const": "large"}}, "required": ["size"]},
                          "then": {"properties": {"blocks_road": {"type": "boolean"}}, "required": ["blocks_road"]}}]}


@pytest.mark.parametrize(("answers", "valid"), [
    ({"size": "large", "blocks_road": True}, True),
    ({"size": "small"}, True),
    ({"size": "small", "blocks_road": True}, False),  # a conditional field while its condition does not hold
    ({"size": "large"}, False),
    ({"size": "large", "blocks_road": 1}, False),  # 1 is not a yes/no
    ({"size": "large", "blocks_road": True, "state": "approved"}, False),
])
def test_a_conditional_field_counts_only_while_its_condition_holds(answers: dict[str, Any], valid: bool) -> None:
    assert _quick(CONDITIONAL)(answers) is valid
    assert SafeValidator(validator_for(CONDITIONAL, closed=True).schema).is_valid(answers) is valid


def test_every_valid_branch_of_any_of_evaluates_its_fields() -> None:
    schema = {"type": "object", "anyOf": [{"properties": {"a": {"type": "string"}}},
                                          {"properties": {"b": {"type": "string"}}}]}
    assert _quick(schema)({"a": "x", "b": "y"}) is True
    assert _quick(schema)({"a": "x", "b": 2}) is False  # b's branch fails, so b is not evaluated


def test_default_length_limits_and_json_numbers_follow_the_validator() -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer"}, "t": {"type": "string"},
                                               "l": {"type": "array", "items": {"type": "string"}}}}
    check = _quick(schema)
    assert check({"n": 3.0}) is True and check({"n": True}) is False and check({"n": 2.5}) is False
    assert check({"t": "x" * DEFAULT_MAX_LENGTH}) is True and check({"t": "x" * (DEFAULT_MAX_LENGTH + 1)}) is False
    assert check({"l": ["a"] * (DEFAULT_MAX_ITEMS + 1)}) is False and check({"l": [1]}) is False


def test_a_schema_with_a_reference_is_left_to_jsonschema() -> None:
    schema = {"$defs": {"name": {"type": "string"}}, "type": "object", "properties": {"who": {"$ref": "#/$defs/name"}}}
    validator = validator_for(schema, closed=True)
    assert compile_check(validator, max_length=DEFAULT_MAX_LENGTH, max_items=DEFAULT_MAX_ITEMS) is None
    assert answers_valid(validator, {"who": "Riley"}) is True and answers_valid(validator, {"who": 3}) is False


BRANCH_GROUP = {"type": "object",
                "properties": {"kind": {"type": "string"},
                               "addr": {"type": "object", "properties": {"street": {"type": "string"}}},
                               "g": {"title": "G"}, "tags": {"type": "array"}},
                "if": {"properties": {"kind": {"const": "flat"}}, "required": ["kind"]},
                "then": {"properties": {"addr": {"properties": {"flat": {"type": "string", "maxLength": 5}}},
                                        "g": {"type": "object", "properties": {"x": {"type": "string"}}},
                                        "tags": {"items": {"properties": {"x": {"type": "string"}}}}}}}


def test_a_group_a_branch_adds_fields_to_gets_the_validator_s_verdicts() -> None:
    validator = validator_for(BRANCH_GROUP, closed=True)
    check = _quick(BRANCH_GROUP)
    samples = [{"kind": "flat", "addr": {"street": "Rue 1", "flat": "2B"}, "g": {"x": "1"}, "tags": [{"x": "a"}]},
               {"kind": "house", "addr": {"street": "Rue 1"}, "g": "text"}]
    verdicts = {(json.dumps(one, sort_keys=True), check(one), bool(validator.is_valid(one)))
                for sample in samples for one in _variants(sample)}
    assert [(one, quick) for one, quick, full in verdicts if quick != full] == []
    assert {full for _, _, full in verdicts} == {True, False}
    assert check({"kind": "flat", "g": {"x": "1", "status": "approved"}}) is False
