"""The builder page through the real app (AppTest): edit, conditions, preview, conflicts, publish, versions."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from builder import editing as ed
from builder import translations as tr
from builder.conditions import Condition
from builder.definition import parse_definition
from builder.usecases import forms
from sqlmodel import Session, select

from storage.models import Department, StaffGroup
from storage.uow import SqlUnitOfWork
from tests.conftest import template
from tests.helpers import ADMIN, DESIGNER, seed_organisation
from tests.ui.conftest import open_page, sign_in, texts

SLUG = "street-party-permit"
K = f"editor:{SLUG}"




def open_editor(new_app: Callable[[], AppTest], username: str = "designer", slug: str = SLUG) -> AppTest:
    return open_page(sign_in(new_app(), username), "editor", form=slug)


def draft(engine: Engine) -> forms.Draft:
    return forms.open_draft(SLUG, DESIGNER, SqlUnitOfWork(engine))


def section(app: AppTest, name: str) -> AppTest:
    app.session_state[f"{K}:section"] = name
    return app.run()


def add_field(app: AppTest, kind: str, label: str) -> AppTest:
    app.selectbox(key=f"{K}:new_kind").set_value(kind)
    app.text_input(key=f"{K}:new_label").input(label)
    return app.button(key=f"{K}:add").click().run()


def test_a_new_field_is_saved_to_the_draft_at_once_and_shown_in_the_preview(
        new_app: Callable[[], AppTest], street_party: Engine) -> None:
    app = open_editor(new_app)
    assert not app.exception
    assert app.title[0].value.replace("\\", "") == "Apply for a street-party permit"  # plain() escapes markdown
    app = add_field(app, "short_text", "Name of the street party")
    saved = draft(street_party)
    assert saved.revision == 2
    assert saved.document["schema"]["properties"]["name_of_the_street_party"]["title"] == "Name of the street party"
    # The preview turns to the page the new field is on (the last one) and shows it.
    assert app.selectbox(key=f"{K}:preview_page").value == 1
    assert "Name of the street party" in [w.label for w in app.text_input]
    assert "Editing this short text field" in texts(app)  # the new field's editor opens at once


def test_designer_makes_a_field_conditional_and_the_preview_follows(
        new_app: Callable[[], AppTest], street_party: Engine) -> None:
    app = add_field(open_editor(new_app), "long_text", "Music details")
    field_key = f"{K}:{app.session_state[f'{K}:gen']}:field:music_details"
    app.radio(key=f"{field_key}:show:mode").set_value("Only when…").run()
    app.selectbox(key=f"{field_key}:show:field").set_value("amplified_music").run()
    app.radio(key=f"{field_key}:show:value:amplified_music:is").set_value(True).run()
    branch = draft(street_party).document["schema"]["allOf"][-1]
    assert branch == {"if": {"properties": {"amplified_music": {"const": True}}, "required": ["amplified_music"]},
                      "then": {"properties": {"music_details": {"type": "string", "title": "Music details",
                                                                "maxLength": 4000}}}}
    assert "conditional" in texts(app)


def test_a_second_designer_gets_a_clear_conflict_and_can_load_the_other_version(
        new_app: Callable[[], AppTest], street_party: Engine) -> None:
    first = open_editor(new_app)
    second = open_editor(new_app, "admin")
    add_field(first, "date", "Setup day")
    second = add_field(second, "time", "Clean-up time")
    shown = texts(second)
    assert "saved this form at" in shown and "Your latest change is NOT saved yet" in shown
    assert "clean_up_time" not in draft(street_party).document["schema"]["properties"]
    second.button(key=f"{K}:theirs").click().run()
    assert "Setup day" in texts(second) and "Your latest change is NOT saved yet" not in texts(second)


def test_keep_mine_after_a_conflict_saves_my_version(new_app: Callable[[], AppTest], street_party: Engine) -> None:
    first = open_editor(new_app)
    second = open_editor(new_app, "admin")
    add_field(first, "date", "Setup day")
    second = add_field(second, "time", "Clean-up time")
    second.button(key=f"{K}:mine").click().run()
    assert "clean_up_time" in draft(street_party).document["schema"]["properties"]


def test_a_designer_cannot_open_another_departments_form(new_app: Callable[[], AppTest], app_database: Engine) -> None:
    uow = seed_organisation(app_database)
    with Session(app_database) as session:  # a department the designer does not belong to
        session.add(Department(slug="business", name="Business and Licensing"))
        session.commit()
    forms.create_form(template("business-licence"), ADMIN, uow)
    app = open_editor(new_app, slug="business-licence")
    assert "This form does not exist or belongs to another department." in texts(app)
    assert "Apply for a business licence" not in texts(app)


def test_reviewers_are_not_offered_the_builder(new_app: Callable[[], AppTest], street_party: Engine) -> None:
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_editor(new_app, "roads")


def test_publish_is_refused_while_lint_finds_errors_and_allowed_after_fixing(
        new_app: Callable[[], AppTest], street_party: Engine) -> None:
    app = add_field(open_editor(new_app), "one_choice", "Kind of food")
    field_key = f"{K}:{app.session_state[f'{K}:gen']}:field:kind_of_food"
    app.text_area(key=f"{field_key}:options").input("").run()
    app = section(app, "Check and publish")
    assert "“Kind of food” is a choice with no options to choose from." in texts(app)
    assert app.button(key=f"{K}:publish").disabled
    app.button(key=f"{K}:goto:0").click().run()  # the finding links to the field's editor
    assert app.session_state[f"{K}:section"] == "Fields"
    app.text_area(key=f"{field_key}:options").input("Barbecue\nPotluck").run()
    app = section(app, "Check and publish")
    app.button(key=f"{K}:publish").click().run()
    assert "Published as version 1" in texts(app)
    assert forms.published_form(SLUG, SqlUnitOfWork(street_party)).number == 1


def test_versions_show_what_changed_in_words_and_roll_back(new_app: Callable[[], AppTest], street_party: Engine) -> None:
    forms.publish(SLUG, DESIGNER, SqlUnitOfWork(street_party))
    app = add_field(open_editor(new_app), "yes_no", "Bouncy castle")
    app = section(app, "Versions")
    assert "• Field “Bouncy castle” added." in texts(app)
    forms.save_draft(SLUG, app.session_state[f"{K}:doc"], draft(street_party).revision, DESIGNER,
                     SqlUnitOfWork(street_party))
    forms.publish(SLUG, DESIGNER, SqlUnitOfWork(street_party))
    app = section(open_editor(new_app), "Versions")
    app.selectbox(key=f"{K}:back").set_value(1).run()
    app.button(key=f"{K}:rollback").click().run()
    assert "Version 1 is live again as version 3" in texts(app)
    live = forms.published_form(SLUG, SqlUnitOfWork(street_party)).definition.schema_["properties"]
    assert "bouncy_castle" not in live


def test_advanced_json_is_validated_with_precise_positions(new_app: Callable[[], AppTest], street_party: Engine) -> None:
    app = section(open_editor(new_app), "Advanced")
    json_key = f"{K}:{app.session_state[f'{K}:gen']}:json"
    app.text_area(key=json_key).input('{"slug": "street-party-permit",\n  "title": }').run()
    app.button(key=f"{K}:apply_json").click().run()
    assert "Line 2, column 12: Expecting value. Nothing was changed." in texts(app)
    document = template(SLUG)
    document["workflow"]["steps"][1]["policy"] = "most"
    app.text_area(key=json_key).input(json.dumps(document)).run()
    app.button(key=f"{K}:apply_json").click().run()
    assert "• at /workflow/steps/1/policy: 'most' is not one of ['any', 'all', 'n']" in texts(app)
    document["workflow"]["steps"][1]["policy"] = "all"
    app.text_area(key=json_key).input(json.dumps(document)).run()
    app.button(key=f"{K}:apply_json").click().run()
    assert draft(street_party).document["workflow"]["steps"][1]["policy"] == "all"


def test_test_run_lists_the_steps_that_would_apply(new_app: Callable[[], AppTest], app_database: Engine) -> None:
    uow = seed_organisation(app_database)
    forms.create_form({**template("tree-removal")}, DESIGNER, uow)
    app = open_editor(new_app, slug="tree-removal")
    assert "1. Inspection by a tree officer — Tree officers" in texts(app)
    assert "Decision on a protected tree" not in texts(app)
    protected = next(c for c in app.checkbox if c.label == "Is the tree on the list of protected trees?")
    protected.check().run()
    assert "2. Decision on a protected tree — Tree officers (all members must approve; 20 working days)" in texts(app)


def test_create_from_scratch_opens_the_builder(new_app: Callable[[], AppTest], street_party: Engine) -> None:
    app = open_page(sign_in(new_app(), "designer"), "forms")
    app.text_input(key="scratch_title").input("Market stall").run()
    app.button(key="scratch_create").click().run()
    assert draft_exists(street_party, "market-stall")
    assert app.title[0].value == "Market stall"


def draft_exists(engine: Engine, slug: str) -> bool:
    return forms.open_draft(slug, DESIGNER, SqlUnitOfWork(engine)).revision == 1


def edit_entries(app: AppTest, name: str, edited: dict | None = None, added: list | None = None,
                 deleted: list | None = None) -> AppTest:
    """Edit the table of a repeating group's questions as the browser reports it (rows by position)."""
    app.session_state[f"{field_key(app, name)}:entries"] = {
        "edited_rows": edited or {}, "added_rows": added or [], "deleted_rows": deleted or []}
    return app.run()


