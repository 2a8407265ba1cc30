"""Signing in with streamlit-authenticator, credentials kept in the database.

streamlit-authenticator restores a signed-in session from its cookie; the password check itself
is the core's (``check_credentials``: same time for unknown and known users).
"""

from __future__ import annotations

from typing import Any

import streamlit as st
import streamlit_authenticator as stauth

COOKIE_NAME = "formwork_session"


def authenticator(credentials: dict[str, Any], secret: str, *, expiry_days: float = 1.0) -> stauth.Authenticate:
    """Build the authenticator for this run (credentials come from the database every run)."""
    return stauth.Authenticate(credentials, COOKIE_NAME, secret, expiry_days, auto_hash=False, login_sleep_time=0)


def restore(auth: stauth.Authenticate) -> str | None:
    """The signed-in username, from this session or from the login cookie."""
    try:
        auth.login(location="unrendered")
    except Exception:  # a malformed or foreign cookie is simply not a session
        st.session_state["authentication_status"] = None
    if st.session_state.get("authentication_status"):
        return st.session_state.get("username")
    return None


def remember(auth: stauth.Authenticate, username: str, name: str) -> None:
    """Mark the session signed in and set the login cookie."""
    st.session_state["authentication_status"] = True
    st.session_state["username"] = username
    st.session_state["name"] = name
    st.session_state["logout"] = False
    try:
        auth.cookie_controller.set_cookie()
    except Exception:  # no browser (AppTest): the session still works, only without the cookie
        pass


def forget(auth: stauth.Authenticate) -> None:
    """Sign out: clear the session and delete the cookie."""
    try:
        auth.cookie_controller.delete_cookie()
    except Exception:
        pass
    for key in ("authentication_status", "username", "name"):
        st.session_state[key] = None
    st.session_state["logout"] = True
