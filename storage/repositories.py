"""Repositories: the core's protocols (``builder.ports``) implemented on SQLModel tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, text, update
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from builder.audit import chain
from builder.errors import DraftConflict, StaleRequest
from builder.ports import (
    AuditEvent,
    ChainedEvent,
    CommentRecord,
    DecisionRecord,
    FormRecord,
    InboxPage,
    InboxQuery,
    OutboxMessage,
    RequestRecord,
    UserRecord,
    VersionRecord,
)
from storage.models import (
    AuditHead,
    AuditRecord,
    Comment,
    Decision,
    Department,
    DesignerRole,
    Form,
    FormVersion,
    GroupMembership,
    OutboxMail,
    ProcessedCommand,
    StaffGroup,
    Submission,
    User,
)


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
                          published_at=version.published_at, published_by=version.published_by)
        self.session.add(row)
        self.session.flush()
        return VersionRecord(version.form_slug, row.number, row.definition, row.published_at, row.published_by, row.id)

    def _version_record(self, row: FormVersion, slug: str | None = None) -> VersionRecord:
        if slug is None:
            form = self.session.get(Form, row.form_id)
            slug = form.slug if form else ""
        return VersionRecord(slug, row.number, dict(row.definition), row.published_at, row.published_by, row.id)

    def version(self, slug: str, number: int) -> VersionRecord | None:
        row = self.session.exec(
            select(FormVersion).join(Form).where(Form.slug == slug, FormVersion.number == number)
        ).first()
        return self._version_record(row, slug) if row else None

    def version_by_id(self, version_id: int) -> VersionRecord | None:
        row = self.session.get(FormVersion, version_id)
        return self._version_record(row) if row else None

    def latest_version(self, slug: str) -> VersionRecord | None:
        row = self.session.exec(
            select(FormVersion).join(Form).where(Form.slug == slug).order_by(col(FormVersion.number).desc())
        ).first()
        return self._version_record(row, slug) if row else None

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


class SqlRequests:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._rows: dict[str, Submission] = {}

    def next_number(self, prefix: str, year: int) -> int:
        self.session.execute(
            text("INSERT INTO reference_counter (prefix, year, last) VALUES (:p, :y, 0) ON CONFLICT DO NOTHING"),
            {"p": prefix, "y": year},
        )
        return int(self.session.execute(
            text("UPDATE reference_counter SET last = last + 1 WHERE prefix = :p AND year = :y RETURNING last"),
            {"p": prefix, "y": year},
        ).scalar_one())

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

    def add(self, request: RequestRecord) -> RequestRecord:
        version = self.session.get(FormVersion, request.version_id)
        assert version is not None
        row = Submission(reference=request.reference, access_code_hash=request.access_code_hash,
                         form_id=version.form_id, version_id=request.version_id, submitted_at=request.submitted_at,
                         submitted_by=request.submitted_by, contact_email=request.contact_email,
                         locale=request.locale, idempotency_key=request.idempotency_key)
        self._apply(row, request)
        self.session.add(row)
        self.session.flush()
        return self._record(row)

    def get(self, reference: str) -> RequestRecord | None:
        row = self.session.exec(select(Submission).where(Submission.reference == reference)).first()
        return self._record(row) if row else None

    def by_idempotency_key(self, key: str) -> RequestRecord | None:
        row = self.session.exec(select(Submission).where(Submission.idempotency_key == key)).first()
        return self._record(row) if row else None

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
        conditions = [col(Submission.group_name).in_(query.groups), col(Submission.state).in_(query.states)]
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
            conditions.append(col(Submission.reference).contains(query.reference_contains.upper()))
        if query.submitted_from:
            conditions.append(Submission.submitted_at >= query.submitted_from)
        if query.submitted_to:
            conditions.append(Submission.submitted_at < query.submitted_to)
        order = col(Submission.submitted_at).desc() if query.newest_first else col(Submission.submitted_at).asc()
        total = self.session.exec(select(func.count()).select_from(Submission).where(*conditions)).one()
        rows = self.session.exec(
            select(Submission, Form.slug, FormVersion.number)
            .join(FormVersion, FormVersion.id == Submission.version_id)
            .join(Form, Form.id == Submission.form_id)
            .where(*conditions).order_by(order).limit(query.limit).offset(query.offset)
        )
        return InboxPage([self._to_record(row, slug, number) for row, slug, number in rows], int(total))

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


class SqlDirectory:
    def __init__(self, session: Session) -> None:
        self.session = session

    def has_users(self) -> bool:
        return self.session.exec(select(User.id).limit(1)).first() is not None

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
        self.session.flush()
        for slug in user.designer_departments:
            department = self.session.exec(select(Department).where(Department.slug == slug)).one()
            self.session.add(DesignerRole(user_id=row.id, department_id=department.id))
        for name in user.reviewer_groups:
            group = self.session.exec(select(StaffGroup).where(StaffGroup.name == name)).one()
            self.session.add(GroupMembership(user_id=row.id, group_id=group.id))
        self.session.flush()

    def group_members(self, group: str) -> list[str]:
        return list(self.session.exec(
            select(User.username).join(GroupMembership, GroupMembership.user_id == User.id).join(
                StaffGroup, StaffGroup.id == GroupMembership.group_id).where(
                StaffGroup.name == group, User.is_active == True)  # noqa: E712
            .order_by(User.username)).all())

    def group_exists(self, group: str) -> bool:
        return self.session.exec(select(StaffGroup.id).where(StaffGroup.name == group)).first() is not None

    def department_exists(self, slug: str) -> bool:
        return self.session.exec(select(Department.id).where(Department.slug == slug)).first() is not None


class SqlAudit:
    def __init__(self, session: Session) -> None:
        self.session = session

    def append(self, event: AuditEvent) -> ChainedEvent:
        head = self.session.exec(select(AuditHead).where(AuditHead.id == 1).with_for_update()).one()
        linked = chain(head.seq + 1, event, head.hash)
        self.session.add(_audit_row(linked))
        head.seq, head.hash = linked.seq, linked.hash
        self.session.add(head)
        self.session.flush()
        return linked

    def for_request(self, reference: str) -> list[ChainedEvent]:
        rows = self.session.exec(select(AuditRecord).where(AuditRecord.reference == reference).order_by(
            col(AuditRecord.seq)))
        return [chained_from_row(row) for row in rows]


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
        exists = self.session.exec(select(OutboxMail.id).where(OutboxMail.key == message.key[:200])).first()
        if exists is None:
            self.session.add(OutboxMail(key=message.key[:200], recipient=message.recipient, subject=message.subject,
                                        body=message.body, created_at=message.created_at,
                                        next_attempt_at=message.created_at))
            self.session.flush()