def test_a_repeating_group_asks_each_entry_questions_of_their_own_kind(
        new_app: Callable[[], AppTest], street_party: Engine) -> None:
    app = add_field(open_editor(new_app), "repeating_group", "Helpers")
    app = edit_entries(app, "helpers", edited={0: {"question": "Name", "required": True}},
                       added=[{"question": "Age", "kind": "Number", "required": False},
                              {"question": "Date of birth", "kind": "Date", "required": False},
                              {"question": "First aid trained", "kind": "Yes / no", "required": True}])
    items = draft(street_party).document["schema"]["properties"]["helpers"]["items"]
    assert {n: (p["title"], p["type"], p.get("format")) for n, p in items["properties"].items()} == {
        "item": ("Name", "string", None), "age": ("Age", "number", None),
        "date_of_birth": ("Date of birth", "string", "date"), "first_aid_trained": ("First aid trained", "boolean", None)}
    assert items["required"] == ["item", "first_aid_trained"]
    # The preview asks each question with its own kind of box.
    app.button(key=next(b.key for b in app.button if b.label == "Add an entry")).click().run()
    assert [n.label for n in app.number_input if n.label.startswith("Age")] == ["Age"]
    assert [d.label for d in app.date_input if d.label.startswith("Date of birth")] == ["Date of birth"]
    # Renaming keeps the stored name; a new kind starts with that kind's rules; a removed row goes.
    app = edit_entries(app, "helpers", edited={0: {"question": "Full name"}, 1: {"kind": "Short text"}}, deleted=[2])
    items = draft(street_party).document["schema"]["properties"]["helpers"]["items"]
    assert {n: (p["title"], p["type"]) for n, p in items["properties"].items()} == {
        "item": ("Full name", "string"), "age": ("Age", "string"), "first_aid_trained": ("First aid trained", "boolean")}
    assert items["properties"]["age"]["maxLength"] == 200
    table = app.session_state[f"{field_key(app, 'helpers')}:entries"]  # a fresh table, showing the saved rows
    assert table == {"edited_rows": {}, "added_rows": [], "deleted_rows": []}


# ------------------------------------------------------------------ translations (issue 9)


def translate_draft(engine: Engine, *, leave_out: tuple[str, ...] = ()) -> dict:
    """Give the draft a French translation of every text except ``leave_out`` (through the use case)."""
    current = draft(engine)
    document = tr.add_language(current.document, "fr")
    for pointer, source in tr.translatable_texts(document).items():
        if pointer not in leave_out:
            document = tr.set_translation(document, "fr", pointer, f"FR {source}")
    forms.save_draft(SLUG, document, current.revision, DESIGNER, SqlUnitOfWork(engine))
    return document


def translation_box(app: AppTest, pointer: str, locale: str = "fr"):  # noqa: ANN201 - an AppTest widget
    key = f"{K}:{app.session_state[f'{K}:gen']}:tr:{locale}:{pointer}"
    return next(w for w in [*app.text_input, *app.text_area] if w.key == key)


def badges(app: AppTest, words: str) -> int:
    """How many rows carry the badge (missing / source changed) that marks them."""
    return sum(m.value.endswith(f" {words}]") and "-badge[" in m.value for m in app.markdown)


def translation_warnings(app: AppTest) -> list[str]:
    return [w.value for w in section(app, "Check and publish").warning if w.value.startswith("French")]


