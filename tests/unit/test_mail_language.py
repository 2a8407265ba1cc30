"""Mail and validation messages in the resident's language, and the contact address kept at submit."""

from __future__ import annotations

import string
from datetime import UTC, datetime

import pytest

from builder import mail_templates, validation_messages
from builder.definition import parse_definition
from builder.errors import AnswersInvalid
from builder.ports import ANONYMOUS, UserRecord
from builder.usecases import forms, requests, review
from builder.validation import field_errors
from builder.workflow import Action, Command
from tests.conftest import template
from tests.fakes import FakeUnitOfWork
from tests.helpers import DESIGNER, RESIDENT, ROADS

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
POTHOLE = {"location": "Rue du Marché 12", "size": "medium", "email": "riley@example.org"}


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("tables", [mail_templates.TEMPLATES, validation_messages.MESSAGES], ids=["mail", "validation"])
def test_every_locale_has_every_text_with_the_same_placeholders(tables: dict[str, dict[str, str]]) -> None:
    english = tables["en"]
    assert set(tables) >= {"en", "fr"}
    for locale, texts in tables.items():
        assert set(texts) == set(english), locale
        assert {key: _placeholders(text) for key, text in texts.items()} == \
               {key: _placeholders(text) for key, text in english.items()}, locale
        assert all(text.strip() for text in texts.values()), locale


@pytest.fixture
def uow() -> FakeUnitOfWork:
    fake = FakeUnitOfWork(groups={"Road inspectors": ["roads"]}, departments={"public-works"})
    fake.directory.add_user(UserRecord("roads", "Robin Roads", "robin@city.example", "x"))
    fake.directory.add_user(UserRecord("resident", "Riley Resident", "riley.account@example.org", "x"))
    forms.create_form(template("report-pothole"), DESIGNER, fake, now=NOW)
    forms.publish("report-pothole", DESIGNER, fake, now=NOW)
    return fake


def _mail_to(uow: FakeUnitOfWork, recipient: str) -> list[tuple[str, str]]:
    return [(m.subject, m.body) for m in uow.outbox.messages.values() if m.recipient == recipient]


def test_the_submitters_address_is_stored_and_mail_goes_out_in_their_language(uow: FakeUnitOfWork) -> None:
    receipt = requests.submit("report-pothole", POTHOLE, ANONYMOUS, uow, idempotency_key="k", locale="fr", now=NOW)
    stored = uow.requests.get(receipt.reference)
    assert stored is not None and stored.contact_email == "riley@example.org" and stored.locale == "fr"
    [(subject, body)] = _mail_to(uow, "riley@example.org")
    assert subject == f"Nous avons bien reçu votre demande {receipt.reference}"
    assert "« Signaler un nid-de-poule »" in body  # the form's title from its French translation
    assert receipt.confirmation_text.startswith("Merci pour votre signalement.")
    # The reviewers' notice is in the form's own language.
    [(staff_subject, _)] = _mail_to(uow, "robin@city.example")
    assert staff_subject == f"New request {receipt.reference}"

    version = review.open_case(receipt.reference, ROADS, uow).request.row_version
    review.act(receipt.reference, Command(Action.APPROVE, ROADS), version, uow, now=NOW)
    outcome = [s for s, _ in _mail_to(uow, "riley@example.org") if "acceptée" in s]
    assert outcome == [f"Votre demande {receipt.reference} : acceptée"]


def test_english_mail_stays_english(uow: FakeUnitOfWork) -> None:
    receipt = requests.submit("report-pothole", POTHOLE, ANONYMOUS, uow, idempotency_key="k", now=NOW)
    [(subject, body)] = _mail_to(uow, "riley@example.org")
    assert subject == f"We received your request {receipt.reference}" and "“Report a pothole”" in body


def test_a_signed_in_resident_without_a_contact_answer_gets_mail_at_their_account(uow: FakeUnitOfWork) -> None:
    answers = {"location": "Market Street 12", "size": "small"}
    receipt = requests.submit("report-pothole", answers, RESIDENT, uow, idempotency_key="k", now=NOW)
    stored = uow.requests.get(receipt.reference)
    assert stored is not None and stored.contact_email is None
    assert len(_mail_to(uow, "riley.account@example.org")) == 1


def test_a_contact_answer_that_is_not_an_address_is_not_stored(uow: FakeUnitOfWork) -> None:
    answers = {"location": "Market Street 12", "size": "small", "email": "riley at example"}
    with pytest.raises(AnswersInvalid):  # the form's email format refuses it first
        requests.submit("report-pothole", answers, ANONYMOUS, uow, idempotency_key="k", now=NOW)
    definition = parse_definition(template("report-pothole"))
    assert requests.contact_email(definition, {"email": "riley at example"}) is None
    assert requests.contact_email(definition, {"email": " riley@example.org "}) == "riley@example.org"


def test_submit_refuses_in_the_residents_language(uow: FakeUnitOfWork) -> None:
    with pytest.raises(AnswersInvalid) as refused:
        requests.submit("report-pothole", {"location": "ab"}, ANONYMOUS, uow, idempotency_key="k", locale="fr", now=NOW)
    messages = {error.path: error.message for error in refused.value.errors}
    assert messages == {("location",): "Saisissez au moins 3 caractères.", ("size",): "Ce champ est obligatoire."}


