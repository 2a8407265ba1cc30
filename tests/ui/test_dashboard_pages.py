"""The dashboard (designers, administrators) and data-protection requests (administrators) through AppTest."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from builder.usecases import forms, requests, review
from builder.workflow import Action, Command
from storage.uow import SqlUnitOfWork
from tests.conftest import template
from tests.helpers import DESIGNER, RESIDENT, ROADS, seed_organisation
from tests.ui.conftest import open_page, sign_in, texts
from ui.nav import page

ANSWERS = {"location": "Market Street 12", "size": "small", "name": "Riley Canary", "email": "riley@example.org"}


def two_requests(engine: Engine) -> list[str]:
    uow = seed_organisation(engine)
    forms.create_form(template("report-pothole"), DESIGNER, uow)
    forms.publish("report-pothole", DESIGNER, uow)
    refs = [requests.submit("report-pothole", ANSWERS, RESIDENT, uow, idempotency_key=k).reference for k in "ab"]
    review.act(refs[0], Command(Action.APPROVE, ROADS), 1, SqlUnitOfWork(engine))
    return refs


def test_designer_sees_figures_bottleneck_tables_and_open_data(
        new_app: Callable[[], AppTest], app_database: Engine) -> None:
    two_requests(app_database)
    app = open_page(sign_in(new_app(), "designer"), "dashboard")
    assert not app.exception
    shown = texts(app)
    assert "Efficiency dashboard" in shown
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Requests received"] == "2" and metrics["Open now"] == "1"
    assert "Requests wait longest at the step" in shown and "Inspection by the roads team" in shown
    # Seconds old: the wait reads in minutes, not as "0 days".
    assert "a typical wait is 0 minutes, and one request in ten waits 0 minutes or longer" in shown
    assert len(app.dataframe) == 3  # steps, forms, weeks: every chart has its table
    assert "Riley Canary" not in shown
    next(b for b in app.button if b.label == "Prepare the open data export").click().run()
    assert "2 requests published, 0 left out" not in texts(app)  # two requests: a group below five
    assert "0 requests published, 2 left out (small groups)." in texts(app)


@pytest.mark.parametrize("language, columns", [
    ("en", ("Waiting now", "Median age of those waiting (days)", "Oldest waiting (days)", "Approved at this step",
            "Rejected at this step", "Approval rate")),
    ("fr", ("En attente", "Âge médian des demandes en attente (jours)", "Plus ancienne en attente (jours)",
            "Acceptées à cette étape", "Refusées à cette étape", "Taux d'acceptation")),
])
def test_the_step_table_shows_the_age_of_waiting_requests_and_the_step_s_decisions(
        new_app: Callable[[], AppTest], app_database: Engine, language: str, columns: tuple[str, ...]) -> None:
    two_requests(app_database)  # one approved at the inspection, one still waiting there
    app = open_page(sign_in(new_app(), "designer"), "dashboard", lang=language)
    assert not app.exception
    steps = app.dataframe[0].value
    waiting, median_age, oldest, approved, rejected, rate = columns
    row = steps.iloc[0].to_dict()
    assert (row[waiting], row[approved], row[rejected]) == (1, 1, 0)
    assert row[median_age] == row[oldest] == 0.0  # submitted seconds ago
    assert row[rate].replace("\u00a0", " ").replace("\u202f", " ") in ("100%", "100 %")


def test_dashboard_filters_to_a_period_without_requests(new_app: Callable[[], AppTest], app_database: Engine) -> None:
    two_requests(app_database)
    app = open_page(sign_in(new_app(), "designer"), "dashboard")
    period = next(s for s in app.selectbox if s.label == "Requests submitted")
    period.set_value("Choose dates").run()
    app.date_input[0].set_value(("2020-01-01", "2020-02-01")).run()
    assert "No requests were submitted to these forms in this period." in texts(app)


PARTY = {"organiser": "Pat Party", "email": "pat@example.org", "street": "Elm Street", "event_date": "2027-06-01",
         "start_time": "14:00:00", "end_time": "22:00:00", "guests": 40}


def test_dashboard_filters_by_department_and_by_form(new_app: Callable[[], AppTest], app_database: Engine) -> None:
    """Two potholes (public works) and three street parties (events): each filter counts only its own."""
    two_requests(app_database)
    uow = SqlUnitOfWork(app_database)
    forms.create_form(template("street-party-permit"), DESIGNER, uow)
    forms.publish("street-party-permit", DESIGNER, uow)
    for key in "xyz":
        requests.submit("street-party-permit", PARTY, RESIDENT, uow, idempotency_key=key)
    app = open_page(sign_in(new_app(), "designer"), "dashboard")

    def received() -> str:
        return {m.label: m.value for m in app.metric}["Requests received"]

    assert received() == "5"
    next(s for s in app.selectbox if s.label == "Department").set_value("events").run()
    assert received() == "3" and "Inspection by the roads team" not in texts(app)
    assert app.multiselect[0].options == ["Apply for a street-party permit"]  # only the department's forms
    next(s for s in app.selectbox if s.label == "Department").set_value(None).run()
    app.multiselect[0].set_value(["report-pothole"]).run()
    assert received() == "2" and "Inspection by the roads team" in texts(app)


@pytest.mark.parametrize("username", ["resident", "roads"])
def test_residents_and_reviewers_have_no_dashboard(new_app: Callable[[], AppTest], app_database: Engine,
                                                   username: str) -> None:
    seed_organisation(app_database)
    app = sign_in(new_app(), username)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page(str(page("dashboard"))).run()


def test_administrator_exports_and_erases_a_resident_s_data(new_app: Callable[[], AppTest],
                                                            app_database: Engine) -> None:
    refs = two_requests(app_database)
    app = open_page(sign_in(new_app(), "admin"), "data_protection")
    app.text_input[0].input("resident")
    app.get("form_submit_button")[0].click().run()
    assert refs[0] in str(app.dataframe[0].value.to_dict())
    next(b for b in app.button if b.label == "Prepare the archive").click().run()
    assert app.get("download_button")
    app.checkbox[0].check().run()
    app.text_input[1].input("someone else")
    next(b for b in app.button if b.label == "Erase now").click().run()
    assert "Type exactly what you searched for" in texts(app)
    app.text_input[1].input("resident")
    next(b for b in app.button if b.label == "Erase now").click().run()
    assert "Erased: 2 requests." in texts(app)
    assert "No requests with data are linked" in texts(app)
    with SqlUnitOfWork(app_database).reading() as uow:
        assert all(uow.requests.get(ref).answers == {} for ref in refs)


def test_designers_cannot_reach_data_protection(new_app: Callable[[], AppTest], app_database: Engine) -> None:
    seed_organisation(app_database)
    app = sign_in(new_app(), "designer")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page(str(page("data_protection"))).run()


# Designer-typed names reach the dashboard's tables; a spreadsheet must show them, not run them.
FORMULA_TITLE, FORMULA_STEP = '=HYPERLINK("evil","Potholes")', "＠SUM(A1) inspection"


def test_every_chart_has_its_table_and_a_csv_file_with_formulas_escaped(
        new_app: Callable[[], AppTest], app_database: Engine, download_files: dict[str, bytes]) -> None:
    uow = seed_organisation(app_database)
    document = template("report-pothole")
    document["title"] = FORMULA_TITLE
    document["workflow"]["steps"][0]["name"] = FORMULA_STEP
    forms.create_form(document, DESIGNER, uow)
    forms.publish("report-pothole", DESIGNER, uow)
    reference = requests.submit("report-pothole", ANSWERS, RESIDENT, uow, idempotency_key="f").reference
    review.act(reference, Command(Action.APPROVE, ROADS), 1, uow)
    app = open_page(sign_in(new_app(), "designer"), "dashboard")
    assert not app.exception
    charts = app.get("vega_lite_chart")
    csv_buttons = [b for b in app.get("download_button") if b.proto.label.endswith("(CSV)")]
    assert len(charts) == len(app.dataframe) == len(csv_buttons) == 3  # steps, forms, weeks
    files = {name: download_files[f"{name}.csv"].decode("utf-8-sig")
             for name in ("dashboard-steps", "dashboard-forms", "dashboard-weeks")}
    for name, text in files.items():
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        assert rows and {r["Form"] for r in rows} == {"'" + FORMULA_TITLE}, name
    steps = list(csv.DictReader(io.StringIO(files["dashboard-steps"], newline="")))
    assert [r["Step"] for r in steps] == ["'" + FORMULA_STEP]
    assert steps[0]["Requests"] == "1"  # figures stay numbers
