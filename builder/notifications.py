"""Mail to residents and reviewers, composed as plain text and queued in the outbox.

Messages are queued in the same transaction as the change that causes them; the key makes the
outbox refuse a second copy for the same event and recipient.
"""

from __future__ import annotations

from datetime import datetime

from builder.definition import FormDefinition
from builder.ports import OutboxMessage, RequestRecord, UnitOfWork
from builder.workflow import STATE_LABELS, State


def resident_email(request: RequestRecord, definition: FormDefinition, uow: UnitOfWork) -> str | None:
    if request.submitted_by:
        user = uow.directory.user(request.submitted_by)
        if user and user.email:
            return user.email
    field_name = definition.settings.contact_email_field
    value = request.answers.get(field_name) if field_name else None
    return value if isinstance(value, str) and "@" in value else None


def queue(kinds: list[str], request: RequestRecord, definition: FormDefinition, uow: UnitOfWork,
          *, event_id: str, now: datetime) -> None:
    """Queue the messages that ``kinds`` (from the engine's effect) call for."""
    for kind in kinds:
        for recipient, subject, body in _compose(kind, request, definition, uow):
            uow.outbox.enqueue(OutboxMessage(f"{event_id}:{kind}:{recipient}", recipient, subject, body, now))


def _compose(kind: str, request: RequestRecord, definition: FormDefinition,
             uow: UnitOfWork) -> list[tuple[str, str, str]]:
    title = definition.title
    if kind == "new_work" and request.group:
        recipients = [uow.directory.user(name) for name in uow.directory.group_members(request.group)]
        body = (f"A request is waiting for your group {request.group}: {request.reference} ({title}).\n"
                "Open your Formwork inbox to handle it.")
        return [(user.email, f"New request {request.reference}", body) for user in recipients if user and user.email]
    email = resident_email(request, definition, uow)
    if not email:
        return []
    subjects = {
        "received": (f"We received your request {request.reference}",
                     f"Thank you. Your request “{title}” has reference {request.reference}.\n"
                     "Keep your access code safe: you need it with the reference to follow your request."),
        "question": (f"More information needed for {request.reference}",
                     f"A reviewer has a question about your request {request.reference}.\n"
                     "Open the tracking page with your reference and access code to answer it."),
        "outcome": (f"Your request {request.reference}: {STATE_LABELS[State(request.state)].lower()}",
                    f"Your request “{title}” ({request.reference}) is now: {STATE_LABELS[State(request.state)]}.\n"
                    "Open the tracking page for details."),
    }
    if kind not in subjects:
        return []
    subject, body = subjects[kind]
    return [(email, subject, body)]
