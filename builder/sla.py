"""Due dates in working days: weekends and the city's holidays do not count."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta


def add_working_days(start: date, days: int, holidays: Collection[date] = ()) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself does not count)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in holidays:
            remaining -= 1
    return current


def is_overdue(due_on: date | None, today: date) -> bool:
    """Overdue means the due day has passed without a decision."""
    return due_on is not None and today > due_on
