"""Administrators: users, their roles, groups and departments."""

from collections.abc import Callable

import streamlit as st

from builder.errors import FormworkError
from builder.passwords import MAX_LENGTH, MIN_LENGTH, temporary_password
from builder.usecases import admin
from builder.usecases.accounts import AccountInvalid
from ui.access import is_admin, require
from ui.context import services
from ui.i18n import _, language_selector, ngettext
from ui.text import literal, plain

language_selector()  # staff read the interface in their language too

actor = require(is_admin, _("Only administrators can manage users, groups and departments."))
uow_factory = services().uow
st.title(_("Users and groups"))

notice = st.session_state.pop("admin_notice", None)
if notice:  # it names what was changed, as staff typed it: plain text
    st.success(plain(notice))
handover = st.session_state.pop("admin_password", None)
if handover:
    st.warning(_("Give this password to the person in a safe way (in person or by phone). It is shown only once; "
                 "ask them to change it after signing in."))
    st.code(handover, language=None)

org = admin.organisation(actor, uow_factory())
departments = [d.slug for d in org.departments]
group_names = [g.name for g in org.groups]


def _field_errors(key: str) -> dict[str, str]:
    return st.session_state.get(key, {})


def _show(errors: dict[str, str], field: str) -> None:
    if field in errors:  # core messages can quote names staff wrote (form titles, group names): plain text
        st.error(plain(errors[field]))


def _run(errors_key: str, done: str, action: Callable[[], object]) -> None:
    """Run an administrative change; field problems go under their fields, others on top."""
    try:
        result = action()
    except AccountInvalid as exc:
        st.session_state[errors_key] = {str(e.path[0]): e.message for e in exc.errors}
        return
    except FormworkError as exc:
        st.session_state[errors_key] = {"_": str(exc)}
        return
    st.session_state.pop(errors_key, None)
    st.session_state["admin_notice"] = done
    if isinstance(result, str):
        st.session_state["admin_password"] = result


undelivered = admin.undelivered_mail(actor, uow_factory())
if undelivered:  # mail the worker gave up on would otherwise go unnoticed: say so on top of the page
    st.warning(ngettext("{count} message could not be delivered. See the tab Undelivered mail.",
                        "{count} messages could not be delivered. See the tab Undelivered mail.",
                        len(undelivered)).format(count=len(undelivered)))
users_tab, groups_tab, mail_tab = st.tabs([_("Users"), _("Groups and departments"),
                                           _("Undelivered mail ({count})").format(count=len(undelivered))])

