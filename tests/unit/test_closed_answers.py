"""Every object of an answer refuses what the form does not ask (builder.validation.closed_schema), while
the fields of conditional branches still go through when their condition holds."""

from __future__ import annotations

from builder.definition import FormDefinition
from builder.lint import lint
from builder.lint_messages import localized
from builder.publishing_checks import publishing_errors
from builder.validation import closed_schema, condition_holds, field_errors

EXTRA = "This form does not accept the extra answer “{}”."


def _paths(schema: dict, answers: dict) -> list[tuple]:
    return [(e.path, e.message) for e in field_errors(schema, answers)]


def test_fields_of_one_of_and_dependent_schemas_branches_go_through_only_when_they_apply() -> None:
    schema = {"type": "object", "unevaluatedProperties": False,
              "properties": {"pet": {"type": "object", "properties": {"kind": {"enum": ["dog", "cat"]}},
                                     "oneOf": [{"properties": {"kind": {"const": "dog"},
                                                               "breed": {"type": "string"}}},
                                               {"properties": {"kind": {"const": "cat"},
                                                               "indoor": {"type": "boolean"}}}]},
                             "phone": {"type": "string"}},
              "dependentSchemas": {"phone": {"properties": {"hours": {"type": "string"}}}}}
    assert _paths(schema, {"pet": {"kind": "dog", "breed": "collie"}, "phone": "0470", "hours": "9-5"}) == []
    assert _paths(schema, {"pet": {"kind": "cat", "indoor": True}}) == []
    assert _paths(schema, {"hours": "9-5"}) == [((), EXTRA.format("hours"))]  # no phone: no hours either
    assert (("pet",), EXTRA.format("owner")) in _paths(schema, {"pet": {"kind": "cat", "indoor": True,
                                                                        "owner": "me"}})


def test_a_branch_adding_a_rule_to_a_group_keeps_the_group_s_fields() -> None:
    schema = {"type": "object", "unevaluatedProperties": False,
              "properties": {"urgent": {"type": "boolean"},
                             "addr": {"type": "object", "properties": {"street": {"type": "string"},
                                                                       "zip": {"type": "string"}}}},
              "if": {"properties": {"urgent": {"const": True}}, "required": ["urgent"]},
              "then": {"properties": {"addr": {"properties": {"zip": {"minLength": 4}}, "required": ["zip"]}}}}
    assert _paths(schema, {"urgent": True, "addr": {"street": "Rue 1", "zip": "1000"}}) == []
    assert _paths(schema, {"urgent": True, "addr": {"street": "Rue 1", "zip": "1000", "x": 1}}) == [
        (("addr",), EXTRA.format("x"))]


def test_conditions_and_free_form_maps_are_left_as_written() -> None:
    schema = {"type": "object", "properties": {
        "tags": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 20}}},
        "if": {"properties": {"tags": {"properties": {"colour": {"const": "red"}}}}},
        "then": {"required": ["tags"]}}
    closed = closed_schema(schema)
    assert closed["if"] == schema["if"]  # closing a condition would change when it holds
    assert "unevaluatedProperties" not in closed["properties"]["tags"]
    assert _paths(schema, {"tags": {"colour": "red", "size": "big"}}) == []
    # Conditions (steps, "show when") are checked as written: an answer with other fields still matches.
    assert condition_holds({"properties": {"addr": {"type": "object", "properties": {"zip": {"const": "1000"}}}}},
                           {"addr": {"zip": "1000", "street": "Rue 1"}, "other": 1})


def test_a_group_written_to_accept_anything_is_refused_at_publishing_naming_it() -> None:
    schema = {"type": "object", "unevaluatedProperties": False, "properties": {
        "addr": {"title": "Home address", "type": "object", "additionalProperties": True,
                 "properties": {"street": {"type": "string", "maxLength": 80}}}}}
    definition = FormDefinition.model_validate({"slug": "open-group", "title": "T", "department": "roads",
                                                "schema": schema, "uiSchema": {}, "workflow": {"steps": []}})
    errors = publishing_errors(definition, group_exists=lambda name: True)
    assert [e.path for e in errors] == [("schema", "properties", "addr", "additionalProperties")]
    assert localized(errors[0], "en").startswith("“Home address”: This group is written to accept answers")
    assert localized(errors[0], "fr").startswith("« Home address » : Ce groupe est écrit pour accepter")
    findings = [f for f in lint(definition.to_document(), group_size=lambda group: 1) if f.code == "publish_open_group"]
    assert [(f.field, f.severity) for f in findings] == [("addr", "error")]  # the editor shows it while editing


