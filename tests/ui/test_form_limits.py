"""Answers over the size limit: the form page says what to do, keeps the answers, and shows no traceback."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from builder import validation
from builder.usecases import forms
from tests.conftest import template
from tests.helpers import DESIGNER, seed_organisation
from tests.ui.conftest import open_page

TOO_LONG = ("Your answers are too long to be sent in one request. Shorten the longest texts (copy them somewhere "
            "first), or attach long documents as files, then try again. Your answers are still here; nothing was lost.")
LOCATION = "Rue du Marché 12, in front of the bakery on the corner"


def _first_page(new_app: Callable[[], AppTest], engine: Engine) -> AppTest:
    uow = seed_organisation(engine)
    forms.create_form(template("report-pothole"), DESIGNER, uow)
    forms.publish("report-pothole", DESIGNER, uow)
    app = open_page(new_app(), "form", form="report-pothole")
    app.text_input[0].input(LOCATION)
    app.radio[0].set_value("medium")
    return app


def _click(app: AppTest, label: str) -> AppTest:
    return next(b for b in app.button if b.label == label).click().run()


def test_too_long_answers_are_stopped_at_next_with_a_next_step(
        new_app: Callable[[], AppTest], app_database: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    app = _first_page(new_app, app_database)
    monkeypatch.setattr(validation, "MAX_ANSWER_BYTES", 40)  # a limit these answers exceed
    _click(app, "Next")
    assert not app.exception
    assert [e.value for e in app.error] == [TOO_LONG]
    assert app.text_input[0].value == LOCATION


def test_too_long_answers_are_stopped_at_submit_with_a_next_step(
        new_app: Callable[[], AppTest], app_database: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    app = _click(_first_page(new_app, app_database), "Next")
    app.text_input[1].input("camille@example.org")
    monkeypatch.setattr(validation, "MAX_ANSWER_BYTES", 40)
    _click(app, "Submit")
    assert not app.exception
    assert [e.value for e in app.error] == [TOO_LONG]
    assert app.text_input[1].value == "camille@example.org"
    assert not app.metric  # no reference: nothing was submitted