def test_validation_messages_in_french_write_numbers_the_french_way() -> None:
    schema = {"type": "object", "required": ["name"], "properties": {
        "name": {"type": "string"}, "area": {"type": "number", "minimum": 2.5},
        "count": {"type": "integer"}, "when": {"type": "string", "format": "date"}}}
    found = {e.path: e.message for e in field_errors(schema, {"area": 1, "count": "x", "when": "14/03"}, "fr")}
    assert found == {("name",): "Ce champ est obligatoire.", ("area",): "Saisissez une valeur d’au moins 2,5.",
                     ("count",): "Saisissez un nombre entier.",
                     ("when",): "Saisissez une date au format 2026-03-14 (année-mois-jour)."}
    english = {e.path: e.message for e in field_errors(schema, {"area": 1}, "en")}
    assert english[("area",)] == "Enter a value of at least 2.5."
    # A locale without a table (or a regional variant) falls back sensibly.
    assert field_errors(schema, {}, "de")[0].message == "This field is required."
    assert field_errors(schema, {}, "fr-BE")[0].message == "Ce champ est obligatoire."


def test_the_designers_own_message_is_translated_through_the_form(uow: FakeUnitOfWork) -> None:
    document = template("report-pothole")
    document["slug"] = "report-pothole-custom"
    document["schema"]["properties"]["location"]["errorMessage"] = {"minLength": "Name the street, please."}
    pointer = "/schema/properties/location/errorMessage/minLength"
    document["translations"]["fr"][pointer] = "Indiquez la rue, s’il vous plaît."
    forms.create_form(document, DESIGNER, uow, now=NOW)
    forms.publish("report-pothole-custom", DESIGNER, uow, now=NOW)
    for locale, expected in (("fr", "Indiquez la rue, s’il vous plaît."), ("en", "Name the street, please.")):
        with pytest.raises(AnswersInvalid) as refused:
            requests.submit("report-pothole-custom", {**POTHOLE, "location": "ab"}, ANONYMOUS, uow,
                            idempotency_key=f"k-{locale}", locale=locale, now=NOW)
        assert [e.message for e in refused.value.errors] == [expected]


PUBLIC = "https://forms.city.example/"


def test_resident_mail_links_to_the_tracking_page_in_their_language_without_the_code(uow: FakeUnitOfWork) -> None:
    receipt = requests.submit("report-pothole", POTHOLE, ANONYMOUS, uow, idempotency_key="k", locale="fr", now=NOW,
                              public_url=PUBLIC)
    link = f"https://forms.city.example/track?ref={receipt.reference}&lang=fr"
    version = review.open_case(receipt.reference, ROADS, uow).request.row_version
    review.act(receipt.reference, Command(Action.RETURN, ROADS, text="Quel côté ?"), version, uow, now=NOW,
               public_url=PUBLIC)
    requests.resident_act(receipt.reference, receipt.access_code, Action.ANSWER, "Nord", version + 1, ANONYMOUS, uow,
                          now=NOW, public_url=PUBLIC)
    review.act(receipt.reference, Command(Action.APPROVE, ROADS), version + 2, uow, now=NOW, public_url=PUBLIC)
    mail = _mail_to(uow, "riley@example.org")
    assert [body.splitlines()[-1] for _, body in mail] == [
        f"Suivez votre demande ici : {link}", f"Répondez ici : {link}", f"Voir les détails ici : {link}"]
    assert receipt.access_code and all(receipt.access_code not in body for _, body in mail)
    assert all(PUBLIC not in body for _, body in _mail_to(uow, "robin@city.example"))  # staff: the inbox


def test_english_mail_links_in_english_and_withdrawal_is_linked_too(uow: FakeUnitOfWork) -> None:
    receipt = requests.submit("report-pothole", POTHOLE, ANONYMOUS, uow, idempotency_key="k", now=NOW,
                              public_url="https://forms.city.example")
    requests.resident_act(receipt.reference, receipt.access_code, Action.WITHDRAW, "", 1, ANONYMOUS, uow, now=NOW,
                          public_url="https://forms.city.example")
    link = f"https://forms.city.example/track?ref={receipt.reference}&lang=en"
    assert [body.splitlines()[-1] for _, body in _mail_to(uow, "riley@example.org")] == [
        f"Follow your request here: {link}", f"See the details here: {link}"]


@pytest.mark.parametrize("public_url", [None, "", "  "])
def test_without_the_apps_address_the_mail_reads_as_before(uow: FakeUnitOfWork, public_url: str | None) -> None:
    receipt = requests.submit("report-pothole", POTHOLE, ANONYMOUS, uow, idempotency_key="k", now=NOW,
                              public_url=public_url)
    [(_, body)] = _mail_to(uow, "riley@example.org")
    assert body == (f"Thank you. Your request “Report a pothole” has reference {receipt.reference}.\n"
                    "Keep your access code safe: you need it with the reference to follow your request.")