# A group the form declares, to which a branch adds a sub-field while the condition holds.
BRANCH_GROUP = {"type": "object",
                "properties": {"kind": {"type": "string"},
                               "addr": {"type": "object", "properties": {"street": {"type": "string"}}},
                               "g": {"title": "G"}},
                "if": {"properties": {"kind": {"const": "flat"}}, "required": ["kind"]},
                "then": {"properties": {"addr": {"properties": {"flat": {"type": "string", "maxLength": 5}}},
                                        "g": {"type": "object", "properties": {"x": {"type": "string"}}}}}}


def test_a_sub_field_a_branch_adds_to_a_declared_group_is_accepted_and_checked() -> None:
    assert _paths(BRANCH_GROUP, {"kind": "flat", "addr": {"street": "Rue 1", "flat": "2B"}}) == []
    assert _paths(BRANCH_GROUP, {"kind": "flat", "addr": {"street": "Rue 1", "flat": "2B", "status": "ok"}}) == [
        (("addr",), EXTRA.format("status"))]
    assert [path for path, _ in _paths(BRANCH_GROUP, {"kind": "flat", "addr": {"flat": "far too long"}})] == [
        ("addr", "flat")]


def test_a_field_only_a_branch_makes_a_group_refuses_what_the_form_does_not_ask() -> None:
    assert _paths(BRANCH_GROUP, {"kind": "flat", "g": {"x": "1"}}) == []
    assert _paths(BRANCH_GROUP, {"kind": "flat", "g": {"x": "1", "status": "approved"}}) == [
        (("g",), EXTRA.format("status"))]
    empty_declaration = {**BRANCH_GROUP, "properties": {**BRANCH_GROUP["properties"], "g": {}}}
    assert _paths(empty_declaration, {"kind": "flat", "g": {"x": "1", "status": "approved"}}) == [
        (("g",), EXTRA.format("status"))]


def test_a_group_two_branches_describe_accepts_the_fields_of_both() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "boolean"}, "g": {"type": "object"}},
              "allOf": [{"properties": {"g": {"properties": {"x": {"type": "string"}}}}},
                        {"if": {"properties": {"a": {"const": True}}, "required": ["a"]},
                         "then": {"properties": {"g": {"properties": {"y": {"type": "string"}}}}}}]}
    assert _paths(schema, {"a": True, "g": {"x": "1", "y": "2"}}) == []
    assert _paths(schema, {"a": True, "g": {"x": "1", "y": "2", "z": "3"}}) == [(("g",), EXTRA.format("z"))]


def test_entries_of_a_list_a_branch_adds_fields_to_are_accepted_and_closed() -> None:
    schema = {"type": "object",
              "properties": {"k": {"type": "boolean"}, "tags": {"type": "array"},
                             "rows": {"type": "array", "items": {"type": "object",
                                                                 "properties": {"item": {"type": "string"}}}}},
              "if": {"properties": {"k": {"const": True}}, "required": ["k"]},
              "then": {"properties": {"rows": {"items": {"properties": {"note": {"type": "string"}}}},
                                      "tags": {"items": {"properties": {"x": {"type": "string"}}}}}}}
    assert _paths(schema, {"k": True, "rows": [{"item": "a", "note": "n"}], "tags": [{"x": "a"}]}) == []
    assert _paths(schema, {"k": True, "rows": [{"item": "a", "status": "ok"}]}) == [(("rows", 0), EXTRA.format("status"))]
    assert _paths(schema, {"k": True, "tags": [{"x": "a", "status": "ok"}]}) == [(("tags", 0), EXTRA.format("status"))]
