"""The builder's lint in the designer's language, the fields it cannot edit, and the publishing checks it
now reports while the designer edits (issues 4 and 9)."""

from __future__ import annotations

import string
from dataclasses import replace

from builder import editing as ed
from builder.lint import errors, lint
from builder.lint_messages import MESSAGES
from tests.conftest import template

MEMBERS = {"Events office": 3, "Public safety": 2, "Road inspectors": 2}.get


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_locale_has_every_message_with_the_same_placeholders() -> None:
    for locale, table in MESSAGES.items():
        assert table.keys() == MESSAGES["en"].keys(), locale
        for key, text in table.items():
            assert _placeholders(text) == _placeholders(MESSAGES["en"][key]), (locale, key)


def test_a_finding_reads_in_french_with_french_language_names_and_numbers() -> None:
    document = ed.put_field(template("street-party-permit"),
                            replace(ed.read_field(template("street-party-permit"), "organiser"), max_length=200_000))
    document["translations"] = {"fr": {}}
    findings = lint(document, group_size=MEMBERS)
    limit = next(f for f in findings if f.code == "limit_max_length")
    assert limit.severity == "error" and limit.field == "organiser"
    assert limit.message == "“Organiser's full name”: A maximum length over 100,000 characters is not allowed."
    assert limit.text("fr") == ("« Organiser's full name » : Une longueur maximale de plus de 100\u202f000 caractères "
                                "n’est pas permise.")
    gap = next(f for f in findings if f.locale == "fr")
    assert gap.text("fr").startswith("Français : ") and gap.text("fr").endswith("les lisent en anglais.")
    assert gap.text("fr-BE") == gap.text("fr") and gap.text("de") == gap.message  # fallback: English


def test_the_pothole_templates_conditional_field_is_editable_in_the_builder() -> None:
    document = template("report-pothole")
    assert "blocks_road" in ed.field_names(document)
    spec = ed.read_field(document, "blocks_road")
    assert spec.show_when is not None and spec.show_when.words() == "“size” is “large”" and spec.required
    assert [f for f in lint(document, group_size=MEMBERS) if f.code.startswith("uneditable")] == []


def test_fields_the_builder_cannot_edit_are_named_with_the_way_to_edit_them() -> None:
    document = template("street-party-permit")
    document["schema"]["dependentSchemas"] = {"organiser": {"properties": {"deputy": {"type": "string"}}}}
    document["schema"]["if"] = {"properties": {"amplified_music": {"const": True}}}
    document["schema"]["then"] = {"properties": {"music_until": {"type": "string", "format": "time"}}}
    warning = next(f for f in lint(document, group_size=MEMBERS) if f.code.startswith("uneditable"))
    assert warning.severity == "warning"
    assert "“music_until”, “deputy”" in warning.message and warning.message.endswith("under Advanced (JSON).")
    assert warning.text("fr").endswith("Modifiez-les sous Avancé (JSON).")


def test_publishing_checks_are_errors_while_editing_at_their_field() -> None:
    document = template("street-party-permit")
    schema = document["schema"]
    schema["properties"]["helpers"] = {"type": "array", "title": "Helpers", "maxItems": 5, "items": {
        "type": "object", "properties": {"code": {"type": "string", "maxLength": 9, "pattern": "^(a+)\\1$"}}}}
    schema["$defs"] = {"remote": {"$ref": "https://example.org/schema.json"}}
    schema["properties"]["email"]["minLength"] = "three"
    found = {(f.code, f.field) for f in errors(lint(document, group_size=MEMBERS))}
    assert {("unsafe_pattern", "helpers"), ("outside_reference", None), ("invalid_schema", "email")} <= found


def test_a_schema_too_deep_is_one_error_and_not_a_crash() -> None:
    document = template("street-party-permit")
    node = document["schema"]["properties"]["organiser"]
    for _ in range(200):
        node["items"] = {"type": "array"}
        node = node["items"]
    codes = [f.code for f in errors(lint(document, group_size=MEMBERS))]
    assert "limit_too_deep" in codes and "invalid_schema" not in codes


