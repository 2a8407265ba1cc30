"""Attachments on the pages: a resident attaches a photo on the form page, a reviewer downloads it."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from builder.usecases import forms
from tests.attachment_journey import PDF, PNG, pothole_with_photo
from tests.helpers import DESIGNER, seed_organisation
from tests.ui.conftest import open_page, sign_in, texts


def _publish(engine: Engine) -> None:
    uow = seed_organisation(engine)
    forms.create_form(pothole_with_photo(), DESIGNER, uow)
    forms.publish("report-pothole", DESIGNER, uow)


def _fill_first_page(app: AppTest, name: str, data: bytes) -> AppTest:
    app.query_params["form"] = "report-pothole"
    open_page(app, "form")
    app.text_input[0].input("Market Street 12")
    app.radio[0].set_value("medium")
    app.get("file_uploader")[0].set_value((name, data, "image/png")).run()
    return app


def test_a_photo_travels_from_the_form_to_the_reviewer(new_app: Callable[[], AppTest], app_database: Engine) -> None:
    _publish(app_database)
    app = _fill_first_page(new_app(), "photo.png", PNG)
    assert not app.error
    next(b for b in app.button if b.label == "Next").click().run()
    app.text_input[1].input("riley@example.org")
    next(b for b in app.button if b.label == "Submit").click().run()
    assert "Your request has been submitted." in texts(app)
    reference = str(app.metric[0].value)

    reviewer = sign_in(new_app(), "roads")
    reviewer.query_params["ref"] = reference
    open_page(reviewer, "case")
    assert "A file (see Files)" in str(reviewer.dataframe[0].value.to_dict())
    buttons = reviewer.get("download_button")
    assert [b.proto.label for b in buttons if "photo" in b.proto.label] == ["photo.png (1 kB)"]


def test_a_file_that_is_not_what_its_name_says_is_refused_at_the_field(
        new_app: Callable[[], AppTest], app_database: Engine) -> None:
    _publish(app_database)
    app = _fill_first_page(new_app(), "photo.png", PDF)
    [message] = [e.value for e in app.error]
    assert "“photo.png” is not an accepted kind of file. Accepted: PNG image, JPEG photo." in message


def test_the_name_of_a_refused_file_is_shown_as_typed_not_as_markdown(
        new_app: Callable[[], AppTest], app_database: Engine) -> None:
    _publish(app_database)
    app = _fill_first_page(new_app(), "[click](https://evil.example)_photo.png", PDF)
    [message] = [e.value for e in app.error]
    # Escaped brackets: the browser shows the name, it does not draw a link a resident could be fooled by.
    assert "The file “\\[click\\](https://evil.example)\\_photo.png” is not an accepted kind of file" in message
