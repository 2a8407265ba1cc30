"""Accounts: the first administrator, signing in, and who the current user is."""

from __future__ import annotations

from datetime import UTC, datetime

from builder.errors import FieldError, PermissionDenied
from builder.passwords import DUMMY_HASH, hash_password, password_problem, verify_password
from builder.ports import Actor, AuditEvent, UnitOfWork, UserRecord


class AccountInvalid(PermissionDenied):
    """The account details cannot be accepted; ``errors`` says which field and why."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(error.message for error in errors))


def needs_setup(uow: UnitOfWork) -> bool:
    """True on an empty database: the first visitor creates the administrator."""
    with uow.reading():
        return not uow.directory.has_users()


def account_errors(username: str, display_name: str, email: str, password: str) -> list[FieldError]:
    errors = []
    if not username or not username.replace("-", "").replace("_", "").replace(".", "").isalnum() or len(username) > 64:
        errors.append(FieldError(("username",), "Use letters, digits, dots, dashes or underscores (at most 64)."))
    if not display_name.strip():
        errors.append(FieldError(("display_name",), "Enter the person's name."))
    if email and "@" not in email:
        errors.append(FieldError(("email",), "Enter an email address like name@example.org."))
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


def check_credentials(username: str, password: str, uow: UnitOfWork) -> bool:
    """Whether the password is right, taking the same time for unknown and known users."""
    with uow.reading():
        user = uow.directory.user(username.strip())
    stored = user.password_hash if user and user.is_active else DUMMY_HASH
    matches = verify_password(password, stored)
    return matches and user is not None and user.is_active