def test_designer_adds_french_and_every_text_is_listed_as_missing(
        new_app: Callable[[], AppTest], street_party: Engine) -> None:
    app = section(open_editor(new_app), "Translations")
    assert "This form is only in English." in texts(app)
    app.selectbox(key=f"{K}:tr_new").set_value("fr").run()
    app.button(key=f"{K}:tr_add").click().run()
    saved = draft(street_party).document
    assert saved["translations"] == {"fr": {}}
    total = len(tr.translatable_texts(saved))
    assert app.radio(key=f"{K}:tr_locale").value == "fr"
    assert f"0 of {total} texts translated · {total} missing · 0 to check" in texts(app)
    assert badges(app, "Missing") == total
    title = translation_box(app, "/title")
    assert (title.label, title.value) == ("French for “Apply for a street-party permit”", "")
    assert translation_warnings(app) == [f"French: {total} texts have no translation; residents who choose French "
                                         "read them in English."]


def test_filling_the_last_missing_text_saves_it_and_the_warning_disappears(
        new_app: Callable[[], AppTest], street_party: Engine) -> None:
    translate_draft(street_party, leave_out=("/title",))
    app = open_editor(new_app)
    assert translation_warnings(app) == ["French: 1 text has no translation; residents who choose French read it "
                                         "in English."]
    app.button(key=f"{K}:goto:0").click().run()  # the warning leads to the French table
    assert app.session_state[f"{K}:section"] == "Translations"
    assert badges(app, "Missing") == 1
    translation_box(app, "/title").input("Demander un permis de fête de rue").run()
    saved = draft(street_party).document
    assert saved["translations"]["fr"]["/title"] == "Demander un permis de fête de rue"
    assert saved["translation_sources"]["fr"]["/title"] == "Apply for a street-party permit"
    assert badges(app, "Missing") == 0
    assert translation_warnings(app) == []


def test_changing_a_source_text_marks_its_translation_for_review(
        new_app: Callable[[], AppTest], street_party: Engine) -> None:
    translate_draft(street_party)
    app = section(open_editor(new_app), "Settings")
    app.text_input(key=f"{K}:{app.session_state[f'{K}:gen']}:settings:title").input("Apply for a block party").run()
    app = section(app, "Translations")
    assert badges(app, "Source changed") == 1
    assert "Translated from: Apply for a street-party permit" in texts(app)
    assert translation_warnings(app) == ["French: 1 translation was made for an earlier version of the text; "
                                         "check them."]
    section(app, "Translations").button(key=f"{K}:tr_ok:fr:/title").click().run()
    assert badges(app, "Source changed") == 0
    assert draft(street_party).document["translation_sources"]["fr"]["/title"] == "Apply for a block party"


def test_a_language_by_code_is_added_and_a_wrong_code_is_refused_at_the_field(
        new_app: Callable[[], AppTest], street_party: Engine) -> None:
    app = section(open_editor(new_app), "Translations")
    app.selectbox(key=f"{K}:tr_new").set_value("other").run()
    app.text_input(key=f"{K}:tr_code").input("xx").run()
    app.button(key=f"{K}:tr_add").click().run()
    assert "“xx” is not a language code we know. Use a code like de, nl or pt-BR." in texts(app)
    app.text_input(key=f"{K}:tr_code").input("pt_BR").run()
    app.button(key=f"{K}:tr_add").click().run()
    assert "Portuguese (Brazil) added." in texts(app)
    assert list(draft(street_party).document["translations"]) == ["pt-BR"]


def test_removing_a_language_asks_first_and_then_drops_its_translations(
        new_app: Callable[[], AppTest], street_party: Engine) -> None:
    translate_draft(street_party)
    app = section(open_editor(new_app), "Translations")
    app.button(key=f"{K}:tr_remove_ask").click().run()
    app.button(key=f"{K}:tr_remove_no").click().run()
    assert "fr" in draft(street_party).document["translations"]
    app.button(key=f"{K}:tr_remove_ask").click().run()
    assert "Remove French and all its translations?" in texts(app)
    app.button(key=f"{K}:tr_remove_yes").click().run()
    assert "translations" not in draft(street_party).document or draft(street_party).document["translations"] == {}
    assert "French removed." in texts(app)


def test_the_builder_speaks_the_designers_language(new_app: Callable[[], AppTest], street_party: Engine) -> None:
    app = open_editor(new_app)
    app.selectbox(key="language_selector").set_value("fr").run()
    assert app.button(key=f"{K}:add").label == "Ajouter"
    assert "Aperçu" in texts(app)
    app = section(app, "Translations")
    assert "Ce formulaire n'existe qu'en anglais." in texts(app)


# ------------------------------------------------------------------ review gaps: conditions, files, dates, settings


def field_key(app: AppTest, name: str) -> str:
    return f"{K}:{app.session_state[f'{K}:gen']}:field:{name}"


def open_field(app: AppTest, name: str) -> AppTest:
    """Press the field's pencil, as the designer does."""
    return app.button(key=f"{K}:edit:{name}:iconbtn:").click().run()


def condition_on(app: AppTest, name: str, source: str):  # noqa: ANN201 - the "Test" select box
    key = f"{field_key(app, name)}:show"
    app.radio(key=f"{key}:mode").set_value("Only when…").run()
    app.selectbox(key=f"{key}:field").set_value(source).run()
    kind = ed.read_field(app.session_state[f"{K}:doc"], source).kind
    return app.selectbox(key=f"{key}:op:{kind}")


def test_conditions_on_lists_and_groups_offer_only_tests_that_can_hold(
        new_app: Callable[[], AppTest], street_party: Engine) -> None:
    app = add_field(open_editor(new_app), "several_choices", "Equipment")
    app.text_area(key=f"{field_key(app, 'equipment')}:options").input("Chairs\nTents\nStage").run()
    for kind, label in (("repeating_group", "Helpers"), ("address", "Stall address"), ("file", "Site plan"),
                        ("long_text", "Tent details")):
        app = add_field(app, kind, label)
    test = condition_on(app, "tent_details", "equipment")
    assert test.options == ["includes", "does not include", "is filled in", "is not filled in"]
    value = app.selectbox(key=f"{field_key(app, 'tent_details')}:show:value:equipment:includes")
    assert value.options == ["Chairs", "Tents", "Stage"]  # the field's own choices, not a free text
    value.set_value("Tents").run()
    branch = draft(street_party).document["schema"]["allOf"][-1]
    assert branch["if"] == {"properties": {"equipment": {"contains": {"const": "Tents"}}}, "required": ["equipment"]}
    for source in ("helpers", "stall_address", "site_plan"):
        test = condition_on(app, "tent_details", source)
        assert test.options == ["is filled in", "is not filled in"], source
    test.set_value("not_answered").run()
    assert draft(street_party).document["schema"]["allOf"][-1]["if"] == {"not": {"required": ["site_plan"]}}
    # A step's condition gets the same choice of tests.
    app = section(app, "Approval steps")
    step_key = f"{K}:{app.session_state[f'{K}:gen']}:step:events-check:cond"
    app.radio(key=f"{step_key}:mode").set_value("Only when…").run()
    app.selectbox(key=f"{step_key}:field").set_value("equipment").run()
    assert app.selectbox(key=f"{step_key}:op:several_choices").options[:2] == ["includes", "does not include"]


