"""Pure policies: passwords, rate limits per client, and the client pseudonym."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from builder.errors import RateLimited
from builder.passwords import hash_password, password_problem, temporary_password, verify_password
from builder.ports import Actor
from builder.throttling import ANONYMOUS_SUBMISSIONS, FILE_UPLOADS
from builder.usecases.limits import (admit_lookup, admit_submission, admit_upload, client_key, count_submission,
                                     submission_wait)
from tests.fakes import FakeUnitOfWork

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("password", ["four unrelated words", "correct horse battery staple", "Tr0ub4dor&3",
                                      "ĉu vi parolas Esperanton?", "long " * 25])
def test_passphrases_of_any_kind_and_length_up_to_128_are_welcome(password: str) -> None:
    assert password_problem(password, username="riley") is None
    assert verify_password(password, hash_password(password, rounds=4))


def test_long_passphrases_count_in_full_despite_bcrypts_72_byte_limit() -> None:
    stored = hash_password("a" * 72 + " and the end matters", rounds=4)
    assert not verify_password("a" * 72 + " but this one differs", stored)


@pytest.mark.parametrize("password,why", [
    ("short", "at least 8"), ("password", "most common"), ("Password123!", "most common"),
    ("qwertyuiop", "most common"), ("Summer2026", "most common"), ("aaaaaaaaaa", "repeats"),
    ("riley-at-home", "username"), ("x" * 129, "at most 128"),
])
def test_short_common_and_personal_passwords_are_refused_with_a_reason(password: str, why: str) -> None:
    assert why in (password_problem(password, username="riley") or "")


@pytest.mark.parametrize("password", ["hello123", "asdfasdf", "passwordpassword", "charlie123", "michelle",
                                      "jessica1", "killer123", "1qaz2wsx3edc", "trustno1trustno1", "Dragon2026!"])
def test_the_top_breached_passwords_names_and_doubled_common_words_are_refused(password: str) -> None:
    assert "most common" in (password_problem(password) or "")


def test_the_common_password_list_covers_at_least_the_top_3000_and_names_its_source() -> None:
    from builder.passwords import _COMMON_FILE, COMMON_PASSWORDS

    header = [line for line in _COMMON_FILE.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    assert len(COMMON_PASSWORDS) >= 3000 and any("zxcvbn" in line and "MIT" in line for line in header)
    assert password_problem("riverbankriverbank") is None  # a word typed twice is refused only if common


def test_temporary_passwords_are_random_and_acceptable() -> None:
    generated = {temporary_password() for _ in range(50)}
    assert len(generated) == 50 and all(password_problem(p) is None for p in generated)


def _stored_submission(actor: Actor, uow: FakeUnitOfWork) -> None:
    admit_submission(actor, uow, now=T0)
    count_submission(actor, uow, now=T0)


def test_anonymous_submissions_are_limited_per_client_and_window() -> None:
    uow = FakeUnitOfWork()
    me, neighbour = Actor(client_key=client_key("203.0.113.7", "k")), Actor(client_key=client_key("203.0.113.8", "k"))
    for _ in range(ANONYMOUS_SUBMISSIONS.limit):
        _stored_submission(me, uow)
    with pytest.raises(RateLimited, match="answers are kept"):
        admit_submission(me, uow, now=T0)
    admit_submission(neighbour, uow, now=T0)  # another client is not affected
    admit_submission(me, uow, now=T0 + timedelta(hours=1))  # the next window starts afresh
    assert submission_wait(me, now=T0 + timedelta(minutes=20)) == timedelta(minutes=40)


def test_only_stored_submissions_count_and_a_repeated_key_counts_once() -> None:
    uow = FakeUnitOfWork()
    kiosk = Actor(client_key=client_key("203.0.113.9", "k"))
    for _ in range(3 * ANONYMOUS_SUBMISSIONS.limit):  # checks alone (answers then refused by validation)
        admit_submission(kiosk, uow, now=T0)
    assert uow.directory.hits == {}  # the check keeps nothing
    for _ in range(ANONYMOUS_SUBMISSIONS.limit - 1):
        _stored_submission(kiosk, uow)
    admit_submission(kiosk, uow, idempotency_key="last", now=T0)
    count_submission(kiosk, uow, now=T0)
    uow.requests.by_idempotency_key = lambda key: object() if key == "last" else None  # type: ignore[method-assign]
    admit_submission(kiosk, uow, idempotency_key="last", now=T0)  # the repeat of a stored request gets its receipt
    with pytest.raises(RateLimited):
        admit_submission(kiosk, uow, idempotency_key="new", now=T0)


def test_tracking_lookups_are_limited_per_client() -> None:
    uow = FakeUnitOfWork()
    guesser = Actor(client_key=client_key("198.51.100.1", "k"))
    with pytest.raises(RateLimited):
        for _ in range(31):
            admit_lookup(guesser, uow, now=T0)


def test_file_uploads_are_limited_per_client_with_a_next_step() -> None:
    uow = FakeUnitOfWork()
    me, neighbour = Actor(client_key=client_key("203.0.113.7", "k")), Actor(client_key=client_key("203.0.113.8", "k"))
    assert FILE_UPLOADS.limit == 30
    for _ in range(FILE_UPLOADS.limit):
        admit_upload(me, uow, now=T0)
    with pytest.raises(RateLimited, match="was not kept. Please wait a while, then choose it again"):
        admit_upload(me, uow, now=T0)
    admit_submission(me, uow, now=T0)  # uploads and submissions are counted apart
    admit_upload(neighbour, uow, now=T0)
    admit_upload(me, uow, now=T0 + timedelta(hours=1))
    signed_in = Actor("riley", "Riley", client_key=me.client_key)
    admit_upload(signed_in, uow, now=T0)  # counted per account, not per shared address


def test_the_client_key_is_a_keyed_pseudonym_not_the_address() -> None:
    key = client_key("203.0.113.7", "secret-one")
    assert "203" not in key and len(key) == 32
    assert key == client_key(" 203.0.113.7", "secret-one") != client_key("203.0.113.7", "secret-two")
