"""The reviewer's inbox: requests waiting for my groups, filtered, counted, exported."""

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import streamlit as st

from builder.ports import InboxQuery
from builder.sla import is_overdue
from builder.spreadsheet import to_csv, to_xlsx
from builder.usecases.review import EXPORT_LIMIT, export_selection, inbox, inbox_counts, inbox_names
from builder.workflow import OPEN_STATES
from ui.access import is_reviewer, require
from ui.context import services
from ui.nav import page
from ui.text import plain
from ui.i18n import _, language_selector, ngettext, show_number
from ui.timeline import staff_state_label

language_selector()  # staff read the interface in their language too

PAGE_SIZE = 50
# Option values stay the English names (stable keys for the session and tests); people read them translated.
TABS = {"Waiting for a decision": ("in_review",), "Waiting for the resident": ("needs_info",),
        "Finished": ("approved", "rejected", "withdrawn")}
TAB_NAMES = {"Waiting for a decision": _("Waiting for a decision"),
             "Waiting for the resident": _("Waiting for the resident"), "Finished": _("Finished")}
CLAIMED = {"Anyone": _("Anyone"), "By me": _("By me"), "Unclaimed": _("Unclaimed")}
ORDERS = {"Newest first": _("Newest first"), "Oldest first": _("Oldest first"),
          "Due soonest first": _("Due date, soonest first")}

actor = require(is_reviewer, _("Only reviewers can open the inbox."))
uow_factory = services().uow
st.title(_("Inbox"))
st.caption(_("Requests for: {groups}").format(groups=", ".join(plain(g) for g in sorted(actor.reviewer_groups))))
names = inbox_names(actor, uow_factory())  # one read of the published forms
choices = names.choices
forms = {c.form_slug: c.form_title for c in choices}

with st.expander(_("Filters"), expanded=False):
    left, right = st.columns(2)
    form = left.selectbox(_("Form"), [None, *forms], format_func=lambda s: _("All forms") if s is None else forms[s],
                          key="inbox_form")
    steps = {c.step_id: c.step_name for c in choices if form is None or c.form_slug == form}
    step = right.selectbox(_("Step"), [None, *steps], format_func=lambda s: _("All steps") if s is None else steps[s],
                           key="inbox_step")
    claimed = left.selectbox(_("Claimed"), list(CLAIMED), format_func=CLAIMED.get, key="inbox_claimed")
    overdue = right.checkbox(_("Only overdue"), key="inbox_overdue")
    today = datetime.now(UTC).date()
    period = left.date_input(_("Submitted between"), value=(), min_value=today - timedelta(days=3650),
                             max_value=today, key="inbox_period")
    order = right.radio(_("Order"), list(ORDERS), format_func=ORDERS.get, key="inbox_order", horizontal=True)
search = st.text_input(_("Find by reference"), max_chars=32, key="inbox_search", placeholder=_("e.g. PW-2026-00042"))

start, end = (period + (None, None))[:2] if isinstance(period, tuple) else (period, None)
filters = InboxQuery(
    groups=actor.reviewer_groups, form_slug=form, step_id=step, overdue_on=today if overdue else None,
    claimed_by=actor.username if claimed == "By me" else None, unclaimed_only=claimed == "Unclaimed",
    reference_contains=search.strip() or None, newest_first=order == "Newest first",
    due_soonest_first=order == "Due soonest first",
    submitted_from=datetime.combine(start, time.min, UTC) if start else None,
    submitted_to=datetime.combine(end or start, time.min, UTC) + timedelta(days=1) if start else None,
)
# A new filter starts again on the first page.
signature = repr(filters)
if st.session_state.get("inbox_signature") != signature:
    st.session_state["inbox_signature"] = signature
    st.session_state["inbox_page"] = 0
    st.session_state.pop("inbox_export_rows", None)

counts = inbox_counts(actor, uow_factory(), TABS, filters)


def _tab_label(name: str) -> str:
    found = counts[name]
    return f"{TAB_NAMES[name]} ({show_number(found.total)}{'+' if found.total_is_capped else ''})"


tab = st.radio(_("Requests to show"), list(TABS), format_func=_tab_label, horizontal=True, key="inbox_tab")
if st.session_state.get("inbox_last_tab") != tab:
    st.session_state["inbox_last_tab"] = tab
    st.session_state["inbox_page"] = 0
    st.session_state.pop("inbox_export_rows", None)
page_number = st.session_state.get("inbox_page", 0)
selection = replace(filters, states=TABS[tab], limit=PAGE_SIZE, offset=page_number * PAGE_SIZE)
result = inbox(actor, uow_factory(), selection)
st.text(ngettext("{count} request", "{count} requests", result.total).format(
    count=show_number(result.total) + ("+" if result.total_is_capped else "")))

if not result.rows:
    st.info(_("Nothing here. Well done!") if tab == "Waiting for a decision" else _("No requests match."))
    st.stop()
st.dataframe([{
    _("Reference"): r.reference, _("Form"): names.forms.get(r.form_slug, r.form_slug),
    _("Step"): names.steps.get((r.form_slug, r.step_id or ""), r.step_id or ""),
    _("Status"): staff_state_label(r.state), _("Submitted (UTC)"): r.submitted_at.strftime("%Y-%m-%d %H:%M"),
    _("Due"): r.due_on.isoformat() if r.due_on else "",  # ISO dates sort correctly in the table
    _("Overdue"): "⚠ " + _("overdue") if r.state in OPEN_STATES and is_overdue(r.due_on, today) else "",
    _("Claimed by"): r.claimed_by or "",
} for r in result.rows], hide_index=True, width="stretch")

chosen_column, open_column = st.columns([3, 1], vertical_alignment="bottom")
chosen = chosen_column.selectbox(_("Open a request"), [r.reference for r in result.rows], index=None,
                                 placeholder=_("Choose a reference"), key="inbox_open")
if open_column.button(_("Open request"), type="primary", disabled=chosen is None, width="stretch"):
    st.switch_page(page("case"), query_params={"ref": chosen})

pages = max(1, -(-result.total // PAGE_SIZE))
previous, info, following = st.columns([1, 2, 1])
if previous.button(_("Previous"), disabled=page_number == 0, width="stretch"):
    st.session_state["inbox_page"] = page_number - 1
    st.rerun()
info.text(_("Page {number} of {total}").format(number=show_number(page_number + 1),
                                               total=show_number(pages) + ("+" if result.total_is_capped else "")))
if following.button(_("Next"), disabled=page_number >= pages - 1 and not result.total_is_capped,
                    width="stretch"):
    st.session_state["inbox_page"] = page_number + 1
    st.rerun()

with st.expander(_("Export this list")):
    st.caption(_("All pages of the current list (up to {limit} requests), without the answers.").format(
        limit=show_number(EXPORT_LIMIT)))
    if st.button(_("Prepare the export"), key="inbox_export"):
        st.session_state["inbox_export_rows"] = export_selection(actor, uow_factory(), selection)
    rows = st.session_state.get("inbox_export_rows")
    if rows is not None:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
        csv_column, xlsx_column = st.columns(2)
        csv_column.download_button(_("Download CSV"), to_csv(rows), f"inbox-{stamp}.csv", "text/csv")
        xlsx_column.download_button(
            _("Download Excel"), to_xlsx(rows), f"inbox-{stamp}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
