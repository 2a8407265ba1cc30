"""Efficiency dashboard: where requests wait, how long decisions take, and the open data export."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st
from babel.numbers import format_percent

from builder import metrics, opendata, spreadsheet
from builder.errors import FormworkError
from builder.ports import Actor
from builder.usecases import insights
from ui.access import is_designer, record_refusal, require
from ui.context import services
from ui.i18n import _, current_locale, language_selector, ngettext, show_number
from ui.text import plain
from ui.timeline import staff_refusal

language_selector()  # staff read the interface in their language too

# Option values stay the English names (stable keys); people read them translated.
PERIODS = {"Last 30 days": 30, "Last 90 days": 90, "Last 12 months": 365, "All time": None, "Choose dates": -1}
PERIOD_NAMES = {"Last 30 days": _("Last 30 days"), "Last 90 days": _("Last 90 days"),
                "Last 12 months": _("Last 12 months"), "All time": _("All time"), "Choose dates": _("Choose dates")}
FIGURES_FOR_SECONDS = 300  # figures are recomputed at most every five minutes per filter


@st.cache_data(ttl=FIGURES_FOR_SECONDS, show_spinner=False, max_entries=200)
def _figures(actor: Actor, slugs: tuple[str, ...], start: datetime | None, end: datetime | None,
             _holidays: tuple[date, ...]) -> metrics.Dashboard:
    # Aggregates only (counts and durations): no resident data is cached. Keyed by the actor, whose
    # permission the use case checks again.
    return insights.dashboard(actor, services().uow(), forms=slugs, submitted_from=start, submitted_to=end,
                              holidays=_holidays)


def days(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 86400, 1)


def shown(value: float | None) -> str:
    return "–" if value is None else show_number(value)


def how_long(value: timedelta | None) -> str:
    """A wait in words: minutes or hours below a day, where "0 days" would say nothing."""
    if value is None:
        return "–"
    hours = value.total_seconds() / 3600
    if hours < 1:
        minutes = int(hours * 60)
        return ngettext("{count} minute", "{count} minutes", minutes).format(count=show_number(minutes))
    if hours < 24:
        return ngettext("{count} hour", "{count} hours", int(hours)).format(count=show_number(int(hours)))
    return _("{count} days").format(count=show_number(round(hours / 24, 1)))


def share(value: float | None) -> str:
    return "–" if value is None else format_percent(value, locale=current_locale())


def show_table(rows: list[dict[str, Any]], name: str, key: str) -> None:
    """Every chart comes with its numbers, and the numbers as a CSV file.

    The file goes through the exports' one rule (``builder.spreadsheet``): form titles and step names are
    typed by designers, and one starting with "=" must not run as a formula in the city's spreadsheet."""
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.download_button(_("Download {table} (CSV)").format(table=name), spreadsheet.to_csv(rows),
                       f"{key}.csv", "text/csv", key=f"csv-{key}")


def period_bounds(choice: str) -> tuple[datetime | None, datetime | None]:
    today = datetime.now(UTC).date()
    length = PERIODS[choice]
    if length is None:
        return None, None
    if length == -1:
        picked = st.date_input(_("Submitted between"), (today - timedelta(days=90), today),
                               min_value=date(2000, 1, 1), max_value=today, format="YYYY-MM-DD")
        if not isinstance(picked, Sequence) or len(picked) != 2:
            st.info(_("Choose the first and the last day of the period."))
            st.stop()
        first, last = picked
        return datetime.combine(first, time.min, UTC), datetime.combine(last + timedelta(days=1), time.min, UTC)
    return datetime.combine(today - timedelta(days=length), time.min, UTC), None


actor = require(is_designer, _("Only form designers and administrators can see the dashboard."))
st.title(_("Efficiency dashboard"))
st.caption(_("Figures come from the audit log of every request. Times are in days; time waiting for the "
             "resident's answer is counted apart, not as the city's time."))

forms = insights.visible_forms(actor, services().uow())
if not forms:
    st.info(_("There are no forms in your departments yet."))
    st.stop()
titles = {f.slug: f.title for f in forms}
left, middle, right = st.columns(3)
departments = sorted({f.department for f in forms})
department = left.selectbox(_("Department"), [None, *departments],
                            format_func=lambda d: _("All departments") if d is None else d)
in_department = [f.slug for f in forms if department is None or f.department == department]
chosen = middle.multiselect(_("Forms"), in_department, format_func=lambda slug: titles[slug],
                            placeholder=_("All forms"))
