"""Fill in and submit a published form, page by page."""

import secrets

import streamlit as st

from builder.definition import parse_definition
from builder.errors import AnswersInvalid, FormworkError, InputTooLarge, NotFound
from builder.schema_view import prune_hidden
from builder.translations import localise
from builder.usecases.forms import published_form
from builder.usecases.requests import submit
from builder.validation import field_errors
from ui.context import current_actor, services
from ui.renderer import FormRenderer
from ui.i18n import _, current_locale, language_selector, ngettext
from ui.nav import page
from ui.text import plain

language_selector()
slug = st.query_params.get("form", "")
uow_factory = services().uow
try:
    form = published_form(slug, uow_factory())
except NotFound as exc:
    st.title(_("Form not found"))
    st.warning(_("This form does not exist or is not published yet."))
    st.page_link(page("catalogue"), label=_("See all forms"), icon=":material/list_alt:")
    st.stop()

# Residents read the form in their language; answers and choice values stay language-neutral.
definition = parse_definition(localise(form.definition.to_document(), current_locale()))
actor = current_actor()
state_key = f"fill:{slug}:v{form.number}"
receipt = st.session_state.get(f"{state_key}:receipt")

st.title(plain(definition.title))
if receipt:
    st.success(_("Your request has been submitted."))
    st.text(receipt["confirmation"])
    st.metric(_("Your reference"), receipt["reference"])
    st.write(_("Your access code — keep it safe; you need it with the reference to follow your request:"))
    st.code(receipt["code"], language=None)
    st.page_link(page("track"), label=_("Follow this request"), icon=":material/search:",
                 query_params={"ref": receipt["reference"], "lang": current_locale()})
    if st.button(_("Submit another request")):
        for suffix in ("receipt", "answers", "page", "key", "errors"):
            st.session_state.pop(f"{state_key}:{suffix}", None)
        st.rerun()
    st.stop()

if definition.description:
    st.text(definition.description)
if definition.settings.submission == "signed_in" and not actor.is_signed_in:
    st.info(_("Please sign in to submit this form."))
    st.page_link(page("account"), label=_("Sign in"), icon=":material/login:")
    st.stop()

renderer = FormRenderer(definition.schema_, definition.ui_schema, key=state_key)
pages = renderer.pages()
current = min(st.session_state.get(f"{state_key}:page", 0), len(pages) - 1)
errors = st.session_state.get(f"{state_key}:errors", [])

if len(pages) > 1:
    st.progress((current + 1) / len(pages), text=_("Step {number} of {total}: {title}").format(
        number=current + 1, total=len(pages), title=plain(pages[current].get("title", ""))))
if errors:
    st.error(ngettext("Please correct {count} problem below.", "Please correct {count} problems below.",
                      len(errors)).format(count=len(errors)))

answers = renderer.render(page=current if len(pages) > 1 else None, errors=errors)


def _page_errors(index: int) -> list:
    fields = pages[index].get("fields")
    cleaned = prune_hidden(definition.schema_, definition.schema_, renderer.answers)
    found = field_errors(definition.schema_, cleaned)
    return [e for e in found if not fields or (e.path and e.path[0] in fields) or not e.path]


def _go(delta: int) -> None:
    if delta > 0:
        problems = _page_errors(current)
        st.session_state[f"{state_key}:errors"] = problems
        if problems:
            return
    st.session_state[f"{state_key}:errors"] = []
    st.session_state[f"{state_key}:page"] = current + delta


def _send() -> None:
    cleaned = prune_hidden(definition.schema_, definition.schema_, renderer.answers)
    key = st.session_state.setdefault(f"{state_key}:key", secrets.token_hex(16))
    try:
        result = submit(slug, cleaned, actor, uow_factory(), idempotency_key=key, holidays=services().holidays,
                        locale=current_locale())
    except AnswersInvalid as exc:
        st.session_state[f"{state_key}:errors"] = exc.errors
        first = next((i for i, p in enumerate(pages) if any(e.path and e.path[0] in (p.get("fields") or []) for e in exc.errors)), current)
        st.session_state[f"{state_key}:page"] = first
        return
    except (InputTooLarge, FormworkError) as exc:
        st.session_state[f"{state_key}:errors"] = []
        st.session_state[f"{state_key}:failure"] = str(exc)
        return
    if result.access_code is None:  # the same submission arrived twice: keep the receipt we showed
        return
    st.session_state[f"{state_key}:receipt"] = {"reference": result.reference, "code": result.access_code,
                                               "confirmation": result.confirmation_text}


failure = st.session_state.pop(f"{state_key}:failure", None)
if failure:
    st.error(failure + " " + _("Your answers are still here; nothing was lost."))

back, forward = st.columns(2)
# Buttons act after the fields rendered, so the answers typed in the same interaction count.
if current > 0 and back.button(_("Back"), use_container_width=True):
    _go(-1)
    st.rerun()
if current < len(pages) - 1:
    if forward.button(_("Next"), type="primary", use_container_width=True):
        _go(1)
        st.rerun()
elif forward.button(_("Submit"), type="primary", use_container_width=True):
    _send()
    st.rerun()
