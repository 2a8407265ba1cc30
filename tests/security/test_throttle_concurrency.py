"""The sign-in throttle under parallel attempts, on SQLite and PostgreSQL: every failure is counted, two
first failures for one username do not collide, and parallel guesses cannot all slip past the cooldown.

Each thread has its own unit of work (one session each, as each browser session has) and all start
together at a barrier, so their transactions really overlap.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from builder import throttling
from builder.errors import RateLimited
from builder.usecases.accounts import SignInRefused, sign_in
from storage.models import AuditRecord, LoginThrottle
from storage.uow import SqlUnitOfWork
from tests.helpers import seed_organisation

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def _in_parallel(count: int, attempt: Callable[[int], None]) -> Counter[str]:
    """Run ``attempt(i)`` on ``count`` threads released together; what each one raised, by class name."""
    barrier = threading.Barrier(count)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def run(i: int) -> None:
        barrier.wait()
        try:
            attempt(i)
            outcome = "signed in"
        except Exception as error:  # noqa: BLE001 - every outcome is counted and asserted below
            outcome = type(error).__name__
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def _failures(engine: Engine, username: str) -> int:
    with Session(engine) as session:
        row = session.get(LoginThrottle, username)
        return row.failures if row else 0


@pytest.mark.parametrize("username", ["roads", "ghost"])  # a known account and a username nobody has
def test_parallel_failures_below_the_cooldown_are_each_counted(engine: Engine, username: str) -> None:
    seed_organisation(engine)
    parallel = throttling.FREE_FAILURES - 1
    outcomes = _in_parallel(parallel, lambda i: sign_in(username, f"wrong guess {i}", SqlUnitOfWork(engine), now=T0))
    assert outcomes == Counter({"SignInRefused": parallel})  # no IntegrityError from two first failures
    assert _failures(engine, username) == parallel
    # One more failure reaches the threshold, the next attempt waits, even with the right password.
    with pytest.raises(SignInRefused):
        sign_in(username, "one more wrong guess", SqlUnitOfWork(engine), now=T0)
    with pytest.raises(RateLimited):
        sign_in(username, f"{username}-test-passphrase", SqlUnitOfWork(engine), now=T0)


def test_parallel_guesses_cannot_all_pass_the_cooldown_check(engine: Engine) -> None:
    seed_organisation(engine)
    guesses = 12
    outcomes = _in_parallel(guesses, lambda i: sign_in("roads", f"guess {i}", SqlUnitOfWork(engine), now=T0))
    # Exactly FREE_FAILURES guesses reached the password check; the rest were refused by the cooldown.
    assert outcomes == Counter({"SignInRefused": throttling.FREE_FAILURES,
                                "RateLimited": guesses - throttling.FREE_FAILURES})
    assert _failures(engine, "roads") == throttling.FREE_FAILURES
    with Session(engine) as session:
        cooldowns = session.exec(select(AuditRecord).where(AuditRecord.action == "sign_in_cooldown")).all()
    assert len(cooldowns) == 1


def test_the_right_password_among_parallel_wrong_ones_still_signs_in(engine: Engine) -> None:
    seed_organisation(engine)
    outcomes = _in_parallel(4, lambda i: sign_in("roads", "roads-test-passphrase" if i == 0 else f"wrong {i}",
                                                 SqlUnitOfWork(engine), now=T0))
    assert outcomes == Counter({"signed in": 1, "SignInRefused": 3})
