"""Sign in, sign out, and change one's own password."""

import streamlit as st

from builder.errors import FormworkError, RateLimited
from builder.passwords import MAX_LENGTH, MIN_LENGTH
from builder.usecases.accounts import AccountInvalid, SignInRefused, change_own_password, sign_in, sign_out
from ui import signin
from ui.context import current_actor, services
from ui.i18n import _, language_selector

language_selector()
actor = current_actor()
uow_factory = services().uow
notice = signin.take_notice()
if notice:
    st.info(notice)

PASSWORD_HELP = _("{low} to {high} characters. A passphrase of a few unrelated words is ideal; "
                  "very common passwords are refused.").format(low=MIN_LENGTH, high=MAX_LENGTH)

if actor.is_signed_in:
    st.title(_("Your account"))
    st.text(_("You are signed in as {name} ({username}).").format(name=actor.display_name, username=actor.username))
    done = st.session_state.pop("account_notice", None)
    if done:
        st.success(done)
    if st.button(_("Sign out"), type="primary"):
        sign_out(signin.forget(), actor, uow_factory())
        st.rerun()
    st.subheader(_("Change your password"))
    errors = st.session_state.pop("password_errors", {})
    with st.form("change_password", clear_on_submit=True):
        current = st.text_input(_("Current password"), type="password", max_chars=MAX_LENGTH,
                                autocomplete="current-password")
        if "current_password" in errors:
            st.error(errors["current_password"])
        new = st.text_input(_("New password"), type="password", max_chars=MAX_LENGTH, help=PASSWORD_HELP,
                            autocomplete="new-password")
        if "new_password" in errors:
            st.error(errors["new_password"])
        changed = st.form_submit_button(_("Change password"))
    if changed:
        try:
            renewed = change_own_password(actor, current, new, uow_factory())
        except AccountInvalid as exc:
            st.session_state["password_errors"] = {str(e.path[0]): e.message for e in exc.errors}
        except FormworkError as exc:
            st.session_state["password_errors"] = {"current_password": str(exc)}
        else:
            signin.remember(renewed)
            st.session_state["account_notice"] = _("Your password was changed. Other devices were signed out.")
        st.rerun()
    st.stop()

st.title(_("Sign in"))
st.write(_("Staff and residents with an account sign in here. You do not need an account to submit most forms."))
with st.form("signin"):
    username = st.text_input(_("Username"), max_chars=64, autocomplete="username")
    password = st.text_input(_("Password"), type="password", max_chars=MAX_LENGTH, autocomplete="current-password")
    submitted = st.form_submit_button(_("Sign in"), type="primary")

if submitted:
    try:
        signed_in = sign_in(username, password, uow_factory())
    except SignInRefused:
        st.error(_("The username or password is not right. Check both and try again."))
    except RateLimited:
        st.error(_("Too many failed attempts for this username. Wait a few minutes, then try again."))
    else:
        signin.remember(signed_in)
        st.rerun()
st.caption(_("Forgot your password? Ask your administrator or the city's service desk to reset it: "
             "for your safety it cannot be reset from this page."))
