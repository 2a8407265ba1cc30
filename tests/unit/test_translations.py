"""Translated definitions: texts by JSON pointer, fallback to the default language, lint of gaps."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from jsonschema import Draft202012Validator

from builder.definition import parse_definition
import pytest

from builder import editing as ed
from builder.lint import lint
from builder.translations import (
    UnknownLanguage,
    add_language,
    available_locales,
    confirm_translation,
    language_name,
    locale_code,
    localise,
    missing_translations,
    orphaned_translations,
    remove_language,
    set_translation,
    stale_translations,
    translatable_texts,
    translation_rows,
    without_orphans,
)
from tests.conftest import template

ROOT = Path(__file__).resolve().parents[2]


def test_every_text_a_resident_reads_is_translatable() -> None:
    texts = translatable_texts(template("report-pothole"))
    assert texts["/title"] == "Report a pothole"
    assert texts["/schema/properties/size/oneOf/2/title"] == "Larger than a car tyre"
    assert texts["/schema/allOf/0/then/properties/blocks_road/title"] == "Does it block a lane of traffic?"  # conditional field
    assert texts["/uiSchema/ui:pages/1/title"] == "About you"
    assert texts["/uiSchema/location/ui:placeholder"].startswith("e.g.")
    assert texts["/workflow/steps/0/name"] == "Inspection by the roads team"
    assert "/settings/confirmation_text" in texts


def test_localise_translates_labels_but_never_choice_values() -> None:
    french = localise(template("report-pothole"), "fr")
    size = french["schema"]["properties"]["size"]
    assert french["title"] == "Signaler un nid-de-poule"
    assert [o["const"] for o in size["oneOf"]] == ["small", "medium", "large"]
    assert size["oneOf"][0]["title"] == "Plus petit qu'une main"
    assert parse_definition(french).slug == "report-pothole"


def test_the_demo_form_is_completely_translated_into_french() -> None:
    assert missing_translations(template("report-pothole"), ["fr"]) == []


def test_a_missing_translation_falls_back_and_is_reported() -> None:
    document = template("report-pothole")
    del document["translations"]["fr"]["/schema/properties/name/title"]
    french = localise(document, "fr")
    assert french["schema"]["properties"]["name"]["title"] == "Your name"  # the default language, no crash
    missing = missing_translations(document, ["fr"])
    assert [(m.locale, m.pointer, m.source) for m in missing] == [("fr", "/schema/properties/name/title", "Your name")]


def test_an_unknown_locale_is_the_default_language() -> None:
    document = template("report-pothole")
    assert localise(document, "es") == document
    assert available_locales(document) == ["en", "fr"]


def test_translations_of_deleted_fields_are_orphans_and_can_be_dropped() -> None:
    document = template("report-pothole")
    del document["schema"]["properties"]["details"]
    assert ("fr", "/schema/properties/details/title") in orphaned_translations(document)
    assert orphaned_translations(without_orphans(document)) == []
    assert "/title" in without_orphans(document)["translations"]["fr"]


def test_meta_schema_refuses_a_pointer_outside_the_definition() -> None:
    meta = json.loads((ROOT / "schemas" / "form-definition.schema.json").read_text())
    document = template("report-pothole")
    document["translations"]["fr"]["title"] = "no leading slash"
    document["translations"]["french"] = {}
    paths = sorted(tuple(e.absolute_path) for e in Draft202012Validator(meta).iter_errors(document))
    assert paths == [("translations",), ("translations", "fr")]


def street_party_in_french() -> dict:
    return add_language(template("street-party-permit"), "fr")


def test_rows_list_every_text_a_resident_reads_in_reading_order_all_missing_at_first() -> None:
    rows = translation_rows(street_party_in_french(), "fr")
    assert {row.status for row in rows} == {"missing"}
    parts = [row.part for row in rows]
    assert parts[:2] == ["form_title", "form_description"]
    assert parts.index("field_title") < parts.index("page_title") < parts.index("step_name") < parts.index(
        "confirmation")
    music = [row for row in rows if row.field == "amplified_music"]
    assert music and music[0].part == "field_title"  # a field's texts sit together, its title first


def test_plain_choices_are_offered_and_localised_as_labels_with_unchanged_values() -> None:
    document, name = ed.add_field(street_party_in_french(), "one_choice", "Kind of food")
    document = ed.put_field(document, replace(ed.read_field(document, name), options=("Barbecue", "Potluck")))
    row = next(r for r in translation_rows(document, "fr") if r.part == "choice" and r.source == "Potluck")
    document = set_translation(document, "fr", row.pointer, "Repas partagé")
    french = localise(document, "fr")["schema"]["properties"][name]
    assert french["oneOf"] == [{"const": "Barbecue", "title": "Barbecue"}, {"const": "Potluck", "title": "Repas partagé"}]
    assert document["schema"]["properties"][name]["enum"] == ["Barbecue", "Potluck"]  # the form itself is unchanged


def test_filling_a_translation_clears_the_gap_and_a_changed_source_makes_it_stale() -> None:
    document = set_translation(street_party_in_french(), "fr", "/title", "Demander un permis de fête de rue")
    title = next(r for r in translation_rows(document, "fr") if r.pointer == "/title")
    assert (title.status, title.text) == ("done", "Demander un permis de fête de rue")
    assert "/title" not in {m.pointer for m in missing_translations(document)}
    document["title"] = "Apply for a street-party or block-party permit"
    title = next(r for r in translation_rows(document, "fr") if r.pointer == "/title")
    assert (title.status, title.was) == ("stale", "Apply for a street-party permit")
    assert [(s.locale, s.pointer) for s in stale_translations(document)] == [("fr", "/title")]
    checked = confirm_translation(document, "fr", "/title")
    assert stale_translations(checked) == []
    assert localise(checked, "fr")["title"] == "Demander un permis de fête de rue"


def test_an_emptied_translation_is_missing_again() -> None:
    document = set_translation(street_party_in_french(), "fr", "/title", "Permis")
    document = set_translation(document, "fr", "/title", "  ")
    assert "/title" not in document["translations"]["fr"]
    assert "/title" in {m.pointer for m in missing_translations(document)}


def test_moved_steps_mark_their_translations_stale_instead_of_showing_the_wrong_name() -> None:
    document = street_party_in_french()
    first, second = (s["name"] for s in document["workflow"]["steps"][:2])
    document = set_translation(document, "fr", "/workflow/steps/0/name", "Premier contrôle")
    moved = ed.move_step(document, 0, 1)
    row = next(r for r in translation_rows(moved, "fr") if r.pointer == "/workflow/steps/0/name")
    assert (row.source, row.status, row.was) == (second, "stale", first)


def test_lint_warns_about_missing_and_stale_translations_but_never_errs() -> None:
    document = street_party_in_french()
    findings = [f for f in lint(document, group_size=lambda g: 3) if f.locale == "fr"]
    count = len(translatable_texts(document))
    assert [(f.severity, f.message) for f in findings] == [
        ("warning", f"French: {count} texts have no translation; residents who choose French read them in English.")]
    for pointer, source in translatable_texts(document).items():
        document = set_translation(document, "fr", pointer, f"FR {source}")
    assert [f for f in lint(document, group_size=lambda g: 3) if f.locale] == []
    document["description"] = "New introduction"
    assert [f.message for f in lint(document, group_size=lambda g: 3) if f.locale] == [
        "French: 1 translation was made for an earlier version of the text; check them."]


@pytest.mark.parametrize("typed, code", [("fr", "fr"), ("pt_BR", "pt-BR"), ("pt-br", "pt-BR"), (" de ", "de"),
                                         ("fil", "fil")])
def test_any_babel_language_code_can_be_added(typed: str, code: str) -> None:
    assert locale_code(typed) == code
    assert code in add_language(template("street-party-permit"), typed)["translations"]


@pytest.mark.parametrize("typed", ["xx", "", "zh_Hant", "english"])
def test_unknown_language_codes_are_refused_with_a_reason(typed: str) -> None:
    with pytest.raises(UnknownLanguage):
        add_language(template("street-party-permit"), typed)


def test_the_default_language_cannot_be_added_and_a_removed_language_leaves_no_trace() -> None:
    with pytest.raises(UnknownLanguage, match="written in"):
        add_language(template("street-party-permit"), "en")
    document = set_translation(street_party_in_french(), "fr", "/title", "Permis")
    removed = remove_language(document, "fr")
    assert "fr" not in removed.get("translations", {}) and "translation_sources" not in removed
    assert parse_definition(removed).translations == {}


def test_language_names_are_given_in_the_designers_language() -> None:
    assert language_name("fr", "fr") == "français"
    assert language_name("de", "en") == "German"
    assert language_name("pt-BR", "en") == "Portuguese (Brazil)"


def test_a_translated_draft_is_a_valid_definition_for_the_meta_schema() -> None:
    meta = json.loads((ROOT / "schemas" / "form-definition.schema.json").read_text())
    document = set_translation(street_party_in_french(), "fr", "/title", "Permis")
    assert list(Draft202012Validator(meta).iter_errors(document)) == []
    assert parse_definition(document).translation_sources == {"fr": {"/title": "Apply for a street-party permit"}}


def test_the_default_confirmation_residents_read_can_be_translated() -> None:
    document = ed.blank_definition("market-stall", "Market stall", "events")
    document.pop("settings")
    assert translatable_texts(document)["/settings/confirmation_text"] == "Thank you. Your request has been received."
    french = localise(set_translation(document, "fr", "/settings/confirmation_text", "Merci, c'est reçu."), "fr")
    assert parse_definition(french).settings.confirmation_text == "Merci, c'est reçu."


def _waste_form() -> dict:
    """A choice labelled with react-jsonschema-form's schema-level ``enumNames``, its values short codes."""
    document = street_party_in_french()
    document["schema"]["properties"]["waste"] = {"type": "string", "title": "Waste", "enum": ["rb", "gl"],
                                                 "enumNames": ["Rubble", "Glass"]}
    return document


