"""The lint of what the renderer cannot honour, and the plain-language messages of validation."""

from __future__ import annotations

import json
from pathlib import Path

from builder.renderer_support import unsupported_features
from builder.validation import field_errors, upgrade_dependencies

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


def test_every_corpus_form_is_fully_supported_but_for_autofocus() -> None:
    reported = {}
    for path in CORPUS:
        form = json.loads(path.read_text())
        reported.update({(path.stem, p.path): p.message for p in unsupported_features(form["schema"], form["uiSchema"])})
    # The playground's simple form asks for autofocus, which a Streamlit form cannot do: the designer is told.
    assert reported == {("rjsf-simple", ("uiSchema", "firstName", "ui:autofocus")):
                        "“ui:autofocus” is not honoured: the form cannot put the cursor in a question when it opens. "
                        "Remove it."}


def test_display_settings_the_form_does_not_honour_are_reported() -> None:
    schema = {"type": "object", "properties": {
        "agree": {"type": "boolean", "title": "I agree"}, "name": {"type": "string"},
        "home": {"type": "object", "properties": {"street": {"type": "string"}}}},
        "if": {"properties": {"name": {"const": "x"}}}, "then": {"properties": {"why": {"type": "string"}}}}
    ui = {"agree": {"ui:label": False}, "name": {"ui:label": False, "ui:readonly": True, "ui:classNames": "wide"},
          "home": {"street": {"ui:options": {"label": False}}, "ui:disabled": True},
          "why": {"ui:label": False, "ui:autofocus": True}}
    problems = {p.path: p.message for p in unsupported_features(schema, ui)}
    assert set(problems) == {("uiSchema", "name", "ui:classNames"), ("uiSchema", "name", "ui:label"),
                             ("uiSchema", "home", "street", "ui:options", "label"), ("uiSchema", "why", "ui:autofocus"),
                             ("uiSchema", "why", "ui:label")}
    assert problems[("uiSchema", "name", "ui:label")].startswith("Hiding the label works only for a checkbox")
    assert "not honoured" in problems[("uiSchema", "name", "ui:classNames")]


def test_draft07_dependencies_are_read_as_dependent_required_and_dependent_schemas() -> None:
    schema = {"type": "object", "unevaluatedProperties": False,
              "properties": {"card": {"type": "integer"}, "billing": {"type": "string"}, "pet": {"type": "string"},
                             "dependencies": {"type": "string"}},  # a question that happens to be called so
              "dependencies": {"card": ["billing"], "pet": {"properties": {"age": {"type": "integer"}},
                                                            "required": ["age"]}}}
    ui = {"ui:pages": [{"title": "One", "fields": ["card", "billing", "pet", "age", "dependencies"]}]}
    assert unsupported_features(schema, ui) == []
    problems = {p.path: p.message for p in field_errors(schema, {"card": 1, "pet": "cat", "dependencies": "x"})}
    assert problems == {("billing",): "This field is required.", ("age",): "This field is required."}
    assert field_errors(schema, {"pet": "cat", "age": 3}) == []  # the branch's question is not an extra answer
    upgraded = upgrade_dependencies(schema)
    assert upgraded["dependentRequired"] == {"card": ["billing"]} and "dependencies" not in upgraded
    assert upgraded["properties"]["dependencies"] == {"type": "string"}
    assert "dependencies" in schema  # the definition itself is not changed


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


def test_standard_formats_are_checked_and_the_others_are_reported_to_the_designer() -> None:
    from builder.lint import lint
    from builder.validation import field_errors

    schema = {"type": "object", "unevaluatedProperties": False, "properties": {
        "server": {"title": "Server", "type": "string", "format": "ipv4"},
        "host": {"title": "Host", "type": "string", "format": "hostname"},
        "ticket": {"title": "Ticket", "type": "string", "format": "uuid"},
        "v6": {"title": "Address", "type": "string", "format": "ipv6"},
        "born": {"title": "Born", "type": "string", "format": "alt-date"}}}
    wrong = {"server": "300.1.2.3", "host": "-bad-.example", "ticket": "not-an-id", "v6": "1.2.3.4"}
    assert {e.path: e.message for e in field_errors(schema, wrong, "fr")} == {
        ("server",): "Saisissez une adresse IPv4 comme 192.0.2.10.",
        ("host",): "Saisissez un nom d’hôte comme www.exemple.fr.",
        ("ticket",): "Saisissez un identifiant comme 123e4567-e89b-12d3-a456-426614174000.",
        ("v6",): "Saisissez une adresse IPv6 comme 2001:db8::10."}
    right = {"server": "192.0.2.10", "host": "www.example.org", "ticket": "123e4567-e89b-12d3-a456-426614174000",
             "v6": "2001:db8::10", "born": "anything at all"}
    assert field_errors(schema, right) == []
    document = {"slug": "formats", "title": "Formats", "department": "roads", "schema": schema, "uiSchema": {},
                "workflow": {"steps": []}}
    unchecked = [f for f in lint(document, group_size=lambda group: 1) if f.code == "renderer.unchecked_format"]
    assert [(f.field, f.severity) for f in unchecked] == [("born", "error")]
    assert unchecked[0].text("en").startswith("“Born”: The format “alt-date” is not checked, so any text would be "
                                              "accepted.")


def test_a_widget_the_question_cannot_use_is_reported_naming_the_question() -> None:
    from builder.lint import lint

    schema = {"type": "object", "unevaluatedProperties": False, "properties": {
        "name": {"title": "Name", "type": "string", "maxLength": 80},
        "guests": {"title": "Guests", "type": "integer", "minimum": 0},
        "size": {"title": "Size", "type": "string", "enum": ["s", "l"]},
        "opens": {"title": "Opens at", "type": "string", "maxLength": 5},
        "level": {"title": "Level", "type": "integer", "minimum": 0, "maximum": 10}}}
    ui = {"name": {"ui:widget": "range"}, "guests": {"ui:widget": "range"}, "size": {"ui:widget": "checkboxes"},
          "opens": {"ui:widget": "time"}, "level": {"ui:widget": "range"}}
    document = {"slug": "widgets", "title": "Widgets", "department": "roads", "schema": schema, "uiSchema": ui,
                "workflow": {"steps": []}}
    found = {f.field: f for f in lint(document, group_size=lambda group: 1)
             if f.code in ("renderer.widget_wrong_kind", "renderer.range_without_bounds")}
    assert sorted(found) == ["guests", "name", "size"]  # a time on a text and a bounded range are fine
    assert found["name"].text("en").startswith("“Name”: The widget “range” cannot show a text question, so the "
                                               "usual field is shown instead.")
    assert found["size"].text("fr").startswith("« Size » : Le widget « checkboxes » ne peut pas afficher une "
                                               "question à choix unique")
    assert found["guests"].text("en") == ("“Guests”: A slider (“range”) needs a minimum and a maximum; without "
                                          "both, a number box is shown instead.")
    assert all(f.severity == "error" for f in found.values())
