"""Repositories: the core's protocols (``builder.ports``) implemented on SQLModel tables."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import String, bindparam, cast, delete, func, insert, text, union_all, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from builder.audit import chain
from builder.published import definition_digest, document_digest
from builder.metrics import (
    FigureSet,
    FormFigures,
    RequestFact,
    StepFigures,
    VisitFact,
    WeekFigures,
    median_of_ranked,
    p90_rank,
)
from builder.errors import DraftConflict, StaleRequest
from builder.usecases.accounts import UsernameTaken
from builder.ports import (
    AuditEvent,
    ChainedEvent,
    CommentRecord,
    DecisionRecord,
    FileRecord,
    FormRecord,
    INBOX_COUNT_CAP,
    InboxPage,
    InboxQuery,
    MailRecord,
    OutboxMessage,
    DepartmentRecord,
    GroupRecord,
    RequestRecord,
    SessionRecord,
    ThrottleRecord,
    UndeliveredMail,
    UserRecord,
    VersionHead,
    VersionRecord,
)
from storage.models import (
    AppSetting,
    Attachment,
    AttachmentBlob,
    AuditRecord,
    AuthSession,
    LoginThrottle,
    RateLimit,
    Comment,
    Decision,
    Department,
    DesignerRole,
    Form,
    FormVersion,
    GroupMembership,
    OutboxMail,
    ProcessedCommand,
    RequestFigure,
    StaffGroup,
    Submission,
    User,
    UtcDateTime,
    VisitFigure,
)
from storage.outbox import MAX_ATTEMPTS
from storage.statements import DriverStatement, ResultType, column_types


class SqlForms:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _row(self, slug: str) -> Form | None:
        return self.session.exec(select(Form).where(Form.slug == slug)).first()

    def _record(self, form: Form) -> FormRecord:
        department = self.session.get(Department, form.department_id)
        latest = self.session.exec(select(func.max(FormVersion.number)).where(FormVersion.form_id == form.id)).one()
        return FormRecord(form.slug, department.slug if department else "", form.title, dict(form.draft),
                          form.draft_revision, form.draft_updated_by, form.draft_updated_at, latest)

    def get(self, slug: str) -> FormRecord | None:
        row = self._row(slug)
        return self._record(row) if row else None

    def add(self, form: FormRecord) -> None:
        department = self.session.exec(select(Department).where(Department.slug == form.department)).one()
        self.session.add(Form(slug=form.slug, department_id=department.id, title=form.title, draft=form.draft,
                              draft_revision=form.draft_revision, draft_updated_by=form.draft_updated_by,
                              draft_updated_at=form.draft_updated_at))
        self.session.flush()

    def save_draft(self, slug: str, draft: dict[str, Any], *, expected_revision: int, by: str, at: datetime) -> int:
        # A conditional UPDATE: of two designers saving from the same revision, only one matches.
        result = self.session.execute(
            update(Form).where(col(Form.slug) == slug, col(Form.draft_revision) == expected_revision).values(
                draft=draft, title=str(draft.get("title", ""))[:200], draft_revision=Form.draft_revision + 1,
                draft_updated_by=by, draft_updated_at=at)
        )
        if result.rowcount != 1:
            current = self._row(slug)
            who = current.draft_updated_by if current else "someone"
            raise DraftConflict(f"{who} saved this form since you opened it. Reload to see their changes, "
                                "then make yours again.")
        self.session.expire_all()
        return expected_revision + 1

    def list(self, departments: frozenset[str] | None = None) -> list[FormRecord]:
        query = select(Form).join(Department).order_by(Form.title)
        if departments is not None:
            query = query.where(col(Department.slug).in_(departments))
        return [self._record(row) for row in self.session.exec(query)]

    def add_version(self, version: VersionRecord) -> VersionRecord:
        form = self._row(version.form_slug)
        assert form is not None
        row = FormVersion(form_id=form.id, number=version.number, definition=version.definition,
                          published_at=version.published_at, published_by=version.published_by,
                          definition_digest=document_digest(version.definition))
        self.session.add(row)
        self.session.flush()
        return VersionRecord(version.form_slug, row.number, row.definition, row.published_at, row.published_by, row.id,
                             digest=row.definition_digest or "")

    def _version_record(self, row: FormVersion, slug: str | None = None) -> VersionRecord:
        if slug is None:
            form = self.session.get(Form, row.form_id)
            slug = form.slug if form else ""
        return VersionRecord(slug, row.number, dict(row.definition), row.published_at, row.published_by, row.id,
                             digest=row.definition_digest or "")

    def version(self, slug: str, number: int) -> VersionRecord | None:
        row = self.session.exec(
            select(FormVersion).join(Form).where(Form.slug == slug, FormVersion.number == number)
        ).first()
        return self._version_record(row, slug) if row else None

    def version_by_id(self, version_id: int) -> VersionRecord | None:
        row = self.session.get(FormVersion, version_id)
        return self._version_record(row) if row else None

    def latest_version(self, slug: str) -> VersionRecord | None:
        # The definition comes as its stored text: a row written without a digest gets that text's.
        connection = self.session.connection()
        row = _LATEST_VERSION.first(connection, {"slug": slug})
        if row is None:
            return None
        version_id, number, stored, published_at, published_by, digest = row
        return VersionRecord(slug, number, json.loads(stored), _PUBLISHED_AT.convert(connection, published_at),
                             published_by, version_id, digest=digest or definition_digest(stored))

    def latest_head(self, slug: str) -> VersionHead | None:
        # On the driver's cursor (storage.statements): read first by every submission, which reads the
        # definition itself only when its process has not prepared this version yet (builder.published).
        row = _LATEST_HEAD.first(self.session.connection(), {"slug": slug})
        return VersionHead(slug, row[1], row[0], row[2] or "") if row else None

    def versions(self, slug: str) -> list[VersionRecord]:
        rows = self.session.exec(
            select(FormVersion).join(Form).where(Form.slug == slug).order_by(col(FormVersion.number).desc())
        )
        return [self._version_record(row, slug) for row in rows]

    def published(self) -> list[VersionRecord]:
        newest = select(FormVersion.form_id, func.max(FormVersion.number).label("number")).group_by(
            FormVersion.form_id).subquery()
        rows = self.session.exec(
            select(FormVersion, Form.slug).join(Form).join(
                newest, (newest.c.form_id == FormVersion.form_id) & (newest.c.number == FormVersion.number))
        )
        return [self._version_record(row, slug) for row, slug in rows]


_LATEST_VERSION = DriverStatement(
    "SELECT v.id, v.number, CAST(v.definition AS TEXT), v.published_at, v.published_by, v.definition_digest "
    "FROM form_version AS v JOIN form ON form.id = v.form_id WHERE form.slug = :slug ORDER BY v.number DESC LIMIT 1")
_LATEST_HEAD = DriverStatement(
    "SELECT v.id, v.number, v.definition_digest FROM form_version AS v "
    "JOIN form ON form.id = v.form_id WHERE form.slug = :slug ORDER BY v.number DESC LIMIT 1")
_PUBLISHED_AT = ResultType(FormVersion.__table__.c.published_at.type)


class SqlRequests:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._rows: dict[str, Submission] = {}

    def next_number(self, prefix: str, year: int) -> int:
        # One upsert: the counter row is created at 1 or moved on, and the number comes back.
        return int(_NEXT_NUMBER.rows(self.session.connection(), {"p": prefix, "y": year})[0][0])

    def _to_record(self, row: Submission, form_slug: str, version_number: int) -> RequestRecord:
        return RequestRecord(
            reference=row.reference, access_code_hash=row.access_code_hash, form_slug=form_slug,
            version_id=row.version_id, version_number=version_number, answers=dict(row.answers), state=row.state,
            submitted_at=row.submitted_at, updated_at=row.updated_at, step_index=row.step_index, step_id=row.step_id,
            group=row.group_name, claimed_by=row.claimed_by, due_on=row.due_on, submitted_by=row.submitted_by,
            contact_email=row.contact_email, locale=row.locale, idempotency_key=row.idempotency_key,
            row_version=row.row_version, id=row.id,
        )

    def _record(self, row: Submission) -> RequestRecord:
        slug, number = self.session.exec(
            select(Form.slug, FormVersion.number).join(FormVersion, FormVersion.form_id == Form.id).where(
                FormVersion.id == row.version_id)
        ).one()
        self._rows[row.reference] = row
        return self._to_record(row, slug, number)

    def _apply(self, row: Submission, request: RequestRecord) -> None:
        for name in ("state", "step_index", "step_id", "claimed_by", "due_on", "updated_at", "answers"):
            setattr(row, name, getattr(request, name))
        row.group_name = request.group

    def add(self, request: RequestRecord) -> RequestRecord | None:
        # An INSERT ... RETURNING on the driver's cursor (storage.statements): submit is the hottest
        # write, and the ORM unit of work costs several times more here (see bench/submit.py). The
        # form's id comes from a subquery on the version: one round trip fewer per submission. ON CONFLICT
        # on the idempotency key is submit's check for a double click: on PostgreSQL an insert of the
        # same key by a transaction still open waits for its end, and then inserts nothing if it committed.
        inserted = _SUBMISSION_INSERT.rows(self.session.connection(), {
            "reference": request.reference, "access_code_hash": request.access_code_hash,
            "version_id": request.version_id, "answers": request.answers, "state": request.state,
            "step_index": request.step_index, "step_id": request.step_id, "group_name": request.group,
            "claimed_by": request.claimed_by, "due_on": request.due_on, "submitted_by": request.submitted_by,
            "contact_email": request.contact_email, "locale": request.locale,
            "idempotency_key": request.idempotency_key, "submitted_at": request.submitted_at,
            "updated_at": request.updated_at})
        return replace(request, id=inserted[0][0], row_version=1) if inserted else None

    def get(self, reference: str) -> RequestRecord | None:
        row = self.session.exec(select(Submission).where(Submission.reference == reference)).first()
        return self._record(row) if row else None

    def by_idempotency_key(self, key: str) -> RequestRecord | None:
        # Submit's own check is its insert (``add``, ON CONFLICT on the key: two submits of one key on two
        # replicas cannot both store, tests/load); this finds the request the insert ran into, or the first
        # request of a retry that is refused now. Almost always a miss: one indexed lookup before loading.
        found = _REFERENCE_BY_KEY.first(self.session.connection(), {"key": key})
        return self.get(found[0]) if found else None

    def save(self, request: RequestRecord) -> RequestRecord:
        """Write the state row; the version column makes a concurrent writer's flush fail (StaleDataError)."""
        row = self._rows.get(request.reference)
        if row is None:
            row = self.session.exec(select(Submission).where(Submission.reference == request.reference)).one()
        self._apply(row, request)
        self.session.add(row)
        try:
            self.session.flush()
        except StaleDataError:
            raise StaleRequest() from None
        return self._record(row)

    def inbox(self, query: InboxQuery) -> InboxPage:
        """One page of the inbox, fast at a million requests.

        Each (group, state) pair is read in index order (ix_submission_inbox; ix_submission_inbox_due for
        the due-date order) and limited before the pairs are merged, so the database never sorts every
        matching row; counts stop at INBOX_COUNT_CAP for the same reason.
        """
        filters = self._inbox_filters(query)
        pairs = [(group, state) for group in sorted(query.groups) for state in query.states]
        if not pairs:
            return InboxPage([], 0)
        wanted = query.offset + query.limit
        if query.due_soonest_first:
            parts = [part for group, state in pairs for part in self._due_parts(group, state, filters, wanted)]
            order: tuple[Any, ...] = (col(Submission.due_on).asc().nulls_last(), col(Submission.submitted_at).asc())
        else:
            order = (col(Submission.submitted_at).desc() if query.newest_first else col(Submission.submitted_at).asc(),)
            parts = [select(Submission.id, Submission.submitted_at).where(
                Submission.group_name == group, Submission.state == state, *filters).order_by(*order).limit(wanted)
                for group, state in pairs]
        total, capped = 0, False
        for group, state in pairs:
            found = self._capped_count(group, state, filters)
            total += min(found, INBOX_COUNT_CAP)
            capped = capped or found > INBOX_COUNT_CAP
        rows = []
        if query.limit > 0:
            merged = union_all(*(select(part.subquery()) for part in parts)).subquery() if len(parts) > 1 \
                else parts[0].subquery()
            if query.due_soonest_first:
                merged_order: tuple[Any, ...] = (merged.c.due_on.asc().nulls_last(), merged.c.submitted_at.asc())
            else:
                merged_order = (merged.c.submitted_at.desc() if query.newest_first else merged.c.submitted_at.asc(),)
            ids = select(merged.c.id).order_by(*merged_order).limit(query.limit).offset(query.offset)
            rows = list(self.session.exec(
                select(Submission, Form.slug, FormVersion.number)
                .join(FormVersion, FormVersion.id == Submission.version_id)
                .join(Form, Form.id == Submission.form_id)
                .where(col(Submission.id).in_(ids)).order_by(*order)))
        return InboxPage([self._to_record(row, slug, number) for row, slug, number in rows],
                         min(total, INBOX_COUNT_CAP), capped or total > INBOX_COUNT_CAP)

    @staticmethod
    def _due_parts(group: str, state: str, filters: list[Any], wanted: int) -> list[Any]:
        """One (group, state) pair in due order: the dated rows by due date, then the undated ones by age.

        Both halves are read in the order of ix_submission_inbox_due and limited, like the other orders:
        one query with NULLS LAST would make SQLite (which keeps NULLs first in an index) sort them all.
        """
        pair = select(Submission.id, Submission.due_on, Submission.submitted_at).where(
            Submission.group_name == group, Submission.state == state, *filters)
        dated = pair.where(col(Submission.due_on).is_not(None)).order_by(
            col(Submission.due_on).asc(), col(Submission.submitted_at).asc()).limit(wanted)
        undated = pair.where(col(Submission.due_on).is_(None)).order_by(
            col(Submission.submitted_at).asc()).limit(wanted)
        return [dated, undated]

    def _capped_count(self, group: str, state: str, filters: list[Any]) -> int:
        limited = select(Submission.id).where(Submission.group_name == group, Submission.state == state,
                                              *filters).limit(INBOX_COUNT_CAP + 1).subquery()
        return int(self.session.exec(select(func.count()).select_from(limited)).one())

    @staticmethod
    def _inbox_filters(query: InboxQuery) -> list[Any]:
        conditions: list[Any] = []
        if query.form_slug:
            conditions.append(Submission.form_id == select(Form.id).where(Form.slug == query.form_slug).scalar_subquery())
        if query.step_id:
            conditions.append(Submission.step_id == query.step_id)
        if query.overdue_on:
            conditions.append(col(Submission.due_on) < query.overdue_on)
        if query.claimed_by:
            conditions.append(Submission.claimed_by == query.claimed_by)
        if query.unclaimed_only:
            conditions.append(col(Submission.claimed_by).is_(None))
        if query.reference_contains:
            conditions.append(col(Submission.reference).contains(query.reference_contains.upper(), autoescape=True))
        if query.submitted_from:
            conditions.append(Submission.submitted_at >= query.submitted_from)
        if query.submitted_to:
            conditions.append(Submission.submitted_at < query.submitted_to)
        return conditions

    def submitted_by(self, username: str) -> list[RequestRecord]:
        rows = self.session.exec(
            select(Submission).where(Submission.submitted_by == username).order_by(col(Submission.submitted_at).desc())
        )
        return [self._record(row) for row in rows]

    def _id(self, reference: str) -> int:
        row = self._rows.get(reference) or self.session.exec(
            select(Submission).where(Submission.reference == reference)).one()
        assert row.id is not None
        return row.id

    def add_decision(self, decision: DecisionRecord) -> None:
        self.session.add(Decision(submission_id=self._id(decision.request_reference), step_index=decision.step_index,
                                  reviewer=decision.reviewer, outcome=decision.outcome, comment=decision.comment,
                                  decided_at=decision.decided_at))
        self.session.flush()

    def decisions(self, reference: str) -> list[DecisionRecord]:
        rows = self.session.exec(select(Decision).where(Decision.submission_id == self._id(reference)).order_by(
            col(Decision.id)))
        return [DecisionRecord(reference, r.step_index, r.reviewer, r.outcome, r.comment, r.decided_at) for r in rows]

    def add_comment(self, comment: CommentRecord) -> None:
        self.session.add(Comment(submission_id=self._id(comment.request_reference), author=comment.author,
                                 body=comment.body, visibility=comment.visibility, step_index=comment.step_index,
                                 written_at=comment.written_at))
        self.session.flush()

    def comments(self, reference: str) -> list[CommentRecord]:
        rows = self.session.exec(select(Comment).where(Comment.submission_id == self._id(reference)).order_by(
            col(Comment.id)))
        return [CommentRecord(reference, r.author, r.body, r.visibility, r.step_index, r.written_at) for r in rows]

    def command_seen(self, key: str) -> bool:
        return self.session.get(ProcessedCommand, key) is not None

    def remember_command(self, key: str, reference: str, at: datetime) -> None:
        self.session.add(ProcessedCommand(key=key, reference=reference, at=at))
        self.session.flush()


