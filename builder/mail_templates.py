"""The mail Formwork sends, per locale: subject and body templates as plain data.

A resident gets mail in the language they submitted in (``RequestRecord.locale``); reviewers get it in
the form's default language. Every locale has every key (a unit test checks it); a locale without
templates uses English. Placeholders: ``{reference}``, ``{title}`` (the form's title in the same
language), ``{group}`` and ``{state}`` (a state name from the ``state.*`` keys).

A resident's mail ends with the ``<kind>.link`` line, ``{link}`` being the tracking page of their request
(FORMWORK_PUBLIC_URL), when the address of the app is known; without it the mail reads as before. The
link never carries the access code: whoever reads the mail still needs the code to see the request.
"""

from __future__ import annotations

FALLBACK = "en"

TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "received.subject": "We received your request {reference}",
        "received.body": "Thank you. Your request “{title}” has reference {reference}.\n"
                         "Keep your access code safe: you need it with the reference to follow your request.",
        "received.link": "Follow your request here: {link}",
        "question.subject": "More information needed for {reference}",
        "question.body": "A reviewer has a question about your request {reference}.\n"
                         "Open the tracking page with your reference and access code to answer it.",
        "question.link": "Answer it here: {link}",
        "outcome.subject": "Your request {reference}: {state_lower}",
        "outcome.body": "Your request “{title}” ({reference}) is now: {state}.\n"
                        "Open the tracking page for details.",
        "outcome.link": "See the details here: {link}",
        "new_work.subject": "New request {reference}",
        "new_work.body": "A request is waiting for your group {group}: {reference} ({title}).\n"
                         "Open your Formwork inbox to handle it.",
        "state.submitted": "Received",
        "state.in_review": "Being reviewed",
        "state.needs_info": "More information needed from you",
        "state.approved": "Approved",
        "state.rejected": "Rejected",
        "state.withdrawn": "Withdrawn by you",
    },
    "fr": {
        "received.subject": "Nous avons bien reçu votre demande {reference}",
        "received.body": "Merci. Votre demande « {title} » a pour référence {reference}.\n"
                         "Conservez votre code d’accès : il vous faut avec la référence pour suivre votre demande.",
        "received.link": "Suivez votre demande ici : {link}",
        "question.subject": "Informations complémentaires demandées pour {reference}",
        "question.body": "Un agent a une question sur votre demande {reference}.\n"
                         "Ouvrez la page de suivi avec votre référence et votre code d’accès pour y répondre.",
        "question.link": "Répondez ici : {link}",
        "outcome.subject": "Votre demande {reference} : {state_lower}",
        "outcome.body": "Votre demande « {title} » ({reference}) est maintenant : {state}.\n"
                        "Ouvrez la page de suivi pour plus de détails.",
        "outcome.link": "Voir les détails ici : {link}",
        "new_work.subject": "Nouvelle demande {reference}",
        "new_work.body": "Une demande attend votre groupe {group} : {reference} ({title}).\n"
                         "Ouvrez votre boîte de réception Formwork pour la traiter.",
        "state.submitted": "Reçue",
        "state.in_review": "En cours d’examen",
        "state.needs_info": "Informations complémentaires demandées",
        "state.approved": "Acceptée",
        "state.rejected": "Refusée",
        "state.withdrawn": "Retirée par vous",
    },
}


def resolve(locale: str) -> str:
    """The templates to use for ``locale``: itself, its language ("fr-BE" → "fr"), or English."""
    for candidate in (locale, locale.split("-")[0]):
        if candidate in TEMPLATES:
            return candidate
    return FALLBACK


def compose(kind: str, locale: str, *, link: str | None = None, **values: str) -> tuple[str, str]:
    """Subject and body of the mail ``kind`` ("received", "question", "outcome", "new_work") in ``locale``;
    with ``link``, the body ends with the kind's link line (kinds without one are left as they are)."""
    texts = TEMPLATES[resolve(locale)]
    state = texts.get(f"state.{values.get('state', '')}", values.get("state", ""))
    filled = {**values, "state": state, "state_lower": state[:1].lower() + state[1:]}
    body = texts[f"{kind}.body"].format(**filled)
    if link and f"{kind}.link" in texts:
        body += "\n" + texts[f"{kind}.link"].format(link=link)
    return texts[f"{kind}.subject"].format(**filled), body


def kinds() -> set[str]:
    """The kinds of mail there are templates for."""
    return {key.split(".")[0] for key in TEMPLATES[FALLBACK] if not key.startswith("state.")}