period = right.selectbox(_("Requests submitted"), list(PERIODS), index=1, format_func=PERIOD_NAMES.get)
start, end = period_bounds(period)
slugs = tuple(sorted(chosen or in_department))
try:
    with st.spinner(_("Computing the figures…")):
        figures = _figures(actor, slugs, start, end, services().holidays)
except FormworkError as error:
    record_refusal(actor, f"dashboard of {', '.join(slugs)[:300]}", error)
    st.error(staff_refusal(error))
    st.stop()

overall = figures.overall
if overall is None:
    st.info(_("No requests were submitted to these forms in this period."))
    st.stop()

st.subheader(_("At a glance"))
cols = st.columns(3)
cols[0].metric(_("Requests received"), show_number(overall.received))
cols[1].metric(_("Open now"), show_number(overall.open_backlog),
               help=_("Requests not yet approved, rejected or withdrawn."))
cols[2].metric(_("Past their due date"), show_number(overall.sla_breaches),
               help=_("Requests that stayed at a step longer than the step's time limit (working days)."))
cols = st.columns(3)
cols[0].metric(_("Median days to a decision"), shown(days(overall.median_to_decision)))
cols[1].metric(_("90% decided within (days)"), shown(days(overall.p90_to_decision)))
cols[2].metric(_("Approved"), share(overall.approval_rate), help=_("Share of approved among decided requests."))

st.subheader(_("Bottleneck"))
neck = figures.bottleneck
if neck is None:
    st.info(_("No request has reached an approval step yet."))
else:
    st.warning(_(
        "Requests wait longest at the step **{step}** of the form **{form}**: a typical wait is {median}, and "
        "one request in ten waits {p90} or longer. {count} are at this step now.").format(
        step=plain(neck.step_name), form=plain(titles.get(neck.form, neck.form)),
        median=how_long(neck.median_wait), p90=how_long(neck.p90_wait), count=show_number(neck.open_now)))
# Column names are translated; the charts refer to the same translated names.
FORM, STEP, REQUESTS, WAITING_NOW = _("Form"), _("Step"), _("Requests"), _("Waiting now")
MEDIAN_WAIT, P90 = _("Median days waiting"), _("90th percentile days")
step_rows = [{
    FORM: titles.get(s.form, s.form), STEP: s.step_name, REQUESTS: s.visits, WAITING_NOW: s.open_now,
    _("Median age of those waiting (days)"): days(s.open_median_age),
    _("Oldest waiting (days)"): days(s.open_oldest_age),
    MEDIAN_WAIT: days(s.median_wait), P90: days(s.p90_wait),
    _("Days waiting on residents"): days(s.total_resident_wait), _("Past due date"): s.sla_breaches,
    _("Approved at this step"): s.approved, _("Rejected at this step"): s.rejected,
    _("Approval rate"): share(s.approval_rate), _("Rejection rate"): share(s.rejection_rate),
} for s in figures.steps]
if step_rows:
    chart = alt.Chart(pd.DataFrame(step_rows)).mark_bar().encode(
        # At least one day wide: a scale from 0 to 0 draws no bars and an axis of "0.000000".
        x=alt.X(field=MEDIAN_WAIT, type="quantitative", title=_("Median days waiting for the city"),
                scale=alt.Scale(domain=[0, max(1.0, *(r[MEDIAN_WAIT] or 0 for r in step_rows))]),
                axis=alt.Axis(format="~g")),
        # Names longer than half a phone's width end in "…" (the table below has them whole): on a 390 px
        # screen longer labels left the bars a sliver. Forms listed one a line: a row of them ran off the screen.
        y=alt.Y(field=STEP, type="nominal", sort="-x", title=None, axis=alt.Axis(labelLimit=170)),
        color=alt.Color(field=FORM, type="nominal", legend=alt.Legend(orient="bottom", columns=1, labelLimit=320)),
        tooltip=[alt.Tooltip(field=name) for name in (FORM, STEP, MEDIAN_WAIT, P90, WAITING_NOW)])
    st.altair_chart(chart, width="stretch")
    show_table(step_rows, _("steps"), "dashboard-steps")

