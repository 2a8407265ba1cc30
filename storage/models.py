"""SQLModel tables. One module: every table of Formwork, in the order of DESIGN.md's journeys.

Datetimes are stored in UTC and always come back timezone-aware (``UtcDateTime``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, Integer, LargeBinary, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and returned timezone-aware, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


JsonType = JSON().with_variant(JSONB(), "postgresql")


def utc_column(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_type=UtcDateTime, nullable=nullable, index=index)


def now_utc() -> datetime:
    return datetime.now(UTC)


# ---------------------------------------------------------------- organisation and accounts


class Department(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, max_length=120)
    name: str = Field(max_length=200)


class StaffGroup(SQLModel, table=True):
    __tablename__ = "staff_group"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=120)
    department_id: int = Field(foreign_key="department.id", index=True)


class User(SQLModel, table=True):
    __tablename__ = "app_user"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=64)
    display_name: str = Field(max_length=200)
    email: str = Field(default="", max_length=254)
    password_hash: str = Field(max_length=200)
    is_admin: bool = False
    is_active: bool = True
    locale: str = Field(default="en", max_length=8)
    created_at: datetime = Field(default_factory=now_utc, sa_type=UtcDateTime)


class DesignerRole(SQLModel, table=True):
    __tablename__ = "designer_role"
    user_id: int = Field(foreign_key="app_user.id", primary_key=True, ondelete="CASCADE")
    department_id: int = Field(foreign_key="department.id", primary_key=True, ondelete="CASCADE")


class GroupMembership(SQLModel, table=True):
    __tablename__ = "group_membership"
    user_id: int = Field(foreign_key="app_user.id", primary_key=True, ondelete="CASCADE")
    group_id: int = Field(foreign_key="staff_group.id", primary_key=True, ondelete="CASCADE")


class AuthSession(SQLModel, table=True):
    """A signed-in browser session; logging out revokes it so a copied cookie is worthless."""

    __tablename__ = "auth_session"
    id: str = Field(primary_key=True, max_length=64)  # sha256 of the session token
    username: str = Field(max_length=64, index=True)
    created_at: datetime = Field(default_factory=now_utc, sa_type=UtcDateTime)
    last_seen_at: datetime = Field(default_factory=now_utc, sa_type=UtcDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class LoginThrottle(SQLModel, table=True):
    __tablename__ = "login_throttle"
    username: str = Field(primary_key=True, max_length=64)
    failures: int = 0
    window_started_at: datetime = Field(default_factory=now_utc, sa_type=UtcDateTime)
    blocked_until: datetime | None = Field(default=None, sa_type=UtcDateTime)


class RateLimit(SQLModel, table=True):
    __tablename__ = "rate_limit"
    client_key: str = Field(primary_key=True, max_length=128)
    window: str = Field(primary_key=True, max_length=32)
    count: int = 0


class AppSetting(SQLModel, table=True):
    __tablename__ = "app_setting"
    key: str = Field(primary_key=True, max_length=120)
    value: str = ""


# ---------------------------------------------------------------- forms


class Form(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, max_length=64)
    department_id: int = Field(foreign_key="department.id", index=True)
    title: str = Field(max_length=200)
    draft: dict[str, Any] = Field(default_factory=dict, sa_type=JsonType)
    draft_revision: int = 0
    draft_updated_by: str | None = Field(default=None, max_length=64)
    draft_updated_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    created_at: datetime = Field(default_factory=now_utc, sa_type=UtcDateTime)


class FormVersion(SQLModel, table=True):
    __tablename__ = "form_version"
    __table_args__ = (UniqueConstraint("form_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    form_id: int = Field(foreign_key="form.id", index=True)
    number: int
    definition: dict[str, Any] = Field(sa_type=JsonType)
    published_at: datetime = Field(sa_type=UtcDateTime)
    published_by: str | None = Field(default=None, max_length=64)
    # SHA-256 of the definition (builder.published.document_digest), written once when published: a
    # submission finds the version its process prepared by it, without reading the definition.
    definition_digest: str | None = Field(default=None, max_length=64)


# ---------------------------------------------------------------- requests

_row_version = Column("row_version", Integer, nullable=False)


class Submission(SQLModel, table=True):
    """A resident's request: answers plus the current state row, versioned for optimistic locking."""

    __table_args__ = (
        Index("ix_submission_inbox", "group_name", "state", "submitted_at"),
        Index("ix_submission_inbox_due", "group_name", "state", "due_on", "submitted_at"),
        Index("ix_submission_state_time", "state", "submitted_at"),
        Index("ix_submission_form_state", "form_id", "state"),
    )
    __mapper_args__ = {"version_id_col": _row_version}

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(unique=True, max_length=32)
    access_code_hash: str = Field(max_length=64)
    form_id: int = Field(foreign_key="form.id")
    version_id: int = Field(foreign_key="form_version.id")
    answers: dict[str, Any] = Field(default_factory=dict, sa_type=JsonType)
    state: str = Field(max_length=20)
    step_index: int | None = None
    step_id: str | None = Field(default=None, max_length=64)
    group_name: str | None = Field(default=None, max_length=120)
    claimed_by: str | None = Field(default=None, max_length=64)
    due_on: date | None = None
    submitted_by: str | None = Field(default=None, max_length=64, index=True)
    contact_email: str | None = Field(default=None, max_length=254)
    locale: str = Field(default="en", max_length=8)
    idempotency_key: str | None = Field(default=None, unique=True, max_length=64)
    submitted_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)
    row_version: int = Field(default=1, sa_column=_row_version)
    # Set when retention or a data-protection request removed the answers (the row stays for the figures).
    purged_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class ReferenceCounter(SQLModel, table=True):
    __tablename__ = "reference_counter"
    prefix: str = Field(primary_key=True, max_length=8)
    year: int = Field(primary_key=True)
    last: int = 0


