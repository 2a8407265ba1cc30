"""The reviewer's inbox and case pages and the resident's receipt, tracking and "My requests" (AppTest)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import openpyxl
import pypdf
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.errors import AppTestError

from builder.ports import ANONYMOUS
from builder.usecases import forms, requests, review
from builder.workflow import Action, Command
from storage.models import OutboxMail
from storage.uow import SqlUnitOfWork
from tests.conftest import template
from tests.helpers import DESIGNER, RESIDENT, ROADS, ROADS2, seed_organisation
from tests.ui.conftest import open_page, sign_in, texts
from ui import receipt as receipt_module

POTHOLE = {"location": "Market Street 12", "size": "small", "email": "riley@example.org"}


def _seed(engine: Engine, count: int = 0) -> SqlUnitOfWork:
    uow = seed_organisation(engine)
    for slug in ("report-pothole", "street-party-permit"):
        forms.create_form(template(slug), DESIGNER, uow)
        forms.publish(slug, DESIGNER, uow)
    start = datetime.now(UTC) - timedelta(days=60)
    for number in range(count):
        requests.submit("report-pothole", {**POTHOLE, "location": f"=cmd|' /C calc'!A{number}"}, ANONYMOUS, uow,
                        idempotency_key=f"k{number}", now=start + timedelta(hours=number))
    return uow


def _button(app: AppTest, label: str) -> None:
    next(b for b in app.button if b.label == label).click().run()


def test_inbox_counts_pages_filters_and_exports(new_app: Callable[[], AppTest], app_database: Engine) -> None:
    uow = _seed(app_database, count=55)
    oldest = review.inbox(ROADS, uow).rows[0].reference  # newest first; take one to return
    review.act(oldest, Command(Action.RETURN, ROADS, text="Which side?"), 1, uow)
    app = open_page(sign_in(new_app(), "roads"), "inbox")
    tabs = app.radio(key="inbox_tab")
    assert tabs.options == ["Waiting for a decision (54)", "Waiting for the resident (1)", "Finished (0)"]
    assert "54 requests" in texts(app) and "Page 1 of 2" in texts(app)
    assert len(app.dataframe[0].value) == 50
    assert (app.dataframe[0].value["Overdue"] == "⚠ overdue").all()  # submitted two months ago, due after 5 days
    _button(app, "Next")
    assert "Page 2 of 2" in texts(app) and len(app.dataframe[0].value) == 4
    app.text_input(key="inbox_search").input(oldest[-5:]).run()
    tabs = app.radio(key="inbox_tab")
    assert tabs.options == ["Waiting for a decision (0)", "Waiting for the resident (1)", "Finished (0)"]
    tabs.set_value("Waiting for the resident").run()
    assert list(app.dataframe[0].value["Reference"]) == [oldest] and "Page 1 of 1" in texts(app)
    app.text_input(key="inbox_search").input("").run()
    app.radio(key="inbox_tab").set_value("Waiting for a decision").run()
    app.selectbox(key="inbox_claimed").set_value("By me").run()
    assert "Nothing here" in texts(app)
    app.selectbox(key="inbox_claimed").set_value("Anyone").run()
    _button(app, "Prepare the export")
    downloads = [d for d in app.get("download_button")]
    assert [d.proto.label for d in downloads] == ["Download CSV", "Download Excel"]


def test_a_reviewer_switches_the_inbox_to_french(new_app: Callable[[], AppTest], app_database: Engine) -> None:
    _seed(app_database, 1)
    app = open_page(sign_in(new_app(), "roads"), "inbox")
    assert app.title[0].value == "Inbox"
    app.selectbox(key="language_selector").set_value("fr").run()
    assert app.title[0].value == "Demandes à traiter" and not app.exception


# Group names are typed by an administrator and exported in the "Group" column: formula-looking ones too.
FORMULA_GROUPS = ('=HYPERLINK("http://evil.example","Open")', "＠SUM(A1:A9)")


def test_the_inbox_export_escapes_formulas_in_exported_columns(new_app: Callable[[], AppTest], app_database: Engine,
                                                                download_files: dict[str, bytes]) -> None:
    from builder.ports import GroupRecord

    uow = _seed(app_database, count=2)
    with uow:
        for group in FORMULA_GROUPS:
            uow.directory.add_group(GroupRecord(group, "public-works"))
        uow.directory.set_roles("roads", designer_departments=frozenset(),
                                reviewer_groups=frozenset({"Road inspectors", *FORMULA_GROUPS}))
        uow.commit()
    for row, group in zip(review.inbox(ROADS, uow).rows, FORMULA_GROUPS, strict=True):
        review.act(row.reference, Command(Action.REASSIGN, ROADS, text="Theirs", to_group=group), 1, uow)
    app = open_page(sign_in(new_app(), "roads"), "inbox")
    _button(app, "Prepare the export")
    csv_file = next(data for name, data in download_files.items() if name.endswith(".csv"))
    xlsx_file = next(data for name, data in download_files.items() if name.endswith(".xlsx"))
    table = list(csv.DictReader(io.StringIO(csv_file.decode("utf-8-sig"))))
    assert sorted(r["Group"] for r in table) == sorted("'" + g for g in FORMULA_GROUPS)
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_file)).active
    header = [cell.value for cell in sheet[1]]
    cells = [row[header.index("Group")] for row in sheet.iter_rows(min_row=2)]
    assert sorted(c.value for c in cells) == sorted("'" + g for g in FORMULA_GROUPS)
    assert {c.data_type for c in cells} == {"s"}  # text cells, never formulas


def test_case_page_decides_with_only_the_allowed_actions(new_app: Callable[[], AppTest],
                                                        app_database: Engine) -> None:
    uow = _seed(app_database)
    receipt = requests.submit("report-pothole", POTHOLE, ANONYMOUS, uow, idempotency_key="case")
    app = sign_in(new_app(), "roads")
    open_page(app, "case", ref=receipt.reference)
    actions = app.radio(key=f"action:{receipt.reference}")
    assert actions.options == ["Approve", "Reject", "Ask the resident for more information", "Add a comment",
                               "Claim (I am working on it)", "Reassign"]
    assert "Decided on this step: nobody yet" in texts(app)
    assert "Market Street 12" in str(app.dataframe[0].value.to_dict())
    actions.set_value("reject").run()
    _button(app, "Reject")
    assert "Give the reason for the rejection" in texts(app)
    actions = app.radio(key=f"action:{receipt.reference}")
    actions.set_value("return").run()
    app.text_area(key=f"text:{receipt.reference}:return").input("Which side of the street?").run()
    _button(app, "Ask the resident for more information")
    assert "Sent to the resident." in texts(app)
    assert app.radio(key=f"action:{receipt.reference}").options == ["Add a comment"]  # waiting for the resident
    # Staff read the state from their side: the resident is "the resident", not "you".
    assert [str(m.value) for m in app.metric] == ["Waiting for the resident"]
    history = app.dataframe[1].value
    assert list(history["What"]) == ["Submitted", "Moved to step", "Asked the resident for more information"]
    assert list(history["State"]) == ["Received", "Waiting for a decision", "Waiting for the resident"]


def test_stale_decision_is_refused_on_the_page(new_app: Callable[[], AppTest], app_database: Engine) -> None:
    uow = _seed(app_database)
    receipt = requests.submit("report-pothole", POTHOLE, ANONYMOUS, uow, idempotency_key="stale")
    app = sign_in(new_app(), "roads")
    open_page(app, "case", ref=receipt.reference)
    review.act(receipt.reference, Command(Action.CLAIM, ROADS2), 1, uow)  # a colleague, meanwhile
    app.radio(key=f"action:{receipt.reference}").set_value("approve").run()
    assert "This request changed since you opened it" in texts(app)
    _button(app, "Approve")
    assert "This request changed since you opened it" in [e.value for e in app.error][0]
    _button(app, "I have seen the changes")
    _button(app, "Approve")
    assert "Approved. The resident is told." in texts(app)


def test_my_requests_opens_a_request_without_the_code_and_answers(new_app: Callable[[], AppTest],
                                                                  app_database: Engine) -> None:
    uow = _seed(app_database)
    receipt = requests.submit("report-pothole", POTHOLE, RESIDENT, uow, idempotency_key="mine")
    review.act(receipt.reference, Command(Action.RETURN, ROADS, text="Which side of the street?"), 1, uow)
    app = open_page(sign_in(new_app(), "resident"), "my_requests")
    [row] = app.dataframe[0].value.to_dict("records")
    assert (row["Form"], row["Status"]) == ("Report a pothole", "More information needed from you")
    app.selectbox(key="my_request").set_value(receipt.reference).run()
    assert "Which side of the street?" in texts(app)
    app.text_area(key=f"answer:{receipt.reference}").input("The north side, by the bakery").run()
    _button(app, "Send answer")
    assert "Your answer was sent" in texts(app)
    case = review.open_case(receipt.reference, ROADS, uow)
    assert case.request.state == "in_review" and case.request.step_id == "inspection"
    assert "The north side, by the bakery" in [c.body for c in case.comments]
    # The page sent the answer with an idempotency key: a second click of the same form is applied once.
    from storage.models import ProcessedCommand

    with Session(app_database) as session:
        keys = session.exec(select(ProcessedCommand).where(ProcessedCommand.reference == receipt.reference)).all()
    key = app.session_state[f"my_request_idem:{receipt.reference}:2:answer"]
    assert [k.key for k in keys] == [key]
    assert requests.resident_act(receipt.reference, None, Action.ANSWER, "The north side, by the bakery", 2,
                                 RESIDENT, uow, idempotency_key=key) == "in_review"  # the second click: no error
    assert [c.body for c in review.open_case(receipt.reference, ROADS, uow).comments].count(
        "The north side, by the bakery") == 1


def test_receipt_pdf_holds_the_reference_and_answers(new_app: Callable[[], AppTest], app_database: Engine,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    _seed(app_database)
    made: list[bytes] = []
    original = receipt_module.receipt_pdf

    def keep(**fields: Any) -> bytes:  # the bytes the page hands to the download button
        made.append(original(**fields))
        return made[-1]

    monkeypatch.setattr(receipt_module, "receipt_pdf", keep)
    app = new_app()
    app.query_params["form"] = "report-pothole"
    open_page(app, "form")
    app.text_input[0].input("Market Street 12 **bold** <b>x</b>")
    size = app.radio[0]
    # the renderer may offer the stored values or their labels; pick the "medium" choice either way
    size.set_value(next(o for o in size.options if o in {"medium", "About the size of a dinner plate"}))
    _button(app, "Next")
    _button(app, "Submit")
    reference = str(app.metric[0].value)
    labels = [d.proto.label for d in app.get("download_button")]
    assert "Download the receipt (PDF)" in labels and made
    pdf = pypdf.PdfReader(io.BytesIO(made[-1]))
    content = "\n".join(p.extract_text() for p in pdf.pages)
    assert reference in content and "Market Street 12 **bold** <b>x</b>" in content
    assert "About the size of a dinner plate" in content  # the choice's label, as the resident saw it


def test_a_resident_sends_files_with_an_answer_and_a_refused_file_is_named(new_app: Callable[[], AppTest],
                                                                          app_database: Engine) -> None:
    uow = _seed(app_database)
    receipt = requests.submit("report-pothole", POTHOLE, ANONYMOUS, uow, idempotency_key="files")
    review.act(receipt.reference, Command(Action.RETURN, ROADS, text="A photo, please"), 1, uow)
    app = open_page(new_app(), "track", ref=receipt.reference)
    app.text_input[1].input(receipt.access_code or "")
    app.button[0].click().run()  # the look-up form's submit button
    assert "A photo, please" in texts(app)
    answer_key = f"answer:{receipt.reference}"

    app.text_area(key=answer_key).input("Two files").run()
    app.file_uploader[0].set_value([("hole.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png"),
                        ("**setup**.exe", b"MZ\x90\x00\x03\x00", "application/octet-stream")]).run()
    _button(app, "Send answer")
    # The name the resident chose is quoted, with its markdown escaped: it shows as typed, not in bold.
    assert any("“\\*\\*setup\\*\\*.exe” is not an accepted kind of file" in e.value for e in app.error), texts(app)
    assert requests.status(receipt.reference, receipt.access_code or "", uow).state == "needs_info"

    app.file_uploader[0].set_value([("hole.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")]).run()
    _button(app, "Send answer")
    assert "Your answer was sent" in texts(app)
    case = review.open_case(receipt.reference, ROADS, uow)
    assert case.request.state == "in_review" and "Two files" in [c.body for c in case.comments]
    reviewer = open_page(sign_in(new_app(), "roads"), "case", ref=receipt.reference)
    assert "hole.png (1 kB), sent with an answer" in [b.label for b in reviewer.get("download_button")]


def test_an_approval_shows_under_finished_with_staff_wording_and_a_tracking_link(
        new_app: Callable[[], AppTest], app_database: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORMWORK_PUBLIC_URL", "https://forms.city.example")
    uow = _seed(app_database)
    approved = requests.submit("report-pothole", POTHOLE, ANONYMOUS, uow, idempotency_key="approved", locale="fr")
    returned = requests.submit("report-pothole", POTHOLE, ANONYMOUS, uow, idempotency_key="returned")
    review.act(returned.reference, Command(Action.RETURN, ROADS, text="Which side?"), 1, uow)
    app = open_page(sign_in(new_app(), "roads"), "case", ref=approved.reference)
    app.radio(key=f"action:{approved.reference}").set_value("approve").run()
    _button(app, "Approve")
    assert "Approved. The resident is told." in texts(app)

    open_page(app, "inbox")
    assert app.radio(key="inbox_tab").options == ["Waiting for a decision (0)", "Waiting for the resident (1)",
                                                  "Finished (1)"]
    app.radio(key="inbox_tab").set_value("Waiting for the resident").run()
    assert list(app.dataframe[0].value["Status"]) == ["Waiting for the resident"]
    app.radio(key="inbox_tab").set_value("Finished").run()
    assert list(app.dataframe[0].value["Reference"]) == [approved.reference]
    assert list(app.dataframe[0].value["Status"]) == ["Approved"]
    _button(app, "Prepare the export")
    rows = review.export_selection(ROADS, uow, review.InboxQuery(groups=ROADS.reviewer_groups, states=("approved",)))
    assert [(r["Reference"], r["State"]) for r in rows] == [(approved.reference, "Approved")]

    # The outcome mail the page queued links to the tracking page, in the resident's language, without the code.
    with Session(app_database) as session:
        outcome = session.exec(select(OutboxMail).where(OutboxMail.recipient == POTHOLE["email"],
                                                        col(OutboxMail.subject).contains("accept"))).one()
    assert outcome.body.endswith(
        f"Voir les détails ici : https://forms.city.example/track?ref={approved.reference}&lang=fr")
    assert approved.access_code and approved.access_code not in outcome.body


def test_the_inbox_orders_by_due_date(new_app: Callable[[], AppTest], app_database: Engine) -> None:
    uow = _seed(app_database)
    start = datetime.now(UTC) - timedelta(days=10)
    # Submitted first, but a fortnight of holidays puts its due date last.
    late = requests.submit("report-pothole", POTHOLE, ANONYMOUS, uow, idempotency_key="late", now=start,
                           holidays=tuple((start + timedelta(days=d)).date() for d in range(1, 15))).reference
    soon, newest = (requests.submit("report-pothole", POTHOLE, ANONYMOUS, uow, idempotency_key=key,
                                    now=start + timedelta(days=days)).reference for key, days in (("s", 1), ("n", 2)))
    app = open_page(sign_in(new_app(), "roads"), "inbox")
    assert list(app.dataframe[0].value["Reference"]) == [newest, soon, late]
    order = app.radio(key="inbox_order")
    assert order.options == ["Newest first", "Oldest first", "Due date, soonest first"]
    order.set_value("Due soonest first").run()
    assert list(app.dataframe[0].value["Reference"]) == [soon, newest, late]
    dues = list(app.dataframe[0].value["Due"])
    assert dues == sorted(dues)
    app.radio(key="inbox_order").set_value("Oldest first").run()
    assert list(app.dataframe[0].value["Reference"]) == [late, soon, newest]


def test_reassigning_offers_the_members_of_the_chosen_group(new_app: Callable[[], AppTest],
                                                           app_database: Engine) -> None:
    uow = _seed(app_database)
    receipt = requests.submit("report-pothole", POTHOLE, ANONYMOUS, uow, idempotency_key="reassign")
    app = open_page(sign_in(new_app(), "roads"), "case", ref=receipt.reference)
    app.radio(key=f"action:{receipt.reference}").set_value("reassign").run()
    member = app.selectbox(key=f"member:{receipt.reference}:Road inspectors")
    assert member.options == ["roads", "roads2"] and member.value is None
    app.selectbox(key=f"group:{receipt.reference}").set_value("Public safety").run()
    assert app.selectbox(key=f"member:{receipt.reference}:Public safety").options == ["safety"]
    app.selectbox(key=f"group:{receipt.reference}").set_value(None).run()
    app.selectbox(key=f"member:{receipt.reference}:Road inspectors").set_value("roads2").run()
    app.text_area(key=f"text:{receipt.reference}:reassign").input("On holiday from tomorrow").run()
    _button(app, "Reassign")
    assert "Reassigned." in texts(app) and "Being handled by roads2." in texts(app)
    assert review.open_case(receipt.reference, ROADS, uow).request.claimed_by == "roads2"


def test_a_request_handed_to_another_group_is_named_in_its_inbox(new_app: Callable[[], AppTest],
                                                                 app_database: Engine) -> None:
    """Public safety decides no step of the pothole form, yet a pothole handed to it reads by its names."""
    uow = _seed(app_database)
    receipt = requests.submit("report-pothole", POTHOLE, ANONYMOUS, uow, idempotency_key="handed-over")
    version = review.open_case(receipt.reference, ROADS, uow).request.row_version
    review.act(receipt.reference, Command(Action.REASSIGN, ROADS, text="Traffic danger", to_group="Public safety"), version, uow)
    app = open_page(sign_in(new_app(), "safety"), "inbox")
    [row] = app.dataframe[0].value.to_dict("records")
    assert (row["Form"], row["Step"]) == ("Report a pothole", "Inspection by the roads team")


def test_an_internal_note_stays_off_the_tracking_page(new_app: Callable[[], AppTest], app_database: Engine) -> None:
    uow = _seed(app_database)
    receipt = requests.submit("report-pothole", POTHOLE, ANONYMOUS, uow, idempotency_key="notes")
    assert receipt.access_code
    reviewer = open_page(sign_in(new_app(), "roads"), "case", ref=receipt.reference)
    for body, public in (("Internal: caller sounded like the neighbour", False), ("We fill it on Friday.", True)):
        reviewer.radio(key=f"action:{receipt.reference}").set_value("comment").run()
        reviewer.text_area(key=f"text:{receipt.reference}:comment").input(body).run()
        reviewer.checkbox(key=f"public:{receipt.reference}").set_value(public).run()
        _button(reviewer, "Add a comment")
        assert "Comment added." in texts(reviewer)
    assert "Internal: caller sounded like the neighbour" in texts(reviewer)  # staff still read it

    tracker = open_page(new_app(), "track", ref=receipt.reference)
    tracker.text_input[1].input(receipt.access_code)
    _button(tracker, "Show my request")
    shown = texts(tracker)
    assert "We fill it on Friday." in shown
    assert "neighbour" not in shown and "Robin" not in shown


CANARY = "**bold** <b>x</b> [link](https://example.org)"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _as_the_form(app: AppTest, reference: str) -> AppTest:
    view = next(w for w in app.get("button_group") if w.key == f"answers_view:{reference}")
    assert view.options == ["Table", "As the form"] and view.value == "table"  # the compact table first
    return view.set_value("form").run()


def _form_widgets(app: AppTest) -> list[Any]:
    kinds = (app.text_input, app.text_area, app.number_input, app.radio, app.selectbox, app.checkbox,
             app.date_input, app.multiselect)
    return [w for kind in kinds for w in kind if str(w.key).startswith("answers_form:")]


def test_a_reviewer_sees_the_answers_as_the_form_locked_and_literal(new_app: Callable[[], AppTest],
                                                                    app_database: Engine) -> None:
    uow = _seed(app_database)
    answers = {**POTHOLE, "location": CANARY, "size": "large", "blocks_road": True, "dangerous": True,
               "details": "# not a heading\n<script>alert(1)</script>", "name": "Riley"}
    receipt = requests.submit("report-pothole", answers, ANONYMOUS, uow, idempotency_key="as-form")
    app = open_page(sign_in(new_app(), "roads"), "case", ref=receipt.reference)
    assert not _form_widgets(app)  # the table until the reviewer asks for the form
    _as_the_form(app, receipt.reference)
    assert not app.exception, app.exception
    widgets = _form_widgets(app)
    assert widgets and all(w.disabled for w in widgets)
    values = {w.key.rsplit(":", 1)[1]: w.value for w in widgets}
    assert values == {"location": CANARY, "size": "large", "blocks_road": True, "dangerous": True,
                      "details": answers["details"], "name": "Riley", "email": "riley@example.org"}
    # Both pages, one after the other under their titles; the resident's words never go through markdown.
    markdown = [m.value for m in app.markdown]
    assert "#### The pothole" in markdown and "#### About you" in markdown
    assert markdown.index("#### The pothole") < markdown.index("#### About you")
    assert not [m for m in markdown if "<b>" in m or "bold" in m or "<script>" in m]
    assert next(w for w in app.radio if w.key.endswith(":size")).options[2] == "Larger than a car tyre"
    # Locked: AppTest, like a browser, refuses to change a disabled widget; the request's answers stay as sent.
    for widget in widgets:
        with pytest.raises(AppTestError, match="disabled"):
            widget.set_value(not widget.value if isinstance(widget.value, bool) else "changed")
    assert review.open_case(receipt.reference, ROADS, uow).request.answers["location"] == CANARY
    assert not [b for b in app.button if str(b.key).startswith("answers_form:")]  # no add / remove / move
    next(w for w in app.get("button_group") if w.key == f"answers_view:{receipt.reference}").set_value("table").run()
    assert CANARY in str(app.dataframe[0].value.to_dict())
    assert not _form_widgets(app)
    # The decision panel still works beside it.
    assert app.radio(key=f"action:{receipt.reference}").options[0] == "Approve"


def test_as_the_form_shows_groups_rows_and_file_names_on_a_multi_page_form(
        new_app: Callable[[], AppTest], app_database: Engine) -> None:
    import copy

    from builder.attachments import answer_value
    from builder.usecases.attachments import upload_attachment

    uow = seed_organisation(app_database)
    document = copy.deepcopy(template("report-pothole"))
    properties = document["schema"]["properties"]
    properties["photo"] = {"type": "string", "title": "Photo", "format": "data-url"}
    properties["witness"] = {"type": "object", "title": "Witness", "properties": {
        "who": {"type": "string", "title": "Who saw it?"}, "when": {"type": "string", "format": "date",
                                                               "title": "When?"}}}
    properties["crew"] = {"type": "array", "title": "Crew", "items": {"type": "object", "title": "Worker",
                                                                      "properties": {"worker": {"type": "string",
                                                                                                "title": "Worker"}}}}
    document["uiSchema"]["photo"] = {"ui:options": {"accept": ["png"]}}
    document["uiSchema"]["ui:order"] += ["photo", "witness", "crew"]
    document["uiSchema"]["ui:pages"].append({"title": "More *details*", "fields": ["photo", "witness", "crew"]})
    forms.create_form(document, DESIGNER, uow)
    forms.publish("report-pothole", DESIGNER, uow)
    photo = upload_attachment("report-pothole", ("photo",), "hole *big*.png", PNG_BYTES, uow)
    answers = {**POTHOLE, "photo": answer_value(photo), "witness": {"who": "<b>Sam</b>", "when": "2026-11-20"},
               "crew": [{"worker": "Ann"}, {"worker": "**Bob**"}]}
    receipt = requests.submit("report-pothole", answers, ANONYMOUS, uow, idempotency_key="as-form-pages")
    app = _as_the_form(open_page(sign_in(new_app(), "roads"), "case", ref=receipt.reference), receipt.reference)
    assert not app.exception, app.exception
    widgets = _form_widgets(app)
    assert all(w.disabled for w in widgets)
    values = {w.key.split(":", 3)[3]: w.value for w in widgets}
    assert values["photo"] == "hole *big*.png"  # the file's name, in a locked text field: no uploader
    assert values["witness/who"] == "<b>Sam</b>" and str(values["witness/when"]) == "2026-11-20"
    assert values["crew/0/worker"] == "Ann" and values["crew/1/worker"] == "**Bob**"
    assert not app.get("file_uploader")
    markdown = [m.value for m in app.markdown]
    titles = [m for m in markdown if m.startswith("#### ")]
    assert titles == ["#### The pothole", "#### About you", "#### More \\*details\\*"]  # staff text, escaped
    assert "**Witness**" in markdown and "**Crew**" in markdown
    assert [c.value for c in app.caption if c.value.startswith("Worker ")] == ["Worker 1", "Worker 2"]
    assert not [b for b in app.button if str(b.key).startswith("answers_form:")]


def _pothole_for(engine: Engine, group: str, policy: str, approvals: int | None = None) -> SqlUnitOfWork:
    uow = seed_organisation(engine)
    document = template("report-pothole")
    document["workflow"]["steps"][0].update({"group": group, "policy": policy, "approvals_needed": approvals})
    forms.create_form(document, DESIGNER, uow)
    forms.publish("report-pothole", DESIGNER, uow)
    return uow


def test_the_case_page_counts_only_colleagues_who_may_decide(new_app: Callable[[], AppTest],
                                                             app_database: Engine) -> None:
    """An "all members" step of two inspectors, one of whom submitted: one more approval finishes it."""
    uow = _pothole_for(app_database, "Road inspectors", "all")
    receipt = requests.submit("report-pothole", POTHOLE, ROADS, uow, idempotency_key="own")
    app = open_page(sign_in(new_app(), "roads2"), "case", ref=receipt.reference)
    assert "Decided on this step: nobody yet — 1 more approval needed" in texts(app)
    assert not app.warning
    _button(app, "Approve")
    assert "Approved. The resident is told." in texts(app)


def test_the_case_page_says_when_nobody_in_the_group_may_decide(new_app: Callable[[], AppTest],
                                                                app_database: Engine) -> None:
    from tests.helpers import SAFETY

    uow = _pothole_for(app_database, "Public safety", "all")  # "safety" is its only member
    receipt = requests.submit("report-pothole", POTHOLE, SAFETY, uow, idempotency_key="only")
    app = open_page(sign_in(new_app(), "safety"), "case", ref=receipt.reference)
    warning = " ".join(w.value for w in app.warning)
    assert "Nobody in the group “Public safety” can decide this request" in warning
    assert "An administrator must add a colleague to the group" in warning
    assert "You submitted this request yourself, so a colleague must decide it." in texts(app)
    assert not app.radio  # no decision panel for the submitter


def test_the_case_page_says_when_n_of_the_group_cannot_be_reached(new_app: Callable[[], AppTest],
                                                                  app_database: Engine) -> None:
    """"2 of the group" of two inspectors, one of whom submitted: two people must still agree, so the page
    says the step waits for a colleague to join instead of taking one approval as enough."""
    uow = _pothole_for(app_database, "Road inspectors", "n", 2)
    receipt = requests.submit("report-pothole", POTHOLE, ROADS, uow, idempotency_key="own-n")
    app = open_page(sign_in(new_app(), "roads2"), "case", ref=receipt.reference)
    warning = " ".join(w.value for w in app.warning)
    assert "This step needs 2 approvals, but only 1 member of “Road inspectors” may decide it." in warning
    assert "An administrator must add a colleague to the group" in warning
    _button(app, "Approve")
    assert requests.status(receipt.reference, receipt.access_code or "", uow).state == "in_review"
