"""The dashboard's figures, kept current in the background.

A dashboard view folds the audit events that arrived since the last fold into the stored facts
before it aggregates them (``builder.usecases.insights.dashboard``). Left to the views alone, the
first view after an upgrade would pay the fold of the whole log (minutes at a million requests) and
each later view the events of the hours since the one before. So each app process also runs one
daemon thread (``start_in_app``, from app.py through ``st.cache_resource``) that folds what is new
every ``FORMWORK_FIGURES_REFRESH_SECONDS`` seconds (default 60; 0 turns it off): a view then finds
at most a minute of events to fold.

The thread folds in small batches, each its own short write transaction, so that on SQLite a
resident's submission never waits long behind it while a large log is caught up. Several replicas
may all run it: the fold's watermark row is locked per batch, so two folds never store the same
events twice (``storage.repositories.InsightRepository.stale_references``).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Collection, Mapping
from datetime import date

from sqlalchemy import Engine

from builder.usecases.insights import refresh_figures
from storage.uow import SqlUnitOfWork

log = logging.getLogger("formwork.figures")
DEFAULT_INTERVAL_SECONDS = 60.0
FIRST_RUN_AFTER_SECONDS = 5.0
# Events per write transaction in the background: about 0.1 s of SQLite's write lock each (a view's
# own fold uses larger batches: somebody is waiting for it anyway).
BACKGROUND_BATCH = 2_000
SETTING = "FORMWORK_FIGURES_REFRESH_SECONDS"


def interval_seconds(environ: Mapping[str, str] | None = None) -> float:
    """How often the thread folds, from the environment; a value that is not a number names the setting."""
    value = (os.environ if environ is None else environ).get(SETTING, "").strip()
    if not value:
        return DEFAULT_INTERVAL_SECONDS
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"{SETTING} must be a number of seconds (0 turns the thread off), not {value!r}") from None


class FiguresThread(threading.Thread):
    """Folds new audit events into the dashboard's facts every few seconds, until stopped."""

    def __init__(self, engine: Engine, holidays: Collection[date], every_seconds: float,
                 first_after_seconds: float = FIRST_RUN_AFTER_SECONDS) -> None:
        super().__init__(name="formwork-figures", daemon=True)
        self.engine, self.holidays = engine, tuple(holidays)
        self.every_seconds, self.first_after_seconds = every_seconds, first_after_seconds
        self.stopped = threading.Event()
        self.folded = 0  # requests whose facts this thread has (re)stored, for the log and the tests

    def run(self) -> None:
        wait = self.first_after_seconds
        while not self.stopped.wait(wait):
            self.fold_once()
            wait = self.every_seconds

    def fold_once(self) -> int:
        """One pass over what is new; never raises (the next pass tries again)."""
        try:
            updated = refresh_figures(SqlUnitOfWork(self.engine), self.holidays, batch=BACKGROUND_BATCH)
        except Exception:  # a database restart or a busy lock must not end the loop
            log.exception("Folding new events into the dashboard figures failed; it will be tried again.")
            return 0
        if updated:
            log.info("Dashboard figures: %d request(s) brought up to date.", updated)
        self.folded += updated
        return updated

    def stop(self) -> None:
        self.stopped.set()


def start_in_app(engine: Engine, holidays: Collection[date], *, every_seconds: float | None = None,
                 first_after_seconds: float = FIRST_RUN_AFTER_SECONDS) -> FiguresThread | None:
    """Start the fold thread (None when switched off)."""
    seconds = interval_seconds() if every_seconds is None else every_seconds
    if seconds <= 0:
        return None
    thread = FiguresThread(engine, holidays, seconds, first_after_seconds)
    thread.start()
    return thread
