"""Administration: departments, groups, users and their roles.

Only administrators may call these. Changes take effect on the user's next click, because roles
are read from the database on every run; disabling a user or resetting a password also revokes
their sessions at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from builder.errors import FieldError, FormworkError, NotFound
from builder.passwords import hash_password, password_problem, temporary_password
from builder.ports import (Actor, AuditEvent, DepartmentRecord, GroupRecord, InboxQuery, RequestRecord,
                           UndeliveredMail, UnitOfWork, UserRecord)
from builder.usecases.accounts import AccountInvalid, account_errors
from builder.usecases.refusals import Refused, audits_refusals
from builder.workflow import OPEN_STATES, State

ADMINS_ONLY = "Only administrators can manage users, groups and departments."
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,118}[a-z0-9]$")


@dataclass(frozen=True)
class Organisation:
    users: list[UserRecord]
    departments: list[DepartmentRecord]
    groups: list[GroupRecord]


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Refused(ADMINS_ONLY, what="not an administrator")


def _at(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


@audits_refusals
def organisation(actor: Actor, uow: UnitOfWork) -> Organisation:
    """Everything the administration page lists (password hashes stay in the records, never shown)."""
    _require_admin(actor)
    with uow.reading():
        return Organisation(uow.directory.all_users(), uow.directory.all_departments(), uow.directory.all_groups())


@audits_refusals
def add_department(actor: Actor, slug: str, name: str, uow: UnitOfWork, *, now: datetime | None = None) -> None:
    _require_admin(actor)
    slug, name = slug.strip(), name.strip()
    errors = []
    if not _SLUG.match(slug):
        errors.append(FieldError(("slug",), "Use 2 to 120 lower-case letters, digits and dashes, e.g. public-works."))
    if not name or len(name) > 200:
        errors.append(FieldError(("name",), "Enter the department's name (at most 200 characters)."))
    if errors:
        raise AccountInvalid(errors)
    with uow:
        if uow.directory.department_exists(slug):
            raise AccountInvalid([FieldError(("slug",), f"There is already a department “{slug}”.")])
        uow.directory.add_department(DepartmentRecord(slug, name))
        uow.audit.append(AuditEvent("add_department", actor.label, _at(now), comment=slug))
        uow.commit()


@audits_refusals
def add_group(actor: Actor, name: str, department: str, uow: UnitOfWork, *, now: datetime | None = None) -> None:
    _require_admin(actor)
    name = name.strip()
    if not name or len(name) > 120:
        raise AccountInvalid([FieldError(("name",), "Enter the group's name (at most 120 characters).")])
    with uow:
        if not uow.directory.department_exists(department):
            raise AccountInvalid([FieldError(("department",), "Choose the department the group belongs to.")])
        if uow.directory.group_exists(name):
            raise AccountInvalid([FieldError(("name",), f"There is already a group “{name}”.")])
        uow.directory.add_group(GroupRecord(name, department))
        uow.audit.append(AuditEvent("add_group", actor.label, _at(now), comment=f"{name} ({department})"))
        uow.commit()


class StillInUse(FormworkError):
    """A department or group that forms, requests or other groups still rely on cannot change or go."""


NAMES_SHOWN = 5  # forms or requests named in a refusal; the rest are counted


def _listed(names: list[str]) -> str:
    shown = ", ".join(names[:NAMES_SHOWN])
    more = len(names) - NAMES_SHOWN
    return f"{shown} and {more} more" if more > 0 else shown


def _department(slug: str, uow: UnitOfWork) -> DepartmentRecord:
    found = next((d for d in uow.directory.all_departments() if d.slug == slug), None)
    if found is None:
        raise NotFound(f"There is no department “{slug}”.")
    return found


def _group(name: str, uow: UnitOfWork) -> GroupRecord:
    found = next((g for g in uow.directory.all_groups() if g.name == name), None)
    if found is None:
        raise NotFound(f"There is no group “{name}”.")
    return found


@audits_refusals
def rename_department(actor: Actor, slug: str, name: str, uow: UnitOfWork, *, now: datetime | None = None) -> None:
    """Change a department's name. Its short name stays: forms and designer roles refer to it."""
    _require_admin(actor)
    name = name.strip()
    if not name or len(name) > 200:
        raise AccountInvalid([FieldError(("name",), "Enter the department's name (at most 200 characters).")])
    with uow:
        old = _department(slug, uow)
        uow.directory.rename_department(slug, name)
        uow.audit.append(AuditEvent("rename_department", actor.label, _at(now), comment=f"{slug}: {old.name} → {name}"))
        uow.commit()


