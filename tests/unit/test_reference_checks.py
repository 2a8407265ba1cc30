"""References the form cannot follow are refused when the form is saved, in plain words naming the field:
anchors (#name), the whole form (#), paths to nothing and loops. Before, they passed and the form page
then failed with a traceback."""

from __future__ import annotations

import copy

import pytest

from builder.definition import FormDefinition
from builder.lint import lint
from builder.lint_messages import localized
from builder.publishing_checks import publishing_errors
from builder.schema_view import reference_problems

BASE = {"type": "object", "unevaluatedProperties": False,
        "$defs": {"address": {"type": "object", "properties": {"street": {"type": "string", "maxLength": 80}}}},
        "properties": {"home": {"title": "Home address", "$ref": "#/$defs/address"},
                       "work": {"title": "Work address", "$ref": "#/$defs/address"}}}


def _document(schema: dict) -> dict:
    return {"slug": "refs-test", "title": "References", "department": "roads", "schema": schema, "uiSchema": {},
            "workflow": {"steps": []}}


def _with_home(ref: str, defs: dict | None = None) -> dict:
    schema = copy.deepcopy(BASE)
    schema["properties"]["home"]["$ref"] = ref
    schema["$defs"].update(defs or {})
    return schema


def test_references_used_twice_and_chains_are_fine() -> None:
    assert reference_problems(BASE) == []
    chained = _with_home("#/$defs/alias", {"alias": {"$ref": "#/$defs/address"}})
    assert reference_problems(chained) == []


@pytest.mark.parametrize(("ref", "defs", "english", "french"), [
    ("#home", None, "“Home address”: The reference '#home' names an anchor",
     "« Home address » : La référence '#home' désigne une ancre"),
    ("#", None, "“Home address”: The reference '#' puts the whole form inside itself",
     "« Home address » : La référence '#' place le formulaire entier"),
    ("#/$defs/adress", None, "“Home address”: The reference '#/$defs/adress' points to nothing",
     "« Home address » : La référence '#/$defs/adress' ne pointe vers rien"),
    ("#/$defs/person", {"person": {"type": "object", "properties": {"parent": {"$ref": "#/$defs/person"}}}},
     "“Home address”: The reference '#/$defs/person' leads back to itself",
     "« Home address » : La référence '#/$defs/person' ramène à elle-même"),
    ("#/$defs/a", {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}},
     "“Home address”: The reference '#/$defs/a' leads back to itself",
     "« Home address » : La référence '#/$defs/a' ramène à elle-même"),
])
def test_a_reference_the_form_cannot_follow_is_refused_at_publishing_and_by_the_lint(
        ref: str, defs: dict | None, english: str, french: str) -> None:
    schema = _with_home(ref, defs)
    errors = publishing_errors(FormDefinition.model_validate(_document(schema)), group_exists=lambda name: True)
    at_home = [e for e in errors if e.path == ("schema", "properties", "home")]
    assert len(at_home) == 1
    assert localized(at_home[0], "en").startswith(english)
    assert localized(at_home[0], "fr").startswith(french)
    findings = [f for f in lint(_document(schema), group_size=lambda group: 1) if f.field == "home"]
    assert [f.severity for f in findings] == ["error"]
    assert findings[0].text("en").startswith(english)
    assert not any(e.path == ("schema", "properties", "work") for e in errors)  # the good reference is fine