class Decision(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("submission_id", "step_index", "reviewer"),)
    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True, ondelete="CASCADE")
    step_index: int
    reviewer: str = Field(max_length=64)
    outcome: str = Field(max_length=16)
    comment: str = ""
    decided_at: datetime = Field(sa_type=UtcDateTime)


class Comment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True, ondelete="CASCADE")
    author: str = Field(max_length=64)
    body: str
    visibility: str = Field(max_length=16)
    step_index: int | None = None
    written_at: datetime = Field(sa_type=UtcDateTime)


class ProcessedCommand(SQLModel, table=True):
    """Idempotency keys of reviewer actions: a double click is applied once."""

    __tablename__ = "processed_command"
    key: str = Field(primary_key=True, max_length=64)
    reference: str = Field(max_length=32)
    at: datetime = Field(sa_type=UtcDateTime)


class Attachment(SQLModel, table=True):
    """A file, stored under a random id with its SHA-256; never by a path built from its name."""

    id: str = Field(primary_key=True, max_length=40)
    submission_id: int | None = Field(default=None, foreign_key="submission.id", index=True, ondelete="CASCADE")
    field_name: str = Field(max_length=200)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=now_utc, sa_type=UtcDateTime)


class AttachmentBlob(SQLModel, table=True):
    __tablename__ = "attachment_blob"
    attachment_id: str = Field(foreign_key="attachment.id", primary_key=True, ondelete="CASCADE")
    data: bytes = Field(sa_type=LargeBinary)


# ---------------------------------------------------------------- audit and mail


class AuditRecord(SQLModel, table=True):
    """Append-only, hash-chained (triggers refuse UPDATE and DELETE on both databases)."""

    __tablename__ = "audit_event"
    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: datetime = Field(sa_type=UtcDateTime, index=True)
    actor: str = Field(max_length=64)
    action: str = Field(max_length=32)
    reference: str | None = Field(default=None, max_length=32, index=True)
    from_state: str | None = Field(default=None, max_length=20)
    to_state: str | None = Field(default=None, max_length=20)
    from_step: str | None = Field(default=None, max_length=64)
    to_step: str | None = Field(default=None, max_length=64)
    comment: str = ""
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditHead(SQLModel, table=True):
    """The chain's last link; locking this row serialises appends on PostgreSQL."""

    __tablename__ = "audit_head"
    id: int = Field(primary_key=True)
    seq: int = 0
    hash: str = Field(max_length=64)


class OutboxMail(SQLModel, table=True):
    __tablename__ = "outbox"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=200)
    recipient: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    body: str
    created_at: datetime = Field(sa_type=UtcDateTime)
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=UtcDateTime, index=True)
    sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_error: str = ""


# ---------------------------------------------------------------- dashboard figures (materialised)


class RequestFigure(SQLModel, table=True):
    """A request's facts folded from its audit events (builder.metrics.RequestFact); no answers.

    Rebuilt for a request whenever it has new events, so the dashboard aggregates these rows in SQL
    instead of re-reading the whole log. Times are epoch seconds, days are date ordinals.

    The primary key keeps a form's rows together in submission order (on SQLite the table itself is
    that index, ``WITHOUT ROWID``), so a dashboard view reads them in one pass instead of one lookup
    per row. ``decision_s`` and ``wait_s`` are indexed per form: their medians and 90th percentiles are
    read at a rank in index order, without sorting (storage.repositories._FigureQueries)."""

    __tablename__ = "request_figure"
    __table_args__ = (Index("ux_request_figure_reference", "reference", unique=True),
                      Index("ix_request_figure_decision", "form_id", "decision_s", "submitted_s"),
                      Index("ix_request_figure_wait", "form_id", "wait_s", "submitted_s"),
                      {"sqlite_with_rowid": False})
    form_id: int = Field(foreign_key="form.id", primary_key=True)
    submitted_s: float = Field(primary_key=True)
    reference: str = Field(primary_key=True, max_length=32)
    finished_s: float | None = None
    state: str = Field(max_length=20)
    resident_wait_s: float = 0
    waiting_since_s: float | None = None
    breached: bool = False
    open_due_day: int | None = None
    received_week: int
    decided_week: int | None = None
    decision_s: float | None = None  # RequestFact.decision_s
    wait_s: float | None = None  # RequestFact.settled_wait_s


class VisitFigure(SQLModel, table=True):
    """One stay of a request at one step (builder.metrics.VisitFact), kept together per form and step."""

    __tablename__ = "visit_figure"
    __table_args__ = (Index("ux_visit_figure_reference", "reference", "number", unique=True),
                      Index("ix_visit_figure_city", "form_id", "step_id", "city_s", "submitted_s"),
                      {"sqlite_with_rowid": False})
    form_id: int = Field(foreign_key="form.id", primary_key=True)
    step_id: str = Field(max_length=64, primary_key=True)
    submitted_s: float = Field(primary_key=True)  # of the request, for the period filter
    reference: str = Field(primary_key=True, max_length=32)
    number: int = Field(primary_key=True)
    entered_s: float
    left_s: float | None = None
    resident_wait_s: float = 0
    waiting_since_s: float | None = None
    due_day: int | None = None
    breached: bool = False
    city_s: float | None = None  # VisitFact.settled_city_s
    outcome: str | None = Field(default=None, max_length=10)  # VisitFact.outcome

