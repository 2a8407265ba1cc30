"""What a resident keeps and reads when the city changes things under them: a form version published
while they fill one in, a request that moved on while they read it, a file the form does not take —
all in the resident's language."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from builder.ports import ANONYMOUS
from builder.usecases import forms, requests, review
from builder.workflow import Action, Command
from storage.uow import SqlUnitOfWork
from tests.attachment_journey import pothole_with_photo
from tests.conftest import template
from tests.helpers import DESIGNER, RESIDENT, ROADS, seed_organisation
from tests.ui.conftest import open_page, sign_in, texts

POTHOLE = {"location": "Market Street 12", "size": "medium", "email": "riley@example.org"}
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48


def _click(app: AppTest, label: str) -> AppTest:
    return next(b for b in app.button if b.label == label).click().run()


def _publish(engine: Engine, document: dict[str, Any]) -> SqlUnitOfWork:
    uow = seed_organisation(engine)
    forms.create_form(document, DESIGNER, uow)
    forms.publish(document["slug"], DESIGNER, uow)
    return uow


def _publish_v2_with_a_new_required_field(uow: SqlUnitOfWork) -> None:
    """The designer publishes version 2: a new title and a required question version 1 did not have."""
    draft = forms.open_draft("report-pothole", DESIGNER, uow)
    document = copy.deepcopy(draft.document)
    document["title"] = "Report a pothole (new)"
    document["schema"]["properties"]["since"] = {"type": "string", "title": "Since when?", "minLength": 1}
    document["schema"]["required"].append("since")
    document["uiSchema"]["ui:order"].append("since")
    document["uiSchema"]["ui:pages"][0]["fields"].append("since")
    forms.save_draft("report-pothole", document, draft.revision, DESIGNER, uow)
    assert forms.publish("report-pothole", DESIGNER, uow) == 2


def test_a_french_resident_is_told_in_french_that_a_program_is_not_accepted(
        new_app: Callable[[], AppTest], app_database: Engine) -> None:
    document = pothole_with_photo()
    # A field that names no kinds takes the form's default kinds (settings.attachments: PDF, JPEG, PNG);
    # a field that names some never receives a .exe (Streamlit refuses the extension before the page runs).
    document["uiSchema"]["photo"] = {"ui:options": {"maxSizeMb": 1}}
    _publish(app_database, document)
    app = new_app()
    app.selectbox(key="language_selector").set_value("fr").run()
    open_page(app, "form", form="report-pothole")
    app.get("file_uploader")[0].set_value(("setup.exe", EXE, "application/x-msdownload")).run()
    [message] = [e.value for e in app.error]
    assert message == "Le fichier « setup.exe » n’est pas d’un type accepté. Types acceptés : PDF, photo JPEG, image PNG."


def test_a_french_resident_withdrawing_a_request_that_moved_on_is_told_in_french(
        new_app: Callable[[], AppTest], app_database: Engine) -> None:
    uow = _publish(app_database, template("report-pothole"))
    receipt = requests.submit("report-pothole", POTHOLE, ANONYMOUS, uow, idempotency_key="moved", locale="fr")
    app = new_app()
    app.selectbox(key="language_selector").set_value("fr").run()
    open_page(app, "track", ref=receipt.reference)
    app.text_input[1].input(receipt.access_code or "")
    app.button[0].click().run()  # the lookup form's submit button
    app.checkbox(key=f"wd:{receipt.reference}").check().run()
    review.act(receipt.reference, Command(Action.CLAIM, ROADS), 1, uow)  # a reviewer starts on it meanwhile

    app.button(key=f"withdraw:{receipt.reference}").click().run()
    assert [e.value for e in app.error] == [
        "Cette demande a changé pendant que vous la lisiez. La page affiche maintenant son état actuel ; "
        "veuillez réessayer."]
    assert review.open_case(receipt.reference, ROADS, SqlUnitOfWork(app_database)).request.state == "in_review"

    app.button(key=f"withdraw:{receipt.reference}").click().run()  # seen the current state: now it goes through
    assert "Votre demande a été retirée." in texts(app)


def test_a_signed_in_resident_withdrawing_a_request_that_moved_on_is_told_what_to_do(
        new_app: Callable[[], AppTest], app_database: Engine) -> None:
    uow = _publish(app_database, template("report-pothole"))
    receipt = requests.submit("report-pothole", POTHOLE, RESIDENT, uow, idempotency_key="mine")
    app = open_page(sign_in(new_app(), "resident"), "my_requests")
    app.selectbox(key="my_request").set_value(receipt.reference).run()
    app.checkbox(key=f"wd:{receipt.reference}").check().run()
    review.act(receipt.reference, Command(Action.CLAIM, ROADS), 1, uow)

    app.button(key=f"withdraw:{receipt.reference}").click().run()
    assert [e.value for e in app.error] == [
        "This request changed while you were reading it. The page now shows its current state; please try again."]


def test_answers_survive_a_new_version_and_the_request_records_the_version_filled_in(
        new_app: Callable[[], AppTest], app_database: Engine) -> None:
    uow = _publish(app_database, template("report-pothole"))
    app = open_page(new_app(), "form", form="report-pothole")
    app.text_input[0].input("Market Street 12")
    app.radio[0].set_value("medium").run()

    _publish_v2_with_a_new_required_field(uow)
    _click(app, "Next")  # would have started version 2 from scratch, with its new required question
    assert app.title[0].value == "Report a pothole"
    assert not app.error
    app.text_input[1].input("riley@example.org")
    _click(app, "Submit")
    assert "Your request has been submitted." in texts(app)
    reference = str(app.metric[0].value)
    stored = review.open_case(reference, ROADS, SqlUnitOfWork(app_database)).request
    assert stored.version_number == 1
    assert stored.answers["location"] == "Market Street 12"

    _click(app, "Submit another request")  # a new request starts on the newest version
    assert app.title[0].value == "Report a pothole (new)"
    assert "Since when? *" in [t.label for t in app.text_input]


def test_the_receipt_survives_a_new_version(new_app: Callable[[], AppTest], app_database: Engine) -> None:
    uow = _publish(app_database, template("report-pothole"))
    app = open_page(new_app(), "form", form="report-pothole")
    app.text_input[0].input("Market Street 12")
    app.radio[0].set_value("medium").run()
    _click(app, "Next")
    _click(app, "Submit")
    reference, code = str(app.metric[0].value), app.code[0].value

    _publish_v2_with_a_new_required_field(uow)
    app.run()
    assert "Your request has been submitted." in texts(app)
    assert [str(m.value) for m in app.metric] == [reference]
    assert app.code[0].value == code
