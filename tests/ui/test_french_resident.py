"""A resident fills in a form in French: interface and form texts translated, answers language-neutral;
a reviewer reads the answers in their own language; a gap in a form's translation falls back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from builder.ports import ANONYMOUS
from builder.usecases import forms, requests, review
from storage.uow import SqlUnitOfWork
from tests.conftest import template
from tests.helpers import DESIGNER, ROADS, seed_organisation
from tests.ui.conftest import open_page, sign_in, texts


def _click(app: AppTest, label: str) -> AppTest:
    return next(b for b in app.button if b.label == label).click().run()


def _publish(app_database: Engine, document: dict[str, Any] | None = None) -> SqlUnitOfWork:
    uow = seed_organisation(app_database)
    document = document or template("report-pothole")
    forms.create_form(document, DESIGNER, uow)
    forms.publish(document["slug"], DESIGNER, uow)
    return uow


def _errors_at_fields(app: AppTest) -> list[str]:
    return [e.value for e in app.error]


def test_resident_submits_in_french(new_app: Callable[[], AppTest], app_database: Engine) -> None:
    _publish(app_database)
    app = new_app()
    app.selectbox(key="language_selector").set_value("fr").run()
    assert app.title[0].value == "Services de la ville en ligne"
    assert "Signaler un nid-de-poule" in texts(app)

    open_page(app, "form", form="report-pothole")
    assert app.title[0].value == "Signaler un nid-de-poule"
    # Labels carry no markdown escapes: "?" and "-" need none, and the required marker is a plain " *".
    assert app.text_input[0].label == "Où se trouve le nid-de-poule ? *"
    assert app.radio[0].options == ["Plus petit qu'une main", "De la taille d'une assiette",
                                    "Plus grand qu'un pneu de voiture"]
    _click(app, "Suivant")
    assert "Veuillez corriger 2 problèmes ci-dessous." in _errors_at_fields(app)
    assert _errors_at_fields(app).count("Ce champ est obligatoire.") == 2  # under each field, in French

    app.text_input[0].input("ab")
    app.radio[0].set_value("large").run()
    _click(app, "Suivant")
    assert "Saisissez au moins 3 caractères." in _errors_at_fields(app)
    app.text_input[0].input("Rue du Marché 12")
    app.checkbox[0].check()  # the conditional field appears, in French too
    assert app.checkbox[0].label == "Bloque-t-il une voie de circulation ? *"
    _click(app, "Suivant")
    app.text_input[1].input("riley@example.org")
    _click(app, "Envoyer")

    assert "Votre demande a été envoyée." in texts(app)
    assert any(t.value.startswith("Merci pour votre signalement.") for t in app.text)  # the form's own words
    reference = str(app.metric[0].value)
    stored = review.open_case(reference, ROADS, SqlUnitOfWork(app_database)).request
    assert stored.answers == {"location": "Rue du Marché 12", "size": "large", "blocks_road": True,
                              "dangerous": False, "email": "riley@example.org"}
    assert stored.locale == "fr" and stored.contact_email == "riley@example.org"


def test_a_reviewer_reads_choice_labels_in_their_own_language(new_app: Callable[[], AppTest],
                                                               app_database: Engine) -> None:
    uow = _publish(app_database)
    answers = {"location": "Market Street 12", "size": "large", "blocks_road": False}
    receipt = requests.submit("report-pothole", answers, ANONYMOUS, uow, idempotency_key="en", locale="en")

    def table(language: str) -> dict[str, str]:
        app = sign_in(new_app(), "roads")
        open_page(app, "case", ref=receipt.reference, lang=language)
        frame = app.dataframe[0].value
        return dict(zip(frame.iloc[:, 0], frame.iloc[:, 1], strict=True))

    french = table("fr")
    assert french["Quelle est sa taille ?"] == "Plus grand qu'un pneu de voiture"
    assert french["Bloque-t-il une voie de circulation ?"] == "Non"
    english = table("en")
    assert english["How big is it?"] == "Larger than a car tyre" and english["Does it block a lane of traffic?"] == "No"
    stored = review.open_case(receipt.reference, ROADS, SqlUnitOfWork(app_database)).request
    assert stored.answers == answers  # only the display changed


def _with_untranslated_fields() -> dict[str, Any]:
    """The pothole form plus a date and an amount that its French translation does not cover yet."""
    document = template("report-pothole")
    document["slug"] = "pothole-claims"
    document["schema"]["properties"]["noticed_on"] = {"type": "string", "format": "date", "title": "Noticed on"}
    document["schema"]["properties"]["damage"] = {"type": "number", "format": "money", "title": "Cost of the damage"}
    document["uiSchema"]["ui:order"][-2:-2] = ["noticed_on", "damage"]
    document["uiSchema"]["ui:pages"][0]["fields"] += ["noticed_on", "damage"]
    return document


def test_a_missing_translation_falls_back_and_formats_follow_the_language(new_app: Callable[[], AppTest],
                                                                           app_database: Engine) -> None:
    uow = _publish(app_database, _with_untranslated_fields())
    app = new_app()
    app.selectbox(key="language_selector").set_value("fr").run()
    open_page(app, "form", form="pothole-claims")
    assert not app.exception
    assert app.text_input[0].label == "Où se trouve le nid-de-poule ? *"  # translated
    [date_box] = app.date_input
    assert date_box.label == "Noticed on" and date_box.proto.format == "DD/MM/YYYY"  # the form's own words
    money = next(n for n in app.number_input if n.label == "Cost of the damage")
    money.set_value(1234.5).run()
    assert "1\u202f234,50\xa0€" in [c.value for c in app.caption]  # the amount as French writes it

    receipt = requests.submit("pothole-claims", {"location": "Rue du Marché 12", "size": "small",
                                                 "noticed_on": "2026-03-14", "damage": 1234.5},
                              ANONYMOUS, uow, idempotency_key="claim", locale="fr")
    reviewer = open_page(sign_in(new_app(), "roads"), "case", ref=receipt.reference, lang="fr")
    frame = reviewer.dataframe[0].value
    rows = dict(zip(frame.iloc[:, 0], frame.iloc[:, 1], strict=True))
    assert rows["Noticed on"] == "14 mars 2026" and rows["Cost of the damage"] == "1\u202f234,50\xa0€"
    assert list(frame.columns) == ["Question", "Réponse"]


def test_the_resident_follows_the_request_with_answers_in_french(new_app: Callable[[], AppTest],
                                                                 app_database: Engine) -> None:
    uow = _publish(app_database)
    receipt = requests.submit("report-pothole", {"location": "Rue du Marché 12", "size": "small"}, ANONYMOUS, uow,
                              idempotency_key="track", locale="fr")
    app = new_app()
    app.session_state["track"] = {"reference": receipt.reference, "code": receipt.access_code}
    open_page(app, "track", lang="fr")
    frame = app.dataframe[0].value
    rows = dict(zip(frame.iloc[:, 0], frame.iloc[:, 1], strict=True))
    assert rows["Quelle est sa taille ?"] == "Plus petit qu'une main"  # the choice's label, in French


def test_plain_numbers_are_echoed_as_french_writes_them(new_app: Callable[[], AppTest], app_database: Engine) -> None:
    document = _with_untranslated_fields()
    document["schema"]["properties"]["area"] = {"type": "number", "title": "Area of the hole (cm²)"}
    document["schema"]["properties"]["cones"] = {"type": "integer", "title": "Traffic cones needed"}
    document["uiSchema"]["ui:order"][-2:-2] = ["area", "cones"]
    document["uiSchema"]["ui:pages"][0]["fields"] += ["area", "cones"]
    _publish(app_database, document)
    app = new_app()
    app.selectbox(key="language_selector").set_value("fr").run()
    open_page(app, "form", form="pothole-claims")

    def box(label: str):  # noqa: ANN202 - an AppTest element
        return next(n for n in app.number_input if n.label == label)

    def captions() -> list[str]:
        return [c.value.replace("\u202f", " ").replace("\xa0", " ") for c in app.caption]

    box("Area of the hole (cm²)").set_value(1234.5).run()
    assert "1 234,50" in captions()  # grouped digits and a decimal comma, as many digits as the box shows
    box("Area of the hole (cm²)").set_value(12.25).run()
    assert "12,25" in captions()
    box("Traffic cones needed").set_value(12).run()
    assert not [c for c in captions() if c.startswith("12") and c != "12,25"]  # small whole numbers need no echo
    box("Traffic cones needed").set_value(2500).run()
    assert "2 500" in captions()
    box("Cost of the damage").set_value(1234.5).run()
    assert "1 234,50 €" in captions()  # money keeps its own caption, with the currency