def test_attachment_settings_naming_unrecognisable_types_are_reported() -> None:
    document = template("street-party-permit")
    document.setdefault("settings", {})["attachments"] = {"allowed_types": ["application/pdf", "image/x-raw"]}
    [finding] = [f for f in lint(document, group_size=MEMBERS) if f.code == "attachment_types"]
    assert finding.severity == "warning"
    assert finding.message.endswith("file fields without types of their own: “image/x-raw”.")
    document["settings"]["attachments"]["allowed_types"] = ["application/pdf"]
    assert not [f for f in lint(document, group_size=MEMBERS) if f.code == "attachment_types"]


# ------------------------------------------------------------------ a step's condition on a deleted field (issue 4)


def test_a_step_whose_condition_names_a_missing_field_is_an_error_at_that_step() -> None:
    from builder.conditions import Condition

    document = template("street-party-permit")
    document, name = ed.add_field(document, "number", "Expected guests")
    document = ed.add_step(document, "Crowd check", "Public safety")
    index = len(ed.steps_of(document)) - 1
    document = ed.update_step(document, index, condition=Condition(name, "greater_than", 500))
    assert not [f for f in lint(document, group_size=MEMBERS) if f.code == "step_missing_field"]
    after = ed.delete_field(document, name)
    [finding] = [f for f in lint(after, group_size=MEMBERS) if f.code == "step_missing_field"]
    assert (finding.severity, finding.step, finding.field) == ("error", index, None)
    assert finding.message == (f"Step {index + 1} “Crowd check” applies only when “expected_guests” …, but there is "
                               "no such field any more.")
    assert finding.text("fr") == (f"L’étape {index + 1} « Crowd check » ne s’applique que quand « expected_guests » "
                                  "…, mais ce champ n’existe plus.")
    assert finding in errors(lint(after, group_size=MEMBERS))  # so publishing is refused


# ------------------------------------------------------------------ publishing refusals in the designer's language


def _refusals(document: dict) -> list:
    from builder.definition import parse_definition
    from builder.publishing_checks import publishing_errors

    return publishing_errors(parse_definition(document), group_exists=lambda group: group != "Nobody")


def test_every_publishing_refusal_has_a_key_its_english_unchanged_and_a_french_text() -> None:
    from builder.lint_messages import KeyedFieldError, localized

    document = template("street-party-permit")
    schema = document["schema"]
    schema.pop("unevaluatedProperties", None)
    schema.pop("additionalProperties", None)
    schema["properties"]["code"] = {"type": "string", "maxLength": 9, "pattern": "^(a+)\\1$"}
    schema["properties"]["notes"] = {"type": "string", "maxLength": 500_000, "title": "Notes <b>bold</b>"}
    schema["$defs"] = {"remote": {"$ref": "https://example.org/schema.json"}}
    document = ed.add_step(document, "Nobody's step", "Nobody")
    refusals = _refusals(document)
    english = {e.message for e in refusals}
    assert {"This form would accept and store answers to questions it does not ask (for example a made-up "
            "“status”). Close it: set “unevaluatedProperties” to false at the top of the schema.",
            "Step “Nobody's step”: there is no group called “Nobody”.",
            "A maximum length over 100,000 characters is not allowed.",
            "Only references inside the form (#/$defs/…) are allowed, not 'https://example.org/schema.json'.",
            "The text “Notes <b>bold</b>” contains HTML tags. Write plain text instead."} <= english
    assert any(m.startswith("The pattern '^(a+)\\\\1$': this pattern cannot be used (") for m in english)
    assert len([e for e in refusals if e.message.startswith("The pattern")]) == 1  # reported once
    for error in refusals:
        assert isinstance(error, KeyedFieldError), error
        assert error.text("en") == error.message == localized(error, "en")
        assert localized(error, "fr") != error.message, error.key
    french = {localized(e, "fr-BE") for e in refusals}
    assert "Étape « Nobody's step » : il n’existe pas de groupe « Nobody »." in french
    assert "Une longueur maximale de plus de 100\u202f000 caractères n’est pas permise." in french
    assert "Le texte « Notes <b>bold</b> » contient des balises HTML. Écrivez du texte simple." in french
    assert any(t.startswith("Le modèle '^(a+)\\\\1$' ne peut pas être utilisé (") for t in french)


