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