_NEXT_NUMBER = DriverStatement(
    "INSERT INTO reference_counter (prefix, year, last) VALUES (:p, :y, 1) "
    "ON CONFLICT (prefix, year) DO UPDATE SET last = reference_counter.last + 1 RETURNING last")
_SUBMISSION_INSERT = DriverStatement(
    "INSERT INTO submission (reference, access_code_hash, form_id, version_id, answers, state, step_index, step_id, "
    "group_name, claimed_by, due_on, submitted_by, contact_email, locale, idempotency_key, submitted_at, updated_at, "
    "row_version) VALUES (:reference, :access_code_hash, (SELECT form_id FROM form_version WHERE id = :version_id), "
    ":version_id, :answers, :state, :step_index, :step_id, :group_name, :claimed_by, :due_on, :submitted_by, "
    ":contact_email, :locale, :idempotency_key, :submitted_at, :updated_at, 1) "
    "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
    column_types(Submission, "answers", "due_on", "submitted_at", "updated_at"))
_REFERENCE_BY_KEY = DriverStatement("SELECT reference FROM submission WHERE idempotency_key = :key")


class SqlDirectory:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._member_rows: dict[str, list[tuple[str, str]]] = {}  # this transaction's reads of group members

    def has_users(self) -> bool:
        return self.session.exec(select(User.id).limit(1)).first() is not None

    def username_in_use(self, username: str) -> bool:
        lowered = username.lower()
        return self.session.exec(select(User.id).where(func.lower(User.username) == lowered)).first() is not None

    def user(self, username: str) -> UserRecord | None:
        row = self.session.exec(select(User).where(User.username == username)).first()
        if row is None:
            return None
        departments = self.session.exec(
            select(Department.slug).join(DesignerRole, DesignerRole.department_id == Department.id).where(
                DesignerRole.user_id == row.id)).all()
        groups = self.session.exec(
            select(StaffGroup.name).join(GroupMembership, GroupMembership.group_id == StaffGroup.id).where(
                GroupMembership.user_id == row.id)).all()
        return UserRecord(row.username, row.display_name, row.email, row.password_hash, row.is_admin, row.is_active,
                          frozenset(departments), frozenset(groups))

    def add_user(self, user: UserRecord) -> None:
        row = User(username=user.username, display_name=user.display_name, email=user.email,
                   password_hash=user.password_hash, is_admin=user.is_admin, is_active=user.is_active)
        self.session.add(row)
        try:
            self.session.flush()
        except IntegrityError:
            # Two people chose the same username at once (PostgreSQL; SQLite writers queue up): the unit of
            # work rolls back, and the later one is told the username is taken.
            raise UsernameTaken() from None
        for slug in user.designer_departments:
            department = self.session.exec(select(Department).where(Department.slug == slug)).one()
            self.session.add(DesignerRole(user_id=row.id, department_id=department.id))
        for name in user.reviewer_groups:
            group = self.session.exec(select(StaffGroup).where(StaffGroup.name == name)).one()
            self.session.add(GroupMembership(user_id=row.id, group_id=group.id))
        self.session.flush()

    def _members(self, group: str) -> list[tuple[str, str]]:
        # Submit asks for a group's size and then its addresses in one transaction: one query for both.
        found = self._member_rows.get(group)
        if found is None:
            found = self._member_rows[group] = [(name, email) for name, email in _MEMBERS.rows(
                self.session.connection(), {"group": group, "active": True})]
        return found

    def group_members(self, group: str) -> list[str]:
        return [name for name, _ in self._members(group)]

    def member_emails(self, group: str) -> list[str]:
        return [email for _, email in self._members(group) if email]

    def transaction_ended(self) -> None:
        """Forget what this transaction read: the next one reads afresh."""
        self._member_rows.clear()

    def group_exists(self, group: str) -> bool:
        return self.session.exec(select(StaffGroup.id).where(StaffGroup.name == group)).first() is not None

    def department_exists(self, slug: str) -> bool:
        return self.session.exec(select(Department.id).where(Department.slug == slug)).first() is not None

    # ------------------------------------------------------------ administration

    def _user_row(self, username: str) -> User:
        return self.session.exec(select(User).where(User.username == username)).one()

    def all_users(self) -> list[UserRecord]:
        names = self.session.exec(select(User.username).order_by(User.username)).all()
        return [record for record in (self.user(name) for name in names) if record is not None]

    def update_user(self, username: str, *, display_name: str, email: str, is_admin: bool, is_active: bool) -> None:
        row = self._user_row(username)
        row.display_name, row.email, row.is_admin, row.is_active = display_name, email, is_admin, is_active
        self.session.add(row)
        self.session.flush()

    def set_password_hash(self, username: str, password_hash: str) -> None:
        row = self._user_row(username)
        row.password_hash = password_hash
        self.session.add(row)
        self.session.flush()

    def set_roles(self, username: str, *, designer_departments: frozenset[str], reviewer_groups: frozenset[str]) -> None:
        row = self._user_row(username)
        for old in self.session.exec(select(DesignerRole).where(DesignerRole.user_id == row.id)).all():
            self.session.delete(old)
        for old_membership in self.session.exec(select(GroupMembership).where(GroupMembership.user_id == row.id)).all():
            self.session.delete(old_membership)
        self.session.flush()
        for department in self.session.exec(select(Department).where(col(Department.slug).in_(designer_departments))):
            self.session.add(DesignerRole(user_id=row.id, department_id=department.id))
        for group in self.session.exec(select(StaffGroup).where(col(StaffGroup.name).in_(reviewer_groups))):
            self.session.add(GroupMembership(user_id=row.id, group_id=group.id))
        self.session.flush()

    def all_departments(self) -> list[DepartmentRecord]:
        rows = self.session.exec(select(Department).order_by(Department.slug))
        return [DepartmentRecord(row.slug, row.name) for row in rows]

    def add_department(self, department: DepartmentRecord) -> None:
        self.session.add(Department(slug=department.slug, name=department.name))
        self.session.flush()

    def all_groups(self) -> list[GroupRecord]:
        rows = self.session.exec(select(StaffGroup.name, Department.slug).join(
            Department, Department.id == StaffGroup.department_id).order_by(StaffGroup.name))
        return [GroupRecord(name, slug) for name, slug in rows]

    def add_group(self, group: GroupRecord) -> None:
        department = self.session.exec(select(Department).where(Department.slug == group.department)).one()
        self.session.add(StaffGroup(name=group.name, department_id=department.id))
        self.session.flush()

    def rename_department(self, slug: str, name: str) -> None:
        row = self.session.exec(select(Department).where(Department.slug == slug)).one()
        row.name = name
        self.session.add(row)
        self.session.flush()

    def remove_department(self, slug: str) -> None:
        row = self.session.exec(select(Department).where(Department.slug == slug)).one()
        for role in self.session.exec(select(DesignerRole).where(DesignerRole.department_id == row.id)).all():
            self.session.delete(role)
        self.session.flush()
        self.session.delete(row)
        self.session.flush()

    def rename_group(self, name: str, new_name: str) -> None:
        row = self.session.exec(select(StaffGroup).where(StaffGroup.name == name)).one()
        row.name = new_name
        self.session.add(row)
        self.session.flush()
        self._member_rows.clear()

    def remove_group(self, name: str) -> None:
        row = self.session.exec(select(StaffGroup).where(StaffGroup.name == name)).one()
        for membership in self.session.exec(select(GroupMembership).where(GroupMembership.group_id == row.id)).all():
            self.session.delete(membership)
        self.session.flush()
        self.session.delete(row)
        self.session.flush()
        self._member_rows.clear()

    # ------------------------------------------------------------ sessions, throttling, rate limits

    def add_session(self, session: SessionRecord) -> None:
        self.session.add(AuthSession(id=session.token_hash, username=session.username, created_at=session.created_at,
                                     last_seen_at=session.last_seen_at, revoked_at=session.revoked_at))
        self.session.flush()

    def auth_session(self, token_hash: str) -> SessionRecord | None:
        row = self.session.get(AuthSession, token_hash)
        if row is None:
            return None
        return SessionRecord(row.id, row.username, row.created_at, row.last_seen_at, row.revoked_at)

    def touch_session(self, token_hash: str, at: datetime) -> None:
        self.session.execute(update(AuthSession).where(col(AuthSession.id) == token_hash).values(last_seen_at=at))

    def revoke_session(self, token_hash: str, at: datetime) -> None:
        self.session.execute(update(AuthSession).where(
            col(AuthSession.id) == token_hash, col(AuthSession.revoked_at).is_(None)).values(revoked_at=at))

    def revoke_sessions_of(self, username: str, at: datetime) -> int:
        result = self.session.execute(update(AuthSession).where(
            col(AuthSession.username) == username, col(AuthSession.revoked_at).is_(None)).values(revoked_at=at))
        return int(result.rowcount or 0)

    def login_throttle(self, username: str) -> ThrottleRecord | None:
        row = self.session.get(LoginThrottle, username)
        if row is None:
            return None
        return ThrottleRecord(row.username, row.failures, row.window_started_at, row.blocked_until)

    def locked_login_throttle(self, username: str, now: datetime) -> ThrottleRecord:
        """The username's throttle row, created with no failures if missing and locked until the transaction
        ends (FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already holds the write lock), so concurrent
        sign-ins for one username are counted one after the other. The insert cannot collide: a concurrent
        first failure makes it a no-op and the lock then waits for that transaction."""
        self.session.execute(_NEW_THROTTLE, {"username": username, "at": now})
        row = self.session.exec(select(LoginThrottle).where(LoginThrottle.username == username)
                                .with_for_update().execution_options(populate_existing=True)).one()
        return ThrottleRecord(row.username, row.failures, row.window_started_at, row.blocked_until)

    def save_login_throttle(self, record: ThrottleRecord) -> None:
        row = self.session.get(LoginThrottle, record.username) or LoginThrottle(username=record.username)
        row.failures, row.window_started_at, row.blocked_until = (record.failures, record.window_started_at,
                                                                   record.blocked_until)
        self.session.add(row)
        self.session.flush()

    def count_hit(self, client_key: str, window: str) -> int:
        # Earlier windows of the same kind are finished: drop them so the table stays small.
        kind = window.split(":", 1)[0] + ":"
        for stale in self.session.exec(select(RateLimit).where(
                RateLimit.client_key == client_key, col(RateLimit.window).startswith(kind),
                RateLimit.window != window)).all():
            self.session.delete(stale)
        self.session.execute(
            text('INSERT INTO rate_limit (client_key, "window", count) VALUES (:k, :w, 0) ON CONFLICT DO NOTHING'),
            {"k": client_key, "w": window})
        return int(self.session.execute(
            text('UPDATE rate_limit SET count = count + 1 WHERE client_key = :k AND "window" = :w RETURNING count'),
            {"k": client_key, "w": window}).scalar_one())


