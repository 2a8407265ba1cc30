"""Follow a request with its reference and access code; answer a question or withdraw."""


import streamlit as st

from builder.errors import FormworkError
from builder.usecases.requests import NO_MATCH, resident_act, status
from builder.workflow import Action
from ui.answers import show_answers
from ui.context import current_actor, services

st.title("Follow a request")
uow_factory = services().uow

with st.form("lookup"):
    reference = st.text_input("Reference", value=st.query_params.get("ref", ""), placeholder="e.g. PW-2026-00042")
    code = st.text_input("Access code", type="password", help="The code shown when you submitted the request.")
    looked_up = st.form_submit_button("Show my request", type="primary")

if looked_up:
    st.session_state["track"] = {"reference": reference.strip(), "code": code.strip()}
    st.query_params["ref"] = reference.strip()

lookup = st.session_state.get("track")
if not lookup:
    st.caption("You find the reference and access code on the confirmation page and in the email we sent you.")
    st.stop()

try:
    view = status(lookup["reference"], lookup["code"], uow_factory())
except FormworkError:
    st.error(NO_MATCH)
    st.stop()

notice = st.session_state.pop("track_notice", None)
if notice:
    st.success(notice)

st.subheader(view.reference)
st.text(view.form_title)
left, right = st.columns(2)
left.metric("Status", view.state_label)
if view.step_name:
    right.metric("Current step", view.step_name)
if view.expected_on:
    st.text(f"Expected decision by {view.expected_on:%d %B %Y}.")
st.caption(f"Submitted {view.submitted_at:%Y-%m-%d %H:%M} UTC")

st.markdown("#### Messages")
if not view.comments:
    st.caption("No messages yet.")
for comment in view.comments:
    with st.container(border=True):
        st.caption(f"{comment.author} · {comment.written_at:%Y-%m-%d %H:%M} UTC")
        st.text(comment.body)

with st.expander("Your answers"):
    show_answers(view.schema, view.ui_schema, view.answers)


def _act(action: Action, text: str, done: str) -> None:
    try:
        resident_act(view.reference, lookup["code"], action, text, view.row_version, current_actor(), uow_factory(),
                     holidays=services().holidays)
    except FormworkError as exc:
        st.error(str(exc))
        return
    st.session_state["track_notice"] = done
    st.rerun()


if "answer" in view.actions:
    st.markdown("#### Answer the question")
    answer = st.text_area("Your answer", key=f"answer:{view.reference}", max_chars=4000)
    if st.button("Send answer", type="primary"):
        _act(Action.ANSWER, answer, "Thank you. Your answer was sent and the review continues.")
if "withdraw" in view.actions:
    with st.expander("Withdraw this request"):
        sure = st.checkbox("I want to withdraw this request. This cannot be undone.", key=f"wd:{view.reference}")
        if st.button("Withdraw request", disabled=not sure):
            _act(Action.WITHDRAW, "", "Your request was withdrawn.")
