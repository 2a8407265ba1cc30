"""A signed-in resident's own requests: open one without the access code."""

import secrets

import streamlit as st

from builder.errors import FormworkError
from builder.usecases.requests import form_titles, my_request_status, my_requests, resident_act
from builder.workflow import Action
from ui.access import is_signed_in, record_refusal, require
from ui.attachments import show_files
from ui.context import services
from ui.i18n import _, current_locale, language_selector, show_date
from ui.nav import page
from ui.timeline import refusal_messages, resident_refusal, show_status, state_label

language_selector()
actor = require(is_signed_in, _("Sign in to see your requests."))
uow_factory = services().uow
st.title(_("My requests"))
requests = my_requests(actor, uow_factory())
if not requests:
    st.info(_("You have not submitted any requests with this account yet."))
    st.page_link(page("catalogue"), label=_("See the forms"), icon=":material/list_alt:",
                 query_params={"lang": current_locale()})
    st.stop()
titles = form_titles({r.form_slug for r in requests}, current_locale(), uow_factory())
st.dataframe([{_("Reference"): r.reference, _("Form"): titles.get(r.form_slug, r.form_slug), _("Status"): state_label(r.state),
               _("Expected by"): show_date(r.due_on) if r.due_on and r.state == "in_review" else "",
               _("Submitted (UTC)"): show_date(r.submitted_at)} for r in requests],
             hide_index=True, width="stretch")

references = [r.reference for r in requests]
wanted = st.query_params.get("ref")
chosen = st.selectbox(_("Open a request"), references, index=references.index(wanted) if wanted in references else None,
                      placeholder=_("Choose a reference"), key="my_request")
if chosen is None:
    st.stop()
st.query_params["ref"] = chosen

notice = st.session_state.pop("my_request_notice", None)
if notice:
    st.success(notice)
try:
    view = my_request_status(chosen, actor, uow_factory(), locale=current_locale())
except FormworkError as exc:
    record_refusal(actor, f"my request {chosen[:40]}: not submitted from this account or unknown", exc)
    st.error(resident_refusal(exc))
    st.stop()

# The request as the resident last saw it: an action is refused if it changed since (optimistic locking).
seen_key = f"my_request_seen:{view.reference}"
seen = st.session_state.get(seen_key, view.row_version)


def _act(action: Action, text: str, done: str, files: list[tuple[str, bytes]]) -> None:
    # One key per request, version seen and action: a second click on the same form is applied once and
    # answered with the same calm notice, never "this request changed".
    key = st.session_state.setdefault(f"my_request_idem:{view.reference}:{seen}:{action.value}",
                                      secrets.token_hex(16))
    try:
        resident_act(view.reference, None, action, text, seen, actor, uow_factory(),
                     holidays=services().holidays, files=files, locale=current_locale(),
                     public_url=services().public_url, idempotency_key=key)
    except FormworkError as exc:
        record_refusal(actor, f"{action.value} on my request {view.reference}", exc)
        for message in refusal_messages(exc):
            st.error(message)
        return
    st.session_state.pop(seen_key, None)  # the resident's own change: the next run shows it
    st.session_state["my_request_notice"] = done
    st.rerun()


show_status(view, _act)
st.session_state[seen_key] = view.row_version
st.markdown("#### " + _("Your files"))
show_files(view.reference, actor, uow_factory)  # the core lets the signed-in author download their own files
