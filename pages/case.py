"""One request, for a reviewer: answers, history, comments and the decision panel."""

import secrets

import streamlit as st

from builder.attachments import ANSWER_PREFIX
from builder.errors import FormworkError, NotFound
from builder.usecases.attachments import request_files
from builder.usecases.review import act, open_case
from builder.workflow import Action, Command
from ui.access import denied, is_reviewer, record_refusal, require
from ui.answers import show_answers, show_answers_as_form
from ui.attachments import show_files
from ui.context import services
from ui.i18n import _, language_selector, ngettext, show_date, show_number
from ui.timeline import action_labels, show_comments, show_history, staff_refusal, staff_state_label
from ui.nav import page
from ui.text import plain

language_selector()  # staff read the interface in their language too

actor = require(is_reviewer, _("Only reviewers can open requests."))
reference = st.query_params.get("ref", "")
uow_factory = services().uow
try:
    case = open_case(reference, actor, uow_factory())
except FormworkError as exc:
    denied(actor, f"case {reference[:40]}: not in the reviewer's groups or unknown")
    st.title(_("Request"))
    st.warning(staff_refusal(exc))
    st.page_link(page("inbox"), label=_("Back to the inbox"), icon=":material/arrow_back:")
    st.stop()

request = case.request
# Decisions carry the version the reviewer was looking at, not the one this click's rerun just read:
# if a colleague acted in between, the engine refuses with "this request changed since you opened it".
# The version is pinned when the reviewer first opens the case and moves on only when they say they
# have seen the change (or after their own action), so a colleague's action is never adopted silently.
seen_key = f"seen:{request.reference}"
seen_version = st.session_state.setdefault(seen_key, request.row_version)
st.page_link(page("inbox"), label=_("Back to the inbox"), icon=":material/arrow_back:")
st.title(request.reference)
st.text(case.definition.title)
st.metric(_("Status"), staff_state_label(request.state))  # full width: narrow columns cut long values off
st.text(_("Step: {step}    Due: {due}").format(step=case.step_name or "—",
                                               due=show_date(request.due_on) if request.due_on else "—"))
if case.overdue:
    st.warning(_("Overdue: the decision on this step was due on {date}.").format(date=show_date(request.due_on)))
if request.claimed_by:
    st.text(_("Being handled by {name}.").format(name=request.claimed_by))
if case.step_name and request.state in {"in_review", "needs_info"}:
    outcomes = action_labels()
    decided = ", ".join(f"{d.reviewer} ({outcomes.get(d.outcome, d.outcome)})" for d in case.decided) or _("nobody yet")
    needed = (" — " + ngettext("{count} more approval needed", "{count} more approvals needed",
                               case.approvals_missing).format(count=case.approvals_missing)
              ) if case.approvals_missing else ""
    st.text(_("Decided on this step: {decided}").format(decided=decided) + needed)
if case.too_few_deciders:
    # The submitter may not decide their own request, and "N of the group" is never lowered: a group with
    # too few others would wait for ever unseen.
    if not case.group_members:
        why = _("The group “{group}” has no members, so nobody can decide this request.")
    elif case.deciders == 0:
        why = _("Nobody in the group “{group}” can decide this request: it was submitted by the group's only member.")
    else:
        why = ngettext("This step needs {needed} approvals, but only {count} member of “{group}” may decide it.",
                       "This step needs {needed} approvals, but only {count} members of “{group}” may decide it.",
                       case.deciders)
    st.warning(why.format(group=plain(request.group or ""), needed=show_number(case.approvals_needed or 0),
                          count=show_number(case.deciders)) + " " + _(
        "An administrator must add a colleague to the group; until then the request waits at this step."))

notice = st.session_state.pop("case_notice", None)
if notice:
    st.success(notice)
if seen_version != request.row_version:
    st.warning(_("This request changed since you opened it: a colleague or the resident acted on it. "
                 "Check the status and history below before you decide."))
    if st.button(_("I have seen the changes"), key=f"refresh:{reference}"):
        st.session_state[seen_key] = request.row_version
        st.rerun()