def test_choices_labelled_by_enum_names_offer_their_labels_not_their_codes() -> None:
    document = _waste_form()
    texts = translatable_texts(document)
    assert texts["/schema/properties/waste/oneOf/0/title"] == "Rubble"
    assert texts["/schema/properties/waste/oneOf/1/title"] == "Glass"
    sources = {row.source for row in translation_rows(document, "fr") if row.field == "waste" and row.part == "choice"}
    assert sources == {"Rubble", "Glass"}


def test_an_untranslated_option_keeps_its_english_label_not_its_code() -> None:
    document = set_translation(_waste_form(), "fr", "/schema/properties/waste/oneOf/1/title", "Verre")
    waste = localise(document, "fr")["schema"]["properties"]["waste"]
    assert waste["oneOf"] == [{"const": "rb", "title": "Rubble"}, {"const": "gl", "title": "Verre"}]
    assert "enumNames" not in waste and "enum" not in waste
    assert document["schema"]["properties"]["waste"]["enum"] == ["rb", "gl"]  # stored values unchanged


def test_the_example_shown_as_placeholder_is_translatable_and_its_gap_is_linted() -> None:
    document = street_party_in_french()
    document["schema"]["properties"]["phone"] = {"type": "string", "title": "Phone", "examples": ["e.g. 06 12 34 56 78"]}
    texts = translatable_texts(document)
    assert texts["/schema/properties/phone/examples/0"] == "e.g. 06 12 34 56 78"
    row = next(r for r in translation_rows(document, "fr") if r.pointer == "/schema/properties/phone/examples/0")
    assert (row.part, row.field, row.status) == ("placeholder", "phone", "missing")
    for pointer, source in texts.items():
        if pointer != "/schema/properties/phone/examples/0":
            document = set_translation(document, "fr", pointer, f"FR {source}")
    assert [f.message for f in lint(document, group_size=lambda g: 3) if f.locale] == [
        "French: 1 text has no translation; residents who choose French read it in English."]
    document = set_translation(document, "fr", "/schema/properties/phone/examples/0", "ex. 06 12 34 56 78")
    assert localise(document, "fr")["schema"]["properties"]["phone"]["examples"] == ["ex. 06 12 34 56 78"]
    assert [f for f in lint(document, group_size=lambda g: 3) if f.locale] == []


