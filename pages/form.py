"""Fill in and submit a published form, page by page."""

import secrets
from datetime import UTC, datetime

import streamlit as st

from builder.definition import parse_definition
from builder.errors import AnswersInvalid, FormworkError, InputTooLarge, NotFound, RateLimited, StorageUnavailable
from builder.schema_view import prune_hidden
from builder.translations import localise
from builder.usecases.forms import published_form
from builder.usecases.requests import submit
from builder.usecases.limits import admit_submission
from builder.validation import field_errors
from ui.answers import answer_rows
from ui.attachments import upload_handler
from ui.context import current_actor, services
from ui.receipt import receipt_pdf
from ui.renderer import FormRenderer, error_summary
from ui.i18n import _, current_locale, language_selector, ngettext
from ui.nav import page
from ui.text import plain

language_selector()
slug = st.query_params.get("form", "")
uow_factory = services().uow
try:
    form = published_form(slug, uow_factory())
except NotFound:
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
    st.download_button(_("Download the receipt (PDF)"), receipt_pdf(
        form_title=definition.title, reference=receipt["reference"], access_code=receipt["code"],
        submitted_at=receipt.get("at", datetime.now(UTC)), answers=receipt.get("answers", []),
        confirmation=receipt["confirmation"], tracking_url=f"{services().public_url}/track?ref={receipt['reference']}&lang={current_locale()}"),
        file_name=f"receipt-{receipt['reference']}.pdf", mime="application/pdf", icon=":material/download:")
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

renderer = FormRenderer(definition.schema_, definition.ui_schema, key=state_key,
                        on_upload=upload_handler(slug, uow_factory))  # attachments (issue 3)
pages = renderer.pages()
current = min(st.session_state.get(f"{state_key}:page", 0), len(pages) - 1)
errors = st.session_state.get(f"{state_key}:errors", [])

if len(pages) > 1:
    st.progress((current + 1) / len(pages), text=_("Step {number} of {total}: {title}").format(
        number=current + 1, total=len(pages), title=plain(pages[current].get("title", ""))))
if errors:
    st.error(ngettext("Please correct {count} problem below.", "Please correct {count} problems below.",
                      len(errors)).format(count=len(errors)))
    for line in error_summary(errors, definition.schema_, definition.ui_schema):  # issue 3: name each field
        st.text(f"• {line}")

answers = renderer.render(page=current if len(pages) > 1 else None, errors=errors)


def _page_errors(index: int) -> list:
    fields = pages[index].get("fields")
    cleaned = prune_hidden(definition.schema_, definition.schema_, renderer.answers)
    found = field_errors(definition.schema_, cleaned, current_locale())  # the localised schema: custom messages too
    return [e for e in found if not fields or (e.path and e.path[0] in fields) or not e.path]


def _too_large() -> str:
    return _("Your answers are too long to be sent in one request. Shorten the longest texts (copy them somewhere "
             "first), or attach long documents as files, then try again.")


def _go(delta: int) -> None:
    if delta > 0:
        try:
            problems = _page_errors(current)
        except InputTooLarge:  # checking the page refuses oversized answers before validating them
            st.session_state[f"{state_key}:failure"] = _too_large()
            return
        st.session_state[f"{state_key}:errors"] = problems
        if problems:
            return
    st.session_state[f"{state_key}:errors"] = []
    st.session_state[f"{state_key}:page"] = current + delta


def _send() -> None:
    cleaned = prune_hidden(definition.schema_, definition.schema_, renderer.answers)
    key = st.session_state.setdefault(f"{state_key}:key", secrets.token_hex(16))
    try:
        admit_submission(actor, uow_factory())  # per-client rate limit
        result = submit(slug, cleaned, actor, uow_factory(), idempotency_key=key, holidays=services().holidays,
                        locale=current_locale())
    except AnswersInvalid as exc:
        st.session_state[f"{state_key}:errors"] = exc.errors
        first = next((i for i, p in enumerate(pages) if any(e.path and e.path[0] in (p.get("fields") or []) for e in exc.errors)), current)
        st.session_state[f"{state_key}:page"] = first
        return
    except InputTooLarge:
        st.session_state[f"{state_key}:errors"] = []
        st.session_state[f"{state_key}:failure"] = _too_large()
        return
    except RateLimited:
        st.session_state[f"{state_key}:errors"] = []
        st.session_state[f"{state_key}:failure"] = _(
            "Too many requests were sent from your connection in the last hour. Please wait a while and press "
            "Submit again.")
        return
    except StorageUnavailable:  # disk full, database read-only or restarting: nothing was stored (tests/faults)
        st.session_state[f"{state_key}:errors"] = []
        st.session_state[f"{state_key}:failure"] = _(
            "We could not save your request just now because of a problem on our side, and nothing was sent. "
            "Please press Submit again in a few minutes.")
        return
    except FormworkError as exc:
        st.session_state[f"{state_key}:errors"] = []
        st.session_state[f"{state_key}:failure"] = str(exc)
        return
    if result.access_code is None:  # the same submission arrived twice: keep the receipt we showed
        return
    st.session_state[f"{state_key}:receipt"] = {"reference": result.reference, "code": result.access_code,
                                               "confirmation": result.confirmation_text,
                                               "answers": answer_rows(definition.schema_, definition.ui_schema, cleaned),
                                               "at": datetime.now(UTC)}


failure = st.session_state.pop(f"{state_key}:failure", None)
if failure:
    st.error(failure + " " + _("Your answers are still here; nothing was lost."))

back, forward = st.columns(2)
# Buttons act after the fields rendered, so the answers typed in the same interaction count.
if current > 0 and back.button(_("Back"), width="stretch"):
    _go(-1)
    st.rerun()
if current < len(pages) - 1:
    if forward.button(_("Next"), type="primary", width="stretch"):
        _go(1)
        st.rerun()
elif forward.button(_("Submit"), type="primary", width="stretch"):
    _send()
    st.rerun()
