"""Designers: the forms of their departments — create from a template, publish, see versions."""

import streamlit as st

from builder.errors import DefinitionInvalid, FormworkError
from builder.templates import load_templates
from builder.usecases.forms import create_form, forms_for, publish, versions_of
from ui.access import is_designer, require
from ui.context import services
from ui.text import plain

actor = require(is_designer, "Only designers and administrators can manage forms.")
uow_factory = services().uow
st.title("Design forms")

notice = st.session_state.pop("forms_notice", None)
if notice:
    st.success(notice)

with st.expander("Create a form from a template"):
    templates = [t for t in load_templates() if actor.is_admin or t.document["department"] in actor.designer_departments]
    if not templates:
        st.caption("No templates for your departments.")
    else:
        chosen = st.selectbox("Template", templates, format_func=lambda t: plain(t.title))
        st.text(chosen.description)
        slug = st.text_input("Web address of the new form", value=chosen.slug, max_chars=63,
                             help="Lower-case letters, digits and dashes; residents see it in the link.")
        if st.button("Create draft"):
            document = {**chosen.document, "slug": slug.strip()}
            try:
                create_form(document, actor, uow_factory())
            except FormworkError as exc:
                st.error(str(exc))
            else:
                st.session_state["forms_notice"] = f"Draft “{document['title']}” created."
                st.rerun()

forms = forms_for(actor, uow_factory())
if not forms:
    st.info("Your departments have no forms yet. Create one from a template above.")
for form in forms:
    with st.container(border=True):
        st.subheader(plain(form.title))
        latest = f"version {form.latest_version}" if form.latest_version else "not published yet"
        st.caption(f"{form.department} · /{form.slug} · {latest} · draft revision {form.draft_revision}")
        publish_clicked = st.button("Publish the current draft", key=f"publish:{form.slug}", type="primary")
        if publish_clicked:
            try:
                number = publish(form.slug, actor, uow_factory())
            except DefinitionInvalid as exc:
                st.error("The form cannot be published yet:")
                for error in exc.errors:
                    st.text(f"• {error.pointer or '/'}: {error.message}")
            except FormworkError as exc:
                st.error(str(exc))
            else:
                st.session_state["forms_notice"] = f"“{form.title}” published as version {number}."
                st.rerun()
        versions = versions_of(form.slug, actor, uow_factory())
        if versions:
            st.dataframe([{"Version": v.number, "Published (UTC)": v.published_at.strftime("%Y-%m-%d %H:%M"),
                           "By": v.published_by or ""} for v in versions], hide_index=True, use_container_width=True)
