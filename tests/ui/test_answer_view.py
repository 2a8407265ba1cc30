"""Reviewers read the answers as a table: nested groups and rows of a list each get their own line."""

from __future__ import annotations

import json
from pathlib import Path

from ui.answers import answer_rows

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def test_nested_groups_and_rows_are_spelled_out_with_labels() -> None:
    form = json.loads((CORPUS / "building-permit.json").read_text())
    rows = {row["Question"]: row["Answer"] for row in answer_rows(form["schema"], form["uiSchema"], form["sample"])}
    assert rows["Applicant › Full name"] == "Marie Curie"
    assert rows["Applicant › Address › Postcode"] == "1000"
    assert rows["Works › Entry 1 › Kind"] == "Roof"  # the label, not the stored value
    assert rows["Works › Entry 2 › Area (m²)"] == "40"  # written the English way: no needless ".0"
    assert rows["An architect is involved"] == "Yes"


def test_choice_labels_and_lists_of_choices_use_their_titles() -> None:
    form = json.loads((CORPUS / "rjsf-enum-labels.json").read_text())
    rows = {row["Question"]: row["Answer"] for row in answer_rows(form["schema"], form["uiSchema"], form["sample"])}
    assert rows == {"Color": "Green", "Size": "Extra large", "Toppings": "Olives; Cheese"}


def test_markdown_in_an_answer_stays_plain_text_in_the_table() -> None:
    form = json.loads((CORPUS / "rjsf-nested.json").read_text())
    answers = {"title": "[click](javascript:alert(1)) **bold**", "tasks": [{"title": "<img src=x>"}]}
    rows = answer_rows(form["schema"], form["uiSchema"], answers)
    assert rows == [{"Question": "Task list title", "Answer": "[click](javascript:alert(1)) **bold**"},
                    {"Question": "Tasks › Entry 1 › Title", "Answer": "<img src=x>"}]


def test_enum_codes_are_shown_with_the_labels_residents_chose_from() -> None:
    schema = {"type": "object", "properties": {
        "zone": {"type": "string", "title": "Zone", "enum": ["Z1", "Z2"]},
        "waste": {"type": "string", "title": "Waste", "enum": ["gw", "rb"], "enumNames": ["Garden waste", "Rubble"]},
        "days": {"type": "array", "title": "Days", "items": {"type": "string", "enum": ["mo", "tu"],
                                                             "enumNames": ["Monday", "Tuesday"]}},
        "other": {"type": "string", "title": "Other", "enum": ["x"]}}}
    ui = {"zone": {"ui:enumNames": ["Old town", "Harbour"]}}
    answers = {"zone": "Z2", "waste": "rb", "days": ["tu", "mo"], "other": "x"}
    rows = {row["Question"]: row["Answer"] for row in answer_rows(schema, ui, answers)}
    assert rows == {"Zone": "Harbour", "Waste": "Rubble", "Days": "Tuesday; Monday", "Other": "x"}
