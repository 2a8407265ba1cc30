"""A request's history and comments, shown as text and tables only."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from builder.ports import ChainedEvent, CommentRecord
from builder.workflow import STATE_LABELS, State

ACTION_LABELS = {
    "submit": "Submitted", "enter_step": "Moved to step", "approve": "Approved", "reject": "Rejected",
    "return": "Asked the resident for more information", "answer": "Resident answered", "comment": "Comment",
    "claim": "Started working on it", "release": "Stopped working on it", "reassign": "Reassigned",
    "withdraw": "Withdrawn by the resident", "complete": "Completed",
}


def state_label(state: str | None) -> str:
    return STATE_LABELS[State(state)] if state in State._value2member_map_ else (state or "")


def show_history(events: Sequence[ChainedEvent]) -> None:
    rows = [{
        "When (UTC)": e.event.at.strftime("%Y-%m-%d %H:%M"),
        "Who": e.event.actor,
        "What": ACTION_LABELS.get(e.event.action, e.event.action),
        "Step": e.event.to_step or "",
        "State": state_label(e.event.to_state),
        "Note": e.event.comment,
    } for e in events]
    st.dataframe(rows, hide_index=True, use_container_width=True)


def show_comments(comments: Sequence[CommentRecord]) -> None:
    if not comments:
        st.caption("No comments yet.")
    for comment in comments:
        with st.container(border=True):
            who = "internal note" if comment.visibility == "internal" else "visible to the resident"
            st.caption(f"{comment.author} · {comment.written_at:%Y-%m-%d %H:%M} UTC · {who}")
            st.text(comment.body)
