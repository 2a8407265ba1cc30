"""Retention, data-protection requests, figures and backups on real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import json
import threading
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from builder.errors import PermissionDenied
from builder.ports import Actor
from builder.usecases import forms, insights, requests, review
from builder.workflow import Action, Command
from storage import backup, outbox, retention
from storage.audit_check import verify_audit
from storage.engine import make_engine
from storage.models import Attachment, AttachmentBlob, AuditRecord, LoginThrottle, OutboxMail, Submission, User
from storage.uow import SqlUnitOfWork
from tests.helpers import ADMIN, DESIGNER, EVENTS, RESIDENT, ROADS, seed_organisation

CANARY = "Canary-Ysolde-Qwertz-4711"
LONG_AGO = datetime(2024, 1, 8, 10, tzinfo=UTC)
PUBLISHED_AT = LONG_AGO - timedelta(days=1)  # read by the ``seeded`` fixture


def pothole(name: str = CANARY) -> dict:
    return {"location": "Market Street 12", "size": "small", "name": name, "email": "ysolde@resident.example"}




def _attach(engine: Engine, reference: str, data: bytes) -> None:
    with Session(engine) as session:
        row = session.exec(select(Submission).where(Submission.reference == reference)).one()
        session.add(Attachment(id=f"att-{reference}", submission_id=row.id, field_name="photo", filename="hole.png",
                               content_type="image/png", size=len(data), sha256="0" * 64))
        session.flush()
        session.add(AttachmentBlob(attachment_id=f"att-{reference}", data=data))
        session.commit()


def _sqlite_bytes(engine: Engine) -> bytes:
    path = Path(engine.url.database or "")
    return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())


def test_retention_purge_anonymises_expired_requests_and_leaves_the_rest(seeded: SqlUnitOfWork, engine: Engine) -> None:
    old = requests.submit("report-pothole", pothole(), RESIDENT, seeded, idempotency_key="old", now=LONG_AGO)
    review.act(old.reference, Command(Action.REJECT, ROADS, text="Not a pothole"), 1, seeded, now=LONG_AGO)
    _attach(engine, old.reference, f"file with {CANARY}".encode())
    still_open = requests.submit("report-pothole", pothole("Open Olga"), RESIDENT, seeded, idempotency_key="open",
                                 now=LONG_AGO)
    now = LONG_AGO + timedelta(days=731)
    recent = requests.submit("report-pothole", pothole("Recent Rita"), RESIDENT, seeded, idempotency_key="new",
                             now=now - timedelta(days=3))
    if engine.dialect.name == "sqlite":
        retention.checkpoint(engine)
        assert CANARY.encode() in _sqlite_bytes(engine)  # the test can see the value before the purge

    purged = retention.purge(engine, now=now).requests

    assert [p.reference for p in purged] == [old.reference]
    with seeded.reading():
        gone = seeded.requests.get(old.reference)
        assert gone is not None and gone.answers == {} and gone.state == "rejected"
        assert seeded.insights.files(old.reference) == []
        assert seeded.requests.comments(old.reference) == []
        assert seeded.requests.get(still_open.reference).answers["name"] == "Open Olga"
        assert seeded.requests.get(recent.reference).answers["name"] == "Recent Rita"
        events = seeded.audit.for_request(old.reference)
    assert events[-1].event.action == "purge" and "730 days" in events[-1].event.comment
    assert verify_audit(engine)[1] is None
    assert retention.purge(engine, now=now).requests == []  # idempotent: nothing twice, no second event
    if engine.dialect.name == "sqlite":
        assert CANARY.encode() not in _sqlite_bytes(engine)


INBOX_TABS = {"decision": ("in_review",), "resident": ("needs_info",), "finished": ("approved", "rejected", "withdrawn")}


def test_a_request_abandoned_waiting_for_the_resident_is_closed_by_the_purge(seeded: SqlUnitOfWork,
                                                                              engine: Engine) -> None:
    from builder.errors import NotFound
    from builder.ports import InboxQuery

    asked = requests.submit("report-pothole", pothole(), RESIDENT, seeded, idempotency_key="asked", now=LONG_AGO)
    review.act(asked.reference, Command(Action.RETURN, ROADS, text=f"Photo please, {CANARY}?"), 1, seeded,
               now=LONG_AGO)
    _attach(engine, asked.reference, f"file with {CANARY}".encode())
    still_open = requests.submit("report-pothole", pothole("Open Olga"), RESIDENT, seeded, idempotency_key="open",
                                 now=LONG_AGO)
    now = LONG_AGO + timedelta(days=731)
    before = insights.dashboard(DESIGNER, seeded, now=now).forms[0]
    assert (before.open_backlog, before.withdrawn) == (2, 0)
    if engine.dialect.name == "sqlite":
        retention.checkpoint(engine)
        assert CANARY.encode() in _sqlite_bytes(engine)

    result = retention.purge(engine, now=now)

    assert [(p.reference, p.state, p.abandoned) for p in result.requests] == [(asked.reference, "withdrawn", True)]
    assert result.abandoned == result.requests and result.wal_emptied
    with seeded.reading():
        closed = seeded.requests.get(asked.reference)
        assert closed is not None and closed.state == "withdrawn" and closed.answers == {}
        assert closed.claimed_by is None and closed.due_on is None and closed.submitted_by is None
        assert seeded.requests.comments(asked.reference) == [] and seeded.insights.files(asked.reference) == []
        assert seeded.requests.get(still_open.reference).state == "in_review"
        history = [(e.event.action, e.event.actor, e.event.from_state, e.event.to_state)
                   for e in seeded.audit.for_request(asked.reference)]
    # Closed by the system with its own event, then purged; the chain still verifies.
    assert history[-2:] == [("abandon", "system", "needs_info", "withdrawn"),
                            ("purge", "retention", "withdrawn", "withdrawn")]
    assert verify_audit(engine)[1] is None
    # The inbox: out of "Waiting for the resident", in "Finished".
    counts = review.inbox_counts(ROADS, seeded, INBOX_TABS)
    assert {tab: page.total for tab, page in counts.items()} == {"decision": 1, "resident": 0, "finished": 1}
    finished = review.inbox(ROADS, seeded, InboxQuery(groups=ROADS.reviewer_groups, states=INBOX_TABS["finished"]))
    assert [r.reference for r in finished.rows] == [asked.reference]
    # The dashboard: closed (withdrawn), and the wait on the resident stopped when it was closed.
    later = now + timedelta(days=30)
    figures = insights.dashboard(DESIGNER, seeded, now=later)
    form = figures.forms[0]
    assert (form.received, form.open_backlog, form.withdrawn, form.decided) == (2, 1, 1, 0)
    assert form.total_resident_wait == timedelta(days=731)
    assert form.backlog_oldest_age == later - LONG_AGO  # only the request still open
    assert figures.steps[0].open_now == 1
    # The resident's view: the request can no longer be opened with the old access code or account.
    with pytest.raises(NotFound):
        requests.status(asked.reference, asked.access_code, seeded)
    with pytest.raises(NotFound):
        requests.my_request_status(asked.reference, RESIDENT, seeded)
    assert retention.purge(engine, now=now).requests == []  # idempotent
    with seeded.reading():
        assert len(seeded.audit.for_request(asked.reference)) == len(history)
    if engine.dialect.name == "sqlite":
        assert CANARY.encode() not in _sqlite_bytes(engine)


def test_files_chosen_but_never_sent_are_deleted_a_day_after_the_upload(engine: Engine) -> None:
    from builder.attachments import answer_value
    from builder.usecases.attachments import ABANDONED_UPLOAD_AGE, download_attachment, upload_attachment
    from tests.attachment_journey import PNG, pothole_with_photo

    uow = seed_organisation(engine)
    forms.create_form(pothole_with_photo(), DESIGNER, uow)
    forms.publish("report-pothole", DESIGNER, uow)
    abandoned = upload_attachment("report-pothole", ("photo",), "old.png", PNG + CANARY.encode(), uow)
    replaced_today = upload_attachment("report-pothole", ("photo",), "today.png", PNG + b"today", uow)
    sent = upload_attachment("report-pothole", ("photo",), "sent.png", PNG + b"sent", uow)
    receipt = requests.submit("report-pothole", {"location": "Market Street 12", "size": "small", "dangerous": False,
                                                 "photo": answer_value(sent)}, RESIDENT, uow, idempotency_key="f")
    with Session(engine) as session:  # the abandoned file was chosen a little more than a day ago
        row = session.get(Attachment, abandoned.id)
        assert row is not None
        row.created_at = datetime.now(UTC) - ABANDONED_UPLOAD_AGE - timedelta(minutes=5)
        session.add(row)
        session.commit()
    if engine.dialect.name == "sqlite":
        retention.checkpoint(engine)
        assert CANARY.encode() in _sqlite_bytes(engine)

    retention.purge(engine)

    with Session(engine) as session:
        assert session.get(Attachment, abandoned.id) is None and session.get(AttachmentBlob, abandoned.id) is None
        assert session.get(AttachmentBlob, replaced_today.id) is not None  # may still be sent today
    assert download_attachment(sent.id, RESIDENT, uow)[1] == PNG + b"sent"  # a sent file stays with its request
    assert receipt.reference
    if engine.dialect.name == "sqlite":
        assert CANARY.encode() not in _sqlite_bytes(engine)


def test_a_resident_s_data_is_exported_as_one_archive_and_erased(seeded: SqlUnitOfWork, engine: Engine) -> None:
    first = requests.submit("report-pothole", pothole(), RESIDENT, seeded, idempotency_key="1")
    second = requests.submit("report-pothole", pothole(), RESIDENT, seeded, idempotency_key="2")
    requests.resident_act(second.reference, second.access_code, Action.WITHDRAW, "", 1, RESIDENT, seeded)
    _attach(engine, first.reference, b"\x89PNG photo bytes")
    other = requests.submit("report-pothole", pothole("Someone Else"), EVENTS, seeded, idempotency_key="3")

    with pytest.raises(PermissionDenied):
        insights.resident_archive("resident", DESIGNER, seeded)
    archive = zipfile.ZipFile(io.BytesIO(insights.resident_archive("resident", ADMIN, seeded)))
    names = archive.namelist()
    assert f"requests/{first.reference}/files/01-photo-hole.png" in names
    assert archive.read(f"requests/{first.reference}/files/01-photo-hole.png") == b"\x89PNG photo bytes"
    answers = json.loads(archive.read(f"requests/{first.reference}/request.json"))["answers"]
    assert answers["name"] == CANARY
    history = json.loads(archive.read(f"requests/{second.reference}/history.json"))
    assert [e["action"] for e in history][:2] == ["submit", "enter_step"] and history[-1]["action"] == "withdraw"
    assert json.loads(archive.read("account.json"))["username"] == "resident"
    assert not any(other.reference in name for name in names)

    if engine.dialect.name == "sqlite":
        retention.checkpoint(engine)
        assert CANARY.encode() in _sqlite_bytes(engine)  # the test can see the value before the erasure
    assert insights.erase_resident("resident", ADMIN, seeded) == 2
    retention.forget_erased(engine)  # what the data-protection page runs after erasing (app.py wires it)
    if engine.dialect.name == "sqlite":
        assert CANARY.encode() not in _sqlite_bytes(engine)  # in neither the database nor its -wal file
    with seeded.reading():
        assert seeded.insights.resident_requests("resident") == []
        erased = seeded.requests.get(first.reference)
        assert erased.answers == {} and erased.state == "withdrawn"  # it was open: withdrawn, then erased
        assert seeded.requests.get(other.reference).answers["name"] == "Someone Else"
        assert seeded.directory.user("resident") is None  # closed, and renamed: the username was personal too
        assert seeded.audit.for_request(first.reference)[-1].event.action == "erase"
    assert verify_audit(engine)[1] is None


def test_an_anonymous_resident_is_found_by_the_email_in_their_answers(seeded: SqlUnitOfWork) -> None:
    from builder.ports import ANONYMOUS

    mine = requests.submit("report-pothole", pothole(), ANONYMOUS, seeded, idempotency_key="anon")
    requests.submit("report-pothole", {**pothole(), "email": "other@resident.example",
                                       "details": "copy to ysolde@resident.example.org"}, ANONYMOUS, seeded,
                    idempotency_key="other")
    found = insights.find_resident("YSOLDE@resident.example", ADMIN, seeded)
    assert [r.reference for r in found.requests] == [mine.reference] and found.account is None


def test_staff_accounts_are_not_closed_by_an_erase(seeded: SqlUnitOfWork) -> None:
    requests.submit("report-pothole", pothole(), ROADS, seeded, idempotency_key="staff")
    assert insights.erase_resident("roads", ADMIN, seeded) == 1
    with seeded.reading():
        assert seeded.directory.user("roads").is_active


# A resident whose username and addresses are canaries: none may stay where erasure can reach.
CANARY_USERNAME = "ysolde-qwertz-4711"
CANARY_ACCOUNT_MAIL = "ysolde.qwertz.4711@account.example"
CANARY_CONTACT_MAIL = "ysolde.contact.4711@resident.example"


def _canary_resident(engine: Engine) -> Actor:
    from builder.passwords import hash_password
    from builder.ports import UserRecord

    uow = SqlUnitOfWork(engine)
    with uow:
        uow.directory.add_user(UserRecord(CANARY_USERNAME, "Ysolde Qwertz", CANARY_ACCOUNT_MAIL,
                                          hash_password("a long canary passphrase", rounds=4)))
        uow.commit()
    with Session(engine) as session:
        session.add(LoginThrottle(username=CANARY_USERNAME, failures=2))  # a mistyped password, earlier
        session.commit()
    return Actor(CANARY_USERNAME, "Ysolde Qwertz")


def _recipients(engine: Engine) -> set[str]:
    with Session(engine) as session:
        return {r.lower() for r in session.exec(select(OutboxMail.recipient)).all()}


def test_erasure_removes_the_username_and_the_mail_and_the_archive_holds_the_mail(seeded: SqlUnitOfWork,
                                                                                 engine: Engine) -> None:
    resident = _canary_resident(engine)
    # No contact address in the answers: mail goes to the account's address.
    by_account = requests.submit("report-pothole", {"location": "Elm Row 3", "size": "small"}, resident, seeded,
                                 idempotency_key="acc")
    sent: list[str] = []
    assert outbox.send_due(engine, lambda m: sent.append(str(m["To"])), "city@example.org").sent >= 1
    assert CANARY_ACCOUNT_MAIL in sent  # "received", sent
    with_contact = requests.submit("report-pothole", {**pothole(), "email": CANARY_CONTACT_MAIL}, resident, seeded,
                                   idempotency_key="contact")
    review.act(with_contact.reference, Command(Action.RETURN, ROADS, text="Which side?"), 1, seeded)  # queued
    assert {CANARY_ACCOUNT_MAIL, CANARY_CONTACT_MAIL} <= _recipients(engine)

    archive = zipfile.ZipFile(io.BytesIO(insights.resident_archive(CANARY_USERNAME, ADMIN, seeded)))
    mail = json.loads(archive.read("mail.json"))
    to_account = [m for m in mail if m["recipient"] == CANARY_ACCOUNT_MAIL]
    assert to_account and all(m["sent_at"] for m in to_account) and by_account.reference in to_account[0]["subject"]
    to_contact = {m["subject"]: m["sent_at"] for m in mail if m["recipient"] == CANARY_CONTACT_MAIL}
    assert f"More information needed for {with_contact.reference}" in to_contact  # queued mail is listed too
    assert "mail.json" in archive.read("README.txt").decode()

    assert insights.erase_resident(CANARY_USERNAME, ADMIN, seeded) == 2
    retention.forget_erased(engine)
    assert not {CANARY_ACCOUNT_MAIL, CANARY_CONTACT_MAIL} & _recipients(engine)  # queued and sent mail gone
    with Session(engine) as session:
        assert session.exec(select(User).where(User.username == CANARY_USERNAME)).first() is None
        assert session.exec(select(LoginThrottle).where(LoginThrottle.username == CANARY_USERNAME)).first() is None
        closed = session.exec(select(User).where(User.display_name == "Erased account")).one()
        assert (closed.email, closed.is_active) == ("", False)
    with seeded.reading():
        assert seeded.directory.user(CANARY_USERNAME) is None
        assert insights.find_resident(CANARY_USERNAME, ADMIN, seeded).requests == []
    if engine.dialect.name == "sqlite":
        stored = _sqlite_bytes(engine)
        assert CANARY_ACCOUNT_MAIL.encode() not in stored and CANARY_CONTACT_MAIL.encode() not in stored
    # The documented limit: the append-only, hash-chained log keeps the username as the actor of the submit.
    with Session(engine) as session:
        actors = set(session.exec(select(AuditRecord.actor).where(AuditRecord.reference == by_account.reference)))
    assert CANARY_USERNAME in actors
    assert verify_audit(engine)[1] is None


def test_a_request_the_erasure_did_not_see_is_not_handed_to_whoever_takes_the_freed_username(
        seeded: SqlUnitOfWork, engine: Engine) -> None:
    """A request submitted while an erasure runs (after its look-up) keeps pointing at the erased account,
    not at its old name: a new account registered under that name sees nothing of it."""
    resident = _canary_resident(engine)
    late = requests.submit("report-pothole", pothole(), resident, seeded, idempotency_key="late").reference
    with seeded:  # what erase_resident does for the accounts it found, without having seen ``late``
        assert seeded.insights.forget_user(CANARY_USERNAME)
        seeded.commit()
    with seeded.reading():
        assert seeded.requests.submitted_by(CANARY_USERNAME) == []
    with Session(engine) as session:
        owner = session.exec(select(Submission.submitted_by).where(Submission.reference == late)).one()
        account = session.exec(select(User).where(User.username == owner)).one()
    assert owner != CANARY_USERNAME and owner.startswith("erased-") and not account.is_active


def test_dashboard_figures_from_the_database_respect_departments(seeded: SqlUnitOfWork) -> None:
    start = datetime(2026, 11, 2, 9, tzinfo=UTC)
    done = requests.submit("report-pothole", pothole(), RESIDENT, seeded, idempotency_key="a", now=start)
    requests.submit("report-pothole", pothole(), RESIDENT, seeded, idempotency_key="b", now=start)
    review.act(done.reference, Command(Action.APPROVE, ROADS), 1, seeded, now=start + timedelta(days=2))

    figures = insights.dashboard(DESIGNER, seeded, now=start + timedelta(days=10))
    form = figures.forms[0]
    assert (form.received, form.open_backlog, form.approved, form.sla_breaches) == (2, 1, 1, 1)
    assert form.median_to_decision == timedelta(days=2)
    assert figures.bottleneck is not None and figures.bottleneck.step == "inspection"
    later = insights.dashboard(ADMIN, seeded, submitted_from=start + timedelta(days=1), now=start)
    assert later.forms == []
    with pytest.raises(PermissionDenied):
        insights.dashboard(RESIDENT, seeded)
    outsider = DESIGNER.__class__("other", "Other", designer_departments=frozenset({"parks"}))
    assert insights.dashboard(outsider, seeded).forms == []


def test_open_data_pseudonyms_are_stable_and_personal_data_stays_out(seeded: SqlUnitOfWork) -> None:
    for n in range(6):
        requests.submit("report-pothole", pothole(), RESIDENT, seeded, idempotency_key=f"o{n}")
    export = insights.open_data("report-pothole", DESIGNER, seeded)
    again = insights.open_data("report-pothole", DESIGNER, seeded)
    assert len(export.rows) == 6 and [r["id"] for r in export.rows] == [r["id"] for r in again.rows]
    assert CANARY not in json.dumps(export.rows) + json.dumps(export.aggregates)


def test_a_field_once_marked_personal_is_never_published_by_a_later_version(seeded: SqlUnitOfWork) -> None:
    """Residents answered version 1, which called their name personal; version 2 drops that marking and
    marks the name as open data by mistake: the export still publishes no name, old or new."""
    for n in range(6):
        requests.submit("report-pothole", pothole(), RESIDENT, seeded, idempotency_key=f"v1-{n}")
    draft = forms.open_draft("report-pothole", DESIGNER, seeded)
    document = json.loads(json.dumps(draft.document))
    document["settings"]["personal_data"] = ["email"]
    document["settings"]["open_data"] = ["size", "name"]
    forms.save_draft("report-pothole", document, draft.revision, DESIGNER, seeded)
    assert forms.publish("report-pothole", DESIGNER, seeded) == 2
    requests.submit("report-pothole", pothole("Later-Canary-Bertolt-0815"), RESIDENT, seeded, idempotency_key="v2")

    export = insights.open_data("report-pothole", DESIGNER, seeded)
    published = json.dumps(export.rows) + json.dumps(export.aggregates)
    assert len(export.rows) == 7 and "size" in export.columns
    assert "name" not in export.columns
    assert CANARY not in published and "Later-Canary-Bertolt-0815" not in published


def test_backup_under_concurrent_submissions_restores_every_acknowledged_request(
        seeded: SqlUnitOfWork, engine: Engine, database_url: str, tmp_path: Path) -> None:
    acknowledged: list[str] = []
    stop = threading.Event()
    errors: list[BaseException] = []

    def keep_submitting() -> None:
        writer = SqlUnitOfWork(engine)
        n = 0
        try:
            while not stop.is_set():
                n += 1
                acknowledged.append(requests.submit("report-pothole", pothole(), RESIDENT, writer,
                                                    idempotency_key=f"c{n}").reference)
        except BaseException as failure:  # reported below: a failing writer must fail the test
            errors.append(failure)

    writer = threading.Thread(target=keep_submitting)
    writer.start()
    while len(acknowledged) < 20 and writer.is_alive():
        stop.wait(0.01)
    before = list(acknowledged)
    target = tmp_path / "backups" / "formwork.backup"
    result = backup.backup(database_url, target)
    during = len(acknowledged)
    while len(acknowledged) < during + 10 and writer.is_alive():
        stop.wait(0.01)  # submissions continue after the backup: none of them may block or fail
    stop.set()
    writer.join()
    assert not errors and len(before) >= 20 and result.size > 0

    if engine.dialect.name == "sqlite":
        assert backup.integrity(target) == "ok"
        restored_url = f"sqlite:///{tmp_path / 'restored.db'}"
    else:
        engine.dispose()
        restored_url = database_url
    backup.restore(restored_url, target)
    restored = make_engine(restored_url)
    try:
        with Session(restored) as session:
            present = set(session.exec(select(Submission.reference)).all())
            assert session.exec(select(AuditRecord.seq)).first() is not None
        assert set(before) <= present
        assert len(present) < len(acknowledged)  # the later ones are not in this backup
        counted, broken = verify_audit(restored)
        assert broken is None and counted >= 2 * len(before)
        if engine.dialect.name == "sqlite":
            assert backup.integrity(Path(restored.url.database or "")) == "ok"
    finally:
        restored.dispose()


def test_a_backup_file_is_readable_by_its_owner_only_whatever_the_umask(
        seeded: SqlUnitOfWork, database_url: str, tmp_path: Path) -> None:
    import os
    import stat

    requests.submit("report-pothole", pothole(), RESIDENT, seeded, idempotency_key="b")
    target = tmp_path / "new-folder" / "formwork.backup"
    previous = os.umask(0)  # the most permissive umask: files would be 0666, folders 0777
    try:
        backup.backup(database_url, target)
        backup.backup(database_url, target)  # a second backup over the first one too
    finally:
        os.umask(previous)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    assert [p.name for p in target.parent.iterdir()] == ["formwork.backup"]  # no partial file left behind


def _rounded(value: object) -> object:
    """Figures with durations to the millisecond (the database keeps epoch seconds as floats)."""
    if isinstance(value, timedelta):
        return round(value.total_seconds(), 3)
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {k: _rounded(getattr(value, k)) for k in value.__dataclass_fields__}  # type: ignore[attr-defined]
    return value


def test_database_figures_equal_the_pure_figures_and_follow_new_events(seeded: SqlUnitOfWork, engine: Engine) -> None:
    from builder import metrics
    from storage.repositories import chained_from_row

    day = datetime(2026, 11, 2, 9, tzinfo=UTC)
    refs = [requests.submit("report-pothole", pothole(), RESIDENT, seeded, idempotency_key=f"m{n}",
                            now=day + timedelta(hours=n)).reference for n in range(7)]
    review.act(refs[0], Command(Action.APPROVE, ROADS), 1, seeded, now=day + timedelta(days=2))
    review.act(refs[1], Command(Action.RETURN, ROADS, text="Photo?"), 1, seeded, now=day + timedelta(days=1))
    requests.resident_act(refs[1], None, Action.ANSWER, "Here", 2, RESIDENT, seeded, now=day + timedelta(days=4))
    review.act(refs[1], Command(Action.REJECT, ROADS, text="No"), 3, seeded, now=day + timedelta(days=9))
    review.act(refs[2], Command(Action.RETURN, ROADS, text="Where?"), 1, seeded, now=day + timedelta(days=1))
    requests.resident_act(refs[3], None, Action.WITHDRAW, "", 1, RESIDENT, seeded, now=day + timedelta(days=3))
    review.act(refs[4], Command(Action.APPROVE, ROADS), 1, seeded, now=day + timedelta(days=12))
    now = day + timedelta(days=15)

    def pure() -> metrics.Dashboard:
        with Session(engine) as session:
            events = [chained_from_row(row).event for row in session.exec(select(AuditRecord).order_by(AuditRecord.seq))]
        steps = {"report-pothole": {"inspection": metrics.StepInfo("Inspection by the roads team", 5)}}
        return metrics.compute(events, {ref: "report-pothole" for ref in refs}, steps, now)

    first = insights.dashboard(DESIGNER, seeded, now=now)
    expected = pure()
    assert _rounded(first.forms) == _rounded(expected.forms)
    assert _rounded(first.steps) == _rounded(expected.steps)
    assert _rounded(first.weeks) == _rounded(expected.weeks) and _rounded(first.overall) == _rounded(expected.overall)
    # Past due (9 Nov): 4 decided on the 14th, 5 and 6 still open; 2 waits on the resident (clock stopped).
    assert first.forms[0].sla_breaches == expected.forms[0].sla_breaches == 3
    # At the inspection step: 0 and 4 approved, 1 rejected, 2 (asked), 5 and 6 still there since their submission.
    step = first.steps[0]
    assert (step.approved, step.rejected, step.open_now, step.approval_rate) == (2, 1, 3, 2 / 3)
    assert step.open_oldest_age == now - (day + timedelta(hours=2))
    assert step.open_median_age == now - (day + timedelta(hours=5))
    # New events are folded in on the next view: only the changed request is refreshed.
    review.act(refs[5], Command(Action.REJECT, ROADS, text="Duplicate"), 1, seeded, now=day + timedelta(days=14))
    second = insights.dashboard(DESIGNER, seeded, now=now)
    assert second.events_read == 1
    assert _rounded(second.forms) == _rounded(pure().forms) and second.forms[0].rejected == 2
    assert _rounded(second.steps) == _rounded(pure().steps) and second.steps[0].rejected == 2
    period = insights.dashboard(DESIGNER, seeded, now=now, submitted_from=day + timedelta(hours=5))
    assert period.forms[0].received == 2


def test_the_app_s_purge_thread_purges_on_its_own(seeded: SqlUnitOfWork, engine: Engine) -> None:
    old = requests.submit("report-pothole", pothole(), RESIDENT, seeded, idempotency_key="t", now=LONG_AGO)
    requests.resident_act(old.reference, old.access_code, Action.WITHDRAW, "", 1, RESIDENT, seeded, now=LONG_AGO)
    assert retention.start_scheduler(engine, every_hours=0) is None  # switched off
    assert retention.interval_hours({"FORMWORK_RETENTION_PURGE_HOURS": "6"}) == 6
    thread = retention.start_scheduler(engine, every_hours=24, first_after_seconds=0)
    assert thread is not None and thread.daemon
    for _ in range(200):  # the thread's first run starts at once; wait for its commit
        with seeded.reading():
            if seeded.requests.get(old.reference).answers == {}:
                break
        threading.Event().wait(0.05)
    with seeded.reading():
        assert seeded.requests.get(old.reference).answers == {}
        assert seeded.audit.for_request(old.reference)[-1].event.action == "purge"
