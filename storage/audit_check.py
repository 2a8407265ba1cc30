"""Verify the audit log's hash chain over the whole table."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from builder.audit import first_broken_link
from builder.ports import ChainedEvent
from storage.models import AuditRecord
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
    return counted, broken