st.subheader(_("Per form"))
OUTCOME, APPROVED, REJECTED, WITHDRAWN, OPEN_NOW = _("Outcome"), _("Approved"), _("Rejected"), _("Withdrawn"), _("Open now")
form_rows = [{
    FORM: titles.get(f.form, f.form), _("Received"): f.received, OPEN_NOW: f.open_backlog,
    _("Median age of open (days)"): days(f.backlog_median_age), _("Oldest open (days)"): days(f.backlog_oldest_age),
    _("Median days to decision"): days(f.median_to_decision), P90: days(f.p90_to_decision),
    _("Median days waiting on resident"): days(f.median_resident_wait), APPROVED: f.approved,
    REJECTED: f.rejected, WITHDRAWN: f.withdrawn, _("Approval rate"): share(f.approval_rate),
    _("Rejection rate"): share(f.rejection_rate), _("Past due date"): f.sla_breaches,
} for f in figures.forms]
outcomes = pd.DataFrame([{FORM: r[FORM], OUTCOME: outcome, REQUESTS: r[outcome]}
                         for r in form_rows for outcome in (APPROVED, REJECTED, WITHDRAWN, OPEN_NOW)])
st.altair_chart(alt.Chart(outcomes).mark_bar().encode(
    x=alt.X(field=REQUESTS, type="quantitative", axis=alt.Axis(format="d", tickMinStep=1)),
    y=alt.Y(field=FORM, type="nominal", title=None),
    # Two by two: the four outcomes in one row ran off a phone's screen ("Withdrawn" was cut off).
    color=alt.Color(field=OUTCOME, type="nominal", legend=alt.Legend(orient="bottom", columns=2)),
    tooltip=[alt.Tooltip(field=name) for name in (FORM, OUTCOME, REQUESTS)]),
    width="stretch")
show_table(form_rows, _("forms"), "dashboard-forms")

st.subheader(_("Throughput per week"))
WEEK, RECEIVED, DECIDED = _("Week starting"), _("Received"), _("Decided")
week_rows = [{WEEK: w.week_starting.isoformat(), FORM: titles.get(w.form, w.form),
              RECEIVED: w.received, DECIDED: w.decided} for w in figures.weeks]
weekly = pd.DataFrame(week_rows).groupby(WEEK, as_index=False)[[RECEIVED, DECIDED]].sum()
COUNT, WHAT = _("Requests"), _("Figure")
# Lines with points: a period of a single week still shows its two figures.
st.altair_chart(alt.Chart(weekly.melt(id_vars=[WEEK], var_name=WHAT, value_name=COUNT)).mark_line(point=True).encode(
    x=alt.X(field=WEEK, type="ordinal", title=WEEK),
    y=alt.Y(field=COUNT, type="quantitative", axis=alt.Axis(format="d", tickMinStep=1)),
    color=alt.Color(field=WHAT, type="nominal", legend=alt.Legend(orient="bottom", title=None)),
    tooltip=[alt.Tooltip(field=name) for name in (WEEK, WHAT, COUNT)]), width="stretch")
show_table(week_rows, _("weekly throughput"), "dashboard-weeks")

st.subheader(_("Open data"))
st.caption(_("Only fields marked publishable (and not personal) leave; requests are pseudonymised, dates are "
             "given as months, and groups of fewer than {minimum} requests are left out.").format(
    minimum=opendata.MIN_GROUP))
publish = st.selectbox(_("Form to export"), slugs, format_func=lambda slug: titles[slug])
if st.button(_("Prepare the open data export")):
    try:
        st.session_state["open_data_export"] = insights.open_data(publish, actor, services().uow())
    except FormworkError as error:
        record_refusal(actor, f"open data export of {str(publish)[:120]}: {error}", error)
        st.error(staff_refusal(error))
export = st.session_state.get("open_data_export")
if isinstance(export, opendata.OpenDataExport) and export.form == publish:
    st.text(ngettext("{count} request published, {left} left out (small groups).",
                     "{count} requests published, {left} left out (small groups).",
                     len(export.rows)).format(count=len(export.rows), left=export.suppressed_rows))
    left, right = st.columns(2)
    left.download_button(_("Download rows (CSV)"), opendata.to_csv(export.columns, export.rows).encode(),
                         f"{publish}-open-data.csv", "text/csv")
    left.download_button(_("Download counts (CSV)"),
                         opendata.to_csv(["dimension", "value", "count"], export.aggregates).encode(),
                         f"{publish}-open-data-counts.csv", "text/csv")
    right.download_button(_("Download everything (JSON)"), opendata.to_json(export).encode(),
                          f"{publish}-open-data.json", "application/json")
