"""First run: create the first administrator."""

import streamlit as st

from builder.errors import FormworkError
from builder.usecases.accounts import AccountInvalid, create_first_admin, needs_setup
from ui.context import services
from ui.i18n import _, language_selector
from ui.text import plain
from ui.nav import page

language_selector()

uow_factory = services().uow
if not needs_setup(uow_factory()):
    st.title(_("Formwork is ready"))
    st.success(_("The administrator account exists. Sign in with it to add departments, groups and colleagues."))
    st.page_link(page("account"), label=_("Sign in"), icon=":material/login:")
    st.stop()

st.title(_("Set up Formwork"))

st.write(_("Create the first administrator account. The administrator then adds departments, groups and "
           "colleagues. To explore with sample content instead, run `python -m storage demo`."))
errors = st.session_state.get("setup_errors", {})
with st.form("setup"):
    username = st.text_input(_("Username"), max_chars=64)
    if "username" in errors:
        st.error(errors["username"])
    display_name = st.text_input(_("Full name"), max_chars=200)
    if "display_name" in errors:
        st.error(errors["display_name"])
    email = st.text_input(_("Email address"), max_chars=254)
    if "email" in errors:
        st.error(errors["email"])
    password = st.text_input(_("Password"), type="password", max_chars=128,
                             help=_("At least 8 characters. A passphrase of a few unrelated words is ideal."))
    if "password" in errors:
        st.error(errors["password"])
    created = st.form_submit_button(_("Create administrator"), type="primary")

if created:
    try:
        create_first_admin(username.strip(), display_name, email, password, uow_factory())
    except AccountInvalid as exc:
        st.session_state["setup_errors"] = {str(e.path[0]): e.message for e in exc.errors}
        st.rerun()
    except FormworkError as exc:
        st.error(plain(str(exc)))
    else:
        st.session_state.pop("setup_errors", None)
        st.rerun()