@audits_refusals
def remove_department(actor: Actor, slug: str, uow: UnitOfWork, *, now: datetime | None = None) -> None:
    """Remove a department without forms or groups; its designers lose that role."""
    _require_admin(actor)
    with uow:
        _department(slug, uow)
        forms = uow.forms.list(frozenset({slug}))
        if forms:
            raise StillInUse(f"The department “{slug}” cannot be removed: it has forms "
                             f"({_listed([f'{f.title} ({f.slug})' for f in forms])}). Forms and their requests "
                             "are kept with their department.")
        groups = sorted(g.name for g in uow.directory.all_groups() if g.department == slug)
        if groups:
            raise StillInUse(f"The department “{slug}” cannot be removed while groups belong to it "
                             f"({_listed(groups)}). Remove those groups first.")
        designers = sorted(u.username for u in uow.directory.all_users() if slug in u.designer_departments)
        uow.directory.remove_department(slug)
        note = f"{slug}; designers who lost the role: {', '.join(designers) or 'none'}"
        uow.audit.append(AuditEvent("remove_department", actor.label, _at(now), comment=note[:500]))
        uow.commit()


def _group_in_use(name: str, uow: UnitOfWork, states: tuple[str, ...], doing: str) -> None:
    """Refuse when a published version's step or a request relies on the group by its name.

    Published versions never change, and requests find their reviewers by the group's name: a rename
    or a removal would leave them with a group nobody is in.
    """
    forms = []
    for form in uow.forms.list(None):
        numbers = [v.number for v in uow.forms.versions(form.slug) if _uses_group(v.definition, name)]
        if numbers:
            forms.append(f"{form.title} ({form.slug}, version {', '.join(map(str, sorted(numbers)))})")
    found = uow.requests.inbox(InboxQuery(groups=frozenset({name}), states=states, limit=NAMES_SHOWN))
    problems = []
    if forms:
        problems.append(f"published forms decide with it: {_listed(forms)}")
    if found.total:
        problems.append(f"requests are with it: {_listed_references(found.rows, found.total)}")
    if problems:
        raise StillInUse(f"The group “{name}” cannot be {doing}: " + "; ".join(problems) + ".")


def _listed_references(rows: list[RequestRecord], total: int) -> str:
    shown = ", ".join(r.reference for r in rows)
    return f"{shown} and {total - len(rows)} more" if total > len(rows) else shown


def _uses_group(definition: dict[str, Any], name: str) -> bool:
    steps = (definition.get("workflow") or {}).get("steps") or []
    return any(isinstance(step, dict) and step.get("group") == name for step in steps)


@audits_refusals
def rename_group(actor: Actor, name: str, new_name: str, uow: UnitOfWork, *, now: datetime | None = None) -> None:
    """Rename a group that no published form and no request uses yet; its members stay in it."""
    _require_admin(actor)
    new_name = new_name.strip()
    if not new_name or len(new_name) > 120:
        raise AccountInvalid([FieldError(("name",), "Enter the group's name (at most 120 characters).")])
    with uow:
        _group(name, uow)
        if new_name == name:
            return
        if uow.directory.group_exists(new_name):
            raise AccountInvalid([FieldError(("name",), f"There is already a group “{new_name}”.")])
        _group_in_use(name, uow, tuple(sorted(State)), "renamed")
        uow.directory.rename_group(name, new_name)
        uow.audit.append(AuditEvent("rename_group", actor.label, _at(now), comment=f"{name} → {new_name}"))
        uow.commit()


@audits_refusals
def remove_group(actor: Actor, name: str, uow: UnitOfWork, *, now: datetime | None = None) -> None:
    """Remove a group that no published form and no open request uses; its members leave it."""
    _require_admin(actor)
    with uow:
        group = _group(name, uow)
        _group_in_use(name, uow, tuple(sorted(OPEN_STATES)), "removed")
        members = uow.directory.group_members(name)
        uow.directory.remove_group(name)
        note = f"{name} ({group.department}); members who left it: {', '.join(members) or 'none'}"
        uow.audit.append(AuditEvent("remove_group", actor.label, _at(now), comment=note[:500]))
        uow.commit()


@audits_refusals
def create_user(actor: Actor, username: str, display_name: str, email: str, password: str, uow: UnitOfWork,
                *, is_admin: bool = False, now: datetime | None = None) -> None:
    """Create an account; the administrator hands the password over and the person changes it."""
    _require_admin(actor)
    username = username.strip()
    errors = account_errors(username, display_name, email.strip(), password)
    if errors:
        raise AccountInvalid(errors)
    with uow:
        if uow.directory.username_in_use(username):
            raise AccountInvalid([FieldError(("username",), f"The username “{username}” is taken.")])
        uow.directory.add_user(UserRecord(username, display_name.strip(), email.strip(), hash_password(password),
                                          is_admin=is_admin))
        uow.audit.append(AuditEvent("create_user", actor.label, _at(now), comment=username))
        uow.commit()