with users_tab:
    st.dataframe([{
        _("Username"): u.username, _("Name"): u.display_name, _("Email"): u.email,
        _("Administrator"): _("yes") if u.is_admin else "",
        _("Can sign in"): _("yes") if u.is_active else _("no (disabled)"),
        _("Designer of"): ", ".join(sorted(u.designer_departments)),
        _("Member of"): ", ".join(sorted(u.reviewer_groups)),
    } for u in org.users], hide_index=True, width="stretch")

    st.subheader(_("Change a user"))
    chosen_name = st.selectbox(_("User"), [u.username for u in org.users], index=None, placeholder=_("Choose a username"))
    chosen = next((u for u in org.users if u.username == chosen_name), None)
    if chosen is not None:
        errors = _field_errors("admin_edit_errors")
        _show(errors, "_")
        with st.form(f"edit:{chosen.username}"):
            name = st.text_input(_("Full name"), value=chosen.display_name, max_chars=200)
            _show(errors, "display_name")
            email = st.text_input(_("Email address"), value=chosen.email, max_chars=254)
            _show(errors, "email")
            is_admin_flag = st.checkbox(_("Administrator (manages users, groups and all forms)"), value=chosen.is_admin)
            active = st.checkbox(_("Can sign in"), value=chosen.is_active,
                                 help=_("Untick to disable the account; the person is signed out at once."))
            designer_of = st.multiselect(_("Designer of these departments"), departments,
                                         default=sorted(chosen.designer_departments & set(departments)))
            member_of = st.multiselect(_("Member of these review groups"), group_names,
                                       default=sorted(chosen.reviewer_groups & set(group_names)))
            _show(errors, "roles")
            saved = st.form_submit_button(_("Save changes"), type="primary")
        if saved:
            def _save() -> None:
                admin.update_user(actor, chosen.username, uow_factory(), display_name=name, email=email,
                                  is_admin=is_admin_flag, is_active=active)
                admin.set_roles(actor, chosen.username, uow_factory(), designer_departments=frozenset(designer_of),
                                reviewer_groups=frozenset(member_of))
            _run("admin_edit_errors", _("Saved the changes to {username}.").format(username=chosen.username), _save)
            st.rerun()
        with st.expander(_("Reset this user's password")):
            st.caption(_("For a person who forgot their password. A new random passphrase is shown once; the "
                         "person is signed out everywhere."))
            if st.button(_("Reset password"), key=f"reset:{chosen.username}"):
                _run("admin_edit_errors", _("The password of {username} was reset.").format(username=chosen.username),
                     lambda: admin.reset_password(actor, chosen.username, uow_factory()))
                st.rerun()

    st.subheader(_("Add a user"))
    errors = _field_errors("admin_new_errors")
    _show(errors, "_")
    with st.form("new_user", clear_on_submit=False):
        new_username = st.text_input(_("Username"), max_chars=64, help=_("Letters, digits, dots, dashes or underscores."))
        _show(errors, "username")
        new_name = st.text_input(_("Full name"), max_chars=200)
        _show(errors, "display_name")
        new_email = st.text_input(_("Email address"), max_chars=254)
        _show(errors, "email")
        new_password = st.text_input(_("First password"), type="password", max_chars=MAX_LENGTH,
                                     help=_("{low} to {high} characters; leave empty to generate a random "
                                            "passphrase that is shown once.").format(low=MIN_LENGTH, high=MAX_LENGTH))
        _show(errors, "password")
        new_admin = st.checkbox(_("Administrator"))
        created = st.form_submit_button(_("Add user"), type="primary")
    if created:
        def _create() -> str:
            password = new_password or temporary_password()
            admin.create_user(actor, new_username, new_name, new_email, password, uow_factory(), is_admin=new_admin)
            return password if not new_password else ""
        _run("admin_new_errors", _("Added {username}. Give them their roles under “Change a user”.").format(
            username=new_username.strip()),
             _create)
        st.rerun()

