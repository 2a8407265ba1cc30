"""The validator of a schema is built once and reused (DESIGN.md §6): checking a schema and building its
validator costs far more than validating one answer (STACK-NOTES: ≈ 124/s against ≈ 5,200/s)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from builder import validation
from builder.validation import field_errors, validator_for

SCHEMA = {"type": "object", "required": ["name"], "properties": {
    "name": {"type": "string", "title": "Name", "minLength": 2, "maxLength": 50},
    "age": {"type": "integer", "title": "Age", "minimum": 0, "maximum": 130}}}


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Each schema a validator is built for, through the constructor ``validator_for`` uses; an empty cache."""
    built: list[dict[str, Any]] = []
    constructor = validation.SafeValidator

    def counting(schema: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        built.append(schema)
        return constructor(schema, *args, **kwargs)

    monkeypatch.setattr(validation, "_VALIDATORS", {})
    monkeypatch.setattr(validation, "SafeValidator", counting)
    return built


def test_many_answers_against_one_schema_build_one_validator(builds: list[dict[str, Any]]) -> None:
    for number in range(200):
        assert field_errors(SCHEMA, {"name": f"Resident {number}", "age": number % 100}) == []
    assert [e.path for e in field_errors(SCHEMA, {"age": -1})] == [("name",), ("age",)]  # errors use it too
    assert field_errors(copy.deepcopy(SCHEMA), {"name": "Ada"}) == []  # an equal schema, another object
    assert len(builds) == 1
    assert validator_for(SCHEMA, closed=True) is validator_for(copy.deepcopy(SCHEMA), closed=True)


def test_a_changed_schema_builds_a_new_validator_with_its_own_rules(builds: list[dict[str, Any]]) -> None:
    assert field_errors(SCHEMA, {"name": "Al"}) == []
    stricter = copy.deepcopy(SCHEMA)
    stricter["properties"]["name"]["minLength"] = 3
    assert [e.path for e in field_errors(stricter, {"name": "Al"})] == [("name",)]
    assert len(builds) == 2 and validator_for(SCHEMA, closed=True) is not validator_for(stricter, closed=True)
    assert field_errors(SCHEMA, {"name": "Al"}) == []  # the first schema keeps its validator and its rules
    assert len(builds) == 2
