"""Many residents and reviewers at once, through the real use cases (no browser).

Submitters submit pothole reports, each one twice at the same moment with the same idempotency key
(a double click reaching two app threads or replicas). Reviewers read their inbox and all race for
the newest requests, deciding with the version they saw, as the case page does. Every outcome is
recorded so the tests can check that nothing was lost, nothing was applied twice, and that no
driver error (SQLite's "database is locked" above all) reached a person.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, text

from builder.errors import InvalidTransition, StaleRequest
from builder.ports import Actor, InboxQuery
from builder.usecases import forms, requests, review
from builder.workflow import Action, Command
from storage.audit_check import verify_audit
from storage.engine import make_engine
from storage.uow import SqlUnitOfWork
from tests.conftest import template
from tests.helpers import DESIGNER, seed_organisation

GROUP = "Road inspectors"
FORM = "report-pothole"
FINAL_STATE = {"approve": "approved", "reject": "rejected"}
TIME_LIMIT_S = 120.0  # a hung worker fails the test instead of hanging the suite (generous: CI machines vary)
RACE_WIDTH = 5  # reviewers pick among the newest few, so pairs of them race for the same request


def answers(submitter: int, number: int) -> dict[str, object]:
    return {"location": f"Load Street {submitter}-{number}", "size": "medium", "email": f"r{submitter}@example.org"}


def prepare(engine: Engine) -> None:
    """The organisation and the published pothole form that every worker uses."""
    uow = seed_organisation(engine)
    forms.create_form(template(FORM), DESIGNER, uow)
    forms.publish(FORM, DESIGNER, uow)


@dataclass
class Outcome:
    """What the workers saw; plain data so it can come back from another process."""

    receipts: dict[str, str] = field(default_factory=dict)  # idempotency key -> reference
    submit_calls: int = 0
    decisions: list[tuple[str, str, str]] = field(default_factory=list)  # (reference, reviewer, outcome)
    refused: int = 0  # StaleRequest / InvalidTransition: the loser of a race, shown as a message
    unexpected: list[str] = field(default_factory=list)  # anything else: a person would see a crash
    seconds: float = 0.0

    def merge(self, other: Outcome) -> None:
        for key, reference in other.receipts.items():
            if self.receipts.setdefault(key, reference) != reference:
                self.unexpected.append(f"key {key} got two references: {self.receipts[key]} and {reference}")
        self.submit_calls += other.submit_calls
        self.decisions += other.decisions
        self.refused += other.refused
        self.unexpected += other.unexpected
        self.seconds = max(self.seconds, other.seconds)


class _Run:
    def __init__(self, engine: Engine, name: str, replica: str) -> None:
        self.engine = engine
        self.name = name
        self.replica = replica
        self.lock = threading.Lock()
        self.outcome = Outcome()
        self.submitting = 0
        self.deadline = time.monotonic() + TIME_LIMIT_S

    def guarded(self, work: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                work()
            except Exception:  # recorded, then asserted empty by the test
                with self.lock:
                    self.outcome.unexpected.append(traceback.format_exc(limit=4))
        return run

    def submit_twice(self, submitter: int, number: int) -> None:
        key = f"{self.name}-s{submitter}-n{number}"
        resident = Actor(None, f"Resident {submitter}")
        results: list[str] = []

        def once() -> None:
            receipt = requests.submit(FORM, answers(submitter, number), resident, SqlUnitOfWork(self.engine),
                                      idempotency_key=key)
            with self.lock:
                results.append(receipt.reference)
                self.outcome.submit_calls += 1

        twin = threading.Thread(target=self.guarded(once))
        twin.start()
        self.guarded(once)()
        twin.join()
        with self.lock:
            if len(set(results)) > 1:
                self.outcome.unexpected.append(f"double submit {key} stored twice: {results}")
            if results:
                self.outcome.receipts[key] = results[0]

    def submitter(self, index: int, count: int) -> None:
        try:
            for number in range(count):
                if time.monotonic() > self.deadline:
                    raise TimeoutError("submitter ran out of time")
                self.submit_twice(index, number)
        finally:
            with self.lock:
                self.submitting -= 1

    def reviewer(self, index: int) -> None:
        actor = Actor(f"{self.replica}-rev{index}", f"Reviewer {index}", reviewer_groups=frozenset({GROUP}))
        uow = SqlUnitOfWork(self.engine)
        while time.monotonic() < self.deadline:
            with self.lock:
                # Read before the inbox: if every submit had returned by then, the inbox shows them all.
                submitted_all = self.submitting == 0
            page = review.inbox(actor, uow, InboxQuery(groups=frozenset({GROUP}), limit=RACE_WIDTH))
            if not page.rows:
                if submitted_all:
                    return
                time.sleep(0.01)
                continue
            row = page.rows[index % len(page.rows)]  # reviewers i and i + RACE_WIDTH collide: the races are the point
            self.decide(actor, uow, row.reference, row.row_version, index)
        raise TimeoutError("reviewer ran out of time")

    def decide(self, actor: Actor, uow: SqlUnitOfWork, reference: str, seen: int, index: int) -> None:
        outcome = Action.APPROVE if index % 2 == 0 else Action.REJECT
        try:
            review.act(reference, Command(outcome, actor, text="load test"), seen, uow)
        except (StaleRequest, InvalidTransition):
            with self.lock:
                self.outcome.refused += 1
            return
        with self.lock:
            self.outcome.decisions.append((reference, actor.username or "", outcome.value))


def run_workload(engine: Engine, *, name: str, submitters: int, per_submitter: int, reviewers: int,
                 replica: str = "app") -> Outcome:
    """Start everyone at once, wait for all; returns what they saw. Submitters' idempotency keys
    derive from ``name`` (replicas given the same name submit the same keys); reviewers' names from ``replica``."""
    run = _Run(engine, name, replica)
    run.submitting = submitters
    workers = [threading.Thread(target=run.guarded(lambda i=i: run.submitter(i, per_submitter)))
               for i in range(submitters)]
    workers += [threading.Thread(target=run.guarded(lambda i=i: run.reviewer(i))) for i in range(reviewers)]
    started = time.monotonic()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(TIME_LIMIT_S + 5)
    run.outcome.seconds = time.monotonic() - started
    if any(worker.is_alive() for worker in workers):
        run.outcome.unexpected.append("a worker thread did not finish in time")
    return run.outcome


