"""Accounts: the first administrator, signing in and out, sessions, and who the current user is.

Sign-in is ours, not streamlit-authenticator's: its check answers unknown users at once and known
users after a bcrypt check (which reveals usernames), and its cookie cannot be revoked. Here every
attempt costs one bcrypt check, failures are throttled per typed username, and a session is a
random token whose SHA-256 is stored in ``auth_session``: signing out revokes it server-side.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from builder import throttling
from builder.errors import FieldError, PermissionDenied, RateLimited
from builder.passwords import DUMMY_HASH, hash_password, password_problem, verify_password
from builder.ports import Actor, AuditEvent, SessionRecord, ThrottleRecord, UnitOfWork, UserRecord
from builder.usecases.limits import admit_registration

WRONG_CREDENTIALS = "The username or password is not right. Check both and try again."
USERNAME_RULES = "Use letters, digits, dots, dashes or underscores (at most 64)."
EMAIL_FORMAT = "Enter an email address like name@example.org."
# Resident self-registration (register_resident), named so the page can show each in the resident's language.
NAME_NEEDED = "Enter your name (at most 200 characters)."
USERNAME_NOT_EMAIL = "A username cannot contain “@”. Choose a short name; your email address has its own field."
USERNAME_TAKEN = "This username is taken. Choose another one."
PASSWORDS_DIFFER = "The two passwords are not the same. Type the same password twice."
NOT_CURRENT_PASSWORD = "This is not your current password."
ALREADY_SIGNED_IN = "You are already signed in. Sign out first to create another account."
SESSION_MAX_AGE = timedelta(hours=24)
# Writing last_seen on every click would cost a write per click; once a minute is precise enough.
TOUCH_EVERY = timedelta(minutes=1)


class AccountInvalid(PermissionDenied):
    """The account details cannot be accepted; ``errors`` says which field and why."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(error.message for error in errors))


class UsernameTaken(AccountInvalid):
    """The chosen username belongs to an account already (also raised by storage on a concurrent insert)."""

    def __init__(self) -> None:
        super().__init__([FieldError(("username",), USERNAME_TAKEN)])


class SignInRefused(PermissionDenied):
    """Wrong username or password: one message for both, so usernames cannot be probed."""

    def __init__(self) -> None:
        super().__init__(WRONG_CREDENTIALS)


@dataclass(frozen=True)
class SignedIn:
    username: str
    display_name: str
    token: str  # goes into the signed cookie; only its hash is stored


@dataclass(frozen=True)
class SessionCheck:
    username: str | None
    ended_by_inactivity: bool = False


def needs_setup(uow: UnitOfWork) -> bool:
    """True on an empty database: the first visitor creates the administrator."""
    with uow.reading():
        return not uow.directory.has_users()


def username_problem(username: str) -> str | None:
    if not username or not username.replace("-", "").replace("_", "").replace(".", "").isalnum() or len(username) > 64:
        return USERNAME_RULES
    return None


def account_errors(username: str, display_name: str, email: str, password: str) -> list[FieldError]:
    errors = []
    problem = username_problem(username)
    if problem:
        errors.append(FieldError(("username",), problem))
    if not display_name.strip():
        errors.append(FieldError(("display_name",), "Enter the person's name."))
    if email and "@" not in email:
        errors.append(FieldError(("email",), EMAIL_FORMAT))
    problem = password_problem(password, username=username)
    if problem:
        errors.append(FieldError(("password",), problem))
    return errors


def create_first_admin(username: str, display_name: str, email: str, password: str, uow: UnitOfWork,
                       *, now: datetime | None = None) -> None:
    """Create the first administrator; refused once any account exists."""
    errors = account_errors(username, display_name, email, password)
    if errors:
        raise AccountInvalid(errors)
    with uow:
        if uow.directory.has_users():
            raise PermissionDenied("Formwork is already set up. Sign in instead.")
        uow.directory.add_user(UserRecord(username, display_name.strip(), email.strip(), hash_password(password),
                                          is_admin=True))
        uow.audit.append(AuditEvent("create_admin", username, now or datetime.now(UTC), comment=username))
        uow.commit()


def resident_errors(username: str, display_name: str, email: str, password: str,
                    confirmation: str) -> list[FieldError]:
    """What is wrong with a resident's own sign-up, each problem at its field (nothing is looked up)."""
    errors = []
    if not display_name.strip() or len(display_name.strip()) > 200:
        errors.append(FieldError(("display_name",), NAME_NEEDED))
    email = email.strip()
    if email and ("@" not in email or len(email) > 254 or any(c.isspace() for c in email)):
        errors.append(FieldError(("email",), EMAIL_FORMAT))
    if "@" in username:  # a phone fills in the address where it sees "user": say what to do instead
        errors.append(FieldError(("username",), USERNAME_NOT_EMAIL))
    elif username_problem(username):
        errors.append(FieldError(("username",), USERNAME_RULES))
    problem = password_problem(password, username=username)
    if problem:
        errors.append(FieldError(("password",), problem))
    elif confirmation != password:
        errors.append(FieldError(("confirmation",), PASSWORDS_DIFFER))
    return errors


