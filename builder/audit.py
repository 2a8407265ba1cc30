"""The audit log's hash chain: each event's hash covers its content and the previous hash,
so changing or removing any stored event breaks every link after it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import fields

from builder.ports import AuditEvent, ChainedEvent

GENESIS_HASH = "0" * 64


def event_hash(seq: int, event: AuditEvent, prev_hash: str) -> str:
    # The event's fields are flat and immutable: a plain dict of them, not asdict()'s deep copy (which
    # cost a third of the hashing on every submit and decision); the JSON is the same.
    payload = {f.name: getattr(event, f.name) for f in fields(event)}
    payload["at"] = event.at.isoformat()
    canonical = json.dumps({"seq": seq, "prev": prev_hash, "event": payload}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def chain(seq: int, event: AuditEvent, prev_hash: str) -> ChainedEvent:
    return ChainedEvent(seq=seq, event=event, prev_hash=prev_hash, hash=event_hash(seq, event, prev_hash))


def first_broken_link(events: Iterable[ChainedEvent]) -> int | None:
    """The sequence number of the first event whose link does not hold, or None if all hold."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    for stored in events:
        if stored.seq != expected_seq or stored.prev_hash != expected_prev:
            return stored.seq
        if event_hash(stored.seq, stored.event, stored.prev_hash) != stored.hash:
            return stored.seq
        expected_prev = stored.hash
        expected_seq += 1
    return None
