"""The renderer as a resident uses it: conditional fields, rows of a list, pages, far-away dates, locked
fields, labels, help texts and section headings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from streamlit.proto.LabelVisibility_pb2 import LabelVisibility
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
ENTRY = str(ROOT / "tests" / "ui" / "entry" / "render_corpus_form.py")
CORPUS = ROOT / "tests" / "corpus"


def _open(name: str, answers: dict[str, Any], page: int | None = None) -> AppTest:
    app = AppTest.from_file(ENTRY, default_timeout=30)
    app.session_state["corpus_file"] = str(CORPUS / f"{name}.json")
    app.session_state["seed"] = answers
    if page is not None:
        app.session_state["page"] = page
    app.run()
    assert not app.exception, app.exception
    return app


def _labels(app: AppTest) -> list[str]:
    widgets = [*app.text_input, *app.number_input, *app.selectbox, *app.radio, *app.checkbox, *app.date_input]
    return [w.label for w in widgets]


def _widget(app: AppTest, key: str) -> Any:
    return next(w for kind in (app.radio, app.selectbox, app.number_input, app.text_input, app.checkbox)
                for w in kind if w.key == key)


def test_a_dependent_field_appears_required_and_disappears_with_its_value() -> None:
    app = _open("rjsf-dependencies", {"pet": "Yes: One", "how_old": 3})
    assert "How old is it? *" in _labels(app)
    _widget(app, "corpus:pet").set_value("No").run()
    assert not any(label.startswith("How old") for label in _labels(app))
    assert "how_old" not in app.session_state["rendered"]
    _widget(app, "corpus:pet").set_value("Yes: More than one").run()
    assert "Do you want to get rid of any? *" in _labels(app)


def test_if_then_fields_follow_the_answer_they_depend_on() -> None:
    app = _open("rjsf-if-then-else", {"animal": "Fish", "food": "worms", "water": "sea"})
    assert {"Food *", "Water *"} <= set(_labels(app))
    _widget(app, "corpus:animal").set_value("Cat").run()
    assert "Water *" not in _labels(app)
    assert app.session_state["rendered"] == {"animal": "Cat"}  # "worms" is not a cat's food: dropped too


def test_filling_required_when_a_checkbox_is_ticked() -> None:
    app = _open("multi-page", {"closure": False}, page=1)
    assert "Why close the street?" in [w.label for w in app.text_area]
    _widget(app, "corpus:closure").check().run()
    assert "Why close the street? *" in [w.label for w in app.text_area]


def test_rows_can_be_added_moved_and_removed() -> None:
    tasks = [{"title": "first", "done": False}, {"title": "second", "done": True}]
    app = _open("rjsf-nested", {"title": "List", "tasks": tasks})
    next(b for b in app.button if b.key == "corpus:tasks/1/up").click().run()
    assert app.session_state["rendered"]["tasks"] == [tasks[1], tasks[0]]
    assert [w.value for w in app.text_input if w.key.endswith("/title") and "/" in w.key[7:]] == ["second", "first"]
    next(b for b in app.button if b.key == "corpus:tasks/0/remove").click().run()
    assert app.session_state["rendered"]["tasks"] == [tasks[0]]
    next(b for b in app.button if b.key == "corpus:tasks/add").click().run()
    assert len(app.session_state["rendered"]["tasks"]) == 2
    new_title = next(w for w in app.text_input if w.key == "corpus:tasks/1/title")
    new_title.input("third").run()
    assert app.session_state["rendered"]["tasks"][1]["title"] == "third"


def test_rows_without_toolbar_offer_no_add_remove_or_move() -> None:
    app = _open("rjsf-arrays", {"fixedNoToolbar": [{"name": "a"}, {"name": "b"}], "orderable": [{"name": "c"}, {"name": "d"}]})
    keys = [b.key for b in app.button]
    assert not [k for k in keys if k.startswith("corpus:fixedNoToolbar/")]
    assert {"corpus:orderable/add", "corpus:orderable/1/up", "corpus:orderable/0/remove"} <= set(keys)


def test_a_page_shows_only_its_fields_and_keeps_the_others_answers() -> None:
    answers = json.loads((CORPUS / "multi-page.json").read_text())["sample"]
    app = _open("multi-page", answers, page=0)
    keys = {w.key for w in app.text_input}
    assert keys == {"corpus:organiser", "corpus:email"}
    assert app.session_state["rendered"] == answers


def test_dates_far_in_the_past_can_be_entered() -> None:
    app = _open("birth-registration", {"child": "Emma", "birthDate": "2026-11-20"})
    mother_born = next(w for w in app.date_input if w.key == "corpus:mother/born")
    mother_born.set_value("1921-05-07").run()
    assert app.session_state["rendered"]["mother"] == {"born": "1921-05-07"}


def test_examples_become_placeholders_and_read_only_fields_cannot_be_changed() -> None:
    app = _open("examples-defaults", {})
    city = next(w for w in app.text_input if w.key == "corpus:city")
    assert city.placeholder == "Brussels"
    assert app.session_state["rendered"] == {"country": "Belgium", "guests": 2, "newsletter": True}
    widgets = _open("rjsf-widgets", {})
    assert next(w for w in widgets.text_input if w.key == "corpus:readonly").disabled


def _open_form(tmp_path: Path, schema: dict[str, Any], ui_schema: dict[str, Any], answers: dict[str, Any]) -> AppTest:
    path = tmp_path / "form.json"
    path.write_text(json.dumps({"schema": schema, "uiSchema": ui_schema}))
    app = AppTest.from_file(ENTRY, default_timeout=30)
    app.session_state["corpus_file"] = str(path)
    app.session_state["seed"] = answers
    app.run()
    assert not app.exception, app.exception
    return app


def _collapsed(widget: Any) -> bool:
    return widget.proto.label_visibility.value == LabelVisibility.LabelVisibilityOptions.COLLAPSED


LOCKED_FORM = {"type": "object", "unevaluatedProperties": False, "properties": {
    "permit": {"type": "string", "title": "Permit number"},
    "fee": {"type": "number", "title": "Fee"},
    "agree": {"type": "boolean", "title": "I agree to the conditions"},
    "name": {"type": "string", "title": "Your name", "description": "As on your identity card"}}}


def test_read_only_and_disabled_fields_are_locked_and_keep_their_value(tmp_path: Path) -> None:
    ui = {"permit": {"ui:readonly": True}, "fee": {"ui:disabled": True}}
    answers = {"permit": "P-2026-17", "fee": 25.0, "agree": True, "name": "Ada"}
    app = _open_form(tmp_path, LOCKED_FORM, ui, answers)
    permit = next(w for w in app.text_input if w.key == "corpus:permit")
    fee = next(w for w in app.number_input if w.key == "corpus:fee")
    assert permit.disabled and fee.disabled
    assert not next(w for w in app.text_input if w.key == "corpus:name").disabled
    app.run()
    assert app.session_state["rendered"] == answers


def test_a_checkbox_may_hide_its_label_but_a_text_field_keeps_it(tmp_path: Path) -> None:
    ui = {"agree": {"ui:label": False}, "name": {"ui:label": False}}
    app = _open_form(tmp_path, LOCKED_FORM, ui, {})
    agree = next(w for w in app.checkbox if w.key == "corpus:agree")
    name = next(w for w in app.text_input if w.key == "corpus:name")
    assert _collapsed(agree) and agree.label == "I agree to the conditions"  # still its name for screen readers
    assert not _collapsed(name) and name.label == "Your name"


def test_a_description_and_a_help_text_are_both_shown(tmp_path: Path) -> None:
    ui = {"name": {"ui:help": "Leave out titles such as Dr.", "ui:description": "Your *full* name"}}
    app = _open_form(tmp_path, LOCKED_FORM, ui, {})
    name = next(w for w in app.text_input if w.key == "corpus:name")
    assert name.help == "Your \\*full\\* name"  # staff text, shown literally
    assert "Leave out titles such as Dr." in [c.value for c in app.caption]


def test_the_introduction_of_a_form_reaches_residents() -> None:
    app = AppTest.from_file(ENTRY, default_timeout=30)
    app.session_state["corpus_file"] = str(ROOT / "schemas" / "templates" / "hardship-benefit.json")
    app.session_state["page"] = 0
    app.run()
    assert not app.exception, app.exception
    assert [h.value for h in app.header] == ["About this application"]  # a heading, not a small caption
    assert ("Have your most recent bank statement and proof of income ready; you can upload them on the last "
            "page.") in [m.value for m in app.markdown]
    assert "intro" not in app.session_state["rendered"]


def test_draft07_dependencies_show_require_and_hide_their_fields() -> None:
    app = _open("rjsf-legacy-dependencies", {"applicant": "Ada"})
    labels = _labels(app)
    assert "When may we call you?" in labels and not {"VAT number *", "Number plate *"} & set(labels)
    next(w for w in app.text_input if w.key == "corpus:company").input("Ada Ltd").run()
    assert "VAT number *" in _labels(app)
    next(w for w in app.text_input if w.key == "corpus:phone").input("+32 2 123 45 67").run()
    assert "When may we call you? *" in _labels(app)
    _widget(app, "corpus:vehicle").set_value("Car").run()
    assert {"Number plate *", "Is it electric?"} <= set(_labels(app))
    next(w for w in app.text_input if w.key == "corpus:plate").input("1-ABC-123").run()
    _widget(app, "corpus:vehicle").set_value("None").run()
    assert not any(label.startswith("Number plate") for label in _labels(app))
    assert "plate" not in app.session_state["rendered"]
