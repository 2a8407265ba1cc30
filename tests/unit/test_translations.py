"""Translated definitions: texts by JSON pointer, fallback to the default language, lint of gaps."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator

from builder.definition import parse_definition
from builder.translations import available_locales, localise, missing_translations, stale_translations, translatable_texts
from tests.conftest import template

ROOT = Path(__file__).resolve().parents[2]


def test_every_text_a_resident_reads_is_translatable() -> None:
    texts = translatable_texts(template("report-pothole"))
    assert texts["/title"] == "Report a pothole"
    assert texts["/schema/properties/size/oneOf/2/title"] == "Larger than a car tyre"
    assert texts["/schema/then/properties/blocks_road/title"] == "Does it block a lane of traffic?"  # conditional field
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


def test_translations_of_deleted_fields_are_reported_as_stale() -> None:
    document = template("report-pothole")
    del document["schema"]["properties"]["details"]
    assert ("fr", "/schema/properties/details/title") in stale_translations(document)


def test_meta_schema_refuses_a_pointer_outside_the_definition() -> None:
    meta = json.loads((ROOT / "schemas" / "form-definition.schema.json").read_text())
    document = template("report-pothole")
    document["translations"]["fr"]["title"] = "no leading slash"
    document["translations"]["french"] = {}
    paths = sorted(tuple(e.absolute_path) for e in Draft202012Validator(meta).iter_errors(document))
    assert paths == [("translations",), ("translations", "fr")]
