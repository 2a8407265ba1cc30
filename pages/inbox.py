"""The reviewer's inbox: requests waiting for my groups."""

from datetime import UTC, datetime

import streamlit as st

from builder.ports import InboxQuery
from builder.sla import is_overdue
from builder.usecases.review import inbox
from ui.access import is_reviewer, require
from ui.context import services
from ui.timeline import state_label
from ui.nav import page

actor = require(is_reviewer, "Only reviewers can open the inbox.")
st.title("Inbox")
st.caption("Requests waiting for: " + ", ".join(sorted(actor.reviewer_groups)))

tabs = {"Waiting for a decision": ("in_review",), "Waiting for the resident": ("needs_info",),
        "Finished": ("approved", "rejected", "withdrawn")}
left, middle, right = st.columns([2, 2, 2])
tab = left.selectbox("Show", list(tabs))
claimed = middle.selectbox("Claimed", ["Anyone", "By me", "Unclaimed"])
search = right.text_input("Reference contains", max_chars=32)
page_size = 50
page_number = st.session_state.get("inbox_page", 0)
query = InboxQuery(groups=actor.reviewer_groups, states=tabs[tab], reference_contains=search.strip() or None,
                   claimed_by=actor.username if claimed == "By me" else None, unclaimed_only=claimed == "Unclaimed",
                   limit=page_size, offset=page_number * page_size)
result = inbox(actor, services().uow(), query)
today = datetime.now(UTC).date()

st.text(f"{result.total} request(s)")
if not result.rows:
    st.info("Nothing here. Well done!" if tab == "Waiting for a decision" else "No requests in this list.")
    st.stop()
st.dataframe([{
    "Reference": r.reference, "Form": r.form_slug, "Step": r.step_id or "", "Status": state_label(r.state),
    "Submitted (UTC)": r.submitted_at.strftime("%Y-%m-%d %H:%M"), "Due": r.due_on.isoformat() if r.due_on else "",
    "Overdue": "yes" if is_overdue(r.due_on, today) else "", "Claimed by": r.claimed_by or "",
} for r in result.rows], hide_index=True, use_container_width=True)

chosen = st.selectbox("Open a request", [r.reference for r in result.rows], index=None,
                      placeholder="Choose a reference")
if chosen and st.button("Open", type="primary"):
    st.switch_page(page("case"), query_params={"ref": chosen})

pages = max(1, -(-result.total // page_size))
if pages > 1:
    previous, info, following = st.columns([1, 2, 1])
    if previous.button("Previous", disabled=page_number == 0):
        st.session_state["inbox_page"] = page_number - 1
        st.rerun()
    info.text(f"Page {page_number + 1} of {pages}")
    if following.button("Next", disabled=page_number >= pages - 1):
        st.session_state["inbox_page"] = page_number + 1
        st.rerun()