def test_an_invalid_step_condition_is_refused_with_the_validators_words_in_a_french_sentence() -> None:
    from builder.lint_messages import localized

    document = template("street-party-permit")
    document["workflow"]["steps"][0]["condition"] = {"type": 12}
    [error] = [e for e in _refusals(document) if e.path[:2] == ("workflow", "steps")]
    assert error.message == "12 is not valid under any of the given schemas"  # jsonschema's words, unchanged
    assert localized(error, "fr") == "Ce n’est pas un JSON Schema valide : " + error.message


def test_an_unkeyed_error_keeps_its_message_in_every_language() -> None:
    from builder.errors import FieldError
    from builder.lint_messages import localized

    assert localized(FieldError(("slug",), "The address cannot change."), "fr") == "The address cannot change."


def test_what_the_renderer_cannot_honour_reads_in_french() -> None:
    document = template("street-party-permit")
    document["schema"]["properties"]["organiser"]["maxLenght"] = 20
    document["schema"]["properties"]["organiser"]["colour"] = "red"
    document["uiSchema"]["organiser"] = {"ui:widget": "wysiwyg", "ui:autofocus": True}
    found = {f.code: f for f in errors(lint(document, group_size=MEMBERS)) if f.code.startswith("renderer")}
    assert set(found) == {"renderer.unknown_keyword_suggested", "renderer.unknown_keyword",
                          "renderer.unknown_widget", "renderer.not_honoured.ui:autofocus"}
    assert all(f.field == "organiser" for f in found.values())
    typo = found["renderer.unknown_keyword_suggested"]
    assert typo.message == ("“maxLenght” is not a JSON Schema keyword (did you mean “maxLength”?); it would be "
                            "ignored, so the rule it meant would not be checked.")
    assert typo.text("fr") == ("« maxLenght » n’est pas un mot-clé JSON Schema (vouliez-vous dire « maxLength » ?) ; "
                               "il serait ignoré et la règle voulue ne serait pas vérifiée.")
    assert found["renderer.unknown_widget"].text("fr").startswith("Le widget « wysiwyg » n’est pas disponible.")


def test_every_keyed_message_of_the_publishing_checks_and_the_renderer_has_english_and_french() -> None:
    """Keys built from data (a keyword, a setting, a kind of unsafe text) exist in both tables; a key written
    out in the code is rendered in English when the error is made, so a missing one fails the tests above."""
    from builder import publishing_checks, renderer_support

    used = {key for _, key in publishing_checks._UNSAFE_TEXT}
    used |= {f"renderer.not_shown.{k}" for k in renderer_support._NOT_SHOWN}
    used |= {f"renderer.not_honoured.{k}" for k in renderer_support._NOT_HONOURED}
    keyed = {k for k in MESSAGES["en"] if k.startswith(("publish_", "unsafe_text.", "renderer."))}
    assert used <= keyed and len(keyed) >= 20
    for key in keyed:
        assert MESSAGES["fr"][key] != MESSAGES["en"][key], key  # really translated
        assert _placeholders(MESSAGES["fr"][key]) == _placeholders(MESSAGES["en"][key]), key


def test_every_condition_operator_has_words_in_every_language() -> None:
    """A lint finding names a condition in words: no operator may show as its internal name."""
    from builder.conditions import OPERATOR_WORDS
    from builder.lint_messages import MESSAGES, condition_words

    for language, texts in MESSAGES.items():
        assert {f"condition.{operator}" for operator in OPERATOR_WORDS} <= set(texts), language
    assert condition_words(("Type", "includes", "Other"), "fr") == "« Type » contient « Other »"
    assert condition_words(("Type", "not_answered", None), "fr") == "« Type » n’est pas rempli"
