"""What the core needs from storage: plain records and the unit-of-work protocol.

Use cases are written against these protocols (``def submit(..., uow) -> Receipt``); ``storage``
implements them with SQLModel, the unit tests with dictionaries. Identities are readable keys:
users by username, groups by name, departments and forms by slug.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self

if TYPE_CHECKING:  # builder.metrics imports this module
    from builder.metrics import FigureSet, RequestFact


@dataclass(frozen=True)
class Actor:
    """Who is acting, with roles read from the database on every page run."""

    username: str | None = None
    display_name: str = "Anonymous resident"
    is_admin: bool = False
    designer_departments: frozenset[str] = frozenset()
    reviewer_groups: frozenset[str] = frozenset()
    client_key: str | None = None

    @property
    def is_signed_in(self) -> bool:
        return self.username is not None

    @property
    def is_staff(self) -> bool:
        return self.is_admin or bool(self.designer_departments) or bool(self.reviewer_groups)

    @property
    def label(self) -> str:
        """How the actor is named in the audit log."""
        return self.username or "anonymous"


ANONYMOUS = Actor()


@dataclass
class FormRecord:
    slug: str
    department: str
    title: str
    draft: dict[str, Any]
    draft_revision: int = 0
    draft_updated_by: str | None = None
    draft_updated_at: datetime | None = None
    latest_version: int | None = None


@dataclass
class VersionRecord:
    form_slug: str
    number: int
    definition: dict[str, Any]
    published_at: datetime
    published_by: str | None
    id: int | None = None
    # SHA-256 of the definition as stored, when the storage read it (builder.published keys its cache by it).
    digest: str = ""


@dataclass(frozen=True)
class VersionHead:
    """The latest published version of a form without its definition: what a submission reads first, the
    definition itself only when this process has not prepared that version yet (builder.published)."""

    form_slug: str
    number: int
    id: int
    # SHA-256 of the definition, stored when it was published; empty for a row written without one.
    digest: str


@dataclass
class RequestRecord:
    """A resident's request: the answers plus the current state row (versioned)."""

    reference: str
    access_code_hash: str
    form_slug: str
    version_id: int
    version_number: int
    answers: dict[str, Any]
    state: str
    submitted_at: datetime
    updated_at: datetime
    step_index: int | None = None
    step_id: str | None = None
    group: str | None = None
    claimed_by: str | None = None
    due_on: date | None = None
    submitted_by: str | None = None
    contact_email: str | None = None
    locale: str = "en"
    idempotency_key: str | None = None
    row_version: int = 1
    id: int | None = None


@dataclass(frozen=True)
class DecisionRecord:
    request_reference: str
    step_index: int
    reviewer: str
    outcome: str  # "approve" | "reject"
    comment: str
    decided_at: datetime


@dataclass(frozen=True)
class CommentRecord:
    request_reference: str
    author: str
    body: str
    visibility: str  # "internal" | "public"
    step_index: int | None
    written_at: datetime


@dataclass(frozen=True)
class AuditEvent:
    """One step in a request's life. Never holds answer values."""

    action: str
    actor: str
    at: datetime
    reference: str | None = None
    from_state: str | None = None
    to_state: str | None = None
    from_step: str | None = None
    to_step: str | None = None
    comment: str = ""


@dataclass(frozen=True)
class ChainedEvent:
    """An audit event as stored: with its sequence number and hash chain links."""

    seq: int
    event: AuditEvent
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class OutboxMessage:
    key: str  # unique per event and recipient: a message is never queued twice
    recipient: str
    subject: str
    body: str
    created_at: datetime


@dataclass(frozen=True)
class MailRecord:
    """A message of the outbox as a data-protection export shows it: queued (``sent_at`` None) or sent."""

    recipient: str
    subject: str
    body: str
    created_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True)
class InboxQuery:
    groups: frozenset[str]
    states: tuple[str, ...] = ("in_review",)
    form_slug: str | None = None
    step_id: str | None = None
    overdue_on: date | None = None  # only requests due before this day
    claimed_by: str | None = None
    unclaimed_only: bool = False
    reference_contains: str | None = None
    submitted_from: datetime | None = None
    submitted_to: datetime | None = None
    newest_first: bool = True
    # Due date, soonest first (requests without a due date last, oldest first); overrides newest_first.
    due_soonest_first: bool = False
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class InboxPage:
    rows: list[RequestRecord]
    total: int
    total_is_capped: bool = False  # counting stopped at INBOX_COUNT_CAP (fast at a million requests)


INBOX_COUNT_CAP = 10_000


