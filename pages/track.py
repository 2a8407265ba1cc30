"""Follow a request with its reference and access code; answer a question, download its files or withdraw."""

import secrets

import streamlit as st

from builder.errors import FormworkError, RateLimited, StorageUnavailable
from builder.usecases.limits import admit_lookup
from builder.usecases.requests import resident_act, status
from builder.workflow import Action
from ui.access import denied
from ui.attachments import show_files
from ui.context import current_actor, services
from ui.i18n import _, current_locale, language_selector
from ui.timeline import refusal_messages, resident_refusal, show_status


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
except StorageUnavailable as exc:
    st.error(resident_refusal(exc))
    st.stop()
except FormworkError:
    if looked_up:
        denied(current_actor(), f"track {lookup['reference'][:40]}: reference and access code do not match")
    st.error(_("No request matches this reference and access code. Check both and try again."))
    st.stop()

notice = st.session_state.pop("track_notice", None)
# Always drawn, shown once: were the notice to come and go, every element below would move on the next run,
# and Streamlit would draw the open "Withdraw" expander anew, closed, hiding the box just ticked.
with st.container():
    if notice:
        st.success(notice)


# The request as the resident last saw it: an action is refused if it changed since (optimistic locking),
# not merely since this rerun started.
seen_key = f"track_seen:{view.reference}"
seen = st.session_state.get(seen_key, view.row_version)


def _act(action: Action, text: str, done: str, files: list[tuple[str, bytes]]) -> None:
    # One key per request, version seen and action: a second click on the same form is applied once and
    # answered with the same calm notice, never "this request changed".
    key = st.session_state.setdefault(f"track_idem:{view.reference}:{seen}:{action.value}",
                                      secrets.token_hex(16))
    try:
        resident_act(view.reference, lookup["code"], action, text, seen, current_actor(), uow_factory(),
                     holidays=services().holidays, files=files, locale=current_locale(),
                     public_url=services().public_url, idempotency_key=key)
    except FormworkError as exc:
        for message in refusal_messages(exc):
            st.error(message)
        return
    st.session_state.pop(seen_key, None)  # the resident's own change: the next run shows it
    st.session_state["track_notice"] = done
    st.rerun()


show_status(view, _act)
st.session_state[seen_key] = view.row_version
st.markdown("#### " + _("Your files"))
# The access code goes with every download: the core checks it again for each file.
show_files(view.reference, current_actor(), uow_factory, access_code=lookup["code"])
