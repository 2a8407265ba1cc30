"""The foundation journey through the real pages (AppTest): set-up, sign in, submit, inbox, decide, track."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from builder.usecases import forms, review
from storage.uow import SqlUnitOfWork
from tests.conftest import template
from tests.helpers import DESIGNER, ROADS, seed_organisation
from tests.ui.conftest import open_page, sign_in, texts


def publish_pothole(engine: Engine) -> None:
    uow = seed_organisation(engine)
    forms.create_form(template("report-pothole"), DESIGNER, uow)
    forms.publish("report-pothole", DESIGNER, uow)


def test_first_run_shows_setup_and_creates_the_administrator(new_app: Callable[[], AppTest]) -> None:
    app = new_app()
    assert app.title[0].value == "Set up Formwork"
    app.text_input[0].input("chief")
    app.text_input[1].input("Chris Chief")
    app.text_input[2].input("chief@city.example")
    app.text_input[3].input("short")
    next(b for b in app.button if b.label == "Create administrator").click().run()
    assert "Use at least 8 characters" in texts(app)
    app.text_input[3].input("four unrelated words here")
    next(b for b in app.button if b.label == "Create administrator").click().run()
    assert app.title[0].value == "Formwork is ready"  # set-up is closed once an administrator exists
    signed_in = sign_in(new_app(), "chief", "four unrelated words here")
    assert "Chris Chief" in texts(open_page(signed_in, "account"))


def test_wrong_password_is_refused_with_one_message(new_app: Callable[[], AppTest], app_database: Engine) -> None:
    seed_organisation(app_database)
    wrong = sign_in(new_app(), "roads", "not the password")
    unknown = sign_in(new_app(), "nobody", "not the password")
    message = "The username or password is not right. Check both and try again."
    assert [e.value for e in wrong.error] == [message] == [e.value for e in unknown.error]


def fill_pothole(app: AppTest) -> AppTest:
    app.query_params["form"] = "report-pothole"
    open_page(app, "form")
    app.text_input[0].input("Market Street 12")
    app.radio[0].set_value("medium")
    next(b for b in app.button if b.label == "Next").click().run()
    app.text_input[0].input("Riley")
    app.text_input[1].input("riley@example.org")
    next(b for b in app.button if b.label == "Submit").click().run()
    return app


def test_resident_submits_reviewer_approves_resident_sees_approved(
        new_app: Callable[[], AppTest], app_database: Engine) -> None:
    publish_pothole(app_database)
    resident = fill_pothole(new_app())
    assert "Your request has been submitted." in texts(resident)
    reference = str(resident.metric[0].value)
    code = resident.code[0].value
    assert reference.startswith("PW-") and len(code.replace("-", "")) == 26

    reviewer = sign_in(new_app(), "roads")
    open_page(reviewer, "inbox")
    assert "1 request" in texts(reviewer)
    reviewer.query_params["ref"] = reference
    open_page(reviewer, "case")
    assert "Market Street 12" in str(reviewer.dataframe[0].value.to_dict())
    reviewer.radio[0].set_value("approve").run()
    next(b for b in reviewer.button if b.label == "Approve").click().run()
    assert "Approved." in texts(reviewer)

    tracker = new_app()
    open_page(tracker, "track")
    tracker.text_input[0].input(reference)
    tracker.text_input[1].input(code)
    next(b for b in tracker.button if b.label == "Show my request").click().run()
    assert "Approved" in [str(m.value) for m in tracker.metric]


def test_page_errors_stop_the_resident_on_the_right_field(
        new_app: Callable[[], AppTest], app_database: Engine) -> None:
    publish_pothole(app_database)
    app = new_app()
    app.query_params["form"] = "report-pothole"
    open_page(app, "form")
    next(b for b in app.button if b.label == "Next").click().run()
    errors = [e.value for e in app.error]
    assert "Please correct 2 problems below." in errors
    assert errors.count("This field is required.") == 2
    assert app.text_input[0].label.startswith("Where is the pothole?")  # still on page 1


def test_tracking_with_a_wrong_code_shows_nothing(new_app: Callable[[], AppTest], app_database: Engine) -> None:
    publish_pothole(app_database)
    reference = str(fill_pothole(new_app()).metric[0].value)
    tracker = new_app()
    open_page(tracker, "track")
    tracker.text_input[0].input(reference)
    tracker.text_input[1].input("AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GG")
    next(b for b in tracker.button if b.label == "Show my request").click().run()
    shown = texts(tracker)
    assert "No request matches this reference and access code" in shown
    assert "Market Street" not in shown and not tracker.metric


def test_staff_pages_are_not_offered_to_anonymous_visitors(
        new_app: Callable[[], AppTest], app_database: Engine) -> None:
    publish_pothole(app_database)
    for name in ("inbox", "case", "forms"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            open_page(new_app(), name)


def test_a_reviewer_gets_the_inbox_but_not_the_designer_pages(
        new_app: Callable[[], AppTest], app_database: Engine) -> None:
    publish_pothole(app_database)
    reviewer = sign_in(new_app(), "roads")
    assert open_page(reviewer, "inbox").title[0].value == "Inbox"
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_page(reviewer, "forms")


def test_the_receipt_links_to_the_tracking_page_of_this_request(
        new_app: Callable[[], AppTest], app_database: Engine) -> None:
    publish_pothole(app_database)
    resident = fill_pothole(new_app())
    reference = str(resident.metric[0].value)
    links = [link for link in resident.get("page_link") if link.proto.label == "Follow this request"]
    assert len(links) == 1
    link = links[0].proto
    assert link.page == "track"  # the tracking page of the navigation, with this request's reference filled in
    assert parse_qs(link.query_string) == {"ref": [reference], "lang": ["en"]}
    # Switching the language on the receipt: the link opens the tracking page in the language now chosen.
    resident.selectbox(key="language_selector").set_value("fr").run()
    assert str(resident.metric[0].value) == reference  # still the receipt
    tracking = [link.proto for link in resident.get("page_link") if link.proto.page == "track"]
    assert [parse_qs(link.query_string) for link in tracking] == [{"ref": [reference], "lang": ["fr"]}]


def test_back_keeps_the_answers_of_the_page_left_and_of_the_page_before(
        new_app: Callable[[], AppTest], app_database: Engine) -> None:
    publish_pothole(app_database)
    app = new_app()
    app.query_params["form"] = "report-pothole"
    open_page(app, "form")
    app.text_input[0].input("Market Street 12")
    app.radio[0].set_value("large")
    next(b for b in app.button if b.label == "Next").click().run()
    assert [w.label for w in app.text_input] == ["Your name", "Your email address"]  # page 2
    app.text_input[0].input("Riley")  # typed, and Back pressed in the same interaction
    next(b for b in app.button if b.label == "Back").click().run()
    assert not app.exception and not app.error  # no check on the way back
    assert app.text_input[0].label.startswith("Where is the pothole?")  # page 1 again, as left
    assert app.text_input[0].value == "Market Street 12" and app.radio[0].value == "large"
    assert "Back" not in [b.label for b in app.button]  # the first page has nowhere to go back to
    next(b for b in app.button if b.label == "Next").click().run()
    assert app.text_input[0].value == "Riley"  # the page left kept what was typed on it
    app.text_input[1].input("riley@example.org")
    next(b for b in app.button if b.label == "Submit").click().run()
    assert "Your request has been submitted." in texts(app)
    stored = review.open_case(str(app.metric[0].value), ROADS, SqlUnitOfWork(app_database)).request.answers
    assert stored == {"location": "Market Street 12", "size": "large", "blocks_road": False, "dangerous": False,
                      "name": "Riley", "email": "riley@example.org"}
