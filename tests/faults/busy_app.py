"""An app process that submits and decides in a loop until it is killed (tests/faults).

``python -m tests.faults.busy_app URL RUN`` prints one line per acknowledged write, flushed at once:
``S <key> <reference>`` after a submit returned, ``D <reference> <state>`` after a decision returned.
What was printed is what a person was told; the test kills this process with SIGKILL mid-loop and
compares the database with these lines. Started again with the same RUN it resubmits the same keys
first, as a resident's browser retrying after an error would.
"""

from __future__ import annotations

import sys

from builder.errors import InvalidTransition, StaleRequest
from builder.ports import Actor
from builder.usecases import requests, review
from builder.workflow import Action, Command
from storage.engine import make_engine
from storage.uow import SqlUnitOfWork
from tests.load.workload import GROUP, answers

REVIEWER = Actor("fault-reviewer", "Fault Reviewer", reviewer_groups=frozenset({GROUP}))
LIMIT = 100_000  # never reached: the test kills the process long before


def main(url: str, run: str) -> None:
    uow = SqlUnitOfWork(make_engine(url))
    print("READY", flush=True)
    for number in range(LIMIT):
        key = f"{run}-{number}"
        receipt = requests.submit("report-pothole", answers(0, number), Actor(None, "Resident"), uow, idempotency_key=key)
        print(f"S {key} {receipt.reference}", flush=True)
        if number % 2:
            decide(receipt.reference, uow)


def decide(reference: str, uow: SqlUnitOfWork) -> None:
    case = review.open_case(reference, REVIEWER, uow)
    if case.request.state != "in_review":
        return  # decided before a kill: a retry must not decide again
    try:
        state = review.act(reference, Command(Action.APPROVE, REVIEWER, text="fault test"), case.request.row_version, uow)
    except (StaleRequest, InvalidTransition):
        return
    print(f"D {reference} {state}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
