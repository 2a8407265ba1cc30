"""An in-memory unit of work, so the core's use cases are tested without a database."""

from __future__ import annotations

import copy
import secrets
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime
from types import TracebackType
from typing import Any, Self

from builder.published import document_digest
from builder import metrics
from builder.audit import GENESIS_HASH, chain
from builder.errors import DraftConflict, StaleRequest
from builder.ports import (
    AuditEvent,
    ChainedEvent,
    CommentRecord,
    DecisionRecord,
    FileRecord,
    StoredAttachment,
    FormRecord,
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


class FakeForms:
    def __init__(self) -> None:
        self.forms: dict[str, FormRecord] = {}
        self.stored_versions: list[VersionRecord] = []

    def get(self, slug: str) -> FormRecord | None:
        form = self.forms.get(slug)
        if form is None:
            return None
        latest = max((v.number for v in self.stored_versions if v.form_slug == slug), default=None)
        return replace(form, latest_version=latest)

    def add(self, form: FormRecord) -> None:
        self.forms[form.slug] = copy.deepcopy(form)

    def save_draft(self, slug: str, draft: dict[str, Any], *, expected_revision: int, by: str, at: datetime) -> int:
        form = self.forms[slug]
        if form.draft_revision != expected_revision:
            raise DraftConflict(f"{form.draft_updated_by} saved this form since you opened it.")
        self.forms[slug] = replace(form, draft=copy.deepcopy(draft), draft_revision=expected_revision + 1,
                                   draft_updated_by=by, draft_updated_at=at, title=draft.get("title", form.title))
        return expected_revision + 1

    def list(self, departments: frozenset[str] | None = None) -> list[FormRecord]:
        return [self.get(f.slug) for f in self.forms.values() if departments is None or f.department in departments]  # type: ignore[misc]

    def add_version(self, version: VersionRecord) -> VersionRecord:
        stored = replace(version, id=len(self.stored_versions) + 1, definition=copy.deepcopy(version.definition),
                         digest=document_digest(version.definition))
        self.stored_versions.append(stored)
        return stored

    def version(self, slug: str, number: int) -> VersionRecord | None:
        return next((v for v in self.stored_versions if v.form_slug == slug and v.number == number), None)

    def version_by_id(self, version_id: int) -> VersionRecord | None:
        return next((v for v in self.stored_versions if v.id == version_id), None)

    def latest_version(self, slug: str) -> VersionRecord | None:
        mine = [v for v in self.stored_versions if v.form_slug == slug]
        return max(mine, key=lambda v: v.number) if mine else None

    def latest_head(self, slug: str) -> VersionHead | None:
        mine = [v for v in self.stored_versions if v.form_slug == slug]
        latest = max(mine, key=lambda v: v.number) if mine else None
        return VersionHead(slug, latest.number, latest.id, latest.digest) if latest and latest.id else None

    def versions(self, slug: str) -> list[VersionRecord]:
        return sorted((v for v in self.stored_versions if v.form_slug == slug), key=lambda v: -v.number)

    def published(self) -> list[VersionRecord]:
        return [v for v in (self.latest_version(slug) for slug in self.forms) if v is not None]


class FakeRequests:
    def __init__(self) -> None:
        self.rows: dict[str, RequestRecord] = {}
        self.counters: dict[tuple[str, int], int] = {}
        self.decision_rows: list[DecisionRecord] = []
        self.comment_rows: list[CommentRecord] = []
        self.commands: set[str] = set()

    def next_number(self, prefix: str, year: int) -> int:
        self.counters[(prefix, year)] = self.counters.get((prefix, year), 0) + 1
        return self.counters[(prefix, year)]

    def add(self, request: RequestRecord) -> RequestRecord | None:
        if request.idempotency_key is not None and self.by_idempotency_key(request.idempotency_key) is not None:
            return None  # the unique key of the real table
        stored = replace(request, id=len(self.rows) + 1, row_version=1)
        self.rows[request.reference] = stored
        return stored

    def get(self, reference: str) -> RequestRecord | None:
        return self.rows.get(reference)

    def by_idempotency_key(self, key: str) -> RequestRecord | None:
        return next((r for r in self.rows.values() if r.idempotency_key == key), None)

    def save(self, request: RequestRecord) -> RequestRecord:
        current = self.rows[request.reference]
        if current.row_version != request.row_version:
            raise StaleRequest()
        stored = replace(request, row_version=request.row_version + 1)
        self.rows[request.reference] = stored
        return stored

    def inbox(self, query: InboxQuery) -> InboxPage:
        rows = [r for r in self.rows.values() if r.group in query.groups and r.state in query.states]
        if query.form_slug:
            rows = [r for r in rows if r.form_slug == query.form_slug]
        if query.step_id:
            rows = [r for r in rows if r.step_id == query.step_id]
        if query.overdue_on:
            rows = [r for r in rows if r.due_on is not None and r.due_on < query.overdue_on]
        if query.submitted_from:
            rows = [r for r in rows if r.submitted_at >= query.submitted_from]
        if query.submitted_to:
            rows = [r for r in rows if r.submitted_at < query.submitted_to]
        if query.reference_contains:
            rows = [r for r in rows if query.reference_contains.upper() in r.reference]
        if query.claimed_by:
            rows = [r for r in rows if r.claimed_by == query.claimed_by]
        if query.unclaimed_only:
            rows = [r for r in rows if r.claimed_by is None]
        if query.due_soonest_first:
            rows.sort(key=lambda r: (r.due_on is None, r.due_on or date.min, r.submitted_at))
        else:
            rows.sort(key=lambda r: r.submitted_at, reverse=query.newest_first)
        return InboxPage(rows[query.offset: query.offset + query.limit], len(rows))

    def submitted_by(self, username: str) -> list[RequestRecord]:
        return [r for r in self.rows.values() if r.submitted_by == username]

    def add_decision(self, decision: DecisionRecord) -> None:
        self.decision_rows.append(decision)

    def decisions(self, reference: str) -> list[DecisionRecord]:
        return [d for d in self.decision_rows if d.request_reference == reference]

    def add_comment(self, comment: CommentRecord) -> None:
        self.comment_rows.append(comment)

    def comments(self, reference: str) -> list[CommentRecord]:
        return [c for c in self.comment_rows if c.request_reference == reference]

    def command_seen(self, key: str) -> bool:
        return key in self.commands

    def remember_command(self, key: str, reference: str, at: datetime) -> None:
        self.commands.add(key)


class FakeDirectory:
    def __init__(self, groups: dict[str, list[str]] | None = None, departments: set[str] | None = None) -> None:
        self.users: dict[str, UserRecord] = {}
        self.groups = groups or {}
        self.departments = departments or set()
        self.department_names: dict[str, str] = {}
        self.group_departments: dict[str, str] = {}
        self.sessions: dict[str, SessionRecord] = {}
        self.throttles: dict[str, ThrottleRecord] = {}
        self.hits: dict[tuple[str, str], int] = {}

    def has_users(self) -> bool:
        return bool(self.users)

    def user(self, username: str) -> UserRecord | None:
        return self.users.get(username)

    def username_in_use(self, username: str) -> bool:
        return any(name.lower() == username.lower() for name in self.users)

    def add_user(self, user: UserRecord) -> None:
        self.users[user.username] = user

    def group_members(self, group: str) -> list[str]:
        return sorted(self.groups.get(group, []))

    def member_emails(self, group: str) -> list[str]:
        users = [self.users.get(name) for name in self.group_members(group)]
        return [u.email for u in users if u is not None and u.is_active and u.email]

    def group_exists(self, group: str) -> bool:
        return group in self.groups

    def department_exists(self, slug: str) -> bool:
        return slug in self.departments

    def all_users(self) -> list[UserRecord]:
        return [self.users[name] for name in sorted(self.users)]

    def update_user(self, username: str, *, display_name: str, email: str, is_admin: bool, is_active: bool) -> None:
        self.users[username] = replace(self.users[username], display_name=display_name, email=email,
                                       is_admin=is_admin, is_active=is_active)

    def set_password_hash(self, username: str, password_hash: str) -> None:
        self.users[username] = replace(self.users[username], password_hash=password_hash)

    def set_roles(self, username: str, *, designer_departments: frozenset[str], reviewer_groups: frozenset[str]) -> None:
        self.users[username] = replace(self.users[username], designer_departments=designer_departments & self.departments,
                                       reviewer_groups=reviewer_groups & set(self.groups))
        for group, members in self.groups.items():
            if username in members and group not in reviewer_groups:
                members.remove(username)
            elif group in reviewer_groups and username not in members:
                members.append(username)

    def all_departments(self) -> list[DepartmentRecord]:
        return [DepartmentRecord(slug, self.department_names.get(slug, slug)) for slug in sorted(self.departments)]

    def add_department(self, department: DepartmentRecord) -> None:
        self.departments.add(department.slug)
        self.department_names[department.slug] = department.name

    def all_groups(self) -> list[GroupRecord]:
        return [GroupRecord(name, self.group_departments.get(name, "")) for name in sorted(self.groups)]

    def add_group(self, group: GroupRecord) -> None:
        self.groups[group.name] = []
        self.group_departments[group.name] = group.department

    def rename_department(self, slug: str, name: str) -> None:
        self.department_names[slug] = name

    def remove_department(self, slug: str) -> None:
        self.departments.discard(slug)
        self.department_names.pop(slug, None)
        for username, user in self.users.items():
            self.users[username] = replace(user, designer_departments=user.designer_departments - {slug})

    def rename_group(self, name: str, new_name: str) -> None:
        self.groups[new_name] = self.groups.pop(name)
        self.group_departments[new_name] = self.group_departments.pop(name, "")
        for username, user in self.users.items():
            if name in user.reviewer_groups:
                self.users[username] = replace(user, reviewer_groups=user.reviewer_groups - {name} | {new_name})

    def remove_group(self, name: str) -> None:
        self.groups.pop(name, None)
        self.group_departments.pop(name, None)
        for username, user in self.users.items():
            self.users[username] = replace(user, reviewer_groups=user.reviewer_groups - {name})

    def add_session(self, session: SessionRecord) -> None:
        self.sessions[session.token_hash] = session

    def auth_session(self, token_hash: str) -> SessionRecord | None:
        return self.sessions.get(token_hash)

    def touch_session(self, token_hash: str, at: datetime) -> None:
        if token_hash in self.sessions:
            self.sessions[token_hash] = replace(self.sessions[token_hash], last_seen_at=at)

    def revoke_session(self, token_hash: str, at: datetime) -> None:
        found = self.sessions.get(token_hash)
        if found is not None and found.revoked_at is None:
            self.sessions[token_hash] = replace(found, revoked_at=at)

    def revoke_sessions_of(self, username: str, at: datetime) -> int:
        mine = [key for key, s in self.sessions.items() if s.username == username and s.revoked_at is None]
        for key in mine:
            self.sessions[key] = replace(self.sessions[key], revoked_at=at)
        return len(mine)

    def login_throttle(self, username: str) -> ThrottleRecord | None:
        return self.throttles.get(username)

    def save_login_throttle(self, record: ThrottleRecord) -> None:
        self.throttles[record.username] = record

    def locked_login_throttle(self, username: str, now: datetime) -> ThrottleRecord:
        return self.throttles.setdefault(username, ThrottleRecord(username, 0, now))

    def count_hit(self, client_key: str, window: str) -> int:
        self.hits[(client_key, window)] = self.hits.get((client_key, window), 0) + 1
        return self.hits[(client_key, window)]


class FakeAudit:
    def __init__(self) -> None:
        self.events: list[ChainedEvent] = []

    def append(self, event: AuditEvent) -> ChainedEvent:
        prev = self.events[-1].hash if self.events else GENESIS_HASH
        linked = chain(len(self.events) + 1, event, prev)
        self.events.append(linked)
        return linked

    def append_all(self, events: Sequence[AuditEvent]) -> list[ChainedEvent]:
        return [self.append(event) for event in events]

    def for_request(self, reference: str) -> list[ChainedEvent]:
        return [e for e in self.events if e.event.reference == reference]


class FakeOutbox:
    def __init__(self) -> None:
        self.messages: dict[str, OutboxMessage] = {}

    def enqueue(self, message: OutboxMessage) -> None:
        self.messages.setdefault(message.key, message)

    def enqueue_all(self, messages: Sequence[OutboxMessage]) -> None:
        for message in messages:
            self.enqueue(message)

    def undelivered(self) -> list[UndeliveredMail]:
        return []  # nothing is sent from memory, so nothing is ever given up on

    def retry(self, message_id: int, at: datetime) -> bool:
        return False


class FakeInsights:
    """Answers from the other fakes; keeps only its own secrets (the snapshot copies that state)."""

    def __init__(self, uow: Callable[[], FakeUnitOfWork]) -> None:
        self._uow = uow  # a function: the snapshot's deepcopy keeps it pointing at the live unit of work
        self.secrets: dict[str, bytes] = {}
        self.attachments: list[FileRecord] = []

    def _tagged(self, forms: Collection[str], submitted_from: datetime | None,
                submitted_to: datetime | None) -> Iterator[tuple[str, int, AuditEvent]]:
        rows = self._uow().requests.rows
        for stored in self._uow().audit.events:
            request = rows.get(stored.event.reference or "")
            if request is None or request.form_slug not in forms:
                continue
            if (submitted_from and request.submitted_at < submitted_from) or (
                    submitted_to and request.submitted_at >= submitted_to):
                continue
            yield request.form_slug, request.version_number, stored.event

    # The fake keeps no materialised facts: it computes the figures from the log every time.
    def stale_references(self, limit: int) -> tuple[list[str], int]:
        return [], len(self._uow().audit.events)

    def events_of(self, references: Collection[str]) -> Iterator[tuple[str, int, AuditEvent]]:
        forms = {r.form_slug for r in self._uow().requests.rows.values()}
        return (tagged for tagged in self._tagged(forms, None, None) if tagged[2].reference in references)

    def store_facts(self, facts: Sequence[metrics.RequestFact], covered_seq: int) -> None:
        return None

    def figures(self, forms: Collection[str], submitted_from: datetime | None, submitted_to: datetime | None,
                now: datetime) -> metrics.FigureSet:
        from builder.usecases.insights import step_book  # each request with its own version's steps

        result = metrics.compute_tagged(self._tagged(forms, submitted_from, submitted_to), step_book(self._uow()), now)
        return metrics.FigureSet(result.forms, result.steps, result.weeks, result.overall)

    def form_requests(self, form_slug: str) -> list[RequestRecord]:
        return [r for r in self._uow().requests.rows.values() if r.form_slug == form_slug and r.answers]

    def secret(self, name: str) -> bytes:
        return self.secrets.setdefault(name, secrets.token_bytes(32))

    def expired(self, form_slug: str, finished_before: datetime, abandoned_before: datetime) -> list[RequestRecord]:
        return [r for r in self.form_requests(form_slug)
                if (r.state in {"approved", "rejected", "withdrawn"} and r.updated_at < finished_before)
                or (r.state == "needs_info" and r.updated_at < abandoned_before)]

    def resident_requests(self, who: str) -> list[RequestRecord]:
        wanted = who.strip().lower()
        return [r for r in self._uow().requests.rows.values() if r.answers and (
            r.submitted_by == who.strip() or (r.contact_email or "").lower() == wanted)]

    def files(self, reference: str) -> list[FileRecord]:
        return [f for f in self.attachments if f.reference == reference]

    def anonymise(self, reference: str, at: datetime) -> None:
        requests = self._uow().requests
        current = requests.rows[reference]
        requests.rows[reference] = replace(current, answers={}, contact_email=None, submitted_by=None,
                                           idempotency_key=None, claimed_by=None, access_code_hash="erased")
        requests.comment_rows = [c for c in requests.comment_rows if c.request_reference != reference]
        self.attachments = [f for f in self.attachments if f.reference != reference]

    def forget_user(self, username: str) -> bool:
        directory = self._uow().directory
        user = directory.users.get(username)
        if user is None or user.is_admin or user.designer_departments or user.reviewer_groups:
            return False
        del directory.users[username]
        erased = f"erased-{secrets.token_hex(8)}"
        directory.users[erased] = replace(user, username=erased, display_name="Erased account", email="",
                                          is_active=False)
        return True

    def resident_mail(self, addresses: Collection[str]) -> list[MailRecord]:
        wanted = {a.strip().lower() for a in addresses}
        return [MailRecord(m.recipient, m.subject, m.body, m.created_at, None)
                for m in self._uow().outbox.messages.values() if m.recipient.lower() in wanted]

    def forget_mail(self, addresses: Collection[str]) -> int:
        outbox = self._uow().outbox
        gone = [key for key, m in outbox.messages.items() if m.recipient.lower() in {a.lower() for a in addresses}]
        for key in gone:
            del outbox.messages[key]
        return len(gone)


class FakeAttachments:
    """Uploaded files in memory; ``reference`` is set when their request is submitted."""

    def __init__(self) -> None:
        self.records: dict[str, StoredAttachment] = {}
        self.data: dict[str, bytes] = {}

    def add(self, record: StoredAttachment, data: bytes) -> None:
        self.records[record.id] = record
        self.data[record.id] = data

    def link(self, ids: Collection[str], reference: str) -> int:
        linked = [i for i in ids if i in self.records and self.records[i].reference is None]
        for attachment_id in linked:
            self.records[attachment_id] = replace(self.records[attachment_id], reference=reference)
        return len(linked)

    def get(self, attachment_id: str) -> StoredAttachment | None:
        return self.records.get(attachment_id)

    def content(self, attachment_id: str) -> bytes | None:
        return self.data.get(attachment_id)

    def of_request(self, reference: str) -> list[StoredAttachment]:
        return [r for r in self.records.values() if r.reference == reference]


class FakeUnitOfWork:
    """Commits by keeping a snapshot; rollback (or leaving without commit) restores the last commit."""

    def __init__(self, *, groups: dict[str, list[str]] | None = None, departments: set[str] | None = None) -> None:
        self.forms = FakeForms()
        self.requests = FakeRequests()
        self.directory = FakeDirectory(groups, departments)
        self.audit = FakeAudit()
        self.outbox = FakeOutbox()
        self.insights = FakeInsights(lambda: self)
        self.attachments = FakeAttachments()
        self.commits = 0
        self._snapshot = self._state()

    def _state(self) -> dict[str, Any]:
        return copy.deepcopy({name: getattr(self, name).__dict__
                              for name in ("forms", "requests", "directory", "audit", "outbox", "insights",
                                           "attachments")})

    def _restore(self) -> None:
        for name, state in copy.deepcopy(self._snapshot).items():
            getattr(self, name).__dict__.update(state)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._restore()

    @contextmanager
    def reading(self) -> Iterator[Self]:
        yield self

    def commit(self) -> None:
        self.commits += 1
        self._snapshot = self._state()

    def rollback(self) -> None:
        self._restore()