st.subheader(_("Answers"))
# The table is compact; "As the form" shows the same answers in the form's own widgets, locked (issue 3).
views = {"table": _("Table"), "form": _("As the form")}
view = st.segmented_control(_("Show the answers"), list(views), format_func=views.get, default="table",
                            key=f"answers_view:{reference}")
if view == "form":
    try:  # a file field shows its file's name; the list is authorised by the core, like the downloads below
        files = request_files(request.reference, actor, uow_factory())
    except NotFound:
        files = []
    names = {f"{ANSWER_PREFIX}{record.id}": record.filename for record in files}
    show_answers_as_form(case.definition.schema_, case.definition.ui_schema, request.answers,
                         key=f"answers_form:{request.reference}:{request.row_version}",
                         translations=case.definition.translations, files=names)
else:
    show_answers(case.definition.schema_, case.definition.ui_schema, request.answers, case.definition.translations)
# Attachments (issue 3): each download is authorised again by the core.
st.subheader(_("Files"))
show_files(request.reference, actor, uow_factory)

LABELS = {"approve": _("Approve"), "reject": _("Reject"), "return": _("Ask the resident for more information"),
          "comment": _("Add a comment"), "claim": _("Claim (I am working on it)"), "release": _("Release"),
          "reassign": _("Reassign")}
DONE = {"approve": _("Approved."), "reject": _("Rejected. The resident is told."),
        "return": _("Sent to the resident."), "comment": _("Comment added."),
        "claim": _("You are working on this request."), "release": _("Released."), "reassign": _("Reassigned.")}

if case.actions:
    st.subheader(_("Decide"))
    action = st.radio(_("What do you want to do?"), case.actions, format_func=LABELS.get, key=f"action:{reference}")
    text = ""
    public = False
    to_group = None
    if action in {"approve", "reject", "return", "comment", "reassign"}:
        prompts = {"approve": _("Note (optional)"), "reject": _("Reason for the rejection (the resident reads this)"),
                   "return": _("Your question to the resident"), "comment": _("Comment"),
                   "reassign": _("Reason for reassigning")}
        text = st.text_area(prompts[action], key=f"text:{reference}:{action}", max_chars=4000)
    if action == "comment":
        public = st.checkbox(_("Visible to the resident"), key=f"public:{reference}")
    to_member = None
    if action == "reassign":
        to_group = st.selectbox(_("Group to hand it to"), case.groups, index=None, key=f"group:{reference}",
                                placeholder=_("Keep the same group"))
        # Only the members of the group the request would go to; keyed by group, so a new group starts afresh.
        target = to_group or request.group or ""
        to_member = st.selectbox(_("Colleague in that group (optional)"), case.members_of.get(target, []), index=None,
                                 key=f"member:{reference}:{target}", placeholder=_("Anyone in the group"))
    if st.button(LABELS[action], type="primary", key=f"go:{reference}"):
        command = Command(Action(action), actor, text=text, public=public, to_group=to_group or None,
                          to_member=to_member)
        key = st.session_state.setdefault(f"idem:{reference}:{seen_version}:{action}", secrets.token_hex(16))
        try:
            new_state = act(reference, command, seen_version, uow_factory(), idempotency_key=key,
                            holidays=services().holidays, public_url=services().public_url)
        except FormworkError as exc:  # refused (not this reviewer's step or group): audited; a stale version is not
            record_refusal(actor, f"decision {action} on case {request.reference}", exc)
            st.error(staff_refusal(exc))
        else:
            finished = {"approved": _("Approved. The resident is told."), "rejected": DONE["reject"]}
            partial = _("Your approval is recorded; the request goes on to the next approval or step.")
            st.session_state.pop(seen_key, None)  # the next run pins the version this action made
            st.session_state["case_notice"] = (finished.get(new_state, partial) if action == "approve"
                                               else DONE[action])
            st.rerun()
elif request.submitted_by == actor.username:
    st.info(_("You submitted this request yourself, so a colleague must decide it."))

st.subheader(_("Comments"))
show_comments(case.comments)
st.subheader(_("History"))
show_history(case.history, {step.id: step.name for step in case.definition.workflow.steps})