@dataclass(frozen=True)
class UserRecord:
    username: str
    display_name: str
    email: str
    password_hash: str
    is_admin: bool = False
    is_active: bool = True
    designer_departments: frozenset[str] = field(default_factory=frozenset)
    reviewer_groups: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class SessionRecord:
    """A signed-in browser session, stored under the SHA-256 of its random token (never the token)."""

    token_hash: str
    username: str
    created_at: datetime
    last_seen_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class ThrottleRecord:
    """Failed sign-ins of one typed username (known or not) in the current window."""

    username: str
    failures: int
    window_started_at: datetime
    blocked_until: datetime | None = None


@dataclass(frozen=True)
class DepartmentRecord:
    slug: str
    name: str


@dataclass(frozen=True)
class GroupRecord:
    name: str
    department: str


class FormRepository(Protocol):
    def get(self, slug: str) -> FormRecord | None: ...
    def add(self, form: FormRecord) -> None: ...
    def save_draft(self, slug: str, draft: dict[str, Any], *, expected_revision: int, by: str, at: datetime) -> int: ...
    def list(self, departments: frozenset[str] | None = None) -> list[FormRecord]: ...
    def add_version(self, version: VersionRecord) -> VersionRecord: ...
    def version(self, slug: str, number: int) -> VersionRecord | None: ...
    def version_by_id(self, version_id: int) -> VersionRecord | None: ...
    def latest_version(self, slug: str) -> VersionRecord | None: ...
    def latest_head(self, slug: str) -> VersionHead | None: ...
    def versions(self, slug: str) -> list[VersionRecord]: ...
    def published(self) -> list[VersionRecord]: ...


class RequestRepository(Protocol):
    def next_number(self, prefix: str, year: int) -> int: ...
    # None, and nothing written, when a request with the same idempotency key is stored already (also one
    # another process committed meanwhile: the database's unique key decides).
    def add(self, request: RequestRecord) -> RequestRecord | None: ...
    def get(self, reference: str) -> RequestRecord | None: ...
    def by_idempotency_key(self, key: str) -> RequestRecord | None: ...
    def save(self, request: RequestRecord) -> RequestRecord: ...
    def inbox(self, query: InboxQuery) -> InboxPage: ...
    def submitted_by(self, username: str) -> list[RequestRecord]: ...
    def add_decision(self, decision: DecisionRecord) -> None: ...
    def decisions(self, reference: str) -> list[DecisionRecord]: ...
    def add_comment(self, comment: CommentRecord) -> None: ...
    def comments(self, reference: str) -> list[CommentRecord]: ...
    def command_seen(self, key: str) -> bool: ...
    def remember_command(self, key: str, reference: str, at: datetime) -> None: ...


class Directory(Protocol):
    """Departments, groups and users."""

    def has_users(self) -> bool: ...
    def user(self, username: str) -> UserRecord | None: ...

    def username_in_use(self, username: str) -> bool:
        """Whether an account has this name in any mix of capitals ("Sam" and "sam" are one name to people)."""
        ...
    def add_user(self, user: UserRecord) -> None: ...
    def group_members(self, group: str) -> list[str]: ...
    def member_emails(self, group: str) -> list[str]: ...  # active members' addresses, for "new work" mail
    def group_exists(self, group: str) -> bool: ...
    def department_exists(self, slug: str) -> bool: ...
    # administration
    def all_users(self) -> list[UserRecord]: ...
    def update_user(self, username: str, *, display_name: str, email: str, is_admin: bool, is_active: bool) -> None: ...
    def set_password_hash(self, username: str, password_hash: str) -> None: ...
    def set_roles(self, username: str, *, designer_departments: frozenset[str], reviewer_groups: frozenset[str]) -> None: ...
    def all_departments(self) -> list[DepartmentRecord]: ...
    def add_department(self, department: DepartmentRecord) -> None: ...
    def all_groups(self) -> list[GroupRecord]: ...
    def add_group(self, group: GroupRecord) -> None: ...
    def rename_department(self, slug: str, name: str) -> None: ...  # the slug (used by forms and roles) stays
    def remove_department(self, slug: str) -> None: ...  # with its designer roles; the caller checks forms and groups
    def rename_group(self, name: str, new_name: str) -> None: ...  # members follow the group
    def remove_group(self, name: str) -> None: ...  # with its memberships; the caller checks what uses it
    # sign-in sessions, throttling and rate limits
    def add_session(self, session: SessionRecord) -> None: ...
    def auth_session(self, token_hash: str) -> SessionRecord | None: ...
    def touch_session(self, token_hash: str, at: datetime) -> None: ...
    def revoke_session(self, token_hash: str, at: datetime) -> None: ...
    def revoke_sessions_of(self, username: str, at: datetime) -> int: ...
    def login_throttle(self, username: str) -> ThrottleRecord | None: ...
    # In a write transaction: the row (created with no failures if missing), locked until the transaction ends.
    def locked_login_throttle(self, username: str, now: datetime) -> ThrottleRecord: ...
    def save_login_throttle(self, record: ThrottleRecord) -> None: ...
    def count_hit(self, client_key: str, window: str) -> int: ...


