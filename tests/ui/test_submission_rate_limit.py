"""The anonymous submission limit on the form page counts stored requests only.

A kiosk in the city hall (or a household behind one address) must not be refused because residents
mistyped answers or double-clicked Submit; a flood of stored requests is still refused, before it is
written, with a message that says what to do.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from builder.throttling import RateRule
from builder.usecases import forms, limits
from storage.models import RateLimit, Submission
from tests.conftest import template
from tests.helpers import DESIGNER, seed_organisation
from tests.ui.conftest import open_page, texts

SLUG = "report-pothole"
STATE = f"fill:{SLUG}:v1"
LIMIT = 4  # the real rule allows 20 an hour; a small one keeps the test short, the counting is the same


@pytest.fixture
def form_page(new_app: Callable[[], AppTest], app_database: Engine, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setattr(limits, "ANONYMOUS_SUBMISSIONS", RateRule("submit", LIMIT, timedelta(hours=1)))
    uow = seed_organisation(app_database)
    definition = template(SLUG)
    del definition["uiSchema"]["ui:pages"]  # one page: Submit sends the answers at once
    forms.create_form(definition, DESIGNER, uow)
    forms.publish(SLUG, DESIGNER, uow)
    return open_page(new_app(), "form", form=SLUG)


def _submit(app: AppTest, location: str) -> AppTest:
    app.text_input[0].input(location)
    app.radio[0].set_value("medium")
    return next(b for b in app.button if b.label == "Submit").click().run()


def _another(app: AppTest) -> AppTest:
    return next(b for b in app.button if b.label == "Submit another request").click().run()


def _stored(engine: Engine) -> tuple[int, list[int]]:
    with Session(engine) as session:
        requests = len(session.exec(select(Submission.id)).all())
        counts = [row.count for row in session.exec(select(RateLimit)).all()]
    return requests, counts


def test_invalid_attempts_do_not_use_up_the_limit_and_the_limit_still_holds(
        form_page: AppTest, app_database: Engine) -> None:
    app = form_page
    for _ in range(3):  # too short a location: refused by validation, nothing stored
        app = _submit(app, "ab")
        assert "Please correct 1 problem below." in texts(app) and not app.metric
    assert _stored(app_database) == (0, [])
    for number in range(LIMIT):
        app = _submit(app, f"Market Street {number + 1}")
        assert not app.exception and app.metric, texts(app)  # a reference: stored, not refused early
        app = _another(app)
    assert _stored(app_database) == (LIMIT, [LIMIT])
    app = _submit(app, "Market Street 99")
    assert not app.metric and _stored(app_database) == (LIMIT, [LIMIT])  # refused before anything was written
    [message] = [e.value for e in app.error]
    assert message.startswith("Too many requests were sent from your connection in the last hour, so this one was "
                              "not sent. Please press Submit again in ")
    assert "If your request cannot wait, call or visit the city office." in message
    assert "Your answers are still here; nothing was lost." in message
    assert app.text_input[0].value == "Market Street 99"


def test_a_repeated_submit_of_the_same_request_counts_once(form_page: AppTest, app_database: Engine) -> None:
    app = _submit(form_page, "Market Street 1")
    key = app.session_state[f"{STATE}:key"]
    assert app.metric and _stored(app_database) == (1, [1])
    # The second click of a double-click: its run starts before the first one's receipt was shown.
    app.session_state[f"{STATE}:receipt"] = None
    app = next(b for b in app.run().button if b.label == "Submit").click().run()
    assert not app.exception and not app.error
    assert app.session_state[f"{STATE}:key"] == key
    assert _stored(app_database) == (1, [1])  # one request, counted once
