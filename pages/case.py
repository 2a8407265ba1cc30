"""One request, for a reviewer: answers, history, comments and the decision panel."""

import secrets

import streamlit as st

from builder.errors import FormworkError
from builder.usecases.review import act, open_case
from builder.workflow import Action, Command
from ui.access import is_reviewer, require
from ui.answers import show_answers
from ui.context import services
from ui.timeline import show_comments, show_history, state_label
from ui.nav import page

actor = require(is_reviewer, "Only reviewers can open requests.")
reference = st.query_params.get("ref", "")
uow_factory = services().uow
try:
    case = open_case(reference, actor, uow_factory())
except FormworkError as exc:
    st.title("Request")
    st.warning(str(exc))
    st.page_link(page("inbox"), label="Back to the inbox", icon=":material/arrow_back:")
    st.stop()

request = case.request
# Decisions carry the version the reviewer was looking at, not the one this click's rerun just read:
# if a colleague acted in between, the engine refuses with "this request changed since you opened it".
seen_key = f"seen:{request.reference}"
seen_version = st.session_state.get(seen_key, request.row_version)
st.session_state[seen_key] = request.row_version
st.page_link(page("inbox"), label="Back to the inbox", icon=":material/arrow_back:")
st.title(request.reference)
st.text(case.definition.title)
first, second, third = st.columns(3)
first.metric("Status", state_label(request.state))
second.metric("Step", case.step_name or "—")
third.metric("Due", request.due_on.isoformat() if request.due_on else "—")
if case.approvals_needed and case.approvals_needed > 1:
    decided = [d.reviewer for d in case.decisions if d.step_index == request.step_index]
    st.text(f"Approvals: {len(decided)} of {case.approvals_needed} ({', '.join(decided) or 'none yet'})")

notice = st.session_state.pop("case_notice", None)
if notice:
    st.success(notice)

st.subheader("Answers")
show_answers(case.definition.schema_, case.definition.ui_schema, request.answers)

LABELS = {"approve": "Approve", "reject": "Reject", "return": "Ask the resident for more information",
          "comment": "Add a comment", "claim": "Claim (I am working on it)", "release": "Release",
          "reassign": "Reassign"}
DONE = {"approve": "Approved.", "reject": "Rejected. The resident is told.", "return": "Sent to the resident.",
        "comment": "Comment added.", "claim": "You are working on this request.", "release": "Released.",
        "reassign": "Reassigned."}

if case.actions:
    st.subheader("Decide")
    action = st.radio("What do you want to do?", case.actions, format_func=LABELS.get, key=f"action:{reference}")
    text = ""
    public = False
    to_group = None
    if action in {"approve", "reject", "return", "comment", "reassign"}:
        prompts = {"approve": "Note (optional)", "reject": "Reason for the rejection (the resident reads this)",
                   "return": "Your question to the resident", "comment": "Comment",
                   "reassign": "Reason for reassigning"}
        text = st.text_area(prompts[action], key=f"text:{reference}:{action}", max_chars=4000)
    if action == "comment":
        public = st.checkbox("Visible to the resident", key=f"public:{reference}")
    if action == "reassign":
        to_group = st.text_input("Group to hand it to", key=f"group:{reference}")
    if st.button(LABELS[action], type="primary", key=f"go:{reference}"):
        command = Command(Action(action), actor, text=text, public=public, to_group=to_group or None)
        key = st.session_state.setdefault(f"idem:{reference}:{seen_version}:{action}", secrets.token_hex(16))
        try:
            act(reference, command, seen_version, uow_factory(), idempotency_key=key,
                holidays=services().holidays)
        except FormworkError as exc:
            st.error(str(exc))
        else:
            st.session_state["case_notice"] = DONE[action]
            st.rerun()
elif request.submitted_by == actor.username:
    st.info("You submitted this request yourself, so a colleague must decide it.")

st.subheader("Comments")
show_comments(case.comments)
st.subheader("History")
show_history(case.history)
