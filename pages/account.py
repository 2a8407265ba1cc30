"""Sign in, sign out, and change one's own password."""

import streamlit as st

from builder import passwords
from builder.errors import FormworkError, RateLimited, StorageUnavailable
from builder.passwords import MAX_LENGTH, MIN_LENGTH
from builder.usecases import accounts
from builder.usecases.accounts import (AccountInvalid, SignInRefused, change_own_password, register_resident, sign_in,
                                       sign_out)
from ui import signin
from ui.context import current_actor, services
from ui.i18n import _, language_selector
from ui.nav import page

language_selector()
actor = current_actor()
uow_factory = services().uow
notice = signin.take_notice()
if notice:
    st.info(notice)


def account_message(message: str) -> str:
    """A field problem of the core (worded in English there) in the person's language."""
    known = {
        passwords.TOO_SHORT: _("Use at least {count} characters. A few unrelated words make a strong "
                               "passphrase.").format(count=MIN_LENGTH),
        passwords.TOO_LONG: _("Use at most {count} characters.").format(count=MAX_LENGTH),
        passwords.REPETITIVE: _("This password repeats one or two characters. Choose something less predictable."),
        passwords.TOO_COMMON: _("This password is one of the most common ones. Choose something less predictable."),
        passwords.CONTAINS_USERNAME: _("Your password must not contain your username."),
        accounts.NAME_NEEDED: _("Enter your name (at most 200 characters)."),
        accounts.EMAIL_FORMAT: _("Enter an email address like name@example.org."),
        accounts.USERNAME_RULES: _("Use letters, digits, dots, dashes or underscores (at most 64)."),
        accounts.USERNAME_NOT_EMAIL: _("A username cannot contain “@”. Choose a short name; your email address "
                                       "has its own field."),
        accounts.USERNAME_TAKEN: _("This username is taken. Choose another one."),
        accounts.PASSWORDS_DIFFER: _("The two passwords are not the same. Type the same password twice."),
        accounts.NOT_CURRENT_PASSWORD: _("This is not your current password."),
    }
    return known.get(message, message)


PASSWORD_HELP = _("{low} to {high} characters. A passphrase of a few unrelated words is ideal; "
                  "very common passwords are refused.").format(low=MIN_LENGTH, high=MAX_LENGTH)

if actor.is_signed_in:
    st.title(_("Your account"))
    st.text(_("You are signed in as {name} ({username}).").format(name=actor.display_name, username=actor.username))
    done = st.session_state.pop("account_notice", None)
    if done:
        st.success(done)
    st.page_link(page("my_requests"), label=_("My requests"), icon=":material/inbox:")
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
            st.session_state["password_errors"] = {str(e.path[0]): account_message(e.message) for e in exc.errors}
        except FormworkError as exc:
            st.session_state["password_errors"] = {"current_password": str(exc)}
        else:
            signin.remember(renewed)
            st.session_state["account_notice"] = _("Your password was changed. Other devices were signed out.")
        st.rerun()
    st.stop()

st.title(_("Sign in"))
st.write(_("Staff and residents with an account sign in here. You do not need an account to submit most forms."))
st.caption(_("New here? Create an account below."))
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

# ------------------------------------------------------------------ a resident creates their own account
if st.session_state.pop("register_clear_passwords", False):  # before the widgets exist, so they can be reset
    st.session_state["register_password"] = st.session_state["register_confirmation"] = ""
st.divider()
st.subheader(_("Create an account"))
st.write(_("With an account you find all your requests under “My requests”, and you can submit the forms "
           "that are only for signed-in residents. It is free, and staff roles are never given this way."))
register_errors = st.session_state.pop("register_errors", {})
if "" in register_errors:
    st.error(register_errors[""])


def _field_error(field: str) -> None:
    if field in register_errors:
        st.error(register_errors[field])


with st.form("register"):
    new_name = st.text_input(_("Your name"), max_chars=200, autocomplete="name", key="register_name")
    _field_error("display_name")
    new_email = st.text_input(_("Email address (optional)"), max_chars=254, autocomplete="email",
                              key="register_email",
                              help=_("Used for news about your requests when a form does not ask for an address. "
                                     "You sign in with your username, not with this address."))
    _field_error("email")
    new_username = st.text_input(_("Choose a username"), max_chars=64, autocomplete="username", key="register_username",
                                 help=_("You sign in with it. Letters, digits, dots, dashes or underscores; "
                                        "capitals do not matter. It appears in your requests' history."))
    _field_error("username")
    new_password = st.text_input(_("Choose a password"), type="password", max_chars=MAX_LENGTH, help=PASSWORD_HELP,
                                 autocomplete="new-password", key="register_password")
    _field_error("password")
    confirmation = st.text_input(_("Type the password again"), type="password", max_chars=MAX_LENGTH,
                                 autocomplete="new-password", key="register_confirmation")
    _field_error("confirmation")
    create = st.form_submit_button(_("Create account"), type="primary")

if create:
    try:
        registered = register_resident(actor, new_username, new_name, new_email, new_password, confirmation,
                                       uow_factory())
    except AccountInvalid as exc:
        problems = {str(e.path[0]): account_message(e.message) for e in exc.errors}
        st.session_state["register_errors"] = problems
        # A refused password is typed afresh; a taken username keeps the passwords already typed.
        st.session_state["register_clear_passwords"] = bool({"password", "confirmation"} & set(problems))
    except RateLimited:
        st.session_state["register_errors"] = {"": _("Too many attempts to create an account from your connection "
                                                     "in the last hour. Please wait a while and try again.")}
    except StorageUnavailable:
        st.session_state["register_errors"] = {"": _("We could not save this just now because of a problem on our "
                                                     "side, and nothing was changed. Please try again in a few "
                                                     "minutes.")}
    else:
        signin.remember(registered)
        for key in ("register_name", "register_email", "register_username", "register_password",
                    "register_confirmation"):
            st.session_state.pop(key, None)
        st.session_state["account_notice"] = _("Your account was created and you are signed in. Your requests "
                                               "will appear under “My requests”.")
    st.rerun()