_NEW_THROTTLE = text("INSERT INTO login_throttle (username, failures, window_started_at) "
                     "VALUES (:username, 0, :at) ON CONFLICT DO NOTHING").bindparams(bindparam("at", type_=UtcDateTime()))


class SqlAudit:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._head: tuple[int, str] | None = None  # the chain's head as this transaction last wrote it

    def append(self, event: AuditEvent) -> ChainedEvent:
        return self.append_all((event,))[0]

    def append_all(self, events: Sequence[AuditEvent]) -> list[ChainedEvent]:
        """Chain ``events`` in order after the head: one INSERT for all (an executemany) and one head UPDATE.

        Statements on the driver's cursor of the session's connection (storage.statements): this runs
        for every change, and the ORM path costs about ten times more per statement here. The head row is read (and locked,
        FOR UPDATE; SQLite holds its write lock from BEGIN IMMEDIATE) once per transaction: after
        that, this transaction is the only writer of the head, so its own last write is the head.
        """
        if not events:
            return []
        connection = self.session.connection()
        seq, last_hash = self._head or _AUDIT_HEAD.rows(connection, {})[0]
        linked_events = []
        for event in events:
            linked = chain(seq + 1, event, last_hash)
            seq, last_hash = linked.seq, linked.hash
            linked_events.append(linked)
        rows = [{"seq": linked.seq, "at": e.at, "actor": e.actor, "action": e.action, "reference": e.reference,
                 "from_state": e.from_state, "to_state": e.to_state, "from_step": e.from_step, "to_step": e.to_step,
                 "comment": e.comment, "prev_hash": linked.prev_hash, "hash": linked.hash}
                for linked in linked_events for e in (linked.event,)]
        _AUDIT_INSERT.rows(connection, rows if len(rows) > 1 else rows[0])
        _AUDIT_HEAD_MOVE.rows(connection, {"seq": seq, "hash": last_hash})
        self._head = (seq, last_hash)
        return linked_events

    def transaction_ended(self) -> None:
        """Forget the head: the next transaction reads (and locks) it again."""
        self._head = None

    def for_request(self, reference: str) -> list[ChainedEvent]:
        rows = self.session.exec(select(AuditRecord).where(AuditRecord.reference == reference).order_by(
            col(AuditRecord.seq)))
        return [chained_from_row(row) for row in rows]