def test_an_example_hidden_by_a_ui_placeholder_is_not_offered() -> None:
    document = street_party_in_french()
    document["schema"]["properties"]["phone"] = {"type": "string", "title": "Phone", "examples": ["0612345678"]}
    document["uiSchema"]["phone"] = {"ui:placeholder": "Your mobile number"}
    texts = translatable_texts(document)
    assert "/schema/properties/phone/examples/0" not in texts
    assert texts["/uiSchema/phone/ui:placeholder"] == "Your mobile number"


def test_lint_warns_about_translations_of_texts_that_no_longer_exist() -> None:
    document = set_translation(street_party_in_french(), "fr", "/title", "Permis de fête de rue")
    document["translations"]["fr"]["/schema/properties/gone/title"] = "Champ supprimé"
    findings = [f for f in lint(document, group_size=lambda g: 3) if f.locale == "fr" and f.code.startswith("orph")]
    assert [(f.severity, f.message) for f in findings] == [
        ("warning", "French: this translation is for a text that no longer exists: “Champ supprimé”. "
                    "Residents never read it; remove it under Advanced (JSON).")]
    assert findings[0].text("fr").startswith("Français : cette traduction concerne un texte qui n’existe plus")
    assert [f for f in lint(without_orphans(document), group_size=lambda g: 3) if f.code.startswith("orph")] == []