def test_a_file_field_offers_every_kind_the_server_recognises_and_saves_the_choice(
        new_app: Callable[[], AppTest], street_party: Engine) -> None:
    from builder.attachments import file_rules
    app = add_field(open_editor(new_app), "file", "Photo of the street")
    types = app.multiselect(key=f"{field_key(app, 'photo_of_the_street')}:types")
    assert types.options == ["PDF", "PNG image", "JPEG photo", "GIF image", "WebP image", "iPhone photo (HEIC)",
                             "Plain text", "Word document (.docx)"]
    types.set_value(["image/heic", "application/pdf"]).run()
    document = draft(street_party).document
    assert document["uiSchema"]["photo_of_the_street"]["ui:options"]["accept"] == ["image/heic", "application/pdf"]
    assert file_rules(document["schema"], document["uiSchema"])["photo_of_the_street"].kinds == ("heic", "pdf")


def test_a_file_field_naming_unknown_types_is_flagged_in_its_editor(
        new_app: Callable[[], AppTest], street_party: Engine) -> None:
    current = draft(street_party)
    document = json.loads(json.dumps(current.document))
    document["schema"]["properties"]["plan"] = {"type": "string", "format": "data-url", "title": "Site plan"}
    document["uiSchema"]["plan"] = {"ui:widget": "file", "ui:options": {"accept": ["image/x-raw-camera"]}}
    document["uiSchema"]["ui:order"].append("plan")
    if document["uiSchema"].get("ui:pages"):
        document["uiSchema"]["ui:pages"][-1]["fields"].append("plan")
    forms.save_draft(SLUG, document, current.revision, DESIGNER, SqlUnitOfWork(street_party))
    app = open_field(open_editor(new_app), "plan")
    assert ("Files of these types cannot be recognised, so they are not accepted: image/x-raw-camera."
            in texts(app))
    assert draft(street_party).document["uiSchema"]["plan"]["ui:options"]["accept"] == ["image/x-raw-camera"]
    app.multiselect(key=f"{field_key(app, 'plan')}:types").set_value(["application/pdf"]).run()
    assert draft(street_party).document["uiSchema"]["plan"]["ui:options"]["accept"] == ["application/pdf"]
    assert "cannot be recognised" not in texts(app)


def test_a_date_gets_an_earliest_and_a_latest_date_and_the_preview_picker_follows(
        new_app: Callable[[], AppTest], street_party: Engine) -> None:
    from datetime import date, timedelta
    app = open_field(open_editor(new_app), "event_date")
    key = field_key(app, "event_date")
    earliest = app.selectbox(key=f"{key}:earliest")
    assert earliest.options == ["No earliest date", "Today (no dates in the past)",
                                "Tomorrow (the date must be in the future)", "A number of days from today…",
                                "A fixed date…"]
    earliest.set_value("days").run()
    app.number_input(key=f"{key}:earliest:days").set_value(14).run()
    app.selectbox(key=f"{key}:latest").set_value("fixed").run()
    app.date_input(key=f"{key}:latest:date").set_value(date(2099, 12, 31)).run()
    prop = draft(street_party).document["schema"]["properties"]["event_date"]
    assert (prop["formatMinimum"], prop["formatMaximum"]) == ("today+14", "2099-12-31")
    picker = next(d for d in app.date_input if d.label.startswith("Date of the event"))  # in the preview
    assert (picker.min, picker.max) == (date.today() + timedelta(days=14), date(2099, 12, 31))
    app.selectbox(key=f"{key}:earliest").set_value("today+1").run()
    assert draft(street_party).document["schema"]["properties"]["event_date"]["formatMinimum"] == "today+1"
    app.selectbox(key=f"{key}:latest").set_value("today").run()
    assert "The earliest date is after the latest date: no date could be entered." in texts(app)


def test_the_settings_section_saves_who_may_submit_texts_retention_and_data_fields(
        new_app: Callable[[], AppTest], street_party: Engine) -> None:
    app = section(open_editor(new_app), "Settings")
    k = f"{K}:{app.session_state[f'{K}:gen']}:settings"
    app.radio(key=f"{k}:who").set_value("signed_in").run()
    app.text_area(key=f"{k}:confirm").input("Thank you. We reply within ten working days.").run()
    app.number_input(key=f"{k}:retention").set_value(365).run()
    app.multiselect(key=f"{k}:personal").set_value(["organiser", "email", "phone", "street"]).run()
    app.multiselect(key=f"{k}:open").set_value(["event_date", "guests", "street"]).run()
    settings = draft(street_party).document["settings"]
    assert settings["submission"] == "signed_in"
    assert settings["confirmation_text"] == "Thank you. We reply within ten working days."
    assert settings["retention_days"] == 365
    assert settings["personal_data"] == ["organiser", "email", "phone", "street"]
    assert settings["open_data"] == ["event_date", "guests", "street"]
    assert "Personal data should not be published: Street where the party takes place" in texts(app)
    app.multiselect(key=f"{k}:open").set_value(["event_date", "guests"]).run()
    assert draft(street_party).document["settings"]["open_data"] == ["event_date", "guests"]
    assert "Personal data should not be published" not in texts(app)


# ------------------------------------------------------------------ audit fixes: required, add step, rollback


def required_of(engine: Engine, name: str) -> tuple[bool, object]:
    spec = ed.read_field(draft(engine).document, name)
    return spec.required, spec.required_when


def test_required_is_one_question_no_always_or_only_when(new_app: Callable[[], AppTest], street_party: Engine) -> None:
    app = add_field(open_editor(new_app), "short_text", "Nickname")
    key = field_key(app, "nickname")
    required = app.radio(key=f"{key}:required")
    assert required.label == "Required?" and required.options == ["No", "Always", "Only when…"]
    assert required.value == "No"  # a new field is optional, and says so in one word
    assert [r.label for r in app.radio if r.label.startswith("Required")] == ["Required?"]
    assert not [c for c in app.checkbox if c.label == "Required"]  # no second "Required" that could disagree
    required.set_value("Always").run()
    assert required_of(street_party, "nickname") == (True, None)
    assert "Short text · required" in texts(app)
    app.radio(key=f"{key}:required").set_value("Only when…").run()
    app.selectbox(key=f"{key}:reqwhen:field").set_value("amplified_music").run()
    app.radio(key=f"{key}:reqwhen:value:amplified_music:is").set_value(True).run()
    assert required_of(street_party, "nickname") == (False, Condition("amplified_music", "is", True))
    assert "Short text · required only when…" in texts(app)
    app.radio(key=f"{key}:required").set_value("No").run()
    assert required_of(street_party, "nickname") == (False, None)


