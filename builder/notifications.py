"""Mail to residents and reviewers, composed as plain text and queued in the outbox.

A resident's mail is in the language they submitted in, from the templates of
``builder.mail_templates``, with the form's title from its translations; reviewers' mail is in the
form's default language. With the app's public address (FORMWORK_PUBLIC_URL), a resident's mail links
to the tracking page of their request, in their language; never with the access code.

Messages are queued in the same transaction as the change that causes them; the key makes the
outbox refuse a second copy for the same event and recipient.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from builder.definition import FormDefinition
from builder.mail_templates import compose
from builder.ports import OutboxMessage, RequestRecord, UnitOfWork

RESIDENT_MAIL = frozenset({"received", "question", "outcome"})


def resident_email(request: RequestRecord, uow: UnitOfWork) -> str | None:
    """The address the resident gave with this request, else their account's address."""
    if request.contact_email:
        return request.contact_email
    if request.submitted_by:
        user = uow.directory.user(request.submitted_by)
        if user and user.email:
            return user.email
    return None


def tracking_link(public_url: str | None, request: RequestRecord) -> str | None:
    """The tracking page of ``request`` in the resident's language, or None without a public address."""
    base = (public_url or "").strip().rstrip("/")
    if not base:
        return None
    return f"{base}/track?{urlencode({'ref': request.reference, 'lang': request.locale})}"


def queue(kinds: list[str], request: RequestRecord, definition: FormDefinition, uow: UnitOfWork,
          *, event_id: str, now: datetime, public_url: str | None = None) -> None:
    """Queue the messages that ``kinds`` (from the engine's effect) call for; ``public_url`` is the app's
    address for the link in a resident's mail (left out when None)."""
    messages = [OutboxMessage(f"{event_id}:{kind}:{recipient}", recipient, subject, body, now)
                for kind in kinds for recipient, subject, body in _compose(kind, request, definition, uow, public_url)]
    if messages:
        uow.outbox.enqueue_all(messages)  # one write for all of them


def _compose(kind: str, request: RequestRecord, definition: FormDefinition,
             uow: UnitOfWork, public_url: str | None = None) -> list[tuple[str, str, str]]:
    if kind == "new_work" and request.group:
        # Staff read mail in the form's own language, the one its workflow and step names are written in.
        subject, body = _texts(kind, definition, definition.settings.default_locale, request, group=request.group)
        return [(email, subject, body) for email in uow.directory.member_emails(request.group)]
    if kind not in RESIDENT_MAIL:
        return []
    email = resident_email(request, uow)
    if not email:
        return []
    subject, body = _texts(kind, definition, request.locale, request, link=tracking_link(public_url, request))
    return [(email, subject, body)]


def _texts(kind: str, definition: FormDefinition, locale: str, request: RequestRecord, *, link: str | None = None,
           **extra: str) -> tuple[str, str]:
    """Subject and body in ``locale``, naming the form by its title in that language."""
    return compose(kind, locale, link=link, reference=request.reference, title=form_title(definition, locale),
                   state=str(request.state), **extra)


def form_title(definition: FormDefinition, locale: str) -> str:
    """The form's title in ``locale`` — what ``localise`` makes of it — without copying the whole definition
    (this runs for every message queued)."""
    translated = (definition.translations.get(locale) or {}).get("/title")
    if definition.title.strip() and isinstance(translated, str) and translated.strip():
        return translated
    return definition.title
