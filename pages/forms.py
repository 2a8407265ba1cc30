"""Designers: the forms of their departments — create (scratch, template, import) and open the builder."""

import re
from collections.abc import Callable

import streamlit as st

from builder.editing import blank_definition
from builder.errors import DefinitionInvalid, FieldError, FormworkError
from builder.lint_messages import KeyedFieldError, localized
from builder.templates import load_templates
from builder.usecases.forms import create_form, departments_for, forms_for, import_document, versions_of
from ui.access import is_designer, require
from ui.context import services
from ui.i18n import _, current_locale, language_selector, ngettext
from ui.nav import page
from ui.text import literal, plain
from ui.timeline import staff_refusal

language_selector()  # staff read the interface in their language too

actor = require(is_designer, _("Only designers and administrators can manage forms."))
uow_factory = services().uow
st.title(_("Design forms"))


def suggested_slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:63] or "new-form"


# The core words the problems of creating and importing in English, quoting what was given: each is said
# again here in the designer's language, with the same specifics.
_DEFINITION_PROBLEMS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"^There is no department “(?P<name>.*)”\.$"),
     lambda m: _("There is no department “{name}”.").format(name=m["name"])),
    (re.compile(r"^A form with the address “(?P<slug>.*)” exists already\.$"),
     lambda m: _("A form with the address “{slug}” exists already. Choose another web address.").format(
         slug=m["slug"])),
    (re.compile(r"^This file is neither a Formwork form nor a JSON Schema"),
     lambda m: _("This file is neither a Formwork form nor a JSON Schema of an object with properties.")),
    (re.compile(r"^The file is not valid JSON: .* at line (?P<line>\d+), column (?P<column>\d+)\.$"),
     lambda m: _("The file is not valid JSON: look near line {line}, column {column}.").format(
         line=m["line"], column=m["column"])),
    (re.compile(r"^The uiSchema file is not valid JSON: .* at line (?P<line>\d+), column (?P<column>\d+)\.$"),
     lambda m: _("The uiSchema file is not valid JSON: look near line {line}, column {column}.").format(
         line=m["line"], column=m["column"])),
    (re.compile(r"^The file must hold one JSON object"),
     lambda m: _("The file must hold one JSON object.")),
    (re.compile(r"^The uiSchema file must hold one JSON object"),
     lambda m: _("The uiSchema file must hold one JSON object.")),
)


def definition_problem(error: FieldError) -> str:
    """A problem of a new or imported definition in the designer's language, ready for ``st.error``."""
    if isinstance(error, KeyedFieldError):
        return plain(localized(error, current_locale()))
    for pattern, say in _DEFINITION_PROBLEMS:
        match = pattern.match(error.message)
        if match:
            return plain(say(match))
    if error.path[:1] == ("slug",):  # the definition's own rule for a web address (pydantic's words)
        return _("The web address may use only lower-case letters, digits and dashes (2 to 63 characters), "
                 "starting with a letter or a digit.")
    where = ".".join(str(part) for part in error.path)
    return plain(_("“{where}” in the definition is not valid: {detail}").format(where=where, detail=error.message))


def create_and_open(document: dict) -> None:
    try:
        slug = create_form(document, actor, uow_factory())
    except DefinitionInvalid as exc:
        for error in exc.errors:
            st.error(definition_problem(error))
    except FormworkError as exc:
        st.error(staff_refusal(exc))
    else:
        st.switch_page(page("editor"), query_params={"form": slug})


departments = departments_for(actor, uow_factory())
st.subheader(_("Create a form"), anchor=False)
scratch, from_template, from_file = st.tabs([_("Start from scratch"), _("Start from a template"), _("Import a file")])
with scratch:
    title = st.text_input(_("Title of the new form"), key="scratch_title", placeholder=_("e.g. Apply for a market stall"))
    cols = st.columns(2)
    department = cols[0].selectbox(_("Department"), departments, key="scratch_department")
    slug = cols[1].text_input(_("Web address"), value=suggested_slug(title), key=f"scratch_slug:{suggested_slug(title)}",
                              help=_("Lower-case letters, digits and dashes; residents see it in the link."))
    if st.button(_("Create and open the builder"), type="primary", key="scratch_create", disabled=not title.strip()):
        create_and_open(blank_definition(slug.strip(), title.strip(), department))

with from_template:
    # Every template, whatever department it was written for: a city's departments have their own names.
    templates = load_templates()
    if not templates or not departments:
        st.caption(_("No templates available. Start from scratch instead."))
    else:
        chosen = st.selectbox(_("Template"), templates, format_func=lambda t: literal(t.title), key="tpl_choice")
        st.text(chosen.description)
        cols = st.columns(2)
        own = chosen.document.get("department")
        department = cols[0].selectbox(_("Department"), departments, key=f"tpl_department:{chosen.slug}",
                                       index=departments.index(own) if own in departments else 0)
        slug = cols[1].text_input(_("Web address of the new form"), value=chosen.slug, max_chars=63,
                                  key=f"tpl_slug:{chosen.slug}",
                                  help=_("Lower-case letters, digits and dashes; residents see it in the link."))
        if st.button(_("Create draft"), key="template_create"):
            create_and_open({**chosen.document, "slug": slug.strip(), "department": department})

with from_file:
    upload = st.file_uploader(_("A Formwork definition or a JSON Schema (.json)"), type=["json"], key="import_file")
    ui_upload = st.file_uploader(_("Optional: a uiSchema for it (.json)"), type=["json"], key="import_ui")
    cols = st.columns(2)
    department = cols[0].selectbox(_("Department"), departments, key="import_department")
    slug = cols[1].text_input(_("Web address"), key="import_slug", placeholder=_("e.g. market-stall"))
    if st.button(_("Import and open the builder"), key="import_create", disabled=upload is None or not slug.strip()):
        try:
            document = import_document(upload.getvalue().decode("utf-8", "replace"),
                                       ui_upload.getvalue().decode("utf-8", "replace") if ui_upload else "",
                                       slug=slug.strip(), department=department)
        except DefinitionInvalid as exc:
            st.error(definition_problem(exc.errors[0]))
        else:
            create_and_open(document)

forms = forms_for(actor, uow_factory())
st.subheader(_("Your forms"), anchor=False)
if not forms:
    st.info(_("Your departments have no forms yet. Create one above."))
for form in forms:
    with st.container(border=True):
        cols = st.columns([4, 1], vertical_alignment="center")
        cols[0].subheader(plain(form.title), anchor=False)
        latest = (_("version {number} is live").format(number=form.latest_version) if form.latest_version
                  else _("not published yet"))
        cols[0].caption(_("{department} · /{slug} · {latest} · draft revision {revision}").format(
            department=form.department, slug=form.slug, latest=latest, revision=form.draft_revision))
        # Publishing happens in the builder, after its checks (lint) — never blind from this list.
        cols[1].page_link(page("editor"), label=_("Open"), icon=":material/edit:", query_params={"form": form.slug},
                          help=_("Edit, check and publish this form in the builder"))
        versions = versions_of(form.slug, actor, uow_factory())
        if versions:
            with st.expander(ngettext("{count} published version", "{count} published versions",
                                      len(versions)).format(count=len(versions))):
                st.dataframe([{_("Version"): v.number, _("Published (UTC)"): v.published_at.strftime("%Y-%m-%d %H:%M"),
                               _("By"): v.published_by or ""} for v in versions], hide_index=True, width="stretch")