def test_a_stored_required_when_opens_as_only_when_with_its_condition(
        new_app: Callable[[], AppTest], street_party: Engine) -> None:
    current = draft(street_party)
    document, name = ed.add_field(current.document, "long_text", "Music details")
    document = ed.put_field(document, replace(ed.read_field(document, name), required_when=Condition(
        "amplified_music", "is", True)))
    forms.save_draft(SLUG, document, current.revision, DESIGNER, SqlUnitOfWork(street_party))
    app = open_editor(new_app)
    key = field_key(open_field(app, name), name)
    assert app.radio(key=f"{key}:required").value == "Only when…"
    assert app.selectbox(key=f"{key}:reqwhen:field").value == "amplified_music"
    assert app.radio(key=f"{key}:reqwhen:value:amplified_music:is").value is True
    key = field_key(open_field(app, "organiser"), "organiser")  # a field that must always be answered
    assert app.radio(key=f"{key}:required").value == "Always"


def test_adding_a_step_empties_the_name_box(new_app: Callable[[], AppTest], street_party: Engine) -> None:
    app = section(open_editor(new_app), "Approval steps")
    app.text_input(key=f"{K}:new_step").input("Check by the fire brigade").run()
    app.selectbox(key=f"{K}:new_step_group").set_value("Public safety").run()
    app.button(key=f"{K}:add_step").click().run()
    steps = draft(street_party).document["workflow"]["steps"]
    assert [s["name"] for s in steps][-1] == "Check by the fire brigade" and len(steps) == 3
    assert app.text_input(key=f"{K}:new_step").value == ""  # ready for the next step, not a copy of the last
    assert "Step 3: name" in [w.label for w in app.text_input]


def rename_group(engine: Engine, old: str, new: str) -> None:
    with Session(engine) as session:
        group = session.exec(select(StaffGroup).where(StaffGroup.name == old)).one()
        group.name = new
        session.add(group)
        session.commit()


def test_a_rollback_to_a_version_whose_group_was_renamed_is_refused(
        new_app: Callable[[], AppTest], street_party: Engine) -> None:
    forms.publish(SLUG, DESIGNER, SqlUnitOfWork(street_party))  # version 1: "Public safety" decides step 2
    rename_group(street_party, "Public safety", "Safety and order")
    current = draft(street_party)
    forms.save_draft(SLUG, ed.update_step(current.document, 1, group="Safety and order"), current.revision,
                     DESIGNER, SqlUnitOfWork(street_party))
    forms.publish(SLUG, DESIGNER, SqlUnitOfWork(street_party))  # version 2 follows the new name
    app = section(open_editor(new_app), "Versions")
    app.selectbox(key=f"{K}:back").set_value(1).run()
    app.button(key=f"{K}:rollback").click().run()
    shown = texts(app)
    assert "Version 1 cannot be published again; nothing was changed:" in shown
    assert "Step “Public safety review”: there is no group called “Public safety”." in shown
    assert "is live again" not in shown
    assert forms.published_form(SLUG, SqlUnitOfWork(street_party)).number == 2
    assert [v.number for v in forms.versions_of(SLUG, DESIGNER, SqlUnitOfWork(street_party))] == [2, 1]


def test_the_settings_section_keeps_each_kind_of_request_for_its_own_period(
        new_app: Callable[[], AppTest], street_party: Engine) -> None:
    app = section(open_editor(new_app), "Settings")
    k = f"{K}:{app.session_state[f'{K}:gen']}:settings"
    inputs = {key: app.number_input(key=f"{k}:{key}")
              for key in ("retention", "retention_withdrawn", "retention_abandoned")}
    assert [i.label for i in inputs.values()] == [
        "Keep approved or rejected requests for (days)", "Keep withdrawn requests for (days)",
        "Close and remove requests the resident never answered after (days)"]
    assert all(i.help for i in inputs.values())
    finished = draft(street_party).document["settings"]["retention_days"]
    assert [i.value for i in inputs.values()] == [finished] * 3  # the other two follow the first until set
    opened = draft(street_party)
    assert opened.revision == 1 and opened.document["settings"].get("retention_withdrawn_days") is None  # nothing saved
    app.number_input(key=f"{k}:retention_withdrawn").set_value(30).run()
    app.number_input(key=f"{k}:retention_abandoned").set_value(90).run()
    app.number_input(key=f"{k}:retention").set_value(400).run()
    saved = draft(street_party)
    assert saved.revision > 1
    settings = saved.document["settings"]
    assert (settings["retention_days"], settings["retention_withdrawn_days"], settings["retention_abandoned_days"]) == (
        400, 30, 90)
    retention = parse_definition(saved.document).settings.retention
    assert (retention.finished_days, retention.withdrawn_days, retention.abandoned_days) == (400, 30, 90)
    assert not app.exception


# ------------------------------------------------------------------ publishing refusals in the designer's language


def empty_group(engine: Engine, name: str) -> None:
    from storage.models import GroupMembership

    with Session(engine) as session:
        group = session.exec(select(StaffGroup).where(StaffGroup.name == name)).one()
        for membership in session.exec(select(GroupMembership).where(GroupMembership.group_id == group.id)).all():
            session.delete(membership)
        session.commit()