with groups_tab:
    st.subheader(_("Departments"))
    if org.departments:
        st.dataframe([{_("Short name"): d.slug, _("Name"): d.name} for d in org.departments], hide_index=True,
                     width="stretch")
    errors = _field_errors("admin_department_errors")
    _show(errors, "_")
    with st.form("new_department"):
        slug = st.text_input(_("Short name"), max_chars=120, help=_("Lower-case letters, digits and dashes, e.g. public-works."))
        _show(errors, "slug")
        department_name = st.text_input(_("Name"), max_chars=200)
        _show(errors, "name")
        added = st.form_submit_button(_("Add department"))
    if added:
        _run("admin_department_errors", _("Added the department {name}.").format(name=slug.strip()),
             lambda: admin.add_department(actor, slug, department_name, uow_factory()))
        st.rerun()

    if org.departments:
        with st.expander(_("Rename or remove a department")):
            st.caption(_("Renaming changes the name people read; the short name stays, because forms and designer "
                         "roles refer to it. A department can be removed only when it has no forms and no groups; "
                         "its designers lose that role."))
            errors = _field_errors("admin_department_change_errors")
            _show(errors, "_")
            names = {d.slug: d.name for d in org.departments}
            changed = st.selectbox(_("Department to change"), departments, format_func=literal,
                                   key="change_department")
            with st.form("rename_department"):
                new_department_name = st.text_input(_("New name"), value=names.get(changed, ""), max_chars=200)
                _show(errors, "name")
                renamed = st.form_submit_button(_("Rename department"))
            if renamed:
                _run("admin_department_change_errors", _("Renamed the department {name}.").format(name=changed),
                     lambda: admin.rename_department(actor, changed, new_department_name, uow_factory()))
                st.rerun()
            if st.button(_("Remove department"), key="remove_department"):
                _run("admin_department_change_errors", _("Removed the department {name}.").format(name=changed),
                     lambda: admin.remove_department(actor, changed, uow_factory()))
                st.rerun()

    st.subheader(_("Review groups"))
    if org.groups:
        st.dataframe([{_("Group"): g.name, _("Department"): g.department} for g in org.groups], hide_index=True,
                     width="stretch")
    errors = _field_errors("admin_group_errors")
    _show(errors, "_")
    if not departments:
        st.info(_("Add a department first: every group belongs to one."))
    else:
        with st.form("new_group"):
            group_name = st.text_input(_("Group name"), max_chars=120)
            _show(errors, "name")
            group_department = st.selectbox(_("Department"), departments, format_func=literal)
            _show(errors, "department")
            added_group = st.form_submit_button(_("Add group"))
        if added_group:
            _run("admin_group_errors", _("Added the group {name}.").format(name=group_name.strip()),
                 lambda: admin.add_group(actor, group_name, group_department, uow_factory()))
            st.rerun()

    if org.groups:
        with st.expander(_("Rename or remove a group")):
            st.caption(_("A group that a published form decides with, or that requests are with, keeps its name "
                         "and cannot be removed: published versions never change and requests find their reviewers "
                         "by the group's name. To hand such work to other people, change the group's members; for "
                         "new requests, choose another group in the form's next version. Members of a removed "
                         "group leave it."))
            errors = _field_errors("admin_group_change_errors")
            _show(errors, "_")
            changed_group = st.selectbox(_("Group to change"), group_names, format_func=literal, key="change_group")
            with st.form("rename_group"):
                new_group_name = st.text_input(_("New name"), value=changed_group or "", max_chars=120)
                _show(errors, "name")
                renamed_group = st.form_submit_button(_("Rename group"))
            if renamed_group:
                _run("admin_group_change_errors", _("Renamed the group {name}.").format(name=changed_group),
                     lambda: admin.rename_group(actor, changed_group, new_group_name, uow_factory()))
                st.rerun()
            if st.button(_("Remove group"), key="remove_group"):
                _run("admin_group_change_errors", _("Removed the group {name}.").format(name=changed_group),
                     lambda: admin.remove_group(actor, changed_group, uow_factory()))
                st.rerun()

with mail_tab:
    if not undelivered:
        st.success(_("All mail has been delivered or is still being tried."))
    else:
        st.caption(_("The mail server refused these messages or could not be reached, at every attempt over about "
                     "an hour. Once the mail settings or the server are fixed, try them again; they are deleted "
                     "{days} days after they were queued.").format(days=admin.MAIL_KEPT_DAYS))
        st.dataframe([{_("Queued (UTC)"): m.created_at.strftime("%Y-%m-%d %H:%M"), _("To"): m.recipient,
                       _("Subject"): m.subject, _("Attempts"): m.attempts, _("Last error"): m.last_error}
                      for m in undelivered], hide_index=True, width="stretch")
        chosen_mail = st.selectbox(_("Message"), [m.id for m in undelivered], key="retry_mail",
                                   format_func={m.id: f"{m.recipient}: {m.subject}" for m in undelivered}.get)
        if st.button(_("Try this message again"), key="retry_mail_go") and chosen_mail is not None:
            retried = admin.retry_mail(actor, chosen_mail, uow_factory())
            st.session_state["admin_notice"] = (_("The message will be sent at the mail worker's next run.") if retried else
                                                _("This message is no longer waiting: it was tried again or "
                                                  "deleted meanwhile."))
            st.rerun()
