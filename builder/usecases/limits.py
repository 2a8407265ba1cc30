"""Rate limits per client: submissions, tracking look-ups and file uploads.

A client is a keyed hash of its network address (``client_key``): the limit works without storing
anyone's IP address.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from builder.errors import RateLimited
from builder.ports import Actor, UnitOfWork
from builder.throttling import (ANONYMOUS_SUBMISSIONS, FILE_UPLOADS, SIGNED_IN_SUBMISSIONS,
                                TRACKING_LOOKUPS, RateRule)

TOO_MANY_SUBMISSIONS = ("Too many requests were sent from your connection in the last hour. "
                        "Please wait a while and submit again; your answers are kept.")
TOO_MANY_LOOKUPS = "Too many look-ups from your connection. Please wait ten minutes and try again."
TOO_MANY_UPLOADS = ("Too many files were sent from your connection in the last hour, so this file was not kept. "
                    "Please wait a while, then choose it again; your other answers are kept.")


def client_key(address: str, secret: str) -> str:
    """A stable pseudonym for a network address (HMAC-SHA-256 with the app's secret, 32 hex digits)."""
    return hmac.new(secret.encode(), address.strip().encode(), hashlib.sha256).hexdigest()[:32]


def admit(rule: RateRule, client: str, uow: UnitOfWork, message: str, *, now: datetime | None = None) -> None:
    """Count one event for the client; raise ``RateLimited`` past the rule's limit."""
    at = now or datetime.now(UTC)
    with uow:
        count = uow.directory.count_hit(client, rule.window(at))
        uow.commit()
    if count > rule.limit:
        raise RateLimited(message)


def _submission_client(actor: Actor) -> tuple[RateRule, str]:
    """Signed-in residents are counted per account, anonymous ones per client."""
    if actor.username is not None:
        return SIGNED_IN_SUBMISSIONS, f"user:{actor.username}"
    return ANONYMOUS_SUBMISSIONS, actor.client_key or "unknown-client"


def admit_submission(actor: Actor, uow: UnitOfWork, *, idempotency_key: str | None = None,
                     now: datetime | None = None) -> None:
    """Before a submission is written: raise ``RateLimited`` once the client has reached the limit.

    Only requests that were stored count (``count_submission``, after ``submit``): answers refused by
    validation, and a repeat of an already stored idempotency key (a double click, a retry), use up
    nothing — so residents sharing a kiosk or an address are not refused for each other's typing
    mistakes. A repeat of a stored key is always let through: it stores nothing new and gives back the
    first receipt.
    """
    rule, client = _submission_client(actor)
    at = now or datetime.now(UTC)
    with uow:  # read-only in effect: never committed, so the count taken here is rolled back
        if idempotency_key is not None and uow.requests.by_idempotency_key(idempotency_key) is not None:
            return
        stored = uow.directory.count_hit(client, rule.window(at)) - 1
    if stored >= rule.limit:
        raise RateLimited(TOO_MANY_SUBMISSIONS)


def submission_wait(actor: Actor, *, now: datetime | None = None) -> timedelta:
    """How long a refused client waits until it may submit again (its window's end)."""
    rule, _client = _submission_client(actor)
    return rule.time_left(now or datetime.now(UTC))


def count_submission(actor: Actor, uow: UnitOfWork, *, now: datetime | None = None) -> None:
    """After ``submit`` stored a new request (not a repeat of its idempotency key): count it."""
    rule, client = _submission_client(actor)
    with uow:
        uow.directory.count_hit(client, rule.window(now or datetime.now(UTC)))
        uow.commit()


def admit_lookup(actor: Actor, uow: UnitOfWork, *, now: datetime | None = None) -> None:
    """Before a look-up by reference and access code: guessing is slowed per client."""
    admit(TRACKING_LOOKUPS, actor.client_key or f"user:{actor.username}", uow, TOO_MANY_LOOKUPS, now=now)


def admit_upload(actor: Actor, uow: UnitOfWork, *, now: datetime | None = None) -> None:
    """Before storing a chosen file: counted per account when signed in, else per client."""
    client = f"user:{actor.username}" if actor.username is not None else actor.client_key or "unknown-client"
    admit(FILE_UPLOADS, client, uow, TOO_MANY_UPLOADS, now=now)


TOO_MANY_REGISTRATIONS = ("Too many attempts to create an account from your connection in the last hour. "
                          "Please wait a while and try again.")


def admit_registration(actor: Actor, uow: UnitOfWork, *, now: datetime | None = None) -> None:
    """Before creating a resident account: counted per client (there is no account yet)."""
    from builder.throttling import REGISTRATIONS  # appended with the registration limit

    admit(REGISTRATIONS, actor.client_key or "unknown-client", uow, TOO_MANY_REGISTRATIONS, now=now)