_MEMBERS = DriverStatement(
    "SELECT u.username, u.email FROM app_user AS u JOIN group_membership AS m ON m.user_id = u.id "
    "JOIN staff_group AS g ON g.id = m.group_id WHERE g.name = :group AND u.is_active = :active ORDER BY u.username")
# SQLite's write lock is held from BEGIN IMMEDIATE; PostgreSQL locks the head row until commit.
_AUDIT_HEAD = DriverStatement("SELECT seq, hash FROM audit_head WHERE id = 1",
                              postgresql="SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE")
_AUDIT_INSERT = DriverStatement(
    "INSERT INTO audit_event (seq, at, actor, action, reference, from_state, to_state, from_step, to_step, comment, "
    "prev_hash, hash) VALUES (:seq, :at, :actor, :action, :reference, :from_state, :to_state, :from_step, :to_step, "
    ":comment, :prev_hash, :hash)", column_types(AuditRecord, "at"))
_AUDIT_HEAD_MOVE = DriverStatement("UPDATE audit_head SET seq = :seq, hash = :hash WHERE id = 1")


def _audit_row(linked: ChainedEvent) -> AuditRecord:
    e = linked.event
    return AuditRecord(seq=linked.seq, at=e.at, actor=e.actor, action=e.action, reference=e.reference,
                       from_state=e.from_state, to_state=e.to_state, from_step=e.from_step, to_step=e.to_step,
                       comment=e.comment, prev_hash=linked.prev_hash, hash=linked.hash)


