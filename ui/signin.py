"""The login cookie and the server-side session behind it.

streamlit-authenticator provides the cookie: a JWT signed with the app's secret, written by its
cookie component and read back by ``CookieModel.get_cookie`` (which checks signature and expiry).
Its gaps are closed here and in ``builder.usecases.accounts``:

- the JWT carries a random session token besides the username; the session is valid only while
  its row in ``auth_session`` is not revoked, so a copied cookie is worthless after signing out;
- staff sessions end after ``FORMWORK_STAFF_IDLE_MINUTES`` without a click;
- its own login, register and forgot-password widgets are never used (probing, no proof), and
  neither is its ``api_key`` (which would send data to the author's server);
- the cookie is SameSite=Strict and Secure when the public address is https. It cannot be
  HttpOnly because JavaScript writes it; the server-side check is what protects it.
"""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

import jwt
import streamlit as st
import streamlit_authenticator as stauth

from builder.ports import UnitOfWork
from builder.usecases.accounts import SignedIn, resume_session
from ui.i18n import ngettext

COOKIE_NAME = "formwork_session"
EXPIRY_DAYS = 1.0
TOKEN_KEY = "formwork_session_token"
PENDING_KEY = "formwork_cookie_pending"
SIGNED_OUT_KEY = "formwork_signed_out"
NOTICE_KEY = "formwork_signin_notice"


def authenticator(secret: str) -> stauth.Authenticate:
    """The cookie half of streamlit-authenticator. Credentials stay in the database: none are handed over."""
    st.session_state.setdefault("logout", False)
    return stauth.Authenticate({"usernames": {}}, COOKIE_NAME, secret, EXPIRY_DAYS, auto_hash=False,
                               login_sleep_time=0)


def current_username(auth: stauth.Authenticate, uow_factory: Callable[[], UnitOfWork], *,
                     staff_idle: timedelta, secure: bool) -> str | None:
    """Who is signed in on this run: the session token from this browser session or its cookie, checked
    against the server-side session on every run (revocations and role changes act on the next click)."""
    _apply_pending_cookie(auth, secure)
    token = st.session_state.get(TOKEN_KEY) or _token_from_cookie(auth)
    check = resume_session(token, uow_factory(), staff_idle=staff_idle)
    if check.username is None:
        if token:
            st.session_state.pop(TOKEN_KEY, None)
            st.session_state[SIGNED_OUT_KEY] = True
            _queue_cookie("delete")
        if check.ended_by_inactivity:
            minutes = int(staff_idle.total_seconds() // 60)
            st.session_state[NOTICE_KEY] = ngettext(
                "You were signed out after {minutes} minute without activity.",
                "You were signed out after {minutes} minutes without activity.", minutes).format(minutes=minutes)
        return None
    st.session_state[TOKEN_KEY] = token
    return check.username


def _token_from_cookie(auth: stauth.Authenticate) -> str | None:
    if st.session_state.get(SIGNED_OUT_KEY):
        return None  # the browser may still send the old cookie until the deletion reaches it
    if not isinstance(st.context.cookies.get(COOKIE_NAME), str):
        return None  # no cookie (or no browser at all, under AppTest)
    try:
        payload = auth.cookie_controller.get_cookie()
    except Exception:  # a malformed or foreign cookie is simply not a session
        return None
    token = payload.get("sid") if isinstance(payload, dict) else None
    return token if isinstance(token, str) else None


def remember(signed_in: SignedIn) -> None:
    """Mark this browser session signed in and queue the login cookie for the browser."""
    st.session_state[TOKEN_KEY] = signed_in.token
    st.session_state[SIGNED_OUT_KEY] = False
    st.session_state["username"] = signed_in.username
    _queue_cookie("set", username=signed_in.username, sid=signed_in.token)


def forget() -> str | None:
    """Sign this browser session out and queue the cookie's deletion; returns the token to revoke."""
    token = st.session_state.pop(TOKEN_KEY, None)
    st.session_state[SIGNED_OUT_KEY] = True
    st.session_state.pop("username", None)
    _queue_cookie("delete")
    return token


def take_notice() -> str | None:
    return st.session_state.pop(NOTICE_KEY, None)


def _queue_cookie(op: str, **claims: str) -> None:
    st.session_state[PENDING_KEY] = {"op": op, "claims": claims, "nonce": secrets.token_hex(4)}


def _apply_pending_cookie(auth: stauth.Authenticate, secure: bool) -> None:
    """Render the cookie component until the browser confirms the change (it reruns the app when done).

    Setting the cookie in the same run as ``st.rerun()`` would lose it: the component must reach the
    browser, so the change waits here until the component answers ``True``.
    """
    pending = st.session_state.get(PENDING_KEY)
    if not pending:
        return
    model = auth.cookie_controller.cookie_model
    component = model.cookie_manager.cookie_manager
    key = f"formwork_cookie_{pending['op']}_{pending['nonce']}"
    if pending["op"] == "set":
        expires = datetime.now() + timedelta(days=EXPIRY_DAYS)
        value = jwt.encode({**pending["claims"], "exp_date": expires.timestamp()}, model.cookie_key, algorithm="HS256")
        options = {"path": "/", "expires": expires.isoformat(), "sameSite": "strict", "secure": secure}
        done = component(method="set", cookie=COOKIE_NAME, value=value, options=options, key=key, default=False)
    else:
        done = component(method="delete", cookie=COOKIE_NAME, key=key, default=False)
    if done:
        st.session_state.pop(PENDING_KEY, None)


def client_address() -> str:
    """The browser's network address, for rate limits (only ever stored as a keyed hash).

    Behind a reverse proxy the peer is the proxy itself (a private or loopback address); then the
    right-most ``X-Forwarded-For`` entry is the one our proxy appended, which a client cannot forge.
    """
    peer = st.context.ip_address
    peer = peer if isinstance(peer, str) else ""  # no browser (AppTest): no address
    forwarded = st.context.headers.get("X-Forwarded-For", "") if st.context.headers else ""
    forwarded = forwarded if isinstance(forwarded, str) else ""
    if forwarded and _is_internal(peer):
        return forwarded.split(",")[-1].strip()
    if peer:
        return peer
    # No address known (some hosting set-ups; AppTest): limit per browser session rather than lumping
    # every resident of the city into one shared "unknown" client.
    return "session:" + st.session_state.setdefault("formwork_client_nonce", secrets.token_hex(16))


def _is_internal(address: str) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return not address
    return parsed.is_private or parsed.is_loopback