class AuditLog(Protocol):
    def append(self, event: AuditEvent) -> ChainedEvent: ...
    # Several events of one change, chained in order: one write for all of them (a use case's hot path).
    def append_all(self, events: Sequence[AuditEvent]) -> list[ChainedEvent]: ...
    def for_request(self, reference: str) -> list[ChainedEvent]: ...


@dataclass(frozen=True)
class UndeliveredMail:
    """A message the worker gave up on after its last attempt (storage.outbox.MAX_ATTEMPTS)."""

    id: int
    recipient: str
    subject: str
    attempts: int
    last_error: str
    created_at: datetime


class Outbox(Protocol):
    def enqueue(self, message: OutboxMessage) -> None: ...
    def enqueue_all(self, messages: Sequence[OutboxMessage]) -> None: ...  # one write; same rules as enqueue
    def undelivered(self) -> list[UndeliveredMail]: ...  # given up on, oldest first
    def retry(self, message_id: int, at: datetime) -> bool: ...  # attempts start again; False: none undelivered


@dataclass(frozen=True)
class FileRecord:
    """An attached file with its content (for a resident's data export)."""

    reference: str
    field_name: str
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class StoredAttachment:
    """An uploaded file's record (its content is fetched apart): random id, checked type, SHA-256."""

    id: str
    field_name: str
    filename: str
    content_type: str
    size: int
    sha256: str
    reference: str | None = None  # None until the request it was uploaded for is submitted


class Attachments(Protocol):
    """Uploaded files, stored under random ids; linked to their request when it is submitted."""

    def add(self, record: StoredAttachment, data: bytes) -> None: ...
    def link(self, ids: Collection[str], reference: str) -> int: ...  # only files not linked yet; returns how many
    def get(self, attachment_id: str) -> StoredAttachment | None: ...
    def content(self, attachment_id: str) -> bytes | None: ...
    def of_request(self, reference: str) -> list[StoredAttachment]: ...


class Insights(Protocol):
    """Figures, open data, retention and data-protection requests."""

    def form_requests(self, form_slug: str) -> list[RequestRecord]: ...  # not yet purged
    def secret(self, name: str) -> bytes: ...  # a random key kept in the database, made on first use
    def expired(self, form_slug: str, finished_before: datetime, abandoned_before: datetime) -> list[RequestRecord]: ...
    def resident_requests(self, who: str) -> list[RequestRecord]: ...  # by username or contact email
    def files(self, reference: str) -> list[FileRecord]: ...
    def anonymise(self, reference: str, at: datetime) -> None: ...
    def forget_user(self, username: str) -> bool: ...  # resident accounts only; False for staff or unknown
    def resident_mail(self, addresses: Collection[str]) -> list[MailRecord]: ...  # to these addresses, any case
    def forget_mail(self, addresses: Collection[str]) -> int: ...  # delete it, queued or sent; how many
    # dashboard figures, materialised from the log (builder.metrics.RequestFact)
    def stale_references(self, limit: int) -> tuple[list[str], int]: ...  # with new events; and up to which seq
    # (form slug, number of the version the request was submitted on, event), each request's events in log order
    def events_of(self, references: Collection[str]) -> Iterator[tuple[str, int, AuditEvent]]: ...
    def store_facts(self, facts: Sequence[RequestFact], covered_seq: int) -> None: ...
    def figures(self, forms: Collection[str], submitted_from: datetime | None, submitted_to: datetime | None,
                now: datetime) -> FigureSet: ...


class UnitOfWork(Protocol):
    """One transaction. ``with uow:`` writes (and rolls back unless committed);
    ``with uow.reading():`` reads a consistent snapshot without taking the write lock."""

    forms: FormRepository
    requests: RequestRepository
    directory: Directory
    audit: AuditLog
    outbox: Outbox
    insights: Insights
    attachments: Attachments

    def __enter__(self) -> Self: ...
    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    def reading(self) -> AbstractContextManager[Self]: ...