def chained_from_row(row: AuditRecord) -> ChainedEvent:
    event = AuditEvent(row.action, row.actor, row.at, row.reference, row.from_state, row.to_state, row.from_step,
                       row.to_step, row.comment)
    return ChainedEvent(row.seq, event, row.prev_hash, row.hash)


class SqlOutbox:
    def __init__(self, session: Session) -> None:
        self.session = session

    def enqueue(self, message: OutboxMessage) -> None:
        self.enqueue_all((message,))

    def enqueue_all(self, messages: Sequence[OutboxMessage]) -> None:
        # One statement (an executemany for several); the unique key refuses a second copy of the same
        # message, also within one batch (both databases).
        rows = [{"key": m.key[:200], "recipient": m.recipient, "subject": m.subject, "body": m.body,
                 "created_at": m.created_at} for m in messages]
        if rows:
            _OUTBOX_INSERT.rows(self.session.connection(), rows if len(rows) > 1 else rows[0])

    def undelivered(self) -> list[UndeliveredMail]:
        rows = self.session.exec(select(OutboxMail).where(*_given_up()).order_by(col(OutboxMail.created_at)))
        return [UndeliveredMail(r.id or 0, r.recipient, r.subject, r.attempts, r.last_error, r.created_at)
                for r in rows]

    def retry(self, message_id: int, at: datetime) -> bool:
        """Give an undelivered message a fresh set of attempts, due at once (the worker sends it next)."""
        again = self.session.execute(update(OutboxMail).where(col(OutboxMail.id) == message_id, *_given_up())
                                     .values(attempts=0, next_attempt_at=at))
        return bool(again.rowcount)


def _given_up() -> tuple[Any, ...]:
    """The worker's rule for a message it stopped trying (storage.outbox.due)."""
    return col(OutboxMail.sent_at).is_(None), col(OutboxMail.attempts) >= MAX_ATTEMPTS


_OUTBOX_INSERT = DriverStatement(
    "INSERT INTO outbox (key, recipient, subject, body, created_at, attempts, next_attempt_at, last_error) "
    "VALUES (:key, :recipient, :subject, :body, :created_at, 0, :created_at, '') ON CONFLICT (key) DO NOTHING",
    column_types(OutboxMail, "created_at"))


