"""A request's history and comments, shown as text and tables only."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import streamlit as st

from builder.attachments import ANSWER_FILES_RULE, MAX_ANSWER_FILES
from builder.errors import (AnswersInvalid, DefinitionInvalid, DraftConflict, FormworkError, InputTooLarge,
                            InvalidTransition, NotFound, PermissionDenied, RateLimited, StaleRequest,
                            StorageUnavailable)
from builder.ports import ChainedEvent, CommentRecord
from builder.usecases.requests import StatusView
from builder.workflow import Action, MissingText
from ui.answers import show_answers
from ui import i18n
from ui.i18n import _, ngettext, show_date, show_number
from ui.text import plain

# act(action, text, message when done, files as (name, content)): performs a resident's action.
ResidentAct = Callable[[Action, str, str, list[tuple[str, bytes]]], None]


def refusal_messages(exc: FormworkError) -> list[str]:
    """What to show when the core refuses a resident's action: each problem, not just their count.

    Field problems come from the core already in the resident's language (builder.validation_messages);
    every other refusal is named by its class and worded here, with what to do next.
    Escaped for ``st.error``: a message can quote what the resident sent (a file's name).
    """
    if isinstance(exc, AnswersInvalid) and exc.errors:
        return [plain(error.message) for error in exc.errors]
    return [resident_refusal(exc)]


def resident_refusal(exc: FormworkError) -> str:
    """A refusal of the core in the resident's words and language, with a next step."""
    if isinstance(exc, StaleRequest):
        return _("This request changed while you were reading it. The page now shows its current state; "
                 "please try again.")
    if isinstance(exc, InvalidTransition):
        return _("This is no longer possible: the request has moved on. The page now shows its current state.")
    if isinstance(exc, MissingText):
        return _("Write your answer to the question, then send it again.")
    if isinstance(exc, StorageUnavailable):
        return _("We could not save this just now because of a problem on our side, and nothing was changed. "
                 "Please try again in a few minutes.")
    if isinstance(exc, RateLimited):
        return _("Too many attempts from your connection. Please wait a while and try again.")
    if isinstance(exc, InputTooLarge):
        return _("What you sent is too long. Shorten it, or send long documents as files, and try again.")
    if isinstance(exc, PermissionDenied):
        return _("This request does not allow that. If you think it should, contact the city office.")
    if isinstance(exc, NotFound):
        return _("We could not find this request. Check its reference and try again.")
    return _("This could not be done, and nothing was changed. Please try again, or contact the city office.")


def staff_refusal(exc: FormworkError) -> str:
    """A refusal of the core in a reviewer's (or designer's) words and language, ready for ``st.error``.

    The core words its errors in English; staff pages name them by their class here, as the resident
    pages do (``resident_refusal``). Only an error of a type not listed falls back to the core's English
    text, escaped: it can quote what someone typed.
    """
    if isinstance(exc, InvalidTransition | PermissionDenied | MissingText) and i18n.current_locale() == "en":
        # The core words these in English with the specifics ("Sam is already working on this request"):
        # an English reader gets them; other languages get the general message below.
        return plain(str(exc))
    if isinstance(exc, StaleRequest):
        return _("This request changed since you opened it: someone else acted on it. Reload it and decide "
                 "again.")
    if isinstance(exc, InvalidTransition):
        return _("This is not possible in the request's current state, or a colleague got there first. "
                 "Reload the request to see where it stands.")
    if isinstance(exc, MissingText):
        return _("This action needs a text (a reason, a question or a comment). Write it, then try again.")
    if isinstance(exc, PermissionDenied):
        return _("Your roles do not allow this action on this request. If you think they should, ask an "
                 "administrator.")
    if isinstance(exc, NotFound):
        return _("There is no request with this reference in your groups. Check the reference; the request "
                 "may have moved to another group.")
    if isinstance(exc, DraftConflict):
        return _("Someone else saved this since you opened it. Reload it and make your change again.")
    if isinstance(exc, StorageUnavailable):
        return _("We could not save this just now because of a problem on our side, and nothing was changed. "
                 "Please try again in a few minutes.")
    if isinstance(exc, RateLimited):
        return _("Too many attempts. Please wait a while and try again.")
    if isinstance(exc, InputTooLarge):
        return _("What you sent is too long. Shorten it, or send long documents as files, and try again.")
    if isinstance(exc, AnswersInvalid):  # field problems come from the core in the reader's language
        return " ".join(plain(error.message) for error in exc.errors) or _(
            "Some answers are not valid. Correct them and try again.")
    if isinstance(exc, DefinitionInvalid):
        count = len(exc.errors)
        return ngettext("The form definition has {count} problem; open it in the editor to see where.",
                        "The form definition has {count} problems; open it in the editor to see where.",
                        count).format(count=show_number(count))
    return plain(str(exc))


def state_labels() -> dict[str, str]:
    """What each state is called, in the reader's language (built per call: the language can change)."""
    return {
        "submitted": _("Received"), "in_review": _("Being reviewed"),
        "needs_info": _("More information needed from you"), "approved": _("Approved"),
        "rejected": _("Rejected"), "withdrawn": _("Withdrawn by you"),
    }


def action_labels() -> dict[str, str]:
    return {
        "submit": _("Submitted"), "enter_step": _("Moved to step"), "approve": _("Approved"),
        "reject": _("Rejected"), "return": _("Asked the resident for more information"),
        "answer": _("Resident answered"), "comment": _("Comment"), "claim": _("Started working on it"),
        "release": _("Stopped working on it"), "reassign": _("Reassigned"),
        "withdraw": _("Withdrawn by the resident"), "complete": _("Completed"),
        # Written by the system, not by a person: retention and data-protection requests.
        "abandon": _("Closed: no answer from the resident"),
        "purge": _("Answers removed: the retention period ended"),
        "erase": _("Personal data erased on request"),
    }


def state_label(state: str | None) -> str:
    return state_labels().get(state or "", state or "")


def staff_state_labels() -> dict[str, str]:
    """What each state is called on staff pages: the resident is "the resident", not "you"."""
    return {
        "submitted": _("Received"), "in_review": _("Waiting for a decision"),
        "needs_info": _("Waiting for the resident"), "approved": _("Approved"),
        "rejected": _("Rejected"), "withdrawn": _("Withdrawn by the resident"),
    }


def staff_state_label(state: str | None) -> str:
    return staff_state_labels().get(state or "", state or "")


def show_history(events: Sequence[ChainedEvent], step_names: Mapping[str, str]) -> None:
    """Who did what and when, for staff; reasons and questions are in the comments (the audit log holds no
    free text)."""
    actions = action_labels()
    rows = [{
        _("When (UTC)"): e.event.at.strftime("%Y-%m-%d %H:%M"),  # sortable in the table, in every language
        _("Who"): e.event.actor,
        _("What"): actions.get(e.event.action, e.event.action),
        _("Step"): step_names.get(e.event.to_step or "", e.event.to_step or ""),
        _("State"): staff_state_label(e.event.to_state),
    } for e in events]
    st.dataframe(rows, hide_index=True, width="stretch")


def show_comments(comments: Sequence[CommentRecord]) -> None:
    if not comments:
        st.caption(_("No comments yet."))
    for comment in comments:
        with st.container(border=True):
            who = _("internal note") if comment.visibility == "internal" else _("visible to the resident")
            st.caption(_("{author} · {when} UTC · {visibility}").format(
                author=comment.author, when=show_date(comment.written_at), visibility=who))
            st.text(comment.body)


def show_status(view: StatusView, act: ResidentAct) -> None:
    """What a resident sees of a request, with the answer and withdraw forms when they apply.

    ``act`` performs the action (tracking page: with the access code; "My requests": as the
    signed-in owner).
    """
    st.subheader(view.reference)
    st.text(view.form_title)
    # One metric across the whole width: in narrow columns Streamlit cuts long values off.
    st.metric(_("Status"), state_label(view.state))
    if view.state == "needs_info":  # said in full: on a phone the metric above is cut short
        st.text(_("The city office needs more information from you: please answer the question below."))
    if view.step_name:
        st.text(_("Current step: {step}").format(step=view.step_name))
    if view.expected_on and view.state == "in_review":
        st.text(_("Expected decision by {date}.").format(date=show_date(view.expected_on)))
    st.caption(_("Submitted on {when} (UTC)").format(when=show_date(view.submitted_at)))
    st.markdown("#### " + _("Messages"))
    if not view.comments:
        st.caption(_("No messages yet."))
    authors = {"You": _("You"), "City office": _("City office")}  # the two authors a resident is shown
    for comment in view.comments:
        with st.container(border=True):
            st.caption(_("{author} · {when} UTC").format(author=authors.get(comment.author, comment.author),
                                                         when=show_date(comment.written_at)))
            st.text(comment.body)
    with st.expander(_("Your answers")):
        show_answers(view.schema, view.ui_schema, view.answers, view.translations)
    if "answer" in view.actions:
        st.markdown("#### " + _("Answer the question"))
        st.caption(_("Your answer goes to the reviewer, and the review continues at the same step."))
        answer = st.text_area(_("Your answer"), key=f"answer:{view.reference}", max_chars=4000)
        files = st.file_uploader(
            _("Files for the city office (optional)"), accept_multiple_files=True, key=f"answer-files:{view.reference}",
            help=_("Up to {count} files: PDF, photos, plain text or Word documents, {size} MB each.").format(
                count=MAX_ANSWER_FILES, size=show_number(ANSWER_FILES_RULE.max_bytes // (1024 * 1024))))
        if st.button(_("Send answer"), type="primary", key=f"send:{view.reference}"):
            act(Action.ANSWER, answer, _("Thank you. Your answer was sent and the review continues."),
                [(upload.name, upload.getvalue()) for upload in files or []])
    if "withdraw" in view.actions:
        with st.expander(_("Withdraw this request")):
            sure = st.checkbox(_("I want to withdraw this request. This cannot be undone."), key=f"wd:{view.reference}")
            if st.button(_("Withdraw request"), disabled=not sure, key=f"withdraw:{view.reference}"):
                act(Action.WITHDRAW, "", _("Your request was withdrawn."), [])