def register_resident(actor: Actor, username: str, display_name: str, email: str, password: str,
                      confirmation: str, uow: UnitOfWork, *, now: datetime | None = None) -> SignedIn:
    """A resident creates their own account (no staff role) and is signed in at once.

    The username is kept in lower case (a phone capitalises the first letter; ``sign_in`` accepts
    either). The email address is optional and is not a sign-in name.

    Raises ``AccountInvalid`` with one error per field, ``UsernameTaken``, ``RateLimited`` past the
    per-client limit (``throttling.REGISTRATIONS``), or ``PermissionDenied`` when already signed in.
    """
    if actor.is_signed_in:
        raise PermissionDenied(ALREADY_SIGNED_IN)
    username, display_name, email = username.strip().lower(), display_name.strip(), email.strip()
    errors = resident_errors(username, display_name, email, password, confirmation)
    if errors:
        raise AccountInvalid(errors)
    at = now or datetime.now(UTC)
    # Enumeration. A taken *username* must be said (the resident has to pick another), so that answer
    # does reveal that the username exists; it is what every sign-up does, and sign-in already treats
    # usernames as known. What we keep equal: every well-formed attempt is counted against the
    # per-client limit before the look-up, and the bcrypt hash (the only slow step) runs before it, so
    # "taken" and "created" take the same time. The *email address* is deliberately not required to
    # be unique: refusing a taken address would tell anyone whether a given person has an account with
    # the city. It is not a sign-in name, so two accounts sharing one address harm nobody; the
    # data-protection look-up by address finds them all.
    admit_registration(actor, uow, now=at)
    password_hash = hash_password(password)  # outside the transaction: a quarter second, no lock held
    token = secrets.token_urlsafe(32)
    with uow:
        if uow.directory.username_in_use(username):  # "sam" beside staff "Sam" would read as one person
            raise UsernameTaken()
        uow.directory.add_user(UserRecord(username, display_name, email, password_hash))
        uow.directory.add_session(SessionRecord(token_hash(token), username, at, at))
        # Never the email address or the name: the audit log is append-only and outlives an erasure.
        uow.audit.append(AuditEvent("register", username, at, comment="resident account created by its owner"))
        uow.audit.append(AuditEvent("sign_in", username, at))
        uow.commit()
    return SignedIn(username, display_name, token)


def actor_for(username: str | None, uow: UnitOfWork, *, client_key: str | None = None) -> Actor:
    """The actor with roles fresh from the database; a disabled or removed account is anonymous."""
    if not username:
        return Actor(client_key=client_key)
    with uow.reading():
        user = uow.directory.user(username)
    if user is None or not user.is_active:
        return Actor(client_key=client_key)
    return Actor(user.username, user.display_name, user.is_admin, user.designer_departments, user.reviewer_groups,
                 client_key)


def _typed_user(username: str, uow: UnitOfWork) -> UserRecord | None:
    """The account a typed username names: exactly, or in lower case (residents' own usernames are kept
    in lower case, and a phone capitalises the first letter)."""
    typed = username.strip()
    with uow.reading():
        user = uow.directory.user(typed)
        if user is None and typed != typed.lower():
            user = uow.directory.user(typed.lower())
    return user


def check_credentials(username: str, password: str, uow: UnitOfWork) -> bool:
    """Whether the password is right: one bcrypt check whether or not the user exists."""
    user = _typed_user(username, uow)
    stored = user.password_hash if user and user.is_active else DUMMY_HASH
    matches = verify_password(password, stored)
    return matches and user is not None and user.is_active


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(username: str, password: str, uow: UnitOfWork, *, now: datetime | None = None) -> SignedIn:
    """Check the password and open a server-side session.

    Raises ``RateLimited`` during a cooldown and ``SignInRefused`` for a wrong username or password.
    """
    at = now or datetime.now(UTC)
    key = throttling.throttle_key(username)
    counted = _count_attempt(key, uow, at)
    # The bcrypt check runs outside any transaction: it takes a quarter second and must not hold a lock.
    if not check_credentials(username, password, uow):
        if counted.failures == throttling.FREE_FAILURES:
            _record_cooldown(key, counted, uow, at)
        raise SignInRefused()
    token = secrets.token_urlsafe(32)
    user = _typed_user(username, uow)
    assert user is not None
    with uow:
        uow.directory.save_login_throttle(throttling.after_success(key, at))
        uow.directory.add_session(SessionRecord(token_hash(token), user.username, at, at))
        uow.audit.append(AuditEvent("sign_in", user.username, at))
        uow.commit()
    return SignedIn(user.username, user.display_name, token)


