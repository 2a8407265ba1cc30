"""Sign-in hardening on SQLite and PostgreSQL: one message and one bcrypt check for unknown and known
users, throttling with a cooldown, server-side sessions that sign-out revokes, staff idle timeout,
and denied attempts that survive the rollback of the refused work."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from builder import passwords
from builder.errors import PermissionDenied, RateLimited
from builder.ports import Actor, AuditEvent
from builder.usecases import accounts, admin
from builder.usecases.accounts import SignInRefused, resume_session, sign_in, sign_out
from storage.audit_check import verify_audit
from storage.models import AuditRecord, AuthSession, LoginThrottle, RateLimit, User
from storage.uow import SqlUnitOfWork
from tests.helpers import ADMIN, ROADS, seed_organisation

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
IDLE = timedelta(minutes=30)


def password(username: str) -> str:
    return f"{username}-test-passphrase"


@pytest.fixture
def org(engine: Engine) -> SqlUnitOfWork:
    return seed_organisation(engine)


def _count_bcrypt(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    checked: list[str] = []
    real = passwords.verify_password

    def counting(candidate: str, stored_hash: str) -> bool:
        checked.append(stored_hash)
        return real(candidate, stored_hash)

    monkeypatch.setattr(accounts, "verify_password", counting)
    return checked


def test_unknown_user_and_wrong_password_get_the_same_message_and_one_bcrypt_check_each(
        org: SqlUnitOfWork, monkeypatch: pytest.MonkeyPatch) -> None:
    checked = _count_bcrypt(monkeypatch)
    with pytest.raises(SignInRefused) as unknown:
        sign_in("nobody-here", "some wrong words", org, now=T0)
    with pytest.raises(SignInRefused) as wrong:
        sign_in("roads", "some wrong words", org, now=T0)
    assert str(unknown.value) == str(wrong.value) == accounts.WRONG_CREDENTIALS
    assert len(checked) == 2  # the unknown user was checked against a real hash too
    assert checked[0] == passwords.DUMMY_HASH and checked[1].startswith("$2b$")



def _bcrypt_cost(stored_hash: str) -> tuple[str, int]:
    """The variant and cost of a bcrypt hash: ``$2b$12$...`` -> ("2b", 12)."""
    _, variant, cost, _rest = stored_hash.split("$", 3)
    return variant, int(cost)


def test_the_dummy_hash_costs_what_a_real_password_hash_costs() -> None:
    """Counting bcrypt checks (above) would miss a cheaper dummy: at cost 4 an unknown username would be
    answered 250 times faster than a known one. The dummy must have the cost of every stored hash."""
    real = passwords.hash_password("a real passphrase for a real account")
    assert _bcrypt_cost(passwords.DUMMY_HASH) == _bcrypt_cost(real) == ("2b", 12)
    assert passwords.verify_password("whatever was typed", passwords.DUMMY_HASH) is False  # a well-formed hash

def test_a_disabled_account_is_refused_with_the_same_message(org: SqlUnitOfWork) -> None:
    admin.update_user(ADMIN, "roads", org, display_name="Robin Roads", email="", is_admin=False, is_active=False)
    with pytest.raises(SignInRefused):
        sign_in("roads", password("roads"), org, now=T0)


def test_failed_sign_ins_start_a_cooldown_that_ends(org: SqlUnitOfWork, engine: Engine) -> None:
    for attempt in range(5):
        with pytest.raises(SignInRefused):
            sign_in("roads", f"wrong guess {attempt}", org, now=T0 + timedelta(seconds=attempt))
    with pytest.raises(RateLimited, match="Try again in 1 minute"):
        sign_in("roads", password("roads"), org, now=T0 + timedelta(seconds=10))  # even the right password waits
    signed = sign_in(" roads ", password("roads"), org, now=T0 + timedelta(minutes=2))  # not a permanent lockout
    assert signed.username == "roads"
    with Session(engine) as session:
        assert session.get(LoginThrottle, "roads").failures == 0  # success starts afresh


def test_the_audit_log_keeps_a_fingerprint_of_a_throttled_username_never_what_was_typed(
        org: SqlUnitOfWork, engine: Engine) -> None:
    import hashlib

    typed = "Blue-Harbour-Lantern-71"  # a password typed in the username field
    for attempt in range(5):
        with pytest.raises(SignInRefused):
            sign_in(typed, f"wrong {attempt}", org, now=T0)
    with Session(engine) as session:
        [event] = session.exec(select(AuditRecord).where(AuditRecord.action == "sign_in_cooldown")).all()
    assert "lantern" not in event.comment.lower() and "harbour" not in event.comment.lower()
    fingerprint = hashlib.sha256(typed.strip().lower().encode()).hexdigest()[:12]
    assert event.comment == f"5 failed sign-ins for a username whose SHA-256 starts {fingerprint}"
    assert verify_audit(engine)[1] is None


def test_cooldown_doubles_but_is_capped_and_a_quiet_quarter_hour_forgives(org: SqlUnitOfWork) -> None:
    at, cooldowns = T0, []
    for _ in range(10):  # each guess comes right after the previous cooldown ended
        with pytest.raises(SignInRefused):
            sign_in("roads", "wrong words again", org, now=at)
        with org.reading():
            record = org.directory.login_throttle("roads")
        if record.blocked_until:
            cooldowns.append(round((record.blocked_until - at).total_seconds() / 60))
            at = record.blocked_until + timedelta(seconds=1)
    assert cooldowns == [1, 2, 4, 8, 15, 15]
    quiet = at + timedelta(minutes=16)
    with pytest.raises(SignInRefused):
        sign_in("roads", "one more wrong guess", org, now=quiet)
    with org.reading():
        assert org.directory.login_throttle("roads").failures == 1


def test_unknown_usernames_are_throttled_like_known_ones(org: SqlUnitOfWork) -> None:
    for name in ("roads", "ghost"):
        for attempt in range(5):
            with pytest.raises(SignInRefused):
                sign_in(name, f"wrong {attempt}", org, now=T0)
    with pytest.raises(RateLimited) as known:
        sign_in("roads", "x" * 9, org, now=T0)
    with pytest.raises(RateLimited) as unknown:
        sign_in("ghost", "x" * 9, org, now=T0)
    assert str(known.value) == str(unknown.value)


def test_sign_out_revokes_the_session_server_side(org: SqlUnitOfWork, engine: Engine) -> None:
    signed = sign_in("roads", password("roads"), org, now=T0)
    assert resume_session(signed.token, org, staff_idle=IDLE, now=T0).username == "roads"
    with Session(engine) as session:
        stored = session.exec(select(AuthSession)).one()
    assert stored.id != signed.token and len(stored.id) == 64  # only the token's hash is stored
    sign_out(signed.token, ROADS, org, now=T0 + timedelta(minutes=1))
    assert resume_session(signed.token, org, staff_idle=IDLE, now=T0 + timedelta(minutes=1)).username is None


def test_staff_sessions_end_after_inactivity_residents_after_a_day(org: SqlUnitOfWork) -> None:
    staff = sign_in("roads", password("roads"), org, now=T0)
    resident = sign_in("resident", password("resident"), org, now=T0)
    later = T0 + IDLE - timedelta(minutes=1)
    assert resume_session(staff.token, org, staff_idle=IDLE, now=later).username == "roads"
    later += IDLE - timedelta(minutes=1)  # 58 minutes after signing in, 29 after the last click
    assert resume_session(staff.token, org, staff_idle=IDLE, now=later).username == "roads"  # clicks keep it alive
    idle = resume_session(staff.token, org, staff_idle=IDLE, now=later + IDLE + timedelta(minutes=1))
    assert idle.username is None and idle.ended_by_inactivity
    assert resume_session(resident.token, org, staff_idle=IDLE, now=T0 + timedelta(hours=3)).username == "resident"
    assert resume_session(resident.token, org, staff_idle=IDLE, now=T0 + timedelta(hours=25)).username is None


def test_disabling_or_resetting_signs_the_user_out_everywhere(org: SqlUnitOfWork) -> None:
    first = sign_in("roads", password("roads"), org, now=T0)
    admin.reset_password(ADMIN, "roads", org, now=T0)
    assert resume_session(first.token, org, staff_idle=IDLE, now=T0).username is None
    second = sign_in("events", password("events"), org, now=T0)
    admin.update_user(ADMIN, "events", org, display_name="Eve", email="", is_admin=False, is_active=False)
    assert resume_session(second.token, org, staff_idle=IDLE, now=T0).username is None


def test_changing_ones_password_needs_the_current_one_and_signs_out_other_devices(org: SqlUnitOfWork) -> None:
    other_device = sign_in("resident", password("resident"), org, now=T0)
    with pytest.raises(accounts.AccountInvalid, match="not your current password"):
        accounts.change_own_password(accounts.actor_for("resident", org), "wrong words here", "a new long passphrase", org)
    renewed = accounts.change_own_password(accounts.actor_for("resident", org), password("resident"),
                                           "a new long passphrase", org, now=T0)
    assert resume_session(other_device.token, org, staff_idle=IDLE, now=T0).username is None
    assert resume_session(renewed.token, org, staff_idle=IDLE, now=T0).username == "resident"
    assert sign_in("resident", "a new long passphrase", org, now=T0).username == "resident"


def test_a_denied_attempt_survives_the_rollback_of_the_refused_work(org: SqlUnitOfWork, engine: Engine) -> None:
    with pytest.raises(PermissionDenied):
        with org:
            org.audit.append(AuditEvent("publish", "roads", T0, comment="half done"))
            raise PermissionDenied("not yours")
    accounts.record_denied(ROADS, "case PW-2026-00001", org, now=T0)
    with Session(engine) as session:
        actions = [row.action for row in session.exec(select(AuditRecord).order_by(AuditRecord.seq))]
    assert actions[-1] == "denied" and "publish" not in actions
    assert verify_audit(engine)[1] is None  # the chain is intact


def test_rate_limit_counters_are_stored_per_client_and_window(uow: SqlUnitOfWork, engine: Engine) -> None:
    from builder.ports import Actor
    from builder.throttling import ANONYMOUS_SUBMISSIONS
    from builder.usecases.limits import admit_submission, count_submission
    from storage.models import RateLimit

    client = Actor(client_key="a" * 32)
    for _ in range(ANONYMOUS_SUBMISSIONS.limit):
        admit_submission(client, uow, now=T0)
        count_submission(client, uow, now=T0)
    with pytest.raises(RateLimited):
        admit_submission(client, uow, now=T0)
    admit_submission(client, uow, now=T0 + timedelta(hours=1))  # a check alone stores no counter
    count_submission(client, uow, now=T0 + timedelta(hours=1))
    with Session(engine) as session:
        rows = session.exec(select(RateLimit)).all()
    assert [(r.count, r.window) for r in rows] == [(1, ANONYMOUS_SUBMISSIONS.window(T0 + timedelta(hours=1)))]


def test_administration_changes_are_stored_and_audited(org: SqlUnitOfWork, engine: Engine) -> None:
    admin.add_department(ADMIN, "parks", "Parks and gardens", org, now=T0)
    admin.add_group(ADMIN, "Tree surgeons", "parks", org, now=T0)
    admin.create_user(ADMIN, "terry", "Terry Trees", "terry@city.example", "four unrelated words", org, now=T0)
    admin.set_roles(ADMIN, "terry", org, designer_departments=frozenset({"parks"}),
                    reviewer_groups=frozenset({"Tree surgeons", "Road inspectors"}), now=T0)
    with pytest.raises(accounts.AccountInvalid, match="already a department"):
        admin.add_department(ADMIN, "parks", "Parks again", org)
    with pytest.raises(accounts.AccountInvalid, match="no longer exist"):
        admin.set_roles(ADMIN, "terry", org, designer_departments=frozenset({"nowhere"}), reviewer_groups=frozenset())
    found = admin.organisation(ADMIN, org)
    terry = next(u for u in found.users if u.username == "terry")
    assert terry.designer_departments == {"parks"} and terry.reviewer_groups == {"Tree surgeons", "Road inspectors"}
    assert ("Tree surgeons", "parks") in {(g.name, g.department) for g in found.groups}
    assert accounts.actor_for("terry", org).reviewer_groups == {"Tree surgeons", "Road inspectors"}
    with Session(engine) as session:
        actions = [r.action for r in session.exec(select(AuditRecord).order_by(AuditRecord.seq))]
    assert actions[-4:] == ["add_department", "add_group", "create_user", "set_roles"]


# ------------------------------------------------------------------ residents create their own account

NEW = {"username": "Riley.R", "display_name": "Riley Resident", "email": "riley@example.org",
       "password": "lantern harbour cedar walk", "confirmation": "lantern harbour cedar walk"}
KIOSK = Actor(client_key="k" * 32)


@pytest.fixture
def fast_hashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """bcrypt at cost 4 (still a real hash), and a record of every password hashed."""
    hashed: list[str] = []

    def cheap(password: str, *, rounds: int = 12) -> str:
        hashed.append(password)
        return passwords.hash_password(password, rounds=4)

    monkeypatch.setattr(accounts, "hash_password", cheap)
    return hashed


def register(uow: SqlUnitOfWork, actor: Actor = KIOSK, now: datetime = T0, **changes: str) -> accounts.SignedIn:
    fields = {**NEW, **changes}
    return accounts.register_resident(actor, fields["username"], fields["display_name"], fields["email"],
                                      fields["password"], fields["confirmation"], uow, now=now)


def _stored(engine: Engine) -> tuple[list[str], list[str], int]:
    with Session(engine) as session:
        users = sorted(session.exec(select(User.username)).all())
        actions = [r.action for r in session.exec(select(AuditRecord).order_by(AuditRecord.seq))]
        hits = sum(r.count for r in session.exec(select(RateLimit)).all())
    return users, actions, hits


def test_a_resident_registers_and_is_signed_in_without_any_staff_role(
        org: SqlUnitOfWork, engine: Engine, fast_hashes: list[str]) -> None:
    signed = register(org)
    assert (signed.username, signed.display_name) == ("riley.r", "Riley Resident")  # kept in lower case
    assert resume_session(signed.token, org, staff_idle=IDLE, now=T0).username == "riley.r"
    actor = accounts.actor_for("riley.r", org)
    assert actor.is_signed_in and not actor.is_staff and not actor.is_admin
    with org.reading():
        user = org.directory.user("riley.r")
    assert user is not None and user.email == "riley@example.org" and user.is_active
    assert passwords.verify_password(NEW["password"], user.password_hash)
    with Session(engine) as session:
        events = session.exec(select(AuditRecord).order_by(AuditRecord.seq)).all()[-2:]
    assert [(e.action, e.actor) for e in events] == [("register", "riley.r"), ("sign_in", "riley.r")]
    assert all("riley@" not in (e.comment or "") and "Resident" not in (e.comment or "") for e in events)
    assert verify_audit(engine)[1] is None
    # A phone capitalises the first letter at sign-in too.
    assert sign_in("Riley.R", NEW["password"], org, now=T0).username == "riley.r"


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"password": "password123!", "confirmation": "password123!"}, "password", passwords.TOO_COMMON),
    ({"password": "short", "confirmation": "short"}, "password", passwords.TOO_SHORT),
    ({"confirmation": "lantern harbour cedar wall"}, "confirmation", accounts.PASSWORDS_DIFFER),
    ({"username": "riley@example.org"}, "username", accounts.USERNAME_NOT_EMAIL),
    ({"username": "riley r"}, "username", accounts.USERNAME_RULES),
    ({"display_name": "  "}, "display_name", accounts.NAME_NEEDED),
    ({"email": "riley at example.org"}, "email", accounts.EMAIL_FORMAT),
])
def test_each_problem_is_named_at_its_field_and_nothing_is_saved(
        org: SqlUnitOfWork, engine: Engine, fast_hashes: list[str], changes: dict[str, str], field: str,
        message: str) -> None:
    before = _stored(engine)
    with pytest.raises(accounts.AccountInvalid) as refused:
        register(org, **changes)
    assert [(e.path, e.message) for e in refused.value.errors] == [((field,), message)]
    assert _stored(engine) == before and fast_hashes == []  # not even counted against the limit


def test_a_taken_username_is_refused_after_the_same_work_as_a_new_one(
        org: SqlUnitOfWork, engine: Engine, fast_hashes: list[str]) -> None:
    users, actions, _hits = _stored(engine)
    for taken in ("roads", "Resident"):  # staff or resident, whatever the capitals
        with pytest.raises(accounts.UsernameTaken) as refused:
            register(org, username=taken)
        assert [(e.path, e.message) for e in refused.value.errors] == [(("username",), accounts.USERNAME_TAKEN)]
    register(org)
    # Taken and created both hashed the password once (bcrypt is the only slow step) and both counted.
    assert len(fast_hashes) == 3
    after_users, after_actions, hits = _stored(engine)
    assert after_users == sorted([*users, "riley.r"]) and after_actions[len(actions):] == ["register", "sign_in"]
    assert hits == 3
    with org.reading():
        assert org.directory.user("roads").password_hash != org.directory.user("riley.r").password_hash


def test_a_name_that_differs_only_in_capitals_is_taken_for_residents_and_staff(
        org: SqlUnitOfWork, fast_hashes: list[str]) -> None:
    """"sam.staff" beside "Sam.Staff" would read as one person in every history and share a sign-in throttle."""
    admin.create_user(ADMIN, "Sam.Staff", "Sam Staff", "sam@city.example", "lantern harbour cedar wall", org)
    with pytest.raises(accounts.UsernameTaken):
        register(org, username="sam.staff")
    with pytest.raises(accounts.AccountInvalid, match="taken"):
        admin.create_user(ADMIN, "ROADS", "Second Roads", "", "lantern harbour cedar wall", org)
    with org.reading():
        assert org.directory.user("sam.staff") is None and org.directory.user("ROADS") is None


def test_an_email_address_already_in_use_is_not_revealed(org: SqlUnitOfWork, fast_hashes: list[str]) -> None:
    """Refusing it would tell anyone whether a person has an account; it is not a sign-in name."""
    signed = register(org, username="second-riley", email="ROADS@city.example")
    assert signed.username == "second-riley"


def test_the_database_refuses_a_username_registered_at_the_same_moment(org: SqlUnitOfWork) -> None:
    """The check-then-insert of two concurrent registrations (PostgreSQL): the unique key decides."""
    from builder.ports import UserRecord

    with pytest.raises(accounts.UsernameTaken):
        with org:
            org.directory.add_user(UserRecord("roads", "Another Roads", "", passwords.DUMMY_HASH))
            org.commit()
    with org.reading():
        assert org.directory.user("roads").display_name == "Robin Roads"


def test_registrations_are_limited_per_client(org: SqlUnitOfWork, fast_hashes: list[str]) -> None:
    from builder.throttling import REGISTRATIONS
    from builder.usecases.limits import TOO_MANY_REGISTRATIONS

    for number in range(REGISTRATIONS.limit):
        register(org, username=f"resident-{number}")
    with pytest.raises(RateLimited, match="Too many attempts to create an account") as limited:
        register(org, username="one-too-many")
    assert str(limited.value) == TOO_MANY_REGISTRATIONS
    other_kiosk = Actor(client_key="o" * 32)
    assert register(org, actor=other_kiosk, username="next-door").username == "next-door"
    assert register(org, now=T0 + REGISTRATIONS.period, username="an-hour-later").username == "an-hour-later"
    with org.reading():
        assert org.directory.user("one-too-many") is None


def test_a_signed_in_person_cannot_register_another_account(org: SqlUnitOfWork, fast_hashes: list[str]) -> None:
    with pytest.raises(PermissionDenied, match="already signed in"):
        register(org, actor=Actor("resident", "Riley Resident", client_key="k" * 32))
    assert fast_hashes == []
