"""Renaming and removing departments and groups on the administration page (AppTest)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from builder.usecases import forms, requests
from storage.models import AuditRecord, Department, GroupMembership, StaffGroup
from tests.conftest import template
from tests.helpers import DESIGNER, RESIDENT, seed_organisation
from tests.ui.conftest import open_page, sign_in, texts


def _widget(elements, label: str):  # noqa: ANN001, ANN202 - an AppTest element list and element
    return next(e for e in elements if e.label == label)


def _audit(engine: Engine, *actions: str) -> list[str]:
    with Session(engine) as session:
        rows = session.exec(select(AuditRecord).where(AuditRecord.action.in_(actions)).order_by(AuditRecord.seq))
        return [f"{row.action}: {row.comment}" for row in rows]


def _admin_page(new_app: Callable[[], AppTest], engine: Engine) -> tuple[AppTest, str]:
    uow = seed_organisation(engine)
    forms.create_form(template("report-pothole"), DESIGNER, uow)  # decides with "Road inspectors"
    forms.publish("report-pothole", DESIGNER, uow)
    receipt = requests.submit("report-pothole", {"location": "Market Street 12", "size": "medium"}, RESIDENT, uow,
                              idempotency_key="k")
    return open_page(sign_in(new_app(), "admin"), "admin"), receipt.reference


def _department_action(app: AppTest, slug: str, button: str, name: str | None = None) -> AppTest:
    _widget(app.selectbox, "Department to change").set_value(slug).run()
    if name is not None:
        _widget(app.text_input, "New name").input(name)
    return _widget(app.button, button).click().run()


def _group_action(app: AppTest, group: str, button: str, name: str | None = None) -> AppTest:
    _widget(app.selectbox, "Group to change").set_value(group).run()
    if name is not None:
        [*_, field] = [e for e in app.text_input if e.label == "New name"]  # the group form comes after the department's
        field.input(name)
    return _widget(app.button, button).click().run()


def test_departments_are_renamed_and_removed_unless_forms_or_groups_need_them(
        new_app: Callable[[], AppTest], app_database: Engine) -> None:
    app, _reference = _admin_page(new_app, app_database)
    app = _department_action(app, "public-works", "Rename department", "Public works and roads")
    assert "Renamed the department public-works." in texts(app) and not app.exception
    assert "Public works and roads" in app.dataframe[1].value["Name"].tolist()

    app = _department_action(app, "public-works", "Remove department")
    assert ("The department “public-works” cannot be removed: it has forms (Report a pothole (report-pothole)). "
            "Forms and their requests are kept with their department.") in texts(app)
    app = _department_action(app, "events", "Remove department")
    assert ("The department “events” cannot be removed while groups belong to it (Empty group, Events office, "
            "Public safety). Remove those groups first.") in texts(app)

    for group in ("Empty group", "Events office", "Public safety"):
        app = _group_action(app, group, "Remove group")
        assert f"Removed the group {group}." in texts(app), texts(app)
    app = _department_action(app, "events", "Remove department")
    assert "Removed the department events." in texts(app)
    with Session(app_database) as session:
        assert session.exec(select(Department.slug)).all() == ["public-works"]
    assert _audit(app_database, "rename_department", "remove_department") == [
        "rename_department: public-works: Public-Works → Public works and roads",
        "remove_department: events; designers who lost the role: designer"]


def test_groups_in_use_keep_their_name_and_stay_and_each_change_is_one_audit_event(
        new_app: Callable[[], AppTest], app_database: Engine) -> None:
    app, reference = _admin_page(new_app, app_database)
    app = _group_action(app, "Road inspectors", "Rename group", "Road crew")
    refusal = ("The group “Road inspectors” cannot be renamed: published forms decide with it: Report a pothole "
               f"(report-pothole, version 1); requests are with it: {reference}.")
    assert refusal in texts(app)
    app = _group_action(app, "Road inspectors", "Remove group")
    assert refusal.replace("renamed", "removed") in texts(app)
    assert "keeps its name and cannot be removed" in texts(app)  # the page explains why, before anyone tries

    app = _group_action(app, "Events office", "Rename group", "Events and markets")
    assert "Renamed the group Events office." in texts(app)
    app = _group_action(app, "Events and markets", "Rename group", "Public safety")
    assert "There is already a group “Public safety”." in texts(app)
    app = _group_action(app, "Events and markets", "Remove group")
    assert "Removed the group Events and markets." in texts(app)
    with Session(app_database) as session:
        groups = session.exec(select(StaffGroup.name).order_by(StaffGroup.name)).all()
        memberships = len(session.exec(select(GroupMembership)).all())
    assert groups == ["Empty group", "Public safety", "Road inspectors"] and memberships == 3
    assert _audit(app_database, "rename_group", "remove_group") == [
        "rename_group: Events office → Events and markets",
        "remove_group: Events and markets (events); members who left it: events"]


def test_a_renamed_group_keeps_its_members(new_app: Callable[[], AppTest], app_database: Engine) -> None:
    app, _reference = _admin_page(new_app, app_database)
    app = _group_action(app, "Public safety", "Rename group", "Safety office")
    assert "Renamed the group Public safety." in texts(app)
    _widget(app.selectbox, "User").set_value("safety").run()
    assert _widget(app.multiselect, "Member of these review groups").value == ["Safety office"]


def test_mail_the_worker_gave_up_on_is_shown_and_can_be_tried_again(new_app: Callable[[], AppTest],
                                                                    app_database: Engine) -> None:
    from sqlalchemy import update

    from storage import outbox
    from storage.models import OutboxMail

    app, reference = _admin_page(new_app, app_database)
    assert "Undelivered mail (0)" in [t.label for t in app.tabs]
    assert "All mail has been delivered or is still being tried." in texts(app)
    with Session(app_database) as session:  # what the worker leaves after its last failed attempt
        session.execute(update(OutboxMail).values(attempts=outbox.MAX_ATTEMPTS, last_error="SMTPRecipientsRefused"))
        session.commit()
        queued = len(session.exec(select(OutboxMail)).all())
    app.run()
    assert f"{queued} messages could not be delivered. See the tab Undelivered mail." in texts(app)
    assert f"Undelivered mail ({queued})" in [t.label for t in app.tabs]
    table = app.dataframe[-1].value
    assert f"We received your request {reference}" in set(table["Subject"])
    assert set(table["Last error"]) == {"SMTPRecipientsRefused"}
    next(b for b in app.button if b.label == "Try this message again").click().run()
    assert "The message will be sent at the mail worker's next run." in texts(app)
    assert f"Undelivered mail ({queued - 1})" in [t.label for t in app.tabs]
    assert _audit(app_database, "retry_mail")[0].startswith("retry_mail: outbox message ")