def run_replica(url: str, name: str, replica: str, submitters: int, per_submitter: int, reviewers: int) -> Outcome:
    """One app replica in its own process: its own engine and pool on the shared database."""
    engine = make_engine(url)
    try:
        return run_workload(engine, name=name, submitters=submitters, per_submitter=per_submitter,
                            reviewers=reviewers, replica=replica)
    finally:
        engine.dispose()


def stored_problems(engine: Engine, outcome: Outcome, *, every_write_acknowledged: bool = True) -> list[str]:
    """Everything in the database that contradicts itself or what the workers were told.

    With ``every_write_acknowledged=False`` (a process was killed) the database may also hold writes
    that committed just before the kill and were never acknowledged; acknowledged ones must all be there.
    """
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT reference, idempotency_key, state FROM submission")).all()
        decided = dict(connection.execute(text(
            "SELECT s.reference, COUNT(*) FROM decision d JOIN submission s ON s.id = d.submission_id "
            "GROUP BY s.reference")).all())
        decision_events = dict(connection.execute(text(
            "SELECT reference, COUNT(*) FROM audit_event WHERE action IN ('approve', 'reject') "
            "GROUP BY reference")).all())
        problems = _completeness(connection)
    stored = {key: reference for reference, key, _state in rows}
    states = {reference: state for reference, _key, state in rows}
    numbers = sorted(int(reference.rsplit("-", 1)[1]) for reference in states)
    if numbers != list(range(1, len(numbers) + 1)):
        problems.append(f"reference numbers have gaps or repeats: {numbers[:5]}…{numbers[-5:]}")
    lost = [key for key, reference in outcome.receipts.items() if stored.get(key) != reference]
    if lost or (every_write_acknowledged and set(stored) != set(outcome.receipts)):
        problems.append(f"stored requests differ from receipts ({len(lost)} receipts without their request)")
    if any(count > 1 for count in decided.values()):
        problems.append(f"decided more than once: {[r for r, count in decided.items() if count > 1][:5]}")
    told = {reference for reference, _reviewer, _outcome in outcome.decisions}
    if not told <= set(decided) or (every_write_acknowledged and told != set(decided)):
        problems.append("stored decisions differ from the decisions reviewers were told succeeded")
    wrong = [r for r, _who, result in outcome.decisions if states.get(r) != FINAL_STATE[result]]
    half = [r for r, state in states.items()
            if (state in FINAL_STATE.values()) != (decided.get(r) == 1 == decision_events.get(r))]
    if wrong or half:
        problems.append(f"state, decision row and audit event disagree: {(wrong + half)[:5]}")
    counted, broken = verify_audit(engine)
    if broken is not None:
        problems.append(f"audit chain broken at event {broken} of {counted}")
    return problems


def _completeness(connection: Connection) -> list[str]:
    """Every stored request has its submit event and its acknowledgement mail; no stray events."""
    problems = []
    missing_event = connection.execute(text(
        "SELECT COUNT(*) FROM submission s WHERE NOT EXISTS (SELECT 1 FROM audit_event a "
        "WHERE a.reference = s.reference AND a.action = 'submit')")).scalar_one()
    missing_mail = connection.execute(text(
        "SELECT COUNT(*) FROM submission s WHERE NOT EXISTS (SELECT 1 FROM outbox o "
        "WHERE o.key LIKE s.reference || ':submit:received:%')")).scalar_one()
    orphan_events = connection.execute(text(
        "SELECT COUNT(*) FROM audit_event a WHERE a.reference IS NOT NULL AND a.reference <> '' "
        "AND NOT EXISTS (SELECT 1 FROM submission s WHERE s.reference = a.reference)")).scalar_one()
    if missing_event:
        problems.append(f"{missing_event} requests without their submit event")
    if missing_mail:
        problems.append(f"{missing_mail} requests without their acknowledgement in the outbox")
    if orphan_events:
        problems.append(f"{orphan_events} audit events for requests that were never stored")
    return problems
