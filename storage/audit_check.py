"""Verify the audit log's hash chain over the whole table."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from builder.audit import first_broken_link
from builder.ports import ChainedEvent
from storage.models import AuditHead, AuditRecord
from storage.repositories import chained_from_row

BATCH = 5_000


def _events(session: Session) -> Iterator[ChainedEvent]:
    last = 0
    while True:
        rows = session.exec(select(AuditRecord).where(AuditRecord.seq > last).order_by(col(AuditRecord.seq))
                            .limit(BATCH)).all()
        if not rows:
            return
        for row in rows:
            yield chained_from_row(row)
        last = rows[-1].seq


def verify_audit(engine: Engine) -> tuple[int, int | None]:
    """(number of events checked, sequence number of the first broken link or None)."""
    counted = 0

    def counting(events: Iterator[ChainedEvent]) -> Iterator[ChainedEvent]:
        nonlocal counted
        for event in events:
            counted += 1
            yield event

    with Session(engine) as session:
        broken = first_broken_link(counting(_events(session)))
        head = session.get(AuditHead, 1)
    if broken is None and head is not None and head.seq != counted:
        broken = counted + 1  # events cut off the end: the chain's head names more than are stored
    return counted, broken


def describe_link(engine: Engine, seq: int) -> str:
    """A readable name for one link of the chain, for the verify-audit report."""
    with Session(engine) as session:
        row = session.get(AuditRecord, seq)
    if row is None:
        return f"event {seq} (missing)"
    where = f" on {row.reference}" if row.reference else ""
    return f"event {seq}: {row.action}{where} by {row.actor} at {row.at:%Y-%m-%d %H:%M:%S} UTC"
