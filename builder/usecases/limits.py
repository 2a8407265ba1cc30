"""Rate limits per client: submissions, tracking look-ups and file uploads.

A client is a keyed hash of its network address (``client_key``): the limit works without storing
anyone's IP address.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

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


def admit_submission(actor: Actor, uow: UnitOfWork, *, now: datetime | None = None) -> None:
    """Before a submission: signed-in residents are counted per account, anonymous ones per client."""
    if actor.username is not None:
        admit(SIGNED_IN_SUBMISSIONS, f"user:{actor.username}", uow, TOO_MANY_SUBMISSIONS, now=now)
    else:
        admit(ANONYMOUS_SUBMISSIONS, actor.client_key or "unknown-client", uow, TOO_MANY_SUBMISSIONS, now=now)


def admit_lookup(actor: Actor, uow: UnitOfWork, *, now: datetime | None = None) -> None:
    """Before a look-up by reference and access code: guessing is slowed per client."""
    admit(TRACKING_LOOKUPS, actor.client_key or f"user:{actor.username}", uow, TOO_MANY_LOOKUPS, now=now)


def admit_upload(actor: Actor, uow: UnitOfWork, *, now: datetime | None = None) -> None:
    """Before storing a chosen file: counted per account when signed in, else per client."""
    client = f"user:{actor.username}" if actor.username is not None else actor.client_key or "unknown-client"
    admit(FILE_UPLOADS, client, uow, TOO_MANY_UPLOADS, now=now)