class SqlInsights:
    """Figures, open data, retention and data-protection requests (see ``builder.usecases.insights``)."""

    EVENT_BATCH = 20_000

    def __init__(self, session: Session) -> None:
        self.session = session
        self._requests = SqlRequests(session)

    def form_requests(self, form_slug: str) -> list[RequestRecord]:
        rows = self.session.exec(select(Submission).join(Form, Form.id == Submission.form_id).where(
            Form.slug == form_slug, col(Submission.purged_at).is_(None)).order_by(col(Submission.id)))
        return [self._requests._record(row) for row in rows]

    def secret(self, name: str) -> bytes:
        key = f"secret:{name}"
        self.session.execute(text("INSERT INTO app_setting (key, value) VALUES (:k, :v) ON CONFLICT DO NOTHING"),
                             {"k": key, "v": secrets.token_hex(32)})
        return bytes.fromhex(self.session.exec(select(AppSetting.value).where(AppSetting.key == key)).one())

    def expired(self, form_slug: str, finished_before: datetime, abandoned_before: datetime) -> list[RequestRecord]:
        finished = col(Submission.state).in_(["approved", "rejected", "withdrawn"]) & (
            col(Submission.updated_at) < finished_before)
        abandoned = (col(Submission.state) == "needs_info") & (col(Submission.updated_at) < abandoned_before)
        rows = self.session.exec(select(Submission).join(Form, Form.id == Submission.form_id).where(
            Form.slug == form_slug, col(Submission.purged_at).is_(None), finished | abandoned).order_by(
            col(Submission.id)))
        return [self._requests._record(row) for row in rows]

    def resident_requests(self, who: str) -> list[RequestRecord]:
        wanted = who.strip().lower()
        accounts = set(self.session.exec(select(User.username).where(func.lower(User.email) == wanted)).all())
        accounts.add(who.strip())
        linked = col(Submission.submitted_by).in_(accounts) | (func.lower(Submission.contact_email) == wanted)
        if "@" in wanted:
            # Anonymous requests carry the address only in their answers: narrow in SQL, confirm below.
            linked = linked | func.lower(cast(Submission.answers, String)).contains(wanted, autoescape=True)
        rows = self.session.exec(select(Submission).where(col(Submission.purged_at).is_(None), linked).order_by(
            col(Submission.submitted_at)))
        return [self._requests._record(row) for row in rows if _belongs_to(row, accounts, wanted)]

    def files(self, reference: str) -> list[FileRecord]:
        rows = self.session.exec(
            select(Attachment, AttachmentBlob.data).join(AttachmentBlob, AttachmentBlob.attachment_id == Attachment.id)
            .join(Submission, Submission.id == Attachment.submission_id).where(Submission.reference == reference)
            .order_by(col(Attachment.created_at)))
        return [FileRecord(reference, a.field_name, a.filename, a.content_type, data) for a, data in rows]

    def anonymise(self, reference: str, at: datetime) -> None:
        """Remove the answers, files, comments and contact details; keep the dated states for the figures."""
        row = self.session.exec(select(Submission).where(Submission.reference == reference)).one()
        attachments = select(Attachment.id).where(Attachment.submission_id == row.id)
        self.session.execute(delete(AttachmentBlob).where(col(AttachmentBlob.attachment_id).in_(attachments)))
        self.session.execute(delete(Attachment).where(Attachment.submission_id == row.id))
        self.session.execute(delete(Comment).where(Comment.submission_id == row.id))
        self.session.execute(update(Decision).where(Decision.submission_id == row.id).values(comment=""))
        if row.contact_email:
            self.session.execute(delete(OutboxMail).where(OutboxMail.recipient == row.contact_email))
        row.answers = {}
        row.contact_email = row.submitted_by = row.idempotency_key = row.claimed_by = None
        row.access_code_hash = hashlib.sha256(secrets.token_bytes(32)).hexdigest()  # nobody can open it any more
        row.purged_at = at
        self.session.add(row)
        self.session.flush()

    def forget_user(self, username: str) -> bool:
        row = self.session.exec(select(User).where(User.username == username)).first()
        if row is None or row.is_admin:
            return False
        has_roles = self.session.exec(select(DesignerRole.user_id).where(DesignerRole.user_id == row.id)).first() \
            or self.session.exec(select(GroupMembership.user_id).where(GroupMembership.user_id == row.id)).first()
        if has_roles is not None:
            return False
        # The username goes too: it is often the person's name. A random one keeps the row (and its id)
        # for the records that point to it; the audit log keeps the old name as its actor (README).
        row.username = f"erased-{secrets.token_hex(8)}"
        # A request the erasure did not see (submitted while it ran) follows the account to its new name, so
        # whoever registers the freed username later cannot open it from "My requests".
        self.session.execute(update(Submission).where(col(Submission.submitted_by) == username).values(
            submitted_by=row.username))
        row.display_name, row.email, row.is_active = "Erased account", "", False
        row.password_hash = "!erased"  # matches no password
        self.session.add(row)
        self.session.execute(delete(AuthSession).where(AuthSession.username == username))
        self.session.execute(delete(LoginThrottle).where(LoginThrottle.username == username))
        # The submission limit counts a signed-in resident as "user:<username>" (builder.usecases.limits).
        self.session.execute(delete(RateLimit).where(RateLimit.client_key == f"user:{username}"))
        self.session.flush()
        return True

    def resident_mail(self, addresses: Collection[str]) -> list[MailRecord]:
        wanted = sorted({a.strip().lower() for a in addresses if a.strip()})
        if not wanted:
            return []
        rows = self.session.exec(select(OutboxMail).where(func.lower(OutboxMail.recipient).in_(wanted))
                                 .order_by(col(OutboxMail.created_at), col(OutboxMail.id)))
        return [MailRecord(r.recipient, r.subject, r.body, r.created_at, r.sent_at) for r in rows]

    def forget_mail(self, addresses: Collection[str]) -> int:
        wanted = sorted({a.strip().lower() for a in addresses if a.strip()})
        if not wanted:
            return 0
        deleted = self.session.execute(delete(OutboxMail).where(func.lower(OutboxMail.recipient).in_(wanted)))
        self.session.flush()
        return int(deleted.rowcount or 0)

    # ------------------------------------------------------------ dashboard figures (materialised)

    WATERMARK = "figures_seq"
    # How the stored facts were folded. When the fold comes to measure differently, this changes and the
    # whole log is folded again once. "2": each request with the steps of its own form version (issue 7).
    FOLD, FOLD_VERSION = "figures_fold", "2"

    def stale_references(self, limit: int) -> tuple[list[str], int]:
        self.session.execute(text("INSERT INTO app_setting (key, value) VALUES (:k, '0') ON CONFLICT DO NOTHING"),
                             {"k": self.WATERMARK})
        # Locking the watermark row lets one refresh run at a time (PostgreSQL; SQLite has BEGIN IMMEDIATE).
        mark = self.session.exec(select(AppSetting).where(AppSetting.key == self.WATERMARK).with_for_update()).one()
        done = int(mark.value or 0) if self._same_fold() else 0
        rows = self.session.exec(select(AuditRecord.seq, AuditRecord.reference).where(
            AuditRecord.seq > done, col(AuditRecord.reference).is_not(None)).order_by(col(AuditRecord.seq))
            .limit(limit)).all()
        if not rows:
            return [], done
        return sorted({reference for _, reference in rows if reference}), max(seq for seq, _ in rows)

    def _same_fold(self) -> bool:
        """Whether the stored facts were folded as now; if not, records the current fold (the caller
        then folds the whole log again, in the same transaction)."""
        row = self.session.get(AppSetting, self.FOLD)
        if row is not None and row.value == self.FOLD_VERSION:
            return True
        row = row or AppSetting(key=self.FOLD)
        row.value = self.FOLD_VERSION
        self.session.add(row)
        self.session.flush()
        return False

    def events_of(self, references: Collection[str]) -> Iterator[tuple[str, int, AuditEvent]]:
        query = (
            select(Form.slug, FormVersion.number, AuditRecord.action, AuditRecord.actor, AuditRecord.at,
                   AuditRecord.reference, AuditRecord.from_state, AuditRecord.to_state, AuditRecord.from_step,
                   AuditRecord.to_step)
            .join(Submission, Submission.reference == AuditRecord.reference)
            .join(Form, Form.id == Submission.form_id)
            .join(FormVersion, FormVersion.id == Submission.version_id)
            .where(col(AuditRecord.reference).in_(list(references)))
            .order_by(col(AuditRecord.reference), col(AuditRecord.seq))
        )
        for slug, version, action, actor, at, reference, from_state, to_state, from_step, to_step in \
                self.session.connection().execute(query):
            yield slug, version, AuditEvent(action, actor, at, reference, from_state, to_state, from_step, to_step)

    def store_facts(self, facts: Sequence[RequestFact], covered_seq: int) -> None:
        references = [f.reference for f in facts]
        form_ids = dict(self.session.exec(select(Form.slug, Form.id)).all())
        for start in range(0, len(references), 500):
            chunk = references[start:start + 500]
            self.session.execute(delete(VisitFigure).where(col(VisitFigure.reference).in_(chunk)))
            self.session.execute(delete(RequestFigure).where(col(RequestFigure.reference).in_(chunk)))
        if facts:
            # Core executemany: the ORM's bulk insert issues a statement per few rows on these tables.
            connection = self.session.connection()
            connection.execute(insert(RequestFigure), [_request_figure_row(f, form_ids[f.form]) for f in facts])
            visits = [_visit_figure_row(f, n, v, form_ids[f.form]) for f in facts for n, v in enumerate(f.visits)]
            if visits:
                connection.execute(insert(VisitFigure), visits)
        self.session.execute(update(AppSetting).where(col(AppSetting.key) == self.WATERMARK).values(
            value=str(covered_seq)))
        self.session.flush()

    def figures(self, forms: Collection[str], submitted_from: datetime | None, submitted_to: datetime | None,
                now: datetime) -> FigureSet:
        return _FigureQueries(self.session, list(forms), submitted_from, submitted_to, now).run()