def _count_attempt(key: str, uow: UnitOfWork, at: datetime) -> ThrottleRecord:
    """Refuse the attempt during a cooldown; otherwise count it as a failure *before* the password is checked
    (a success resets the count). The check and the count are one step on the locked row, so parallel
    guesses for one username are counted one after the other and at most ``FREE_FAILURES`` of them reach
    the password check: checking first and counting after the bcrypt check let every parallel guess through."""
    with uow:
        current = uow.directory.locked_login_throttle(key, at)
        wait = throttling.wait_left(current, at)
        if wait is not None:
            raise RateLimited(f"Too many failed attempts for this username. Try again in {throttling.minutes_text(wait)}.")
        counted = throttling.after_failure(current, key, at)
        uow.directory.save_login_throttle(counted)
        uow.commit()
    return counted


def _record_cooldown(key: str, counted: ThrottleRecord, uow: UnitOfWork, at: datetime) -> None:
    with uow:
        # Never the typed username itself: it may be a password typed in the wrong field.
        uow.audit.append(AuditEvent("sign_in_cooldown", "anonymous", at, comment=(
            f"{counted.failures} failed sign-ins for a username whose SHA-256 starts "
            f"{throttling.username_fingerprint(key)}")))
        uow.commit()


def resume_session(token: str | None, uow: UnitOfWork, *, staff_idle: timedelta,
                   now: datetime | None = None) -> SessionCheck:
    """The username of a live session, or None: revoked, expired, idle too long (staff) or disabled."""
    if not token:
        return SessionCheck(None)
    at = now or datetime.now(UTC)
    hashed = token_hash(token)
    with uow.reading():
        session = uow.directory.auth_session(hashed)
        user = uow.directory.user(session.username) if session else None
    if session is None or session.revoked_at is not None or user is None or not user.is_active:
        return SessionCheck(None)
    is_staff = user.is_admin or bool(user.designer_departments) or bool(user.reviewer_groups)
    idle = is_staff and at - session.last_seen_at > staff_idle
    if idle or at - session.created_at > SESSION_MAX_AGE:
        with uow:
            uow.directory.revoke_session(hashed, at)
            uow.audit.append(AuditEvent("session_expired", user.username, at, comment="inactivity" if idle else "age"))
            uow.commit()
        return SessionCheck(None, ended_by_inactivity=idle)
    if at - session.last_seen_at > TOUCH_EVERY:
        with uow:
            uow.directory.touch_session(hashed, at)
            uow.commit()
    return SessionCheck(user.username)


def sign_out(token: str | None, actor: Actor, uow: UnitOfWork, *, now: datetime | None = None) -> None:
    """Revoke the session server-side: its cookie, wherever it was copied, signs nobody in again."""
    if not token:
        return
    at = now or datetime.now(UTC)
    with uow:
        uow.directory.revoke_session(token_hash(token), at)
        uow.audit.append(AuditEvent("sign_out", actor.label, at))
        uow.commit()


def change_own_password(actor: Actor, current: str, new: str, uow: UnitOfWork,
                        *, now: datetime | None = None) -> SignedIn:
    """Change one's own password (the current one proves it is them); other sessions are signed out."""
    if actor.username is None:
        raise PermissionDenied("Sign in to change your password.")
    problem = password_problem(new, username=actor.username)
    if problem:
        raise AccountInvalid([FieldError(("new_password",), problem)])
    if not check_credentials(actor.username, current, uow):
        raise AccountInvalid([FieldError(("current_password",), NOT_CURRENT_PASSWORD)])
    at = now or datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    with uow:
        uow.directory.set_password_hash(actor.username, hash_password(new))
        uow.directory.revoke_sessions_of(actor.username, at)
        uow.directory.add_session(SessionRecord(token_hash(token), actor.username, at, at))
        uow.audit.append(AuditEvent("change_password", actor.username, at))
        uow.commit()
    return SignedIn(actor.username, actor.display_name, token)


def record_denied(actor: Actor, what: str, uow: UnitOfWork, *, now: datetime | None = None) -> None:
    """Write a refused attempt to the audit log in its own transaction.

    Called after the refused use case rolled back, so the record survives the rollback.
    """
    with uow:
        uow.audit.append(AuditEvent("denied", actor.label, now or datetime.now(UTC), comment=what[:500]))
        uow.commit()
