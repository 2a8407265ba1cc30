"""The public catalogue of published forms."""

import streamlit as st

from builder.definition import parse_definition
from builder.translations import localise
from builder.usecases.forms import catalogue
from ui.context import services
from ui.i18n import _, current_locale, language_selector
from ui.nav import page
from ui.text import plain

language_selector()
st.title(_("City services online"))
st.write(_("Choose what you want to do. You will get a reference number to follow your request."))

entries = catalogue(services().uow())
if not entries:
    st.info(_("No forms are published yet. Please come back later."))
for entry in entries:
    shown = parse_definition(localise(entry.document, current_locale()))
    with st.container(border=True):
        st.subheader(plain(shown.title))
        if shown.description:
            st.text(shown.description)
        note = _(" · sign-in required") if entry.signed_in_only else ""
        st.page_link(page("form"), label=_("Start: {title}").format(title=plain(shown.title)) + note,
                     icon=":material/arrow_forward:", query_params={"form": entry.slug, "lang": current_locale()})
st.divider()
st.page_link(page("track"), label=_("Already submitted? Follow your request"), icon=":material/search:",
             query_params={"lang": current_locale()})
