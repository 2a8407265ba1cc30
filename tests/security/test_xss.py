"""An XSS and markdown-injection corpus, as resident answers and comments and as staff-written labels.

Answers and comments must reach reviewers and residents only through elements that show text
literally (st.text, st.code, dataframes); labels with script links, HTML or images are refused when
a definition is saved, and harmless markdown in labels is shown escaped.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from builder.errors import DefinitionInvalid
from builder.ports import ANONYMOUS
from builder.usecases import forms, requests, review
from builder.workflow import Action, Command
from tests.conftest import template
from tests.helpers import DESIGNER, ROADS, seed_organisation
from tests.ui.conftest import open_page, sign_in
from ui.nav import page
from ui.text import plain

CORPUS = [
    "<script>alert('xss')</script>",
    "[click me](javascript:alert(1))",
    "![pixel](https://tracker.example/p.png)",
    "<img src=x onerror=alert(1)>",
    "**bold** _italic_ # heading :red[red] $x^2$",
    "<a href=\"data:text/html;base64,PHNjcmlwdD4=\">link</a>",
    "control\x1b[31m chars\x07 and\x0b more",
]
# What must never reach an element that renders markdown or HTML.
MARKERS = ["<script", "javascript:", "![pixel]", "<img", "**bold**", "data:text/html", "\x1b[31m"]


def markdown_rendered(app: AppTest) -> list[str]:
    """Every value Streamlit renders as markdown: titles, captions, markdown, alerts and widget labels."""
    values = [e.value for e in (*app.title, *app.header, *app.subheader, *app.caption, *app.markdown,
                                *app.success, *app.info, *app.warning, *app.error)]
    values += [w.label for w in (*app.text_input, *app.text_area, *app.radio, *app.selectbox, *app.checkbox,
                                 *app.button, *app.number_input, *app.multiselect)]
    values += [w.help or "" for w in (*app.text_input, *app.text_area, *app.radio, *app.selectbox)]
    # extra_streamlit_components' cookie manager hides its iframe with a fixed <style> block.
    return [str(v) for v in values if "element-container:has(iframe" not in str(v)]


def literal_text(app: AppTest) -> str:
    cells = [str(cell) for frame in app.dataframe for cell in frame.value.to_numpy().ravel()]
    return "\n".join([e.value for e in (*app.text, *app.code)] + cells)


@pytest.fixture
def hostile_request(app_database: Engine) -> requests.Receipt:
    uow = seed_organisation(app_database)
    forms.create_form(template("report-pothole"), DESIGNER, uow)
    forms.publish("report-pothole", DESIGNER, uow)
    answers = {"location": CORPUS[0][:200], "size": "medium", "details": "\n".join(CORPUS), "name": CORPUS[1]}
    receipt = requests.submit("report-pothole", answers, ANONYMOUS, uow, idempotency_key="x")
    version = review.open_case(receipt.reference, ROADS, uow).request.row_version
    review.act(receipt.reference, Command(Action.COMMENT, ROADS, text=CORPUS[2] + CORPUS[3], public=True), version, uow)
    return receipt


def test_answers_and_comments_reach_the_reviewer_as_literal_text(
        new_app: Callable[[], AppTest], hostile_request: requests.Receipt) -> None:
    app = open_page(sign_in(new_app(), "roads"), "case", ref=hostile_request.reference)
    assert app.title[0].value == hostile_request.reference
    rendered = "\n".join(markdown_rendered(app))
    for marker in MARKERS:
        assert marker not in rendered, marker
    shown = literal_text(app)
    assert "<script>alert('xss')</script>" in shown and "![pixel](https://tracker.example/p.png)" in shown


def test_answers_and_comments_reach_the_resident_as_literal_text(
        new_app: Callable[[], AppTest], hostile_request: requests.Receipt) -> None:
    app = new_app()
    app.session_state["track"] = {"reference": hostile_request.reference, "code": hostile_request.access_code}
    app.switch_page(str(page("track"))).run()
    assert app.subheader[0].value == hostile_request.reference
    rendered = "\n".join(markdown_rendered(app))
    for marker in MARKERS:
        assert marker not in rendered, marker
    assert "![pixel](https://tracker.example/p.png)<img src=x onerror=alert(1)>" in literal_text(app)


@pytest.mark.parametrize("payload", CORPUS[:4] + CORPUS[5:], ids=range(6))
def test_labels_with_scripts_html_or_images_are_refused_when_saved(payload: str, app_database: Engine) -> None:
    uow = seed_organisation(app_database)
    document = template("report-pothole")
    document["schema"]["properties"]["location"]["title"] = f"Where {payload}"
    with pytest.raises(DefinitionInvalid) as refused:
        forms.create_form(document, DESIGNER, uow)
    assert [e.path for e in refused.value.errors] == [("schema", "properties", "location", "title")]
    clean = template("report-pothole")
    forms.create_form(clean, DESIGNER, uow)
    clean["uiSchema"].setdefault("location", {})["ui:help"] = payload
    with pytest.raises(DefinitionInvalid):
        forms.save_draft("report-pothole", clean, 1, DESIGNER, uow)


def test_markdown_in_a_label_is_shown_literally(new_app: Callable[[], AppTest], app_database: Engine) -> None:
    uow = seed_organisation(app_database)
    document = template("report-pothole")
    label = "Where is it? **exactly** _please_ [map]"
    document["schema"]["properties"]["location"]["title"] = label
    forms.create_form(document, DESIGNER, uow)
    forms.publish("report-pothole", DESIGNER, uow)
    app = open_page(new_app(), "form", form="report-pothole")
    assert app.text_input[0].label.startswith(plain(label))  # escaped: shows the asterisks, renders nothing