def test_a_french_designer_reads_why_publishing_was_refused_in_french(
        new_app: Callable[[], AppTest], street_party: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_editor(new_app)
    app.selectbox(key="language_selector").set_value("fr").run()
    app = section(app, "Check and publish")
    sizes = forms.group_sizes(DESIGNER, SqlUnitOfWork(street_party))
    assert sizes["Public safety"] > 0 and not app.button(key=f"{K}:publish").disabled
    # An administrator empties the step's group while the page still shows it with its members.
    empty_group(street_party, "Public safety")
    monkeypatch.setattr(forms, "group_sizes", lambda actor, uow: sizes)
    app.button(key=f"{K}:publish").click().run()
    refusal = "\n".join(e.value for e in app.error)
    assert refusal.startswith("Le formulaire ne peut pas encore être publié :")
    assert ("Étape 2 « Public safety review » : le groupe « Public safety » n’a aucun membre, personne ne pourrait "
            "donc décider.") in refusal
    assert "has no members" not in refusal and "Published as version" not in texts(app)
    assert not forms.versions_of(SLUG, DESIGNER, SqlUnitOfWork(street_party))


def test_a_french_designer_reads_why_a_rollback_was_refused_in_french(
        new_app: Callable[[], AppTest], street_party: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import i18n

    forms.publish(SLUG, DESIGNER, SqlUnitOfWork(street_party))  # version 1: "Public safety" decides step 2
    rename_group(street_party, "Public safety", "Safety and order")
    current = draft(street_party)
    forms.save_draft(SLUG, ed.update_step(current.document, 1, group="Safety and order"), current.revision,
                     DESIGNER, SqlUnitOfWork(street_party))
    forms.publish(SLUG, DESIGNER, SqlUnitOfWork(street_party))
    app = open_editor(new_app)
    # AppTest quirk: the test's own thread formats the selectboxes' options again (format_func) without the
    # session, so in the default language; make that French too, or the French "Compare" box cannot be read.
    monkeypatch.setattr(i18n, "DEFAULT", "fr")
    app.selectbox(key="language_selector").set_value("fr").run()
    app = section(app, "Versions")
    app.selectbox(key=f"{K}:back").set_value(1).run()
    app.button(key=f"{K}:rollback").click().run()
    refusal = "\n".join(e.value for e in app.error)
    assert refusal.startswith("La version 1 ne peut pas être republiée ; rien n’a été modifié :")
    assert "Étape « Public safety review » : il n’existe pas de groupe « Public safety »." in refusal
    assert "there is no group" not in refusal
    assert forms.published_form(SLUG, SqlUnitOfWork(street_party)).number == 2


# ------------------------------------------------------------------ broken conditions are shown, never rewritten


def store(engine: Engine, document: dict) -> forms.Draft:
    """Save ``document`` as the draft (as another designer or an import would) and return what was stored."""
    forms.save_draft(SLUG, document, draft(engine).revision, DESIGNER, SqlUnitOfWork(engine))
    return draft(engine)


def test_a_field_shown_or_required_when_a_deleted_field_keeps_its_condition_when_opened(
        new_app: Callable[[], AppTest], street_party: Engine) -> None:
    document = draft(street_party).document
    document = ed.put_field(document, replace(ed.read_field(document, "phone"),
                                              required_when=Condition("road_closure", "is", True)))
    stored = store(street_party, ed.delete_field(document, "road_closure"))
    app = open_field(open_editor(new_app), "closure_details")
    key = field_key(app, "closure_details")
    assert app.radio(key=f"{key}:show:mode").value == "Only when…"
    question = app.selectbox(key=f"{key}:show:field")
    assert question.value == "road_closure" and question.format_func("road_closure") == (
        "“road_closure” (no longer in the form)")
    assert ("The question this depended on (“road_closure”) no longer exists, so this condition cannot be checked. "
            "Choose another question, or choose “Always”." in texts(app))
    app = open_field(app, "phone")
    assert app.selectbox(key=f"{field_key(app, 'phone')}:reqwhen:field").value == "road_closure"
    assert draft(street_party) == stored  # opening the editors saved nothing
    shown = texts(section(app, "Check and publish"))
    assert "is shown when “road_closure” …, but there is no such field any more." in shown
    assert "“Phone number” is required when “road_closure” …, but there is no such field any more." in shown
    # The designer repairs it by choosing another question: that is saved.
    app = open_field(section(app, "Fields"), "closure_details")
    app.selectbox(key=f"{field_key(app, 'closure_details')}:show:field").set_value("amplified_music").run()
    assert ed.read_field(draft(street_party).document, "closure_details").show_when == Condition(
        "amplified_music", "is", True)


def test_opening_the_approval_steps_keeps_a_step_condition_on_a_deleted_field(
        new_app: Callable[[], AppTest], street_party: Engine) -> None:
    document = ed.update_step(draft(street_party).document, 1, condition=Condition("guests", "greater_than", 100))
    stored = store(street_party, ed.delete_field(document, "guests"))
    app = section(open_editor(new_app), "Approval steps")
    step_key = f"{K}:{app.session_state[f'{K}:gen']}:step:safety:cond"
    assert app.radio(key=f"{step_key}:mode").value == "Only when…"
    assert app.selectbox(key=f"{step_key}:field").value == "guests"
    assert "The question this depended on (“guests”) no longer exists" in texts(app)
    assert draft(street_party) == stored
    assert ("Step 2 “Public safety review” applies only when “guests” …, but there is no such field"
            in texts(section(app, "Check and publish")))
    assert draft(street_party) == stored


def stall_form(engine: Engine) -> dict:
    """A "Kind of stall" choice (Food, Crafts), a field shown for food stalls, and a step for food or crafts."""
    document, _name = ed.add_field(draft(engine).document, "one_choice", "Kind of stall")
    document = ed.put_field(document, replace(ed.read_field(document, "kind_of_stall"), options=("Food", "Crafts")))
    document, _name = ed.add_field(document, "short_text", "Food hygiene certificate")
    document = ed.put_field(document, replace(ed.read_field(document, "food_hygiene_certificate"),
                                              show_when=Condition("kind_of_stall", "is", "Food")))
    return ed.update_step(document, 1, condition=Condition("kind_of_stall", "one_of", ["Food", "Crafts"]))


def test_a_condition_on_a_removed_choice_is_shown_as_such_and_kept_until_the_designer_chooses(
        new_app: Callable[[], AppTest], street_party: Engine) -> None:
    document = stall_form(street_party)
    stored = store(street_party, ed.put_field(document, replace(ed.read_field(document, "kind_of_stall"),
                                                                options=("Crafts", "Games"))))
    app = open_field(open_editor(new_app), "food_hygiene_certificate")
    value = app.selectbox(key=f"{field_key(app, 'food_hygiene_certificate')}:show:value:kind_of_stall:is")
    assert value.options == ["Crafts", "Games", "“Food” (no longer a choice)"] and value.value == "Food"
    assert ("“Food” is no longer one of the choices of “Kind of stall”, so it can never be the answer. Choose one "
            "of its current choices." in texts(app))
    app = section(app, "Approval steps")
    step_key = f"{K}:{app.session_state[f'{K}:gen']}:step:safety:cond"
    answers = app.multiselect(key=f"{step_key}:value:kind_of_stall:one_of")
    assert answers.value == ["Food", "Crafts"]
    assert "“Food” is no longer one of the choices of “Kind of stall”" in texts(app)
    assert draft(street_party) == stored  # neither the field's nor the step's condition was rewritten
    assert "can never apply: no answer to “Kind of stall” makes" in texts(section(app, "Check and publish"))
    # Choosing a current answer replaces the old one, and the warning goes.
    app = section(app, "Approval steps")
    app.multiselect(key=f"{step_key}:value:kind_of_stall:one_of").set_value(["Crafts"]).run()
    assert ed.step_condition(draft(street_party).document["workflow"]["steps"][1]) == Condition(
        "kind_of_stall", "one_of", ["Crafts"])
    assert "no longer one of the choices" not in texts(app)


@pytest.mark.parametrize(("kind", "problem"), [
    ("number", "“Food” is not a number: enter the number to compare with."),
    ("yes_no", "“Food” is not one of the answers to “Kind of stall”: choose Yes or No."),
])
def test_a_condition_on_a_field_added_again_as_another_kind_is_kept_until_the_designer_chooses(
        new_app: Callable[[], AppTest], street_party: Engine, kind: str, problem: str) -> None:
    document, name = ed.add_field(ed.delete_field(stall_form(street_party), "kind_of_stall"), kind, "Kind of stall")
    assert name == "kind_of_stall"  # the same label gives the same stored name, now for a new kind of answer
    stored = store(street_party, document)
    app = open_field(open_editor(new_app), "food_hygiene_certificate")
    assert problem in texts(app)
    assert draft(street_party) == stored


def test_a_refused_json_save_says_only_that_and_keeps_the_typed_json_for_correcting(
        new_app: Callable[[], AppTest], street_party: Engine) -> None:
    stored = draft(street_party)
    app = section(open_editor(new_app), "Advanced")
    json_key = f"{K}:{app.session_state[f'{K}:gen']}:json"
    document = template(SLUG)
    document["title"] = "Street party ![map](https://tracker.example/pixel.png)"
    typed = json.dumps(document)
    app.text_area(key=json_key).input(typed).run()
    app.button(key=f"{K}:apply_json").click().run()
    refusals = [e.value for e in app.error]
    assert len(refusals) == 1 and refusals[0].startswith("This change was not saved: /title: ")
    assert not app.success and "replaced and saved" not in texts(app)
    assert app.title[0].value.replace("\\", "") == "Apply for a street-party permit"  # not the refused title
    assert app.text_area(key=json_key).value == typed  # still there to correct
    assert draft(street_party) == stored
    document["title"] = "Street party on Elm Street"
    app.text_area(key=json_key).input(json.dumps(document)).run()
    app.button(key=f"{K}:apply_json").click().run()
    assert [s.value for s in app.success] == ["The definition was replaced and saved as the draft."]
    assert not app.error and draft(street_party).document["title"] == "Street party on Elm Street"


def test_a_refused_field_edit_is_explained_at_the_field_and_does_not_block_the_next_edit(
        new_app: Callable[[], AppTest], street_party: Engine) -> None:
    stored = draft(street_party)
    app = open_field(open_editor(new_app), "organiser")
    app.text_input(key=f"{field_key(app, 'organiser')}:label").input(
        "Your name ![logo](https://tracker.example/pixel.png)").run()
    assert [e.value for e in app.error][0].startswith("This change was not saved: /schema/properties/organiser/title:")
    assert draft(street_party) == stored
    assert "Organiser's full name *" in [w.label for w in app.text_input]  # the preview shows what is saved
    app = open_field(app, "phone")
    app.text_input(key=f"{field_key(app, 'phone')}:help").input("We call only if something is unclear.").run()
    saved = draft(street_party)
    assert saved.revision == stored.revision + 1 and not app.error
    assert saved.document["schema"]["properties"]["phone"]["description"] == "We call only if something is unclear."
    assert saved.document["schema"]["properties"]["organiser"]["title"] == "Organiser's full name"


# ------------------------------------------------------------------ pages, field actions, steps, patterns, warnings


def gen_key(app: AppTest, name: str) -> str:
    return f"{K}:{app.session_state[f'{K}:gen']}:{name}"


def test_the_designer_splits_a_form_into_named_pages_and_moves_fields_between_them(
        new_app: Callable[[], AppTest], street_party: Engine) -> None:
    document = draft(street_party).document
    del document["uiSchema"]["ui:pages"]
    store(street_party, document)
    app = section(open_editor(new_app), "Pages")
    assert "This form is one page." in texts(app)
    app.button(key=f"{K}:split").click().run()
    pages = ed.pages_of(draft(street_party).document)
    assert [(p["title"], p["fields"]) for p in pages] == [("Page 1", ed.field_names(document))]
    app.text_input(key=f"{K}:new_page").input("The event").run()
    app.button(key=f"{K}:add_page").click().run()
    assert app.text_input(key=f"{K}:new_page").value == ""
    app.text_input(key=gen_key(app, "page:0")).input("About you").run()
    for name in ("street", "event_date"):
        app.selectbox(key=gen_key(app, f"move:{name}")).set_value(1).run()
    pages = ed.pages_of(draft(street_party).document)
    assert [p["title"] for p in pages] == ["About you", "The event"]
    assert pages[1]["fields"] == ["street", "event_date"] and "street" not in pages[0]["fields"]
    # The preview offers the pages by name; the second page shows the moved fields.
    preview_page = app.selectbox(key=f"{K}:preview_page")
    assert preview_page.options == ["1. About you", "2. The event"]
    preview_page.set_value(1).run()
    assert "Street where the party takes place *" in [w.label for w in app.text_input]
    # Moving "The event" first, then removing it: its fields go back to the page before.
    app.button(key=f"{K}:pup:1:iconbtn:").click().run()
    assert [p["title"] for p in ed.pages_of(draft(street_party).document)] == ["The event", "About you"]
    app.button(key=f"{K}:pdel:1:iconbtn:").click().run()
    pages = ed.pages_of(draft(street_party).document)
    assert [p["title"] for p in pages] == ["The event"] and set(pages[0]["fields"]) == set(ed.field_names(document))


def test_duplicating_a_field_puts_the_copy_right_after_it_and_delete_removes_it_everywhere(
        new_app: Callable[[], AppTest], street_party: Engine) -> None:
    app = open_editor(new_app)
    app.button(key=f"{K}:copy:phone:iconbtn:").click().run()
    document = draft(street_party).document
    order = document["uiSchema"]["ui:order"]
    copy_name = order[order.index("phone") + 1]
    copy = ed.read_field(document, copy_name)
    assert (copy.label, copy.kind, copy.max_length) == ("Phone number (copy)", "phone", 30)
    assert copy_name in ed.pages_of(document)[0]["fields"]  # on the same page as the original
    assert "Editing this phone number field" in texts(app)  # the copy's editor is open to rename it
    assert app.text_input(key=f"{field_key(app, copy_name)}:label").value == "Phone number (copy)"
    app.button(key=f"{K}:delete:email:iconbtn:").click().run()
    document = draft(street_party).document
    assert "email" not in ed.field_names(document) and "email" not in document["uiSchema"]["ui:order"]
    assert all("email" not in p["fields"] for p in ed.pages_of(document))
    assert "email" not in document["settings"]["personal_data"]
    assert document["settings"]["contact_email_field"] is None
    assert "Field “Email address” deleted." in texts(app)
    assert "Email address *" not in [w.label for w in app.text_input]  # gone from the preview too


def test_the_step_editor_saves_group_policy_days_actions_and_comments(
        new_app: Callable[[], AppTest], street_party: Engine) -> None:
    app = section(open_editor(new_app), "Approval steps")
    k = gen_key(app, "step:events-check")
    group = app.selectbox(key=f"{k}:group")
    assert group.options == ["Empty group (0 members)", "Events office (1 member)", "Public safety (1 member)",
                             "Road inspectors (2 members)"]
    group.set_value("Public safety").run()
    app.selectbox(key=f"{gen_key(app, 'step:events-check')}:policy").set_value("all").run()
    k = gen_key(app, "step:events-check")
    app.number_input(key=f"{k}:sla").set_value(7).run()
    app.multiselect(key=f"{k}:actions").set_value(["approve", "reject", "return"]).run()
    app.checkbox(key=f"{k}:public").uncheck().run()
    step = draft(street_party).document["workflow"]["steps"][0]
    assert (step["group"], step["policy"], step["sla_days"], step["actions"], step["comments_visible_to_resident"]) == (
        "Public safety", "all", 7, ["approve", "reject", "return"], False)
    assert "1. Check by the events office — Public safety (all members must approve; 7 working days)" in texts(app)
    app.selectbox(key=f"{k}:policy").set_value("n").run()
    assert draft(street_party).document["workflow"]["steps"][0]["approvals_needed"] == 2
    assert "(2 members must approve; 7 working days)" in texts(app)
    # Two approvals from a group of one can never be given: the check says so and publishing waits.
    app = section(app, "Check and publish")
    assert "Step 1 “Check by the events office” needs 2 approvals but “Public safety” has only 1 members." in texts(app)
    assert app.button(key=f"{K}:publish").disabled
    app = section(app, "Approval steps")
    app.number_input(key=f"{gen_key(app, 'step:events-check')}:n").set_value(1).run()
    assert draft(street_party).document["workflow"]["steps"][0]["approvals_needed"] == 1
    app.selectbox(key=f"{gen_key(app, 'step:events-check')}:policy").set_value("any").run()
    assert draft(street_party).document["workflow"]["steps"][0]["approvals_needed"] is None


def test_a_text_field_gets_a_named_format_or_its_own_pattern(new_app: Callable[[], AppTest], street_party: Engine) -> None:
    app = open_field(open_editor(new_app), "street")
    key = field_key(app, "street")
    preset = app.selectbox(key=f"{key}:preset")
    assert preset.value == "" and preset.format_func("nl_postcode") == "Dutch postcode (1234 AB)"
    preset.set_value("nl_postcode").run()
    prop = draft(street_party).document["schema"]["properties"]["street"]
    assert prop["pattern"] == ed.PATTERN_PRESETS["nl_postcode"][1]
    app.selectbox(key=f"{key}:preset").set_value("custom").run()
    free = app.text_input(key=f"{key}:pattern")
    assert free.value == ed.PATTERN_PRESETS["nl_postcode"][1]  # the chosen format, to adapt rather than retype
    free.input("^[0-9]{4}$").run()
    assert draft(street_party).document["schema"]["properties"]["street"]["pattern"] == "^[0-9]{4}$"
    assert app.selectbox(key=f"{key}:preset").value == "custom"
    # A pattern the safe matcher (RE2) cannot run is an error to fix before publishing.
    app.text_input(key=f"{key}:pattern").input("^(a)\\1$").run()
    app = section(app, "Check and publish")
    assert "“Street where the party takes place”: the pattern cannot be used" in texts(app)
    assert app.button(key=f"{K}:publish").disabled


def test_warnings_must_be_acknowledged_before_publishing(new_app: Callable[[], AppTest], street_party: Engine) -> None:
    store(street_party, ed.update_step(draft(street_party).document, 1, actions=["reject", "comment"]))
    app = section(open_editor(new_app), "Check and publish")
    assert ("Step 2 “Public safety review” does not offer “approve”, so requests can never get past it."
            in [w.value for w in app.warning])
    publish = app.button(key=f"{K}:publish")
    assert publish.disabled and publish.help == "Tick “I have read the warnings” first."
    app.checkbox(key=f"{K}:ack").check().run()
    assert not app.button(key=f"{K}:publish").disabled
    app.button(key=f"{K}:publish").click().run()
    assert "Published as version 1" in texts(app)
    assert forms.published_form(SLUG, SqlUnitOfWork(street_party)).number == 1


def test_a_save_interrupted_by_the_next_edit_s_rerun_loses_nothing(new_app: Callable[[], AppTest], street_party: Engine,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A designer types one translation and tabs into the next while the first is being saved: Streamlit stops
    that run at its next session write, after the save committed but before the page noted the new revision.
    The next save must see its own save, not a conflict with another designer, and every edit is stored."""
    import streamlit as st

    from builder.usecases import forms as use_cases

    app = section(open_editor(new_app), "Translations")
    app.selectbox(key=f"{K}:tr_new").set_value("fr").run()
    app.button(key=f"{K}:tr_add").click().run()
    first, second = list(tr.translatable_texts(draft(street_party).document))[:2]
    real_save, calls = use_cases.save_draft, []

    def save_then_rerun(*args: object, **kwargs: object) -> int:
        revision = real_save(*args, **kwargs)
        calls.append(revision)
        if len(calls) == 1:
            st.rerun()  # raises as the pending rerun does at the next session write
        return revision

    monkeypatch.setattr(use_cases, "save_draft", save_then_rerun)
    translation_box(app, first).input("PREMIER").run()
    translation_box(app, second).input("DEUXIEME").run()
    assert f"{K}:conflict" not in app.session_state and not app.error
    assert draft(street_party).document["translations"]["fr"] == {first: "PREMIER", second: "DEUXIEME"}