def _belongs_to(row: Submission, accounts: set[str], email: str) -> bool:
    """A request is the resident's when one of their accounts submitted it or an answer is exactly their address."""
    if row.submitted_by in accounts or (row.contact_email or "").lower() == email:
        return True
    answers = row.answers.values() if isinstance(row.answers, dict) else ()
    return "@" in email and any(isinstance(value, str) and value.strip().lower() == email for value in answers)


def _request_figure_row(fact: RequestFact, form_id: int) -> dict[str, Any]:
    return {"reference": fact.reference, "form_id": form_id, "submitted_s": fact.submitted_s,
            "finished_s": fact.finished_s, "state": fact.state, "resident_wait_s": fact.resident_wait_s,
            "waiting_since_s": fact.waiting_since_s, "breached": fact.breached, "open_due_day": fact.open_due_day,
            "received_week": fact.received_week, "decided_week": fact.decided_week, "decision_s": fact.decision_s,
            "wait_s": fact.settled_wait_s}


def _visit_figure_row(fact: RequestFact, number: int, visit: VisitFact, form_id: int) -> dict[str, Any]:
    return {"reference": fact.reference, "number": number, "form_id": form_id, "step_id": visit.step,
            "submitted_s": fact.submitted_s, "entered_s": visit.entered_s, "left_s": visit.left_s,
            "resident_wait_s": visit.resident_wait_s, "waiting_since_s": visit.waiting_since_s,
            "due_day": visit.due_day, "breached": visit.breached, "city_s": visit.settled_city_s,
            "outcome": visit.outcome}


_REQUEST_WAIT = ("r.resident_wait_s + CASE WHEN r.finished_s IS NULL AND r.waiting_since_s IS NOT NULL "
                 "THEN :now - r.waiting_since_s ELSE 0 END")
_VISIT_WAIT = ("v.resident_wait_s + CASE WHEN v.left_s IS NULL AND v.waiting_since_s IS NOT NULL "
               "THEN :now - v.waiting_since_s ELSE 0 END")


@dataclass(frozen=True)
class _Ranked:
    """One duration figure of one group of rows, whose median and 90th percentile are wanted.

    Its values are the ``settled`` column (indexed per form: readable at a rank in index order) where
    it is not NULL, plus ``growing``: the values that grow with "now" (requests and visits the city or
    the resident has right now), few enough to compute and sort here."""

    table: str  # "request_figure r" or "visit_figure v"
    settled: str  # column, e.g. "r.decision_s"
    group: str  # SQL condition selecting the group, e.g. "r.form_id = :g_form"
    group_params: dict[str, Any]
    settled_count: int
    growing: list[float]  # sorted

    @property
    def count(self) -> int:
        return self.settled_count + len(self.growing)


