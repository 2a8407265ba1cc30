"""Following a request in the resident's language, and downloading its files with the access code."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from builder.attachments import answer_value
from builder.ports import ANONYMOUS
from builder.usecases import forms, requests
from builder.usecases.attachments import upload_attachment
from storage.uow import SqlUnitOfWork
from tests.attachment_journey import PNG, pothole_with_photo
from tests.conftest import template
from tests.helpers import DESIGNER, seed_organisation
from tests.ui.conftest import open_page, texts

ROOT = Path(__file__).resolve().parents[2]
ANSWERS = {"location": "Rue du Marché 12", "size": "small", "name": "Camille Durand", "email": "camille@example.org"}


def _submitted(engine: Engine, document: dict | None = None, answers: dict | None = None) -> requests.Receipt:
    uow = seed_organisation(engine)
    forms.create_form(document or template("report-pothole"), DESIGNER, uow)
    forms.publish("report-pothole", DESIGNER, uow)
    return requests.submit("report-pothole", answers or ANSWERS, ANONYMOUS, SqlUnitOfWork(engine),
                           idempotency_key="k1", locale="fr")


def _look_up(app: AppTest, code: str) -> AppTest:
    app.text_input[1].input(code)
    app.button[0].click().run()
    return app


def _interface_words(language: str) -> dict[str, str]:
    """msgid → translation for the interface texts that differ between the languages and are long enough
    (three words or more) not to occur by chance in a name or an answer."""
    with open(ROOT / "locale" / language / "LC_MESSAGES" / "formwork.po", "rb") as handle:
        catalogue = read_po(handle)
    pairs = {}
    for message in catalogue:
        if message.id and isinstance(message.id, str) and isinstance(message.string, str) and message.string:
            source, shown = re.sub(r"\{\w+\}.*", "", message.id), re.sub(r"\{\w+\}.*", "", message.string)
            if source != shown and len(source.split()) >= 3 and len(shown.split()) >= 3:
                pairs[source.strip()] = shown.strip()
    return pairs


def test_a_tracking_link_in_french_shows_the_request_in_french(new_app: Callable[[], AppTest],
                                                               app_database: Engine) -> None:
    receipt = _submitted(app_database)
    app = new_app()  # the session starts in English on the catalogue ...
    open_page(app, "track", ref=receipt.reference, lang="fr")  # ... and the receipt's link says French
    assert app.title[0].value == "Suivre une demande"
    assert [t.label for t in app.text_input] == ["Référence", "Code d'accès"]
    assert app.text_input[0].value == receipt.reference

    _look_up(app, receipt.access_code or "")
    view = requests.status(receipt.reference, receipt.access_code or "", SqlUnitOfWork(app_database))
    shown = texts(app)
    assert {m.label: m.value for m in app.metric} == {"Statut": "En cours d'instruction"}
    expected = format_date(view.expected_on, format="long", locale="fr")  # e.g. "9 décembre 2026"
    assert f"Décision attendue au plus tard le {expected}." in shown
    assert re.search(r"\d{1,2} (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|"
                     r"décembre) \d{4}", expected)
    submitted = format_datetime(view.submitted_at, format="medium", locale="fr")
    assert f"Déposée le {submitted} (UTC)" in shown
    assert "Aucun message pour l'instant." in shown
    assert app.expander[0].label == "Vos réponses"
    assert view.form_title == "Report a pothole"  # the form's own language; the page shows its French title
    assert "Signaler un nid-de-poule" in shown and "Report a pothole" not in shown
    question, answer = app.dataframe[0].value.iloc[0]
    assert answer == "Rue du Marché 12"  # the answers stay as the resident wrote them
    assert question.startswith("Où se trouve le nid-de-poule ?")
    untranslated = [english for english in _interface_words("fr") if english in shown]
    assert untranslated == []


def test_the_resident_switches_to_english_and_sees_no_french(new_app: Callable[[], AppTest],
                                                             app_database: Engine) -> None:
    receipt = _submitted(app_database)
    app = open_page(new_app(), "track", ref=receipt.reference, lang="fr")
    _look_up(app, receipt.access_code or "")
    app.selectbox(key="language_selector").set_value("en").run()
    shown = texts(app)
    assert app.title[0].value == "Follow a request"
    assert {m.label: m.value for m in app.metric} == {"Status": "Being reviewed"}
    view = requests.status(receipt.reference, receipt.access_code or "", SqlUnitOfWork(app_database))
    assert f"Expected decision by {format_date(view.expected_on, format='long', locale='en')}." in shown
    french = [text for text in _interface_words("fr").values() if text in shown]
    assert french == []
    assert app.query_params["lang"] == "en"  # the choice travels with the address ...
    open_page(app, "catalogue")
    assert app.title[0].value == "City services online"  # ... and stays for the session


@pytest.mark.parametrize("language, label", [("en", "photo.png (1 kB)"), ("fr", "photo.png (1 ko)")])
def test_the_resident_downloads_their_files_with_the_access_code(
        new_app: Callable[[], AppTest], app_database: Engine, language: str, label: str) -> None:
    seed = seed_organisation(app_database)
    forms.create_form(pothole_with_photo(), DESIGNER, seed)
    forms.publish("report-pothole", DESIGNER, seed)
    photo = upload_attachment("report-pothole", ("photo",), "photo.png", PNG, SqlUnitOfWork(app_database))
    receipt = requests.submit("report-pothole", {**ANSWERS, "photo": answer_value(photo)}, ANONYMOUS,
                              SqlUnitOfWork(app_database), idempotency_key="k2", locale=language)

    app = _look_up(open_page(new_app(), "track", ref=receipt.reference, lang=language), receipt.access_code or "")
    downloads = app.get("download_button")
    assert [b.proto.label for b in downloads] == [label]


def test_a_wrong_access_code_shows_no_files(new_app: Callable[[], AppTest], app_database: Engine) -> None:
    seed = seed_organisation(app_database)
    forms.create_form(pothole_with_photo(), DESIGNER, seed)
    forms.publish("report-pothole", DESIGNER, seed)
    photo = upload_attachment("report-pothole", ("photo",), "photo.png", PNG, SqlUnitOfWork(app_database))
    receipt = requests.submit("report-pothole", {**ANSWERS, "photo": answer_value(photo)}, ANONYMOUS,
                              SqlUnitOfWork(app_database), idempotency_key="k3")

    app = _look_up(open_page(new_app(), "track", ref=receipt.reference, lang="fr"), "WRONG-CODE")
    assert not app.get("download_button")
    assert [e.value for e in app.error] == [
        "Aucune demande ne correspond à cette référence et à ce code d'accès. Vérifiez-les et réessayez."]
