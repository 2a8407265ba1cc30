"""The renderer as a resident uses it: conditional fields, rows of a list, pages, far-away dates, locked
fields, labels, help texts and section headings."""

from __future__ import annotations

import json
from datetime import time
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


# ---------------------------------------------------------------- uiSchema conventions, one by one

ORDER_FORM = {"type": "object", "properties": {name: {"type": "string", "title": name.upper()}
                                               for name in ("a", "b", "c", "d")}}


def test_ui_order_puts_the_rest_where_the_star_is_and_after_the_named_fields_without_one(tmp_path: Path) -> None:
    app = _open_form(tmp_path, ORDER_FORM, {"ui:order": ["c", "*", "a"]}, {})
    assert [w.key for w in app.text_input] == ["corpus:c", "corpus:b", "corpus:d", "corpus:a"]
    app = _open_form(tmp_path, ORDER_FORM, {"ui:order": ["d", "b"]}, {})
    assert [w.key for w in app.text_input] == ["corpus:d", "corpus:b", "corpus:a", "corpus:c"]
    app = _open_form(tmp_path, ORDER_FORM, {"ui:order": ["b", "nowhere", "*"]}, {})  # unknown names are skipped
    assert [w.key for w in app.text_input] == ["corpus:b", "corpus:a", "corpus:c", "corpus:d"]


FEW = ["red", "green", "blue"]
MANY = ["one", "two", "three", "four", "five"]
WIDGET_FORM = {"type": "object", "properties": {
    "secret": {"type": "string", "title": "Secret"},
    "level": {"type": "integer", "title": "Level", "minimum": 0, "maximum": 10},
    "count": {"type": "integer", "title": "Count", "minimum": 0, "maximum": 10},
    "few": {"type": "string", "title": "Few", "enum": FEW},
    "few_select": {"type": "string", "title": "Few select", "enum": FEW},
    "many": {"type": "string", "title": "Many", "enum": MANY},
    "many_radio": {"type": "string", "title": "Many radio", "enum": MANY},
    "colours": {"type": "array", "title": "Colours", "items": {"type": "string", "enum": FEW}, "uniqueItems": True},
    "ticks": {"type": "array", "title": "Ticks", "items": {"type": "string", "enum": FEW}, "uniqueItems": True},
    "yes": {"type": "boolean", "title": "Yes or no"}}}
WIDGET_UI = {"secret": {"ui:widget": "password"}, "level": {"ui:widget": "range"}, "count": {"ui:widget": "updown"},
             "few_select": {"ui:widget": "select"}, "many_radio": {"ui:widget": "radio"},
             "ticks": {"ui:widget": "checkboxes"}, "yes": {"ui:widget": "radio"}}


def test_ui_widget_chooses_the_streamlit_widget(tmp_path: Path) -> None:
    answers = {"secret": "s3cret", "level": 4, "count": 7, "ticks": ["blue", "red"]}
    app = _open_form(tmp_path, WIDGET_FORM, WIDGET_UI, answers)
    secret = next(w for w in app.text_input if w.key == "corpus:secret")
    assert secret.proto.type == secret.proto.PASSWORD and secret.value == "s3cret"
    assert [(w.key, w.value) for w in app.slider] == [("corpus:level", 4)]
    assert [(w.key, w.value) for w in app.number_input] == [("corpus:count", 7)]  # updown: a number input
    assert [w.key for w in app.radio] == ["corpus:few", "corpus:many_radio", "corpus:yes"]
    assert [w.key for w in app.selectbox] == ["corpus:few_select", "corpus:many"]  # up to 4 options: radio
    assert [w.key for w in app.multiselect] == ["corpus:colours"]
    ticks = [w for w in app.checkbox if w.key.startswith("corpus:ticks/")]
    assert [(w.label, w.value) for w in ticks] == [("red", True), ("green", False), ("blue", True)]
    ticks[1].check().run()
    assert app.session_state["rendered"]["ticks"] == ["blue", "red", "green"]  # the answer's order, then new ones
    next(w for w in app.slider if w.key == "corpus:level").set_value(9).run()
    assert app.session_state["rendered"]["level"] == 9


