"""French mail through the real outbox and a real SMTP server, on SQLite and PostgreSQL: the address and
language the resident gave are stored with the request, and the accents survive the trip."""

from __future__ import annotations

from email import message_from_bytes
from email.message import Message
from email.policy import default

from sqlalchemy import Engine

from builder.ports import ANONYMOUS
from builder.usecases import requests, review
from builder.workflow import Action, Command
from storage import outbox
from storage.settings import Settings
from storage.uow import SqlUnitOfWork
from tests.helpers import ROADS
from tests.integration.test_outbox_mail import Inbox, smtp  # noqa: F401 (the SMTP server fixture)

ANSWERS = {"location": "Rue du Marché 12", "size": "small", "email": "camille@example.org"}


def _read(message: Message) -> tuple[str, str]:
    """Subject and body as the resident's mail program shows them (encoded words and charsets decoded)."""
    parsed = message_from_bytes(message.as_bytes(), policy=default)
    return str(parsed["Subject"]), parsed.get_content()


def test_a_french_resident_gets_french_mail(seeded: SqlUnitOfWork, engine: Engine,
                                            smtp: tuple[Inbox, Settings]) -> None:  # noqa: F811
    server, settings = smtp
    receipt = requests.submit("report-pothole", ANSWERS, ANONYMOUS, seeded, idempotency_key="fr", locale="fr")
    stored = review.open_case(receipt.reference, ROADS, seeded).request
    assert (stored.contact_email, stored.locale) == ("camille@example.org", "fr")
    review.act(receipt.reference, Command(Action.REJECT, ROADS, text="Déjà réparé."), stored.row_version, seeded)
    outbox.send_due(engine, outbox.sender_for(settings), settings.mail_from)

    mail = sorted(_read(m) for m in server.messages if m["To"] == "camille@example.org")
    assert [subject for subject, _ in mail] == [f"Nous avons bien reçu votre demande {receipt.reference}",
                                                f"Votre demande {receipt.reference} : refusée"]
    assert "« Signaler un nid-de-poule »" in mail[0][1] and "est maintenant : Refusée." in mail[1][1]
