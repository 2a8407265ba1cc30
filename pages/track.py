"""Follow a request with its reference and access code; answer a question, download its files or withdraw."""


import streamlit as st

from builder.errors import FormworkError, RateLimited
from builder.usecases.limits import admit_lookup
from builder.usecases.requests import resident_act, status
from builder.workflow import Action
from ui.access import denied
from ui.attachments import show_files
from ui.context import current_actor, services
from ui.i18n import _, current_locale, language_selector
from ui.timeline import refusal_messages, show_status


# A tracking link's ``lang`` is honoured by app.py before anything is translated (_interface_language).
language_selector()
st.title(_("Follow a request"))
uow_factory = services().uow

with st.form("lookup"):
    reference = st.text_input(_("Reference"), value=st.query_params.get("ref", ""),
                              placeholder=_("e.g. PW-2026-00042"))
    code = st.text_input(_("Access code"), type="password", help=_("The code shown when you submitted the request."))
    looked_up = st.form_submit_button(_("Show my request"), type="primary")

if looked_up:
    try:
        admit_lookup(current_actor(), uow_factory())  # slows down guessing of references and codes
    except RateLimited:
        st.error(_("Too many look-ups from your connection. Please wait ten minutes and try again."))
        st.stop()
    st.session_state["track"] = {"reference": reference.strip(), "code": code.strip()}
    st.query_params["ref"] = reference.strip()

lookup = st.session_state.get("track")
if not lookup:
    st.caption(_("You find the reference and access code on the confirmation page and in the email we sent you."))
    st.stop()

try:
    view = status(lookup["reference"], lookup["code"], uow_factory(), locale=current_locale())
except FormworkError:
    if looked_up:
        denied(current_actor(), f"track {lookup['reference'][:40]}: reference and access code do not match")
    st.error(_("No request matches this reference and access code. Check both and try again."))
    st.stop()

notice = st.session_state.pop("track_notice", None)
if notice:
    st.success(notice)


def _act(action: Action, text: str, done: str, files: list[tuple[str, bytes]]) -> None:
    try:
        resident_act(view.reference, lookup["code"], action, text, view.row_version, current_actor(), uow_factory(),
                     holidays=services().holidays, files=files)
    except FormworkError as exc:
        for message in refusal_messages(exc):
            st.error(message)
        return
    st.session_state["track_notice"] = done
    st.rerun()


show_status(view, _act)
st.markdown("#### " + _("Your files"))
# The access code goes with every download: the core checks it again for each file.
show_files(view.reference, current_actor(), uow_factory, access_code=lookup["code"])