@audits_refusals
def update_user(actor: Actor, username: str, uow: UnitOfWork, *, display_name: str, email: str, is_admin: bool,
                is_active: bool, now: datetime | None = None) -> None:
    """Change a user's name, email, administrator flag or whether the account may sign in."""
    _require_admin(actor)
    if username == actor.username and (not is_active or not is_admin):
        raise Refused("You cannot disable your own account or remove your own administrator role. "
                      "Ask another administrator.", what="disabling or demoting one's own account")
    if not display_name.strip():
        raise AccountInvalid([FieldError(("display_name",), "Enter the person's name.")])
    if email.strip() and "@" not in email:
        raise AccountInvalid([FieldError(("email",), "Enter an email address like name@example.org.")])
    at = _at(now)
    with uow:
        user = _user(username, uow)
        uow.directory.update_user(username, display_name=display_name.strip(), email=email.strip(),
                                  is_admin=is_admin, is_active=is_active)
        if user.is_active and not is_active:
            uow.directory.revoke_sessions_of(username, at)
        uow.audit.append(AuditEvent("update_user", actor.label, at, comment=_change_note(user, is_admin, is_active)))
        uow.commit()


def _change_note(user: UserRecord, is_admin: bool, is_active: bool) -> str:
    notes = [user.username]
    if user.is_active != is_active:
        notes.append("enabled" if is_active else "disabled")
    if user.is_admin != is_admin:
        notes.append("administrator" if is_admin else "no longer administrator")
    return ", ".join(notes)


@audits_refusals
def reset_password(actor: Actor, username: str, uow: UnitOfWork, *, new_password: str | None = None,
                   now: datetime | None = None) -> str:
    """Set a new password (a random passphrase unless one is given) and sign the user out everywhere.

    Returns the password to hand over. There is no self-service reset: a forgotten password goes to
    an administrator, who knows the person.
    """
    _require_admin(actor)
    password = new_password if new_password else temporary_password()
    problem = password_problem(password, username=username)
    if problem:
        raise AccountInvalid([FieldError(("password",), problem)])
    at = _at(now)
    with uow:
        _user(username, uow)
        uow.directory.set_password_hash(username, hash_password(password))
        uow.directory.revoke_sessions_of(username, at)
        uow.audit.append(AuditEvent("reset_password", actor.label, at, comment=username))
        uow.commit()
    return password


@audits_refusals
def set_roles(actor: Actor, username: str, uow: UnitOfWork, *, designer_departments: frozenset[str],
              reviewer_groups: frozenset[str], now: datetime | None = None) -> None:
    """Make the user designer of exactly these departments and member of exactly these groups."""
    _require_admin(actor)
    with uow:
        _user(username, uow)
        unknown = sorted(d for d in designer_departments if not uow.directory.department_exists(d))
        unknown_groups = sorted(g for g in reviewer_groups if not uow.directory.group_exists(g))
        if unknown or unknown_groups:
            raise AccountInvalid([FieldError(("roles",), "These no longer exist: " + ", ".join(unknown + unknown_groups))])
        uow.directory.set_roles(username, designer_departments=frozenset(designer_departments),
                                reviewer_groups=frozenset(reviewer_groups))
        comment = (f"{username}: designer of {', '.join(sorted(designer_departments)) or 'none'}; "
                   f"member of {', '.join(sorted(reviewer_groups)) or 'none'}")
        uow.audit.append(AuditEvent("set_roles", actor.label, _at(now), comment=comment))
        uow.commit()


def _user(username: str, uow: UnitOfWork) -> UserRecord:
    user = uow.directory.user(username)
    if user is None:
        raise NotFound(f"There is no user “{username}”.")
    return user


# ---------------------------------------------------------------- mail the worker gave up on

MAIL_KEPT_DAYS = 30  # sent mail, and mail given up on, is deleted this long after (storage.outbox.forget_old_mail)


def undelivered_mail(actor: Actor, uow: UnitOfWork) -> list[UndeliveredMail]:
    """Messages the mail worker stopped trying (storage.outbox.MAX_ATTEMPTS), oldest first: an administrator
    sees them instead of the resident silently never hearing from the city."""
    _require_admin(actor)
    with uow.reading():
        return uow.outbox.undelivered()


def retry_mail(actor: Actor, message_id: int, uow: UnitOfWork, *, now: datetime | None = None) -> bool:
    """Give an undelivered message a fresh set of attempts (once the mail server is fixed), audited.

    False when it is no longer undelivered (a colleague tried it again, or the purge removed it)."""
    _require_admin(actor)
    at = _at(now)
    with uow:
        if not uow.outbox.retry(message_id, at):
            return False
        uow.audit.append(AuditEvent("retry_mail", actor.label, at, comment=f"outbox message {message_id}"))
        uow.commit()
    return True
