"""The public catalogue of published forms."""

import streamlit as st

from builder.usecases.forms import catalogue
from ui.context import services
from ui.text import plain
from ui.nav import page

st.title("City services online")
st.write("Choose what you want to do. You will get a reference number to follow your request.")

entries = catalogue(services().uow())
if not entries:
    st.info("No forms are published yet. Please come back later.")
for entry in entries:
    with st.container(border=True):
        st.subheader(plain(entry.title))
        if entry.description:
            st.text(entry.description)
        note = " · sign-in required" if entry.signed_in_only else ""
        st.page_link(page("form"), label=f"Start: {plain(entry.title)}{note}", icon=":material/arrow_forward:",
                     query_params={"form": entry.slug})
st.divider()
st.page_link(page("track"), label="Already submitted? Follow your request", icon=":material/search:")
