"""An in-memory unit of work, so the core's use cases are tested without a database."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from builder.audit import GENESIS_HASH, chain
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
        stored = replace(version, id=len(self.stored_versions) + 1, definition=copy.deepcopy(version.definition))
        self.stored_versions.append(stored)
        return stored

    def version(self, slug: str, number: int) -> VersionRecord | None:
        return next((v for v in self.stored_versions if v.form_slug == slug and v.number == number), None)

    def version_by_id(self, version_id: int) -> VersionRecord | None:
        return next((v for v in self.stored_versions if v.id == version_id), None)

    def latest_version(self, slug: str) -> VersionRecord | None:
        mine = [v for v in self.stored_versions if v.form_slug == slug]
        return max(mine, key=lambda v: v.number) if mine else None

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

    def add(self, request: RequestRecord) -> RequestRecord:
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
        if query.reference_contains:
            rows = [r for r in rows if query.reference_contains.upper() in r.reference]
        if query.claimed_by:
            rows = [r for r in rows if r.claimed_by == query.claimed_by]
        if query.unclaimed_only:
            rows = [r for r in rows if r.claimed_by is None]
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

    def has_users(self) -> bool:
        return bool(self.users)

    def user(self, username: str) -> UserRecord | None:
        return self.users.get(username)

    def add_user(self, user: UserRecord) -> None:
        self.users[user.username] = user

    def group_members(self, group: str) -> list[str]:
        return sorted(self.groups.get(group, []))

    def group_exists(self, group: str) -> bool:
        return group in self.groups

    def department_exists(self, slug: str) -> bool:
        return slug in self.departments


class FakeAudit:
    def __init__(self) -> None:
        self.events: list[ChainedEvent] = []

    def append(self, event: AuditEvent) -> ChainedEvent:
        prev = self.events[-1].hash if self.events else GENESIS_HASH
        linked = chain(len(self.events) + 1, event, prev)
        self.events.append(linked)
        return linked

    def for_request(self, reference: str) -> list[ChainedEvent]:
        return [e for e in self.events if e.event.reference == reference]


class FakeOutbox:
    def __init__(self) -> None:
        self.messages: dict[str, OutboxMessage] = {}

    def enqueue(self, message: OutboxMessage) -> None:
        self.messages.setdefault(message.key, message)


class FakeUnitOfWork:
    """Commits by keeping a snapshot; rollback (or leaving without commit) restores the last commit."""

    def __init__(self, *, groups: dict[str, list[str]] | None = None, departments: set[str] | None = None) -> None:
        self.forms = FakeForms()
        self.requests = FakeRequests()
        self.directory = FakeDirectory(groups, departments)
        self.audit = FakeAudit()
        self.outbox = FakeOutbox()
        self.commits = 0
        self._snapshot = self._state()

    def _state(self) -> dict[str, Any]:
        return copy.deepcopy({name: getattr(self, name).__dict__
                              for name in ("forms", "requests", "directory", "audit", "outbox")})

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
