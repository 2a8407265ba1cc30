"""Data-protection requests: export everything linked to a resident as one archive, or erase it."""

from __future__ import annotations

import streamlit as st

from builder.errors import FormworkError
from builder.usecases import insights
from ui.access import is_admin, require
from ui.context import services
from ui.i18n import _, language_selector, ngettext
from ui.text import plain
from ui.timeline import state_label

language_selector()  # staff read the interface in their language too

actor = require(is_admin, _("Only administrators can handle data-protection requests."))
st.title(_("Data-protection requests"))
st.caption(_("When a resident asks for their data or asks to be forgotten: find everything linked to their "
             "username or email address, give them one archive, or erase it. Both are written to the audit log."))

if "dp_done" in st.session_state:
    st.success(st.session_state.pop("dp_done"))
with st.form("find-resident"):
    who = st.text_input(_("Resident's username or email address"), max_chars=254)
    looked_up = st.form_submit_button(_("Look up"), type="primary")
if looked_up:
    st.session_state["dp_who"] = who.strip()
    st.session_state.pop("dp_archive", None)
wanted = st.session_state.get("dp_who", "")
if not wanted:
    st.stop()

try:
    summary = insights.find_resident(wanted, actor, services().uow())
except FormworkError as error:
    st.error(plain(str(error)))
    st.stop()

st.subheader(_("What is linked"))
st.text(_("Searched for: {who}").format(who=summary.who))
if summary.account is not None:
    account = summary.account
    st.text(_("Account: {username} ({name}, {email})").format(
        username=account["username"], name=account["display_name"], email=account["email"] or _("no email"))
        + ("" if account["active"] else " — " + _("closed")))
else:
    st.text(_("No account with this username."))
if summary.requests:
    st.dataframe([{_("Reference"): r.reference, _("Form"): r.form_slug, _("Status"): state_label(r.state),
                   _("Submitted (UTC)"): r.submitted_at.strftime("%Y-%m-%d %H:%M")} for r in summary.requests],
                 hide_index=True, width="stretch")
else:
    st.text(_("No requests with data are linked to this username or email address."))
if not summary.requests and summary.account is None:
    st.stop()

st.subheader(_("Give the resident their data"))
if st.button(_("Prepare the archive")):
    st.session_state["dp_archive"] = insights.resident_archive(wanted, actor, services().uow())
archive = st.session_state.get("dp_archive")
if isinstance(archive, bytes):
    st.download_button(_("Download the archive (ZIP)"), archive, "resident-data.zip", "application/zip",
                       on_click="ignore")
    st.caption(_("The archive holds the answers, attached files, comments, history and the mail the city sent "
                 "to the resident. Send it to the resident by a safe channel."))

st.subheader(_("Erase"))
st.caption(_("Removes the answers, files, comments and contact details of these requests and the mail sent to the "
             "resident, and closes a resident's account (name, email address and username). Open requests are "
             "withdrawn. The history stays, without any answers; it still names a signed-in resident's username "
             "where they acted. This cannot be undone."))
checked = st.checkbox(_("I have checked who is asking and that the city may erase this data."))
confirm = st.text_input(_("To confirm, type what you searched for"), max_chars=254, key="dp_confirm")
if st.button(_("Erase now"), type="primary", disabled=not checked):
    if confirm.strip() != wanted:
        st.error(_("Type exactly what you searched for to confirm the erasure."))
    else:
        erased = insights.erase_resident(wanted, actor, services().uow())
        services().forget_erased()  # the erased values leave the database files now, not at the nightly purge
        st.session_state.pop("dp_archive", None)
        st.session_state["dp_done"] = ngettext(
            "Erased: {count} request. The erasure is recorded in the audit log.",
            "Erased: {count} requests. The erasure is recorded in the audit log.", erased).format(count=erased)
        st.rerun()
