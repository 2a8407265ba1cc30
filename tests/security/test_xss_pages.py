"""The XSS corpus on the remaining pages, and hostile labels that got past the save check.

Resident answers and a resident's own account name reach "My requests", the inbox and the
data-protection page only through elements that show text literally. Labels are refused when a
definition is saved (test_xss.py), but a definition stored before that check, restored from a backup or
written by a script bypasses it: its labels must still come out as text, never as markdown or HTML.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from builder.passwords import hash_password
from builder.ports import ANONYMOUS, FormRecord, UserRecord, VersionRecord
from builder.usecases import requests
from storage.uow import SqlUnitOfWork
from tests.conftest import template
from tests.helpers import RESIDENT, seed_organisation
from tests.security.test_xss import CORPUS, MARKERS, literal_text
from tests.ui.conftest import open_page, sign_in
from ui.text import label_text, plain

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ANSWERS = {"location": CORPUS[0][:200], "size": "medium", "details": "\n".join(CORPUS), "name": CORPUS[1]}

# Where each hostile label goes in the pothole form, and the label.
LABELS = {
    ("title",): "Report <script>alert('xss')</script>",
    ("schema", "properties", "location", "title"): "Where [click me](javascript:alert(1))",
    ("schema", "properties", "location", "description"): "Near ![pixel](https://tracker.example/p.png)",
    ("schema", "properties", "details", "title"): "Details <img src=x onerror=alert(1)>",
    ("schema", "properties", "size", "oneOf", 1, "title"): "**bold** plate :red[red]",
    ("workflow", "steps", 0, "name"): "Inspection <a href=\"data:text/html;base64,PHNjcmlwdD4=\">link</a>",
    ("uiSchema", "ui:pages", 0, "title"): "The pothole \x1b[31m chars\x07",
}


def _hostile_definition() -> dict[str, Any]:
    document = copy.deepcopy(template("report-pothole"))
    document.pop("translations", None)  # the English labels are the ones shown
    for path, label in LABELS.items():
        target: Any = document
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = label
    return document


def _store_without_checks(engine: Engine, document: dict[str, Any]) -> None:
    """Write the form and its published version straight to storage, as a pre-check database would hold them."""
    uow = SqlUnitOfWork(engine)
    with uow:
        uow.forms.add(FormRecord(document["slug"], document["department"], document["title"], document,
                                 draft_revision=1))
        uow.forms.add_version(VersionRecord(document["slug"], 1, document, NOW, "designer"))
        uow.commit()


def _blocks(app: AppTest) -> str:
    """What Streamlit renders as markdown with HTML read as markup: titles, captions, markdown, alerts, help."""
    values = [e.value for e in (*app.title, *app.header, *app.subheader, *app.caption, *app.markdown,
                                *app.success, *app.info, *app.warning, *app.error)]
    values += [w.help or "" for w in (*app.text_input, *app.text_area, *app.radio, *app.selectbox, *app.checkbox)]
    return "\n".join(str(v) for v in values if "element-container:has(iframe" not in str(v))


def _labels(app: AppTest) -> str:
    """Widget labels and radio options: markdown is read, raw HTML is shown as text (ui.text, measured)."""
    values = [w.label for w in (*app.text_input, *app.text_area, *app.radio, *app.selectbox, *app.checkbox,
                                *app.button, *app.number_input, *app.multiselect)]
    return "\n".join([str(v) for v in values] + [str(o) for r in app.radio for o in r.options])


HTML_MARKERS = ("<script", "<img", "<a href")
MARKDOWN_MARKERS = ("![pixel]", "**bold**", "](javascript:", ":red[", "\x1b[31m")


def _assert_only_literal(app: AppTest, *, expected: list[str]) -> None:
    """Nothing hostile reached an element as markup: wherever markdown is read, its syntax (and in blocks,
    HTML) is escaped. ``expected`` texts are on the page, escaped where markdown is read, or as typed in
    text and tables -- so the check cannot pass because the text is simply missing."""
    blocks, labels = _blocks(app), _labels(app)
    for marker in HTML_MARKERS + MARKDOWN_MARKERS:
        assert _all_escaped(blocks, marker), (marker, blocks)
    for marker in MARKDOWN_MARKERS:
        assert _all_escaped(labels, marker), (marker, labels)
    shown = "\n".join((blocks, labels, literal_text(app)))
    for text in expected:
        assert any(form in shown for form in (plain(text), label_text(text), text)), text


def _all_escaped(rendered: str, marker: str) -> bool:
    return all(i > 0 and rendered[i - 1] == "\\" for i in _find_all(rendered, marker))


def _find_all(haystack: str, needle: str) -> list[int]:
    found, start = [], haystack.find(needle)
    while start != -1:
        found.append(start)
        start = haystack.find(needle, start + 1)
    return found


@pytest.fixture
def hostile_form(app_database: Engine) -> Engine:
    seed_organisation(app_database)
    _store_without_checks(app_database, _hostile_definition())
    return app_database


# ------------------------------------------------------------------ resident answers on more pages


def test_my_requests_shows_the_residents_hostile_answers_as_text(new_app: Callable[[], AppTest],
                                                                 app_database: Engine) -> None:
    from builder.usecases import forms
    from tests.helpers import DESIGNER

    uow = seed_organisation(app_database)
    forms.create_form(template("report-pothole"), DESIGNER, uow)
    forms.publish("report-pothole", DESIGNER, uow)
    receipt = requests.submit("report-pothole", ANSWERS, RESIDENT, uow, idempotency_key="mine")
    app = open_page(sign_in(new_app(), "resident"), "my_requests", ref=receipt.reference)
    assert not app.exception
    _assert_only_literal(app, expected=[CORPUS[0], CORPUS[1]])
    assert "![pixel](https://tracker.example/p.png)" in literal_text(app)  # the answers are shown, as typed


def test_the_inbox_shows_hostile_form_and_step_names_as_text(new_app: Callable[[], AppTest],
                                                             hostile_form: Engine) -> None:
    requests.submit("report-pothole", ANSWERS, ANONYMOUS, SqlUnitOfWork(hostile_form), idempotency_key="x")
    app = open_page(sign_in(new_app(), "roads"), "inbox")
    assert not app.exception and len(app.dataframe) == 1
    _assert_only_literal(app, expected=[LABELS[("title",)], LABELS[("workflow", "steps", 0, "name")]])


def test_the_data_protection_page_shows_a_hostile_account_and_answers_as_text(
        new_app: Callable[[], AppTest], hostile_form: Engine) -> None:
    uow = SqlUnitOfWork(hostile_form)
    with uow:  # a resident's self-chosen name and address are the resident's words
        uow.directory.add_user(UserRecord("mallory", CORPUS[0] + CORPUS[2], "<img src=x onerror=alert(1)>@x.example",
                                          hash_password("mallory-test-passphrase", rounds=4)))
        uow.commit()
    mallory = RESIDENT.__class__("mallory", CORPUS[0])
    requests.submit("report-pothole", ANSWERS, mallory, uow, idempotency_key="m")
    app = open_page(sign_in(new_app(), "admin"), "data_protection")
    app.text_input[0].input("mallory")
    app = next(b for b in app.button if b.label == "Look up").click().run()
    assert not app.exception
    _assert_only_literal(app, expected=[CORPUS[0] + CORPUS[2], "<img src=x onerror=alert(1)>@x.example"])
    assert len(app.dataframe) == 1  # the request is listed, in a table


# ------------------------------------------------------------------ hostile labels that bypassed the save check


def test_hostile_labels_on_the_form_page_come_out_as_text(new_app: Callable[[], AppTest], hostile_form: Engine) -> None:
    app = open_page(new_app(), "form", form="report-pothole")
    assert not app.exception
    _assert_only_literal(app, expected=[LABELS[("title",)], LABELS[("schema", "properties", "location", "title")],
                                        LABELS[("schema", "properties", "details", "title")],
                                        LABELS[("schema", "properties", "size", "oneOf", 1, "title")]])


def test_hostile_labels_on_the_case_and_track_pages_come_out_as_text(new_app: Callable[[], AppTest],
                                                                     hostile_form: Engine) -> None:
    receipt = requests.submit("report-pothole", ANSWERS, ANONYMOUS, SqlUnitOfWork(hostile_form), idempotency_key="c")
    case = open_page(sign_in(new_app(), "roads"), "case", ref=receipt.reference)
    assert not case.exception and case.title[0].value == receipt.reference
    _assert_only_literal(case, expected=[LABELS[("schema", "properties", "location", "title")],
                                         LABELS[("schema", "properties", "details", "title")],
                                         LABELS[("workflow", "steps", 0, "name")]])
    track = new_app()
    track.session_state["track"] = {"reference": receipt.reference, "code": receipt.access_code}
    track = open_page(track, "track")
    assert not track.exception
    _assert_only_literal(track, expected=[LABELS[("workflow", "steps", 0, "name")]])


def test_the_markers_are_what_the_corpus_carries() -> None:
    """The marker check above looks for what the corpus and the labels contain, so it cannot pass vacuously."""
    assert all(any(marker in payload for payload in CORPUS) for marker in MARKERS)