def test_range_without_both_bounds_is_a_number_input(tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer", "title": "N", "minimum": 0}}}
    app = _open_form(tmp_path, schema, {"n": {"ui:widget": "range"}}, {"n": 3})
    assert not app.slider and [w.value for w in app.number_input] == [3]


def _horizontal(app: AppTest, key: str) -> bool:
    """Whether the widget with ``key`` sits in a horizontal flex container."""
    def walk(node: Any, across: bool) -> bool | None:
        if getattr(node, "key", None) == key:
            return across
        proto = getattr(node, "proto", None)
        if getattr(node, "type", None) == "flex_container" and proto is not None:
            across = proto.flex_container.direction == proto.flex_container.Direction.HORIZONTAL
        for child in getattr(node, "children", {}).values():
            found = walk(child, across)
            if found is not None:
                return found
        return None
    return bool(walk(app.main, False))


def test_ui_options_inline_lays_out_radios_and_checkboxes(tmp_path: Path) -> None:
    ui = {"few": {"ui:options": {"inline": False}}, "ticks": {"ui:widget": "checkboxes", "ui:options": {"inline": True}},
          "colours": {"ui:widget": "checkboxes"}}
    app = _open_form(tmp_path, WIDGET_FORM, ui, {})
    assert next(w for w in app.radio if w.key == "corpus:few").horizontal is False
    app = _open_form(tmp_path, WIDGET_FORM, {}, {})
    assert next(w for w in app.radio if w.key == "corpus:few").horizontal is True  # the default: side by side
    app = _open_form(tmp_path, WIDGET_FORM, ui, {})
    assert _horizontal(app, "corpus:ticks/option-0") and _horizontal(app, "corpus:ticks/option-2")
    assert not _horizontal(app, "corpus:colours/option-0")  # checkboxes stack unless asked
    next(w for w in app.checkbox if w.key == "corpus:ticks/option-1").check().run()
    assert app.session_state["rendered"]["ticks"] == ["green"]


def test_ui_options_rows_sets_the_height_of_a_text_area(tmp_path: Path) -> None:
    import streamlit as st

    schema = {"type": "object", "properties": {"short": {"type": "string", "title": "Short"},
                                               "long": {"type": "string", "title": "Long"},
                                               "plain": {"type": "string", "title": "Plain"}}}
    ui = {"short": {"ui:widget": "textarea", "ui:options": {"rows": 2}},
          "long": {"ui:widget": "textarea", "ui:options": {"rows": 10}}, "plain": {"ui:widget": "textarea"}}
    heights: dict[str, Any] = {}
    original = st.text_area

    def spy(*args: Any, **kwargs: Any) -> Any:  # the height is not in the element AppTest exposes
        heights[kwargs["key"]] = kwargs.get("height")
        return original(*args, **kwargs)

    st.text_area = spy  # type: ignore[assignment]
    try:
        app = _open_form(tmp_path, schema, ui, {})
    finally:
        st.text_area = original  # type: ignore[assignment]
    assert [w.key for w in app.text_area] == ["corpus:short", "corpus:long", "corpus:plain"]
    assert heights == {"corpus:short": 68, "corpus:long": 280, "corpus:plain": 112}  # 28 px a row, 68 px at least


def test_ui_title_and_placeholder_are_shown_as_typed(tmp_path: Path) -> None:
    schema = {"type": "object", "required": ["name"], "properties": {
        "name": {"type": "string", "title": "Name"}, "email": {"type": "string", "title": "Email"},
        "age": {"type": "integer", "title": "Age"}}}
    ui = {"name": {"ui:title": "Your *full* name", "ui:placeholder": "e.g. *Ada* <Lovelace>"},
          "email": {"ui:placeholder": "you@example.org"}, "age": {"ui:title": "How old are you?",
                                                              "ui:placeholder": "in years"}}
    app = _open_form(tmp_path, schema, ui, {})
    name = next(w for w in app.text_input if w.key == "corpus:name")
    assert name.label == "Your \\*full\\* name *"  # a label reads markdown: escaped; required marker kept
    assert name.placeholder == "e.g. *Ada* <Lovelace>"  # a placeholder does not: as typed
    assert next(w for w in app.text_input if w.key == "corpus:email").label == "Email"  # the schema's title
    age = app.number_input[0]
    assert age.label == "How old are you?" and age.placeholder == "in years"


def test_time_and_date_time_widgets_work_on_a_text_without_format(tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {"opens": {"type": "string", "title": "Opens at"},
                                               "starts": {"type": "string", "title": "Starts"}}}
    ui = {"opens": {"ui:widget": "time"}, "starts": {"ui:widget": "date-time"}}
    app = _open_form(tmp_path, schema, ui, {"opens": "09:30", "starts": "2026-03-14T18:00"})
    assert [(w.key, w.value) for w in app.time_input] == [("corpus:opens", time(9, 30))]
    assert not app.text_input  # neither became a text box
    assert app.session_state["rendered"] == {"opens": "09:30", "starts": "2026-03-14T18:00"}
    app.time_input[0].set_value(time(10, 15)).run()
    assert app.session_state["rendered"]["opens"] == "10:15"


def test_ui_options_inline_false_stacks_the_yes_no_radio(tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {"pets": {"type": "boolean", "title": "Do you have pets?"}}}
    stacked = _open_form(tmp_path, schema, {"pets": {"ui:widget": "radio", "ui:options": {"inline": False}}}, {})
    assert [w.horizontal for w in stacked.radio] == [False]
    usual = _open_form(tmp_path, schema, {"pets": {"ui:widget": "radio"}}, {})
    assert [w.horizontal for w in usual.radio] == [True]
