"""Sign in and sign out."""

import streamlit as st

from builder.usecases.accounts import actor_for, check_credentials
from ui import signin
from ui.context import current_actor, services

auth = st.session_state.get("formwork_auth")
actor = current_actor()

if actor.is_signed_in:
    st.title("Sign out")
    st.text(f"You are signed in as {actor.display_name} ({actor.username}).")
    if st.button("Sign out", type="primary"):
        signin.forget(auth)
        st.rerun()
    st.stop()

st.title("Sign in")
st.write("Staff and residents with an account sign in here. You do not need an account to submit most forms.")
with st.form("signin"):
    username = st.text_input("Username", max_chars=64, autocomplete="username")
    password = st.text_input("Password", type="password", max_chars=128, autocomplete="current-password")
    submitted = st.form_submit_button("Sign in", type="primary")

if submitted:
    uow_factory = services().uow
    if check_credentials(username, password, uow_factory()):
        signed_in = actor_for(username.strip(), uow_factory())
        signin.remember(auth, signed_in.username or "", signed_in.display_name)
        st.rerun()
    st.error("The username or password is not right. Check both and try again.")
