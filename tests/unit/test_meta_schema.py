"""The committed meta-schema is the one the pydantic models generate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from builder.definition import meta_schema_text

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "schemas" / "form-definition.schema.json"


def test_committed_meta_schema_matches_the_models() -> None:
    assert COMMITTED.read_text() == meta_schema_text(), (
        "schemas/form-definition.schema.json is out of date: run "
        "`python -m builder.definition > schemas/form-definition.schema.json`")


@pytest.mark.parametrize("path", sorted((ROOT / "schemas" / "templates").glob("*.json")), ids=lambda p: p.stem)
def test_templates_validate_against_the_meta_schema(path: Path) -> None:
    validator = Draft202012Validator(json.loads(COMMITTED.read_text()))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(json.loads(path.read_text()))]
    assert errors == []


def test_meta_schema_refuses_an_unknown_top_level_key() -> None:
    validator = Draft202012Validator(json.loads(COMMITTED.read_text()))
    document = json.loads((ROOT / "schemas" / "templates" / "report-pothole.json").read_text())
    document["workflw"] = {}
    assert not validator.is_valid(document)