class _FigureQueries:
    """The dashboard as SQL aggregates over the materialised facts.

    Counts and sums are one GROUP BY each over rows kept together per form (and step). Medians and
    90th percentiles (nearest rank, as builder.metrics) read the value at their rank from an index
    ordered by that value: ``ORDER BY x LIMIT .. OFFSET rank`` walks the index without sorting. The
    few values that depend on "now" are merged in here (see ``_at_ranks``). Measured at a million
    events (bench/dashboard.py), this replaced ROW_NUMBER() windows that sorted every row per view."""

    def __init__(self, session: Session, forms: list[str], start: datetime | None, end: datetime | None,
                 now: datetime) -> None:
        self.session = session
        self.params: dict[str, Any] = {"forms": forms, "now": now.timestamp(), "today": now.date().toordinal(),
                                       "start": start.timestamp() if start else None,
                                       "end": end.timestamp() if end else None}
        self.form_ids: dict[str, int] = {}

    def _period(self, alias: str) -> str:
        period = f" AND {alias}.submitted_s >= :start" if self.params["start"] is not None else ""
        return period + (f" AND {alias}.submitted_s < :end" if self.params["end"] is not None else "")

    def _where(self, alias: str) -> str:
        return f"f.slug IN :forms{self._period(alias)}"

    def _rows(self, sql: str, extra: dict[str, Any] | None = None) -> list[Any]:
        params = {**self.params, **(extra or {})}
        expanding = [bindparam(name, expanding=True) for name, value in params.items()
                     if isinstance(value, list) and f":{name}" in sql]
        return list(self.session.connection().execute(text(sql).bindparams(*expanding), params))

    def _growing(self, key: str, value: str, table: str, condition: str, *,
                 positive: bool = False) -> dict[Any, list[float]]:
        """Per key, the sorted values of ``value`` (only those above 0 if ``positive``) over the rows
        meeting ``condition`` (few rows: those open right now)."""
        alias = table[-1]
        grouped: dict[Any, list[float]] = {}
        for *k, x in self._rows(f"SELECT {key}, {value} FROM {table} JOIN form f ON f.id = {alias}.form_id "
                                f"WHERE {self._where(alias)} AND ({condition})"):
            if x > 0 or not positive:
                grouped.setdefault(k[0] if len(k) == 1 else tuple(k), []).append(float(x))
        return {k: sorted(values) for k, values in grouped.items()}

    def _at_ranks(self, figure: _Ranked, ranks: Sequence[int]) -> dict[int, float]:
        """The values at the given 1-based ranks of settled ∪ growing, with one index walk.

        With m growing values, the settled values below rank ``min(ranks) - m`` are all among the
        smallest ``min(ranks)`` of the union, so only settled ranks [min - m, max] can matter."""
        alias, m = figure.table[-1], len(figure.growing)
        low = max(1, min(ranks) - m)
        high = min(max(ranks), figure.settled_count)
        window: list[float] = []
        if high >= low:
            window = [float(x) for (x,) in self._rows(
                f"SELECT {figure.settled} FROM {figure.table} WHERE {figure.group}{self._period(alias)} "
                f"AND {figure.settled} IS NOT NULL ORDER BY {figure.settled} LIMIT :n OFFSET :skip",
                {**figure.group_params, "n": high - low + 1, "skip": low - 1})]
        merged = sorted(window + figure.growing)
        return {rank: merged[rank - low] for rank in ranks}

    def _median_p90(self, figure: _Ranked) -> tuple[float | None, float | None]:
        n = figure.count
        if n == 0:
            return None, None
        middle = self._at_ranks(figure, [(n + 1) // 2, (n + 2) // 2])
        return median_of_ranked(middle, n), self._at_ranks(figure, [p90_rank(n)])[p90_rank(n)]

    def _group(self, k: str, alias: str) -> tuple[str, dict[str, Any]]:
        if k in self.form_ids:
            return f"{alias}.form_id = :g_form", {"g_form": self.form_ids[k]}
        return f"{alias}.form_id IN :g_forms", {"g_forms": list(self.form_ids.values())}

    def _form_level(self, key: str) -> list[FormFigures]:
        totals = self._rows(
            f"SELECT {key} AS k, COUNT(*), SUM(CASE WHEN r.finished_s IS NULL THEN 1 ELSE 0 END), "
            "MIN(CASE WHEN r.finished_s IS NULL THEN r.submitted_s END), "
            "SUM(CASE WHEN r.finished_s IS NOT NULL AND r.state = 'approved' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN r.finished_s IS NOT NULL AND r.state = 'rejected' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN r.finished_s IS NOT NULL AND r.state = 'withdrawn' THEN 1 ELSE 0 END), "
            f"SUM({_REQUEST_WAIT}), "
            "SUM(CASE WHEN r.breached OR (r.finished_s IS NULL AND r.open_due_day < :today) THEN 1 ELSE 0 END), "
            f"COUNT(r.wait_s) FROM request_figure r JOIN form f ON f.id = r.form_id WHERE {self._where('r')} GROUP BY 1")
        table = "request_figure r"
        ages = self._growing(key, ":now - r.submitted_s", table, "r.finished_s IS NULL")
        asked_now = self._growing(key, _REQUEST_WAIT, table, "r.finished_s IS NULL AND r.waiting_since_s IS NOT NULL",
                                  positive=True)
        result = []
        for k, received, open_n, oldest, approved, rejected, withdrawn, wait_total, breaches, settled_waits in totals:
            group, params = self._group(k, "r")
            decided = int(approved) + int(rejected)
            to_decision = self._median_p90(_Ranked(table, "r.decision_s", group, params, decided, []))
            waits = self._median_p90(_Ranked(table, "r.wait_s", group, params, int(settled_waits), asked_now.get(k, [])))
            age = self._median_p90(_Ranked(table, "r.submitted_s", group, params, 0, ages.get(k, [])))
            result.append(FormFigures(
                form=k, received=int(received), open_backlog=int(open_n), backlog_median_age=_span(age[0]),
                backlog_oldest_age=_span(self.params["now"] - oldest if oldest is not None else None),
                decided=decided, approved=int(approved), rejected=int(rejected), withdrawn=int(withdrawn),
                approval_rate=int(approved) / decided if decided else None,
                rejection_rate=int(rejected) / decided if decided else None,
                median_to_decision=_span(to_decision[0]), p90_to_decision=_span(to_decision[1]),
                median_resident_wait=_span(waits[0]),
                total_resident_wait=_span(float(wait_total or 0)) or timedelta(0), sla_breaches=int(breaches)))
        return result

    def _steps(self) -> list[StepFigures]:
        totals = self._rows(
            f"SELECT f.slug, v.step_id, COUNT(*), SUM(CASE WHEN v.left_s IS NULL THEN 1 ELSE 0 END), "
            f"SUM({_VISIT_WAIT}), SUM(CASE WHEN v.breached OR (v.left_s IS NULL AND v.waiting_since_s IS NULL "
            "AND v.due_day < :today) THEN 1 ELSE 0 END), COUNT(v.city_s), "
            "SUM(CASE WHEN v.outcome = 'approved' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN v.outcome = 'rejected' THEN 1 ELSE 0 END), "
            "MIN(CASE WHEN v.left_s IS NULL THEN v.entered_s END) "
            f"FROM visit_figure v JOIN form f ON f.id = v.form_id WHERE {self._where('v')} GROUP BY f.slug, v.step_id")
        # The city has these right now: their time grows until the step is left or a question is asked.
        growing = self._growing("f.slug, v.step_id", "COALESCE(v.left_s, :now) - v.entered_s - v.resident_wait_s",
                                "visit_figure v", "v.left_s IS NULL AND v.waiting_since_s IS NULL")
        # Ages of the requests at each step now (city's or resident's turn): few rows, read and sorted here.
        ages = self._growing("f.slug, v.step_id", ":now - v.entered_s", "visit_figure v", "v.left_s IS NULL")
        result = []
        for slug, step, n, open_n, resident, breaches, settled, approved, rejected, oldest in totals:
            group, params = "v.form_id = :g_form AND v.step_id = :g_step", {"g_form": self.form_ids[slug], "g_step": step}
            median_wait, p90_wait = self._median_p90(
                _Ranked("visit_figure v", "v.city_s", group, params, int(settled), growing.get((slug, step), [])))
            age = self._median_p90(_Ranked("visit_figure v", "v.entered_s", group, params, 0, ages.get((slug, step), [])))
            decided = int(approved) + int(rejected)
            result.append(StepFigures(
                form=slug, step=step, step_name=step, visits=int(n), open_now=int(open_n),
                median_wait=_span(median_wait), p90_wait=_span(p90_wait),
                total_resident_wait=_span(float(resident or 0)) or timedelta(0), sla_breaches=int(breaches),
                open_median_age=_span(age[0]),
                open_oldest_age=_span(self.params["now"] - oldest if oldest is not None else None),
                approved=int(approved), rejected=int(rejected),
                approval_rate=int(approved) / decided if decided else None,
                rejection_rate=int(rejected) / decided if decided else None))
        return result

    def _weeks(self) -> list[WeekFigures]:
        counts: dict[tuple[int, str], list[int]] = {}
        for column, index in (("received_week", 0), ("decided_week", 1)):
            for slug, week, n in self._rows(
                    f"SELECT f.slug, r.{column}, COUNT(*) FROM request_figure r JOIN form f ON f.id = r.form_id "
                    f"WHERE {self._where('r')} AND r.{column} IS NOT NULL GROUP BY f.slug, r.{column}"):
                counts.setdefault((int(week), slug), [0, 0])[index] = int(n)
        return [WeekFigures(date.fromordinal(week), slug, received, decided)
                for (week, slug), (received, decided) in sorted(counts.items())]

    def run(self) -> FigureSet:
        if not self.params["forms"]:
            return FigureSet([], [], [], None)
        self.form_ids = {slug: form_id for form_id, slug in self._rows(
            "SELECT f.id, f.slug FROM form f WHERE f.slug IN :forms")}
        per_form = self._form_level("f.slug")
        if len(per_form) == 1:  # one form: the overall figures are that form's, no second pass
            overall: list[FormFigures] = [replace(per_form[0], form="(all forms)")]
        else:
            overall = self._form_level("'(all forms)'")
        return FigureSet(per_form, self._steps(), self._weeks(), overall[0] if overall else None)


def _span(seconds: float | None) -> timedelta | None:
    return None if seconds is None else timedelta(seconds=float(seconds))
