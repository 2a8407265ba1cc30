"""A signed-in resident's own requests."""

import streamlit as st

from builder.usecases.requests import my_requests
from ui.access import is_signed_in, require
from ui.context import services
from ui.timeline import state_label
from ui.nav import page

actor = require(is_signed_in, "Sign in to see your requests.")
st.title("My requests")
requests = my_requests(actor, services().uow())
if not requests:
    st.info("You have not submitted any requests with this account yet.")
    st.page_link(page("catalogue"), label="See the forms", icon=":material/list_alt:")
    st.stop()
st.dataframe([{"Reference": r.reference, "Form": r.form_slug, "Status": state_label(r.state),
               "Submitted (UTC)": r.submitted_at.strftime("%Y-%m-%d %H:%M")} for r in requests],
             hide_index=True, use_container_width=True)
st.caption("To see the messages on a request, open it with its reference and access code on the tracking page.")
