"""The builder's pure operations: fields, conditions, pages, steps, lint and diff (no Streamlit)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import replace

import pytest

from builder import editing as ed
from builder import translations as tr
from builder.conditions import Condition, compile_condition, read_condition
from builder.definition import Workflow, parse_definition
from builder.diff import describe_changes
from builder.lint import errors, lint
from builder.schema_view import visible_fields
from builder.templates import load_templates
from builder.conditions import can_ever_hold
from builder.validation import condition_holds, date_bound, field_errors
from builder.workflow import applicable_steps

MEMBERS = {"Events office": 2, "Public safety": 1, "Empty group": 0}.get


def _form() -> dict:
    document = ed.blank_definition("market-stall", "Market stall", "events")
    document, kind = ed.add_field(document, "one_choice", "Kind of stall")
    document = ed.put_field(document, replace(ed.read_field(document, kind), options=("Food", "Crafts", "Other")))
    document, other = ed.add_field(document, "long_text", "What else")
    document = ed.put_field(document, replace(ed.read_field(document, other), required=True,
                                              show_when=Condition(kind, "is", "Other")))
    document, fee = ed.add_field(document, "money", "Expected turnover")
    return ed.add_step(document, "Check by the events office", "Events office")


def test_a_blank_form_is_a_valid_definition_with_one_required_name_field() -> None:
    document = ed.blank_definition("new-form", "New form", "events")
    parse_definition(document)
    assert [(f.label, f.required) for f in ed.read_fields(document)] == [("Your full name", True)]


@pytest.mark.parametrize("kind", list(ed.FIELD_KINDS))
def test_every_field_kind_is_added_valid_and_reads_back_as_the_same_kind(kind: str) -> None:
    document, name = ed.add_field(ed.blank_definition("f-x", "F", "events"), kind, "Question")
    parse_definition(document)
    assert ed.read_field(document, name).kind == kind
    assert ed.field_names(document)[-1] == name


def test_a_field_added_twice_with_the_same_label_gets_a_distinct_name() -> None:
    document, first = ed.add_field(ed.blank_definition("f-x", "F", "events"), "short_text", "Street")
    document, second = ed.add_field(document, "short_text", "Street")
    assert (first, second) == ("street", "street_2")


def test_text_rules_pattern_preset_and_error_message_are_enforced_on_answers() -> None:
    document, name = ed.add_field(ed.blank_definition("f-x", "F", "events"), "short_text", "Postcode")
    spec = replace(ed.read_field(document, name), required=True, pattern="nl_postcode", max_length=7,
                   error_message="Enter a postcode like 1234 AB")
    document = ed.put_field(document, spec)
    assert ed.read_field(document, name).pattern == "nl_postcode"
    problems = field_errors(document["schema"], {"your_full_name": "A", name: "nope"})
    assert [(e.path, e.message) for e in problems] == [((name,), "Enter a postcode like 1234 AB")]
    assert field_errors(document["schema"], {"your_full_name": "A", name: "1234 AB"}) == []


def test_number_limits_are_checked() -> None:
    document, name = ed.add_field(ed.blank_definition("f-x", "F", "events"), "number", "Guests")
    document = ed.put_field(document, replace(ed.read_field(document, name), min_value=1, max_value=50))
    assert field_errors(document["schema"], {"your_full_name": "A", name: 51})
    assert not field_errors(document["schema"], {"your_full_name": "A", name: 50})


def test_conditional_field_is_shown_and_required_only_when_its_condition_holds() -> None:
    document = _form()
    schema = document["schema"]
    assert "what_else" not in [f.name for f in visible_fields(schema, schema, {"kind_of_stall": "Food"})]
    assert "what_else" in [f.name for f in visible_fields(schema, schema, {"kind_of_stall": "Other"})]
    answers = {"your_full_name": "A", "kind_of_stall": "Other"}
    assert [e.path for e in field_errors(schema, answers)] == [("what_else",)]
    assert ed.read_field(document, "what_else").show_when == Condition("kind_of_stall", "is", "Other")


def test_required_when_makes_a_visible_field_required_only_under_its_condition() -> None:
    document, phone = ed.add_field(_form(), "phone", "Phone")
    document = ed.put_field(document, replace(ed.read_field(document, phone),
                                              required_when=Condition("expected_turnover", "greater_than", 5000)))
    base = {"your_full_name": "A", "kind_of_stall": "Food"}
    assert field_errors(document["schema"], {**base, "expected_turnover": 100}) == []
    assert [e.path for e in field_errors(document["schema"], {**base, "expected_turnover": 6000})] == [(phone,)]
    assert ed.read_field(document, phone).required_when == Condition("expected_turnover", "greater_than", 5000)


@pytest.mark.parametrize("condition, holds, fails", [
    (Condition("a", "is", "x"), {"a": "x"}, {"a": "y"}),
    (Condition("a", "is_not", "x"), {"a": "y"}, {"a": "x"}),
    (Condition("a", "one_of", ["x", "y"]), {"a": "y"}, {"a": "z"}),
    (Condition("a", "greater_than", 5000), {"a": 5001}, {"a": 5000}),
    (Condition("a", "less_than", 10), {"a": 9}, {"a": 10}),
    (Condition("a", "answered"), {"a": "anything"}, {}),
    (Condition("a", "not_answered"), {}, {"a": "anything"}),
    (Condition("a", "includes", "Tents"), {"a": ["Chairs", "Tents"]}, {"a": ["Chairs"]}),
    (Condition("a", "does_not_include", "Tents"), {"a": ["Chairs"]}, {"a": ["Tents"]}),
])
def test_each_condition_compiles_to_json_schema_that_holds_exactly_when_it_should_and_reads_back(
        condition: Condition, holds: dict, fails: dict) -> None:
    fragment = compile_condition(condition)
    assert condition_holds(fragment, holds) and not condition_holds(fragment, fails)
    assert read_condition(fragment) == condition


def _equipment_form() -> dict:
    """A form with a several-choices field, a repeating group, an address and a file."""
    document = ed.blank_definition("market-stall", "Market stall", "events")
    document, equipment = ed.add_field(document, "several_choices", "Equipment")
    document = ed.put_field(document, replace(ed.read_field(document, equipment), options=("Chairs", "Tents")))
    for kind, label in (("repeating_group", "Helpers"), ("address", "Stall address"), ("file", "Site plan")):
        document, _name = ed.add_field(document, kind, label)
    return document


def test_includes_on_a_several_choices_field_shows_a_field_only_when_the_option_is_ticked() -> None:
    document, name = ed.add_field(_equipment_form(), "long_text", "How many tents")
    document = ed.put_field(document, replace(ed.read_field(document, name),
                                              show_when=Condition("equipment", "includes", "Tents")))
    schema = document["schema"]
    assert schema["allOf"][-1]["if"] == {"properties": {"equipment": {"contains": {"const": "Tents"}}},
                                         "required": ["equipment"]}
    assert ed.read_field(document, name).show_when == Condition("equipment", "includes", "Tents")
    shown = lambda answers: name in {f.name for f in visible_fields(schema, schema, answers)}  # noqa: E731
    assert shown({"equipment": ["Chairs", "Tents"]}) and not shown({"equipment": ["Chairs"]}) and not shown({})


def test_conditions_that_can_never_hold_on_lists_and_groups_are_recognised() -> None:
    document = _equipment_form()
    schema = lambda name: ed.field_schema(ed.read_field(document, name))  # noqa: E731
    # "is" compares the whole answer with one value: a list or an address never equals "Tents".
    assert not can_ever_hold(Condition("equipment", "is", "Tents"), schema("equipment"))
    assert not can_ever_hold(Condition("equipment", "one_of", ["Tents"]), schema("equipment"))
    assert not can_ever_hold(Condition("helpers", "is", "Anne"), schema("helpers"))
    assert not can_ever_hold(Condition("stall_address", "is", "Main Street"), schema("stall_address"))
    assert not can_ever_hold(Condition("equipment", "includes", "Stage"), schema("equipment"))  # no such option
    assert can_ever_hold(Condition("equipment", "includes", "Tents"), schema("equipment"))
    assert can_ever_hold(Condition("equipment", "does_not_include", "Tents"), schema("equipment"))
    for name in ("helpers", "stall_address", "site_plan"):
        assert can_ever_hold(Condition(name, "answered"), schema(name))
        assert can_ever_hold(Condition(name, "not_answered"), schema(name))
    assert not can_ever_hold(Condition("your_full_name", "includes", "A"), schema("your_full_name"))


def test_the_lint_warns_about_a_step_that_tests_a_list_with_is() -> None:
    document = ed.add_step(_equipment_form(), "Tent check", "Events office")
    document = ed.update_step(document, 0, condition=Condition("equipment", "is", "Tents"))
    assert any(f.step == 0 and "can never apply" in f.message for f in lint(document, group_size=MEMBERS))
    document = ed.update_step(document, 0, condition=Condition("equipment", "includes", "Tents"))
    assert not any(f.step == 0 and "can never apply" in f.message for f in lint(document, group_size=MEMBERS))
    workflow = Workflow.model_validate(document["workflow"])
    assert [s.name for s in applicable_steps(workflow, {"equipment": ["Tents"]})] == ["Tent check"]
    assert applicable_steps(workflow, {"equipment": ["Chairs"]}) == []


def test_earliest_and_latest_dates_are_written_read_back_and_enforced_with_a_plain_message() -> None:
    from datetime import date, timedelta
    document = ed.blank_definition("market-stall", "Market stall", "events")
    document, name = ed.add_field(document, "date", "Market day")
    document = ed.put_field(document, replace(ed.read_field(document, name), earliest_date="today+1",
                                              latest_date="2100-12-31"))
    prop = document["schema"]["properties"][name]
    assert (prop["formatMinimum"], prop["formatMaximum"]) == ("today+1", "2100-12-31")
    spec = ed.read_field(document, name)
    assert (spec.earliest_date, spec.latest_date, spec.advanced) == ("today+1", "2100-12-31", {})
    parse_definition(document)
    today, tomorrow = date.today(), date.today() + timedelta(days=1)
    answers = {"your_full_name": "Ada"}
    assert field_errors(document["schema"], {**answers, name: tomorrow.isoformat()}) == []
    [problem] = field_errors(document["schema"], {**answers, name: today.isoformat()})
    assert problem.path == (name,)
    assert problem.message == f"Enter a date on or after {tomorrow.strftime('%B')} {tomorrow.day}, {tomorrow.year}."
    [late] = field_errors(document["schema"], {**answers, name: "2101-01-01"}, "fr")
    assert late.message == "Saisissez une date égale ou antérieure au 31 décembre 2100."
    # Without limits, nothing is written.
    document = ed.put_field(document, replace(spec, earliest_date="", latest_date=""))
    assert "formatMinimum" not in document["schema"]["properties"][name]


def test_date_bounds_are_iso_dates_or_days_from_today() -> None:
    from datetime import date
    day = date(2026, 3, 14)
    assert date_bound("today", day) == day
    assert date_bound("today+14", day) == date(2026, 3, 28)
    assert date_bound("today-1", day) == date(2026, 3, 13)
    assert date_bound("2026-01-02", day) == date(2026, 1, 2)
    assert date_bound("tomorrow", day) is None and date_bound("2026-02-30", day) is None


def test_a_hand_written_condition_reads_back_as_none_rather_than_wrongly() -> None:
    assert read_condition({"anyOf": [{"required": ["a"]}, {"required": ["b"]}]}) is None


def test_moving_a_field_changes_the_order_residents_see_and_stops_at_the_ends() -> None:
    document = _form()
    moved = ed.move_field(document, "expected_turnover", -2)
    assert ed.field_names(moved) == ["your_full_name", "expected_turnover", "kind_of_stall", "what_else"]
    assert ed.field_names(ed.move_field(moved, "your_full_name", -1))[0] == "your_full_name"


def test_duplicate_places_a_copy_right_after_the_original() -> None:
    document, copy_name = ed.duplicate_field(_form(), "kind_of_stall")
    assert ed.field_names(document)[:3] == ["your_full_name", "kind_of_stall", copy_name]
    assert ed.read_field(document, copy_name).label == "Kind of stall (copy)"
    assert ed.read_field(document, copy_name).options == ("Food", "Crafts", "Other")


def test_delete_removes_the_field_everywhere_and_the_lint_reports_the_orphaned_condition() -> None:
    document = _form()
    document["settings"] = {"personal_data": ["kind_of_stall"]}
    after = ed.delete_field(document, "kind_of_stall")
    assert "kind_of_stall" not in ed.field_names(after)
    assert after["settings"]["personal_data"] == []
    messages = [f.message for f in errors(lint(after, group_size=MEMBERS)) if f.field == "what_else"]
    assert messages == ["“What else” is shown when “kind_of_stall” …, but there is no such field any more."]


def test_pages_split_rename_move_fields_and_remove() -> None:
    document = ed.add_page(ed.split_into_pages(_form(), "About you"), "The stall")
    document = ed.move_to_page(document, "kind_of_stall", 1)
    document = ed.rename_page(document, 1, "Your stall")
    pages = ed.pages_of(document)
    assert [p["title"] for p in pages] == ["About you", "Your stall"]
    assert pages[1]["fields"] == ["kind_of_stall"] and "kind_of_stall" not in pages[0]["fields"]
    removed = ed.remove_page(document, 1)
    assert ed.pages_of(removed)[0]["fields"][-1] == "kind_of_stall"
    assert ed.unplaced_fields(removed) == []


def test_a_field_added_to_a_paged_form_goes_on_the_chosen_page() -> None:
    document = ed.add_page(ed.split_into_pages(_form()), "Second")
    document, name = ed.add_field(document, "date", "Market day", page=0)
    assert ed.page_of(document, name) == 0


def test_steps_add_edit_condition_reorder_remove_and_the_test_run_follows() -> None:
    document = ed.add_step(_form(), "Safety review", "Public safety")
    document = ed.update_step(document, 1, condition=Condition("expected_turnover", "greater_than", 5000),
                              policy="n", approvals_needed=1, sla_days=3, actions=["approve", "reject"])
    workflow = Workflow.model_validate(document["workflow"])
    assert [s.name for s in applicable_steps(workflow, {"expected_turnover": 100})] == ["Check by the events office"]
    assert [s.group for s in applicable_steps(workflow, {"expected_turnover": 9000})] == ["Events office", "Public safety"]
    assert ed.step_condition(document["workflow"]["steps"][1]) == Condition("expected_turnover", "greater_than", 5000)
    swapped = ed.move_step(document, 1, -1)
    assert [s["name"] for s in ed.steps_of(swapped)] == ["Safety review", "Check by the events office"]
    assert [s["name"] for s in ed.steps_of(ed.remove_step(swapped, 0))] == ["Check by the events office"]
    parse_definition(document)


def test_lint_finds_empty_group_no_options_dead_required_field_duplicates_and_bad_pattern() -> None:
    document = ed.add_step(_form(), "Nobody", "Empty group")
    document, dup = ed.add_field(document, "short_text", "Kind of stall")
    document, choice = ed.add_field(document, "several_choices", "Extras")
    document = ed.put_field(document, replace(ed.read_field(document, choice), options=()))
    document, code = ed.add_field(document, "short_text", "Code")
    document = ed.put_field(document, replace(ed.read_field(document, code), pattern=r"^(a)\1$"))
    document = ed.put_field(document, replace(ed.read_field(document, "what_else"),
                                              show_when=Condition("kind_of_stall", "is", "Boats")))
    findings = {(f.severity, f.field, f.step) for f in lint(document, group_size=MEMBERS)}
    assert ("error", None, 1) in findings  # the group has no members
    assert ("error", choice, None) in findings  # no options
    assert ("error", "what_else", None) in findings  # required, but "Boats" is never an answer
    assert ("warning", dup, None) in findings  # duplicate label
    assert ("error", code, None) in findings  # RE2 cannot run a backreference


def test_lint_reports_what_the_renderer_cannot_honour_at_the_field() -> None:
    document = _form()
    document["uiSchema"]["what_else"] = {"ui:widget": "wysiwyg"}
    assert any(f.field == "what_else" and "wysiwyg" in f.message for f in lint(document, group_size=MEMBERS))


def test_lint_of_every_shipped_template_has_no_errors_and_there_are_six() -> None:
    templates = load_templates()
    assert len(templates) >= 6
    for template in templates:
        assert errors(lint(template.document, group_size=lambda group: 2)) == [], template.slug
        assert template.document["uiSchema"].get("ui:pages"), template.slug
        assert any(s.get("condition") for s in template.document["workflow"]["steps"]) or template.slug in (
            "report-pothole", "street-party-permit"), template.slug


def test_editing_an_unchanged_field_of_a_template_changes_nothing() -> None:
    for template in load_templates():
        for name in ed.field_names(template.document):
            spec = ed.read_field(template.document, name)
            assert ed.read_field(ed.put_field(template.document, spec), name) == spec, (template.slug, name)


def test_diff_says_in_words_what_changed() -> None:
    old = _form()
    new = ed.put_field(old, replace(ed.read_field(old, "kind_of_stall"), label="Stall type", required=True))
    new = ed.delete_field(new, "expected_turnover")
    new, _ = ed.add_field(new, "email", "Email")
    new = ed.update_step(new, 0, sla_days=9, condition=Condition("kind_of_stall", "is", "Food"))
    new["settings"] = {"retention_days": 365}
    changes = describe_changes(old, new)
    assert "Field “Kind of stall” renamed to “Stall type”." in changes
    assert "Field “Stall type”: required changed from no to yes." in changes
    assert "Field “Expected turnover” removed." in changes
    assert "Field “Email” added." in changes
    assert "Approval step “Check by the events office”: working days allowed changed from “5” to “9”." in changes
    assert ("Approval step “Check by the events office”: when it applies changed from always to when "
            "“Stall type” is “Food”.") in changes  # the field's label, not its stored name
    assert "Setting “days approved or rejected requests are kept” changed from “730” to “365”." in changes
    assert describe_changes(old, old) == []


def _postcode_with_rule_messages() -> tuple[dict, str]:
    """An imported field with a message per rule (react-jsonschema-form / ajv-errors style)."""
    document, name = ed.add_field(ed.blank_definition("f-x", "F", "events"), "short_text", "Postcode")
    document = ed.put_field(document, replace(ed.read_field(document, name), required=True, pattern="digits"))
    document["schema"]["properties"][name]["errorMessage"] = {"pattern": "Digits only, please.",
                                                              "required": "We need your postcode."}
    return document, name


def test_messages_per_rule_survive_an_edit_that_does_not_touch_the_message() -> None:
    document, name = _postcode_with_rule_messages()
    edited = ed.put_field(document, replace(ed.read_field(document, name), label="Post code", help="4 digits"))
    assert field_errors(edited["schema"], {"your_full_name": "A", name: "AB"})[0].message == "Digits only, please."
    assert {p.path: p.message for p in field_errors(edited["schema"], {"your_full_name": "A"})} == {
        (name,): "We need your postcode."}


def test_the_single_custom_message_covers_the_rules_without_their_own_and_can_be_cleared() -> None:
    document, name = _postcode_with_rule_messages()
    spec = replace(ed.read_field(document, name), max_length=5, error_message="Enter your postcode as printed.")
    edited = ed.put_field(document, spec)
    assert ed.read_field(edited, name).error_message == "Enter your postcode as printed."
    answers = {"your_full_name": "A"}
    assert field_errors(edited["schema"], {**answers, name: "AB"})[0].message == "Digits only, please."
    assert field_errors(edited["schema"], {**answers, name: "1234567"})[0].message == "Enter your postcode as printed."
    cleared = ed.put_field(edited, replace(ed.read_field(edited, name), error_message=""))
    assert field_errors(cleared["schema"], {**answers, name: "1234567"})[0].message == "Enter at most 5 characters."
    assert field_errors(cleared["schema"], {**answers, name: "AB"})[0].message == "Digits only, please."


# ------------------------------------------------------------------ issue 4: file size and list limits, end to end


def _published(document: dict):  # noqa: ANN202 - the fake unit of work with the form published
    from datetime import UTC, datetime

    from builder.usecases import forms
    from tests.fakes import FakeUnitOfWork
    from tests.helpers import DESIGNER

    uow = FakeUnitOfWork(groups={"Events office": ["events"]}, departments={"events"})
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    forms.create_form(document, DESIGNER, uow, now=now)
    forms.publish(document["slug"], DESIGNER, uow, now=now)
    return uow


def _submit(uow, answers: dict, key: str) -> str:  # noqa: ANN001 - the fake unit of work
    from builder.usecases import requests
    from tests.helpers import RESIDENT

    return requests.submit("market-stall", {"your_full_name": "Ada", **answers}, RESIDENT, uow,
                           idempotency_key=key).reference


def test_the_largest_file_reaches_the_ui_schema_and_a_bigger_upload_is_refused() -> None:
    from builder.attachments import answer_value, form_file_rules
    from builder.errors import AnswersInvalid
    from builder.usecases.attachments import request_files, upload_attachment
    from tests.attachment_journey import PDF
    from tests.helpers import RESIDENT

    document = ed.add_step(ed.blank_definition("market-stall", "Market stall", "events"), "Check", "Events office")
    document, name = ed.add_field(document, "file", "Floor plan")
    document = ed.put_field(document, replace(ed.read_field(document, name), file_types=("application/pdf",),
                                              max_size_mb=1))
    assert document["uiSchema"][name]["ui:options"] == {"accept": ["application/pdf"], "maxSizeMb": 1}
    assert ed.read_field(document, name).max_size_mb == 1
    assert form_file_rules(parse_definition(document))[name].max_bytes == 1024 * 1024
    uow = _published(document)
    with pytest.raises(AnswersInvalid) as refused:  # checked when the resident attaches it, before it is stored
        upload_attachment("market-stall", (name,), "plan.pdf", PDF + b"0" * (1024 * 1024), uow)
    assert refused.value.errors[0].path == (name,)
    assert refused.value.errors[0].message.startswith("The file “plan.pdf” is too large: the limit is 1 MB.")
    with pytest.raises(AnswersInvalid) as in_french:
        upload_attachment("market-stall", (name,), "plan.pdf", PDF + b"0" * (1024 * 1024), uow, locale="fr")
    assert "la limite est de 1 Mo" in in_french.value.errors[0].message
    small = upload_attachment("market-stall", (name,), "plan.pdf", PDF + b"0" * 1000, uow)
    reference = _submit(uow, {name: answer_value(small)}, "k1")
    assert [f.filename for f in request_files(reference, RESIDENT, uow)] == ["plan.pdf"]
    # Cleared, the field falls back to the form's own limit (settings.attachments, 10 MB by default).
    cleared = ed.put_field(document, replace(ed.read_field(document, name), max_size_mb=None))
    assert "maxSizeMb" not in cleared["uiSchema"][name]["ui:options"]
    assert form_file_rules(parse_definition(cleared))[name].max_bytes == 10 * 1024 * 1024


def test_at_least_and_at_most_choices_reach_the_schema_and_are_enforced_on_submit() -> None:
    from builder.errors import AnswersInvalid

    document = ed.add_step(ed.blank_definition("market-stall", "Market stall", "events"), "Check", "Events office")
    document, name = ed.add_field(document, "several_choices", "Goods sold")
    document = ed.put_field(document, replace(ed.read_field(document, name), options=("Food", "Crafts", "Toys"),
                                              min_items=1, max_items=2))
    prop = document["schema"]["properties"][name]
    assert (prop["minItems"], prop["maxItems"]) == (1, 2)
    spec = ed.read_field(document, name)
    assert (spec.min_items, spec.max_items) == (1, 2)
    assert errors(lint(document, group_size=MEMBERS)) == []
    uow = _published(document)
    with pytest.raises(AnswersInvalid) as too_many:
        _submit(uow, {name: ["Food", "Crafts", "Toys"]}, "k1")
    assert [(e.path, e.message) for e in too_many.value.errors] == [((name,), "Add at most 2.")]
    with pytest.raises(AnswersInvalid) as too_few:
        _submit(uow, {name: []}, "k2")
    assert [(e.path, e.message) for e in too_few.value.errors] == [((name,), "Add at least 1.")]
    assert _submit(uow, {name: ["Food", "Toys"]}, "k3")
    assert field_errors(prop, ["Food", "Crafts", "Toys"], "fr")[0].message == "Ajoutez-en au plus 2."
    # Cleared limits leave the schema: no hidden rule remains.
    cleared = ed.put_field(document, replace(spec, min_items=None, max_items=None))
    assert not {"minItems", "maxItems"} & set(cleared["schema"]["properties"][name])


def test_at_least_and_at_most_rows_of_a_repeating_group_reach_the_schema_and_are_enforced_on_submit() -> None:
    from builder.errors import AnswersInvalid

    document = ed.add_step(ed.blank_definition("market-stall", "Market stall", "events"), "Check", "Events office")
    document, name = ed.add_field(document, "repeating_group", "Stall holders")
    document = ed.put_field(document, replace(ed.read_field(document, name), min_items=1, max_items=3))
    prop = document["schema"]["properties"][name]
    assert (prop["type"], prop["minItems"], prop["maxItems"]) == ("array", 1, 3)
    assert (ed.read_field(document, name).min_items, ed.read_field(document, name).max_items) == (1, 3)
    uow = _published(document)
    rows = [{"item": f"Holder {n}"} for n in range(4)]
    with pytest.raises(AnswersInvalid) as too_many:
        _submit(uow, {name: rows}, "k1")
    assert [(e.path, e.message) for e in too_many.value.errors] == [((name,), "Add at most 3.")]
    with pytest.raises(AnswersInvalid) as too_few:
        _submit(uow, {name: []}, "k2")
    assert [(e.path, e.message) for e in too_few.value.errors] == [((name,), "Add at least 1.")]
    assert _submit(uow, {name: rows[:3]}, "k3")


def _changes_of(edit: Callable[[dict], dict]) -> list[str]:
    old = _form()
    return describe_changes(old, edit(copy.deepcopy(old)))


def _edit_field(name: str, **changes: object) -> Callable[[dict], dict]:
    return lambda document: ed.put_field(document, replace(ed.read_field(document, name), **changes))


@pytest.mark.parametrize(("edit", "sentence"), [
    (_edit_field("kind_of_stall", dropdown=True), "Field “Kind of stall”: shown as changed from buttons to a dropdown list."),
    (_edit_field("your_full_name", pattern="nl_postcode"),
     "Field “Your full name”: allowed format changed from nothing to “Dutch postcode (1234 AB)”."),
    (_edit_field("expected_turnover", min_value=10, max_value=5000),
     "Field “Expected turnover”: highest allowed changed from nothing to “5000”."),
    (_edit_field("what_else", show_when=Condition("kind_of_stall", "one_of", ["Food", "Other"])),
     "Field “What else”: now shown when “Kind of stall” is one of “Food”, “Other” (was when “Kind of stall” is "
     "“Other”)."),
    (_edit_field("what_else", required=False, required_when=Condition("expected_turnover", "greater_than", 100)),
     "Field “What else”: now required when “Expected turnover” is greater than 100 (was always)."),
])
def test_diff_names_each_field_change_by_labels(edit: Callable[[dict], dict], sentence: str) -> None:
    assert sentence in _changes_of(edit)


def _with_date(document: dict) -> dict:
    document, name = ed.add_field(document, "date", "Market day")
    return document


def test_diff_says_the_earliest_and_latest_date_in_words() -> None:
    old = _with_date(_form())
    new = ed.put_field(old, replace(ed.read_field(old, "market_day"), earliest_date="today+14",
                                    latest_date="2027-06-30"))
    assert describe_changes(old, new) == [
        "Field “Market day”: earliest date changed from no limit to 14 days after today.",
        "Field “Market day”: latest date changed from no limit to “2027-06-30”."]
    newer = ed.put_field(new, replace(ed.read_field(new, "market_day"), earliest_date="today"))
    assert describe_changes(new, newer) == [
        "Field “Market day”: earliest date changed from 14 days after today to today."]


def test_diff_names_choice_counts_and_the_questions_of_a_repeating_group() -> None:
    old, _name = ed.add_field(_form(), "repeating_group", "Helpers")
    old, _name = ed.add_field(old, "several_choices", "Equipment")
    helpers = ed.read_field(old, "helpers")
    name_question = replace(helpers.subfields[0], label="Name")
    old = ed.put_field(old, replace(helpers, subfields=(name_question,)))
    phone = ed.FieldSpec("phone", "short_text", "Phone", required=True)
    new = ed.put_field(old, replace(ed.read_field(old, "helpers"), max_items=4,
                                    subfields=(replace(name_question, label="Full name", required=False), phone)))
    new = ed.put_field(new, replace(ed.read_field(new, "equipment"), min_items=1))
    changes = describe_changes(old, new)
    assert changes == [
        "Field “Helpers”: most entries changed from nothing to “4”.",
        "Field “Helpers”: question “Phone” added to each entry.",
        "Field “Helpers”: question “Name” renamed to “Full name”.",
        "Field “Helpers”, question “Full name”: required changed from yes to no.",
        "Field “Equipment”: fewest choices changed from nothing to “1”."]


def test_diff_names_file_types_and_the_step_settings_in_words() -> None:
    old, _name = ed.add_field(_form(), "file", "Photo of the stall")
    new = ed.put_field(old, replace(ed.read_field(old, "photo_of_the_stall"), file_types=("image/heic",)))
    new = ed.update_step(new, 0, policy="n", approvals_needed=2, actions=["approve", "return"],
                         comments_visible_to_resident=False)
    step = "Approval step “Check by the events office”"
    assert describe_changes(old, new) == [
        "Field “Photo of the stall”: allowed file types changed from “PDF”, “JPEG photo”, “PNG image” to "
        "“iPhone photo (HEIC)”.",
        f"{step}: who must approve changed from any one member to a number of members.",
        f"{step}: approvals needed changed from nothing to “2”.",
        f"{step}: what reviewers can do changed from “approve”, “reject”, “return to the resident for more "
        "information”, “comment” to “approve”, “return to the resident for more information”.",
        f"{step}: resident sees comments changed from yes to no."]


def test_diff_names_every_setting_and_the_fields_it_names_by_their_labels() -> None:
    old, _name = ed.add_field(_form(), "email", "Your email")
    new = copy.deepcopy(old)
    new["settings"] = {"retention_withdrawn_days": 30, "retention_abandoned_days": 60, "submission": "signed_in",
                       "contact_email_field": "your_email", "personal_data": ["your_full_name", "your_email"]}
    assert describe_changes(old, new) == [
        "Setting “who may submit” changed from anyone, without an account to only residents who have signed in.",
        "Setting “days withdrawn requests are kept” changed from as long as approved or rejected requests to “30”.",
        "Setting “days before a request the resident never answered is closed and removed” changed from as long as "
        "approved or rejected requests to “60”.",
        "Setting “fields holding personal data” changed from nothing to “Your full name”, “Your email”.",
        "Setting “send updates to the address in” changed from no field to “Your email”."]


def test_diff_names_page_renames_moves_and_translations() -> None:
    old = ed.add_page(ed.split_into_pages(_form(), "About you"), "The stall")
    new = ed.move_to_page(ed.rename_page(old, 0, "You"), "expected_turnover", 1)
    new = tr.set_translation(tr.add_language(new, "fr"), "fr", "/title", "Stand de marché")
    assert describe_changes(old, new) == [
        "Pages changed from “About you”, “The stall” to “You”, “The stall”.",
        "Field “Expected turnover” moved to page “The stall”.",
        "French translation added."]
    newer = tr.set_translation(new, "fr", "/title", "Stand au marché")
    assert describe_changes(new, newer) == ["French: 1 translated text changed."]


def _helpers() -> tuple[dict, ed.FieldSpec]:
    document, name = ed.add_field(_form(), "repeating_group", "Helpers")
    return document, ed.read_field(document, name)


def test_entry_questions_take_their_kind_and_required_from_the_designer_rows() -> None:
    document, helpers = _helpers()
    rows = [ed.EntryRow("item", "Name", "short_text", True), ed.EntryRow(None, "Age", "number", False),
            ed.EntryRow(None, "  ", "date", False), ed.EntryRow(None, "Name", "yes_no", True)]
    questions = ed.entry_questions(helpers.subfields, rows)
    assert [(q.name, q.label, q.kind, q.required) for q in questions] == [
        ("item", "Name", "short_text", True), ("age", "Age", "number", False), ("name", "Name", "yes_no", True)]
    document = ed.put_field(document, replace(helpers, subfields=questions))
    parse_definition(document)
    assert ed.read_field(document, "helpers").subfields == questions  # reads back the same
    items = document["schema"]["properties"]["helpers"]["items"]
    assert (items["properties"]["age"]["type"], items["properties"]["name"]["type"]) == ("number", "boolean")
    assert items["required"] == ["item", "name"]


def test_an_entry_question_keeps_its_name_and_rules_unless_its_kind_changes() -> None:
    _document, helpers = _helpers()
    ruled = (replace(helpers.subfields[0], max_length=40, pattern="digits"),)
    renamed = ed.entry_questions(ruled, [ed.EntryRow("item", "Badge number", "short_text", False)])
    assert [(q.name, q.label, q.max_length, q.pattern) for q in renamed] == [("item", "Badge number", 40, "digits")]
    retyped = ed.entry_questions(ruled, [ed.EntryRow("item", "Badge number", "number", False)])
    assert [(q.name, q.kind, q.max_length, q.pattern) for q in retyped] == [("item", "number", None, "")]
    with pytest.raises(ValueError, match="cannot be of the kind “file”"):
        ed.entry_questions(ruled, [ed.EntryRow(None, "Photo", "file", False)])
    email = (replace(helpers.subfields[0], kind="email"),)  # an imported kind the builder does not offer stays
    assert ed.entry_questions(email, [ed.EntryRow("item", "Email", "email", True)])[0].kind == "email"


def test_diff_says_when_an_entry_question_changes_kind() -> None:
    old, helpers = _helpers()
    new = ed.put_field(old, replace(helpers, subfields=ed.entry_questions(
        helpers.subfields, [ed.EntryRow("item", "Item", "number", True)])))
    assert "Field “Helpers”, question “Item”: type changed from “Short text” to “Number”." in describe_changes(old, new)
