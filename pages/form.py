"""Fill in and submit a published form, page by page."""

import logging
import secrets
from datetime import UTC, datetime
from typing import Any

import streamlit as st

from builder.definition import parse_definition
from builder.errors import (AnswersInvalid, FormworkError, InputTooLarge, NotFound, PermissionDenied, RateLimited,
                            StorageUnavailable)
from builder.schema_view import prune_hidden, reference_problems
from builder.translations import localise
from builder.usecases.requests import form_to_fill, submit
from builder.usecases.limits import admit_submission, count_submission, submission_wait
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
# The version is pinned the first time the form is shown: a version published while the resident fills
# it in must not wipe their answers or their receipt; they submit the version they started.
pin_key = f"fill:{slug}:version"
pinned = st.session_state.get(pin_key)
state_key = f"fill:{slug}:v{pinned}"
receipt = st.session_state.get(f"{state_key}:receipt") if pinned else None


def _show_receipt(receipt: dict[str, Any]) -> None:
    """Shown until the resident leaves for another request: it holds the only copy of the access code."""
    st.title(plain(receipt["title"]))
    st.success(_("Your request has been submitted."))
    st.text(receipt["confirmation"])
    st.metric(_("Your reference"), receipt["reference"])
    st.write(_("Your access code — keep it safe; you need it with the reference to follow your request:"))
    st.code(receipt["code"], language=None)
    st.page_link(page("track"), label=_("Follow this request"), icon=":material/search:",
                 query_params={"ref": receipt["reference"], "lang": current_locale()})
    st.download_button(_("Download the receipt (PDF)"), receipt_pdf(
        form_title=receipt["title"], reference=receipt["reference"], access_code=receipt["code"],
        submitted_at=receipt.get("at", datetime.now(UTC)), answers=receipt.get("answers", []),
        confirmation=receipt["confirmation"], tracking_url=f"{services().public_url}/track?ref={receipt['reference']}&lang={current_locale()}"),
        file_name=f"receipt-{receipt['reference']}.pdf", mime="application/pdf", icon=":material/download:")
    if st.button(_("Submit another request")):
        for suffix in ("receipt", "answers", "page", "key", "errors"):
            st.session_state.pop(f"{state_key}:{suffix}", None)
        st.session_state.pop(pin_key, None)  # a new request starts on the latest version
        st.rerun()


if receipt:
    _show_receipt(receipt)
    st.stop()

try:
    form = form_to_fill(slug, uow_factory(), version=pinned)
except NotFound:
    st.title(_("Form not found"))
    if pinned:
        st.warning(_("This form was withdrawn by the city while you were filling it in, so it can no longer be "
                     "submitted. Nothing was sent."))
    else:
        st.warning(_("This form does not exist or is not published yet."))
    st.page_link(page("catalogue"), label=_("See all forms"), icon=":material/list_alt:")
    st.stop()
st.session_state[pin_key] = form.number
state_key = f"fill:{slug}:v{form.number}"

# Residents read the form in their language; answers and choice values stay language-neutral.
definition = parse_definition(localise(form.definition.to_document(), current_locale()))
actor = current_actor()

st.title(plain(definition.title))

if definition.description:
    st.text(definition.description)
if definition.settings.submission == "signed_in" and not actor.is_signed_in:
    st.info(_("Please sign in to submit this form."))
    st.page_link(page("account"), label=_("Sign in"), icon=":material/login:")
    st.stop()

if reference_problems(definition.schema_):  # saved before references were checked: it would never finish drawing
    logging.getLogger("formwork.forms").log(logging.ERROR, "form %s v%s: references it cannot follow", slug,
                                             form.number)
    st.error(_("This form cannot be shown at the moment: its definition has a fault the city must correct. "
               "Nothing was sent. Please try again later, or contact the city office."))
    st.page_link(page("catalogue"), label=_("See all forms"), icon=":material/list_alt:")
    st.stop()

renderer = FormRenderer(definition.schema_, definition.ui_schema, key=state_key,
                        on_upload=upload_handler(slug, uow_factory, locale=current_locale(), version=form.number))
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


def _failed(message: str) -> None:
    """Nothing was sent: no field is to blame, and the message says what to do next."""
    st.session_state[f"{state_key}:errors"] = []
    st.session_state[f"{state_key}:failure"] = message


def _send() -> None:
    cleaned = prune_hidden(definition.schema_, definition.schema_, renderer.answers)
    key = st.session_state.setdefault(f"{state_key}:key", secrets.token_hex(16))
    try:
        # Per-client rate limit, checked before the write; only stored requests count (below).
        admit_submission(actor, uow_factory(), idempotency_key=key)
        result = submit(slug, cleaned, actor, uow_factory(), idempotency_key=key, holidays=services().holidays,
                        locale=current_locale(), version=form.number, public_url=services().public_url)
    except AnswersInvalid as exc:
        st.session_state[f"{state_key}:errors"] = exc.errors
        first = next((i for i, p in enumerate(pages) if any(e.path and e.path[0] in (p.get("fields") or []) for e in exc.errors)), current)
        st.session_state[f"{state_key}:page"] = first
        return
    except InputTooLarge:
        _failed(_too_large())
        return
    except RateLimited:
        minutes = max(1, -(-int(submission_wait(actor).total_seconds()) // 60))
        _failed(ngettext(
            "Too many requests were sent from your connection in the last hour, so this one was not sent. "
            "Please press Submit again in {count} minute. If your request cannot wait, call or visit the city "
            "office.",
            "Too many requests were sent from your connection in the last hour, so this one was not sent. "
            "Please press Submit again in {count} minutes. If your request cannot wait, call or visit the city "
            "office.", minutes).format(count=minutes))
        return
    except StorageUnavailable:  # disk full, database read-only or restarting: nothing was stored (tests/faults)
        _failed(_("We could not save your request just now because of a problem on our side, and nothing was sent. "
                  "Please press Submit again in a few minutes."))
        return
    except NotFound:
        _failed(_("This form was withdrawn by the city while you were filling it in, so it can no longer be "
                  "submitted and nothing was sent. Contact the city office if you still need it."))
        return
    except PermissionDenied:
        _failed(_("Please sign in to submit this form."))
        return
    except FormworkError:
        _failed(_("Your request could not be sent just now, and nothing was sent. Please press Submit again in a "
                  "few minutes."))
        return
    if result.access_code is None:  # the same submission arrived twice: keep the receipt we showed
        return
    try:
        count_submission(actor, uow_factory())  # only a newly stored request uses up the client's quota
    except FormworkError:  # the request is stored: its receipt matters more than one uncounted hit
        logging.getLogger("formwork.limits").exception("could not count a stored submission")
    st.session_state[f"{state_key}:receipt"] = {"title": definition.title, "reference": result.reference,
                                               "code": result.access_code,
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
