"""The builder: design a form, its pages and its approval steps without writing JSON.

Left: the editor (fields, pages, approval steps, settings, translations, check and publish, versions,
advanced). Right: the live preview with the real renderer and a test run of the approval steps. Every change
is saved to the draft at once (``save_draft`` with the revision it started from, so a second
designer's edit is a clear conflict, never a silent overwrite). Every text goes through ``_()``:
the designer may work in any interface language, whatever languages the form itself is offered in.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import streamlit as st
from jsonschema import Draft202012Validator

from builder import attachments as att
from builder import editing as ed
from builder import translations as tr
from builder.conditions import Condition
from builder.definition import STEP_ACTIONS, Workflow, meta_schema
from builder.diff import describe_changes
from builder.errors import DefinitionInvalid, DraftConflict, FormworkError, NotFound
from builder.lint import Finding, errors, lint
from builder.lint_messages import localized
from builder.usecases import forms as uc
from builder.validation import date_bound
from builder.workflow import applicable_steps
from ui.access import denied, is_designer, require
from ui.context import services
from ui.i18n import LANGUAGES, _, current_locale, language_selector, ngettext
from ui.nav import page
from ui.renderer import FormRenderer
from ui.text import plain
from ui.timeline import staff_refusal

st.set_page_config(page_title=_("Form builder · Formwork"))  # app.py gives this page the wide layout
language_selector()
actor = require(is_designer, _("Only designers and administrators can edit forms."))
uow_factory = services().uow
slug = st.query_params.get("form", "")
try:
    draft = uc.open_draft(slug, actor, uow_factory())
except NotFound:
    denied(actor, f"editor of form {slug!r}")
    st.warning(_("This form does not exist or belongs to another department."))
    st.page_link(page("forms"), label=_("Back to your forms"), icon=":material/arrow_back:")
    st.stop()

K = f"editor:{slug}"
# Section ids stay English (they are session-state values); SECTION_WORDS says them in the interface language.
SECTIONS = ["Fields", "Pages", "Approval steps", "Settings", "Translations", "Check and publish", "Versions", "Advanced"]
SECTION_WORDS = {"Fields": _("Fields"), "Pages": _("Pages"), "Approval steps": _("Approval steps"),
                 "Settings": _("Settings"), "Translations": _("Translations"),
                 "Check and publish": _("Check and publish"), "Versions": _("Versions"), "Advanced": _("Advanced")}
ACTION_WORDS = {"approve": _("Approve"), "reject": _("Reject"),
                "return": _("Return to the resident for more information"), "comment": _("Comment"),
                "reassign": _("Pass to another group")}
POLICY_WORDS = {"any": _("Any one member"), "all": _("All members"), "n": _("A number of members")}
KIND_WORDS = {"short_text": _("Short text"), "long_text": _("Long text"), "number": _("Number"),
              "money": _("Amount of money"), "date": _("Date"), "time": _("Time"), "yes_no": _("Yes / no"),
              "one_choice": _("One choice"), "several_choices": _("Several choices"), "email": _("Email address"),
              "phone": _("Phone number"), "address": _("Address"), "file": _("File upload"),
              "text_block": _("Section heading / explanatory text"),
              "repeating_group": _("Repeating group (“add another”)")}
OPERATOR_WORDS = {"is": _("is"), "is_not": _("is not"), "one_of": _("is one of"),
                  "greater_than": _("is greater than"), "less_than": _("is less than"), "answered": _("is filled in"),
                  "not_answered": _("is not filled in"), "includes": _("includes"),
                  "does_not_include": _("does not include")}
# The kinds of file builder.attachments recognises by their content, in the designer's words.
FILE_KIND_WORDS = {"pdf": _("PDF"), "png": _("PNG image"), "jpeg": _("JPEG photo"), "gif": _("GIF image"),
                   "webp": _("WebP image"), "heic": _("iPhone photo (HEIC)"), "txt": _("Plain text"),
                   "docx": _("Word document (.docx)")}
PRESET_WORDS = {"postcode": _("Postcode (letters, digits, spaces)"), "uk_postcode": _("UK postcode"),
                "nl_postcode": _("Dutch postcode (1234 AB)"), "zip_code": _("US ZIP code"),
                "digits": _("Digits only"), "letters": _("Letters and spaces only"),
                "licence_plate": _("Vehicle registration"), "iban": _("IBAN bank account")}
PART_WORDS = {"form_title": _("Form title"), "form_description": _("Introduction"), "field_title": _("Question"),
              "help": _("Help text"), "placeholder": _("Example in the empty box"), "choice": _("Option"),
              "error_message": _("Message when a rule is broken"), "page_title": _("Page title"),
              "step_name": _("Approval step, as residents see it"), "confirmation": _("Text after submitting"),
              "text": _("Other text")}


def kind_words(kind: str) -> str:
    return KIND_WORDS.get(kind, kind)


# ------------------------------------------------------------------ draft state and saving


def _load(from_draft: uc.Draft) -> None:
    st.session_state[f"{K}:doc"] = from_draft.document
    st.session_state[f"{K}:rev"] = from_draft.revision
    st.session_state[f"{K}:gen"] = st.session_state.get(f"{K}:gen", 0) + 1  # fresh widgets show the new values
    st.session_state.pop(f"{K}:conflict", None)


if st.session_state.get(f"{K}:doc") is None or st.session_state.get(f"{K}:slug") != slug:
    _load(draft)
    st.session_state[f"{K}:slug"] = slug

doc: dict[str, Any] = st.session_state[f"{K}:doc"]
gen: int = st.session_state[f"{K}:gen"]


def save(new_doc: dict[str, Any], *, refresh: bool = False) -> bool:
    """Save the edited document as the draft. True when the page now shows it: saved, or kept on screen during
    a conflict (the header says it is not saved yet). False when it was refused: the stored draft and the
    page stay as they were, what was typed stays in its box, and why is shown right where the change was made."""
    return new_doc == st.session_state[f"{K}:doc"] or store(new_doc, refresh=refresh)


def store(new_doc: dict[str, Any], *, refresh: bool = False) -> bool:
    """``save`` without first comparing with the document on screen (to keep mine after a conflict)."""
    try:
        revision = uc.save_draft(slug, new_doc, st.session_state[f"{K}:rev"], actor, uow_factory())
    except DraftConflict:
        stored = uc.open_draft(slug, actor, uow_factory())
        if stored.document != new_doc:
            st.session_state[f"{K}:conflict"] = True
        else:  # our own save: a rerun asked for meanwhile stopped the run before it noted the new revision
            st.session_state[f"{K}:rev"] = stored.revision
    except DefinitionInvalid as exc:
        locale = current_locale()
        for error in exc.errors:  # a refusal can quote the refused text itself (a markdown image): plain text
            st.error(_("This change was not saved: {problem}").format(
                problem=plain(f"{error.pointer or '/'}: {localized(error, locale)}")))
        return False
    else:
        st.session_state[f"{K}:rev"] = revision
    st.session_state[f"{K}:doc"] = new_doc
    if refresh:
        st.session_state[f"{K}:gen"] += 1
    return True


def change(new_doc: dict[str, Any], *, notice: str = "", then: Callable[[], None] | None = None) -> None:
    """Apply a structural change (add, move, delete…) and show it at once. ``then`` does what follows from the
    change (open the new field, empty the box); ``notice`` says it was saved, so only once it is. A refused
    change returns here, its reason on the page."""
    if not save(new_doc, refresh=True):
        return
    if notice and not st.session_state.get(f"{K}:conflict"):
        st.session_state[f"{K}:notice"] = notice
    if then is not None:
        then()
    st.rerun()


def empty_next_run(key: str) -> None:
    """Empty a "new …" box once what it named is added. A widget's value can only be set before the widget is
    drawn, so this asks the next run to do it (see ``emptied``)."""
    st.session_state[f"{key}:empty"] = True


def emptied(key: str) -> str:
    """The key of a "new …" box, emptied first when ``empty_next_run`` asked for it."""
    if st.session_state.pop(f"{key}:empty", False):
        st.session_state[key] = ""
    return key


def keyed(name: str) -> str:
    return f"{K}:{gen}:{name}"


def labels() -> dict[str, str]:
    return {spec.name: spec.label for spec in ed.read_fields(doc)}


# ------------------------------------------------------------------ header


def header() -> None:
    top = st.columns([4, 1], vertical_alignment="center")
    top[0].title(plain(doc.get("title") or slug))
    top[1].page_link(page("forms"), label=_("All forms"), icon=":material/arrow_back:")
    latest = (_("published version {number}").format(number=draft.latest_version) if draft.latest_version
              else _("not published yet"))
    st.caption(_("/{slug} · {department} · {latest} · every change is saved to the draft automatically "
                 "(revision {revision})").format(slug=slug, department=draft.department, latest=latest,
                                                  revision=st.session_state[f"{K}:rev"]))
    notice = st.session_state.pop(f"{K}:notice", None)
    if notice:
        st.success(notice)
    if st.session_state.get(f"{K}:conflict"):
        conflict_box()


def conflict_box() -> None:
    current = uc.open_draft(slug, actor, uow_factory())
    when = current.updated_at.strftime("%H:%M") if current.updated_at else _("just now")
    with st.container(border=True):
        st.error(_("{who} saved this form at {when} (UTC) while you were editing it. Your latest change is NOT "
                   "saved yet. Choose which version to keep:").format(who=current.updated_by or _("Another designer"),
                                                                       when=when))
        left, right = st.columns(2)
        if left.button(_("Load their version (discard my change)"), key=f"{K}:theirs"):
            _load(current)
            st.rerun()
        if right.button(_("Keep my version (replace theirs)"), key=f"{K}:mine"):
            st.session_state[f"{K}:rev"] = current.revision
            st.session_state.pop(f"{K}:conflict")
            if store(st.session_state[f"{K}:doc"]):
                st.rerun()


# ------------------------------------------------------------------ condition editor


def condition_editor(key: str, current: Condition | None, *, exclude: str | None, prompt: str) -> Condition | None:
    """"Always" or "only when <field> <is / is not / …> <value>" — the same editor for fields and steps."""
    # The options stay English ids (tests and session state use them); the words shown are translated.
    modes = {"Always": _("Always"), "Only when…": _("Only when…")}
    mode = st.radio(prompt, list(modes), index=1 if current else 0, horizontal=True, key=f"{key}:mode",
                    format_func=modes.__getitem__)
    return None if mode == "Always" else condition_parts(key, current, exclude=exclude)


def condition_parts(key: str, current: Condition | None, *, exclude: str | None) -> Condition | None:
    """The "<field> <is / is not / …> <value>" part of a condition, once "Only when…" is chosen.

    A stored condition the form no longer fits (its question deleted, its answer no longer a choice) is shown
    as it is, with what is wrong, and returned unchanged until the designer picks something else: opening an
    editor must never rewrite a rule behind the designer's back (the lint keeps reporting it meanwhile).
    """
    names = {n: label for n, label in labels().items() if n != exclude and ed.read_field(doc, n).kind != "text_block"}
    lost = current.field if current and current.field not in names else None
    if not names and lost is None:
        st.caption(_("Add another field first: a condition looks at the answer to another field."))
        return None
    choices = list(names) + ([lost] if lost is not None else [])
    start = choices.index(current.field) if current else 0
    source_name = st.selectbox(_("Field"), choices, index=start, key=f"{key}:field",
                               format_func=lambda n: _("“{name}” (no longer in the form)").format(name=n)
                               if n == lost else names[n])
    if source_name == lost:
        st.warning(_("The question this depended on (“{name}”) no longer exists, so this condition cannot be "
                     "checked. Choose another question, or choose “Always”.").format(name=plain(lost)))
        return current
    source = ed.read_field(doc, source_name)
    same = current if current and current.field == source_name else None
    operators = _operators_for(source.kind)
    odd_operator = same.operator if same and same.operator not in operators else None
    tests = operators + ([odd_operator] if odd_operator else [])
    cols = st.columns([1, 2])
    operator = cols[0].selectbox(_("Test"), tests, index=tests.index(same.operator) if same else 0,
                                 key=f"{key}:op:{source.kind}",
                                 format_func=lambda o: _("{test} (does not fit this question)").format(
                                     test=OPERATOR_WORDS[o]) if o == odd_operator else OPERATOR_WORDS[o])
    if operator == odd_operator:
        st.warning(_("“{test}” cannot be checked on a {kind} question. Choose another test.").format(
            test=OPERATOR_WORDS[operator], kind=kind_words(source.kind).lower()))
        return current
    value = _value_input(cols[1], f"{key}:value:{source_name}:{operator}", source, operator,
                         same.value if same else None)
    if value is _UNCHANGED:
        return current
    return Condition(source_name, operator, value)


def _operators_for(kind: str) -> list[str]:
    """The tests that can hold for an answer of this kind (a list or a group never "is" one value)."""
    if kind in ("number", "money"):
        return ["greater_than", "less_than", "is", "answered", "not_answered"]
    if kind in ("one_choice", "yes_no"):
        return ["is", "is_not", "one_of"] if kind == "one_choice" else ["is"]
    if kind == "several_choices":
        return ["includes", "does_not_include", "answered", "not_answered"]
    if kind in ("repeating_group", "address", "file"):
        return ["answered", "not_answered"]
    return ["is", "is_not", "answered", "not_answered"]


#: What ``_value_input`` returns while the stored value does not fit and the designer has not chosen another.
_UNCHANGED = object()


def _value_input(box: Any, key: str, source: ed.FieldSpec, operator: str, current: Any) -> Any:
    if operator in ("answered", "not_answered"):
        return None
    if source.kind == "yes_no":
        return _yes_no_value(box, key, source, current)
    if source.kind in ed.CHOICE_KINDS:
        return _choice_value(box, key, source, operator, current)
    if source.kind in ("number", "money"):
        return _number_value(box, key, current)
    text = box.text_input(_("Answer"), value=str(current or ""), key=key)
    return current if current is not None and text == str(current) else text


def _number_value(box: Any, key: str, current: Any) -> Any:
    fits = current is None or (isinstance(current, (int, float)) and not isinstance(current, bool))
    start = (0.0 if current is None else float(current)) if fits else None  # None: an empty box
    value = box.number_input(_("Value"), value=start, key=key, placeholder=_("a number"))
    if value is None:  # an emptied box compares with nothing: the stored condition stays until a number is typed
        if not fits:
            box.warning(_("“{value}” is not a number: enter the number to compare with.").format(
                value=plain(str(current))))
        return _UNCHANGED
    return value


def _yes_no_value(box: Any, key: str, source: ed.FieldSpec, current: Any) -> Any:
    fits = current is None or isinstance(current, bool)
    answer = box.radio(_("Answer"), [True, False], index=(1 if current is False else 0) if fits else None,
                       format_func=lambda v: _("Yes") if v else _("No"), horizontal=True, key=key)
    if answer is None:
        box.warning(_("“{value}” is not one of the answers to “{label}”: choose Yes or No.").format(
            value=plain(str(current)), label=plain(source.label)))
        return _UNCHANGED
    return answer


def _choice_value(box: Any, key: str, source: ed.FieldSpec, operator: str, current: Any) -> Any:
    """One of the field's choices (several for "is one of"); a stored answer that is no longer a choice stays
    listed, marked, and selected, until the designer picks a current one."""
    pairs = dict(ed.choice_values(source)) or {"": ""}
    wanted = (current if isinstance(current, list) else [current] if current is not None else [])
    gone = [v for v in wanted if v not in pairs]
    words = lambda v: _("“{value}” (no longer a choice)").format(value=v) if v in gone else str(pairs[v])  # noqa: E731
    if operator == "one_of":
        picked = box.multiselect(_("Answers"), list(pairs) + gone, default=wanted, format_func=words, key=key)
        value: Any = picked
    else:
        values = list(pairs) + gone[:1]
        value = box.selectbox(_("Answer"), values, index=values.index(wanted[0]) if wanted else 0,
                              format_func=words, key=key)
        picked = [value]
    still_gone = [v for v in picked if v in gone]
    if still_gone:
        box.warning(ngettext("{values} is no longer one of the choices of “{label}”, so it can never be the answer. "
                             "Choose one of its current choices.",
                             "{values} are no longer among the choices of “{label}”, so they can never be the "
                             "answer. Choose among its current choices.", len(still_gone)).format(
            values=", ".join(_("“{value}”").format(value=plain(str(v))) for v in still_gone), label=plain(source.label)))
    return value


# ------------------------------------------------------------------ fields


def fields_section() -> None:
    specs = ed.read_fields(doc)
    selected = st.session_state.get(f"{K}:selected")
    if selected not in {s.name for s in specs}:
        selected = None
    with st.container(border=True):
        st.markdown("**" + _("Add a field") + "**")
        cols = st.columns([5, 7, 3], vertical_alignment="bottom")
        kind = cols[0].selectbox(_("Kind of field"), list(ed.FIELD_KINDS), format_func=kind_words, key=f"{K}:new_kind")
        label = cols[1].text_input(_("Question or label"), key=emptied(f"{K}:new_label"),
                                   placeholder=_("e.g. Date of the event"))
        if cols[2].button(_("Add"), type="primary", key=f"{K}:add", width="stretch"):
            new_doc, name = ed.add_field(doc, kind, label or kind_words(kind))
            change(new_doc, then=lambda: (select(name, new_doc), empty_next_run(f"{K}:new_label")))
    if not specs:
        st.info(_("This form has no fields yet. Choose a kind of field above and press “Add”."))
        return
    for index, spec in enumerate(specs):
        field_row(spec, index, len(specs), spec.name == selected)
        if spec.name == selected:  # the editor opens right under the field it edits
            with st.container(border=True):
                field_editor(spec)


def field_row(spec: ed.FieldSpec, index: int, count: int, selected: bool) -> None:
    cols = st.columns([6, 1, 1, 1, 1, 1], vertical_alignment="center", gap="small")
    badges = ([kind_words(spec.kind)] + ([_("required")] if spec.required else [])
              + ([_("required only when…")] if spec.required_when and not spec.required else [])
              + ([_("conditional")] if spec.show_when else []))
    marker = "▶ " if selected else ""
    cols[0].markdown(f"{marker}**{plain(spec.label)}**  \n{muted(plain(' · '.join(badges)))}")
    label = spec.label
    buttons = [(_("Close “{label}”") if selected else _("Edit “{label}”"),
                ":material/expand_less:" if selected else ":material/edit:", "edit", False),
               (_("Move “{label}” up"), ":material/arrow_upward:", "up", index == 0),
               (_("Move “{label}” down"), ":material/arrow_downward:", "down", index == count - 1),
               (_("Duplicate “{label}”"), ":material/content_copy:", "copy", False),
               (_("Delete “{label}”"), ":material/delete:", "delete", False)]
    for col, (words, icon, action, disabled) in zip(cols[1:], buttons, strict=True):
        with col:
            if icon_button(words.format(label=label), icon, f"{K}:{action}:{spec.name}", disabled=disabled):
                field_action(spec.name, action)


def icon_button(name: str, icon: str, key: str, *, disabled: bool = False) -> bool:
    """A button that shows only its icon but is named for screen readers (and in its tooltip).

    Streamlit names a button without a label after its icon ("arrow_upward icon"); this one carries its
    full name as the label, hidden from sight by the style in ``ICON_BUTTON_STYLE`` (``-iconbtn-`` keys).
    """
    return st.button(name, icon=icon, help=name, key=f"{key}:iconbtn:", disabled=disabled)


ICON_BUTTON_STYLE = """<style>
[class*="-iconbtn-"] button [data-testid="stMarkdownContainer"] {
  position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
[class*="-tr_missing-"] { background: #fff6e5; border-color: #f0b35b; }
[class*="-tr_stale-"] { background: #f5f0ff; border-color: #a98ce0; }
</style>"""  # translation rows: missing ones stand out in orange, changed sources in violet (badges say it in words)


def muted(markdown: str) -> str:
    return f":gray[{markdown}]"


def select(name: str | None, in_doc: dict[str, Any]) -> None:
    """Open a field's editor and turn the preview to the page the field is on."""
    st.session_state[f"{K}:selected"] = name
    on_page = ed.page_of(in_doc, name) if name else None
    if on_page is not None:
        st.session_state[f"{K}:preview_page"] = on_page


def field_action(name: str, action: str) -> None:
    if action == "edit":  # the pencil opens the field's editor, or closes it when open
        select(None if st.session_state.get(f"{K}:selected") == name else name, doc)
        st.rerun()
    if action in ("up", "down"):
        change(ed.move_field(doc, name, -1 if action == "up" else 1))
    if action == "copy":
        new_doc, copy_name = ed.duplicate_field(doc, name)
        change(new_doc, then=lambda: select(copy_name, new_doc))
    if action == "delete":
        change(ed.delete_field(doc, name),
               notice=_("Field “{label}” deleted.").format(label=plain(ed.read_field(doc, name).label)))


def field_editor(spec: ed.FieldSpec) -> None:
    k = keyed(f"field:{spec.name}")
    st.caption(_("Editing this {kind} field (stored as “{name}”). Changes are saved and shown in the preview as "
                 "you type.").format(kind=kind_words(spec.kind).lower(), name=spec.name))
    label = st.text_input(_("Question or label"), value=spec.label, key=f"{k}:label", max_chars=300)
    help_text = st.text_input(_("Help text (shown under the question)"), value=spec.help, key=f"{k}:help")
    new = replace(spec, label=label.strip() or spec.label, help=help_text)
    if spec.kind != "text_block":
        new = _answer_settings(spec, new, k)
    new = replace(new, show_when=condition_editor(f"{k}:show", spec.show_when, exclude=spec.name,
                                                  prompt=_("Show this field")))
    # Compared as documents: two specs can write the same JSON (a free pattern equal to a named format's), and a
    # rerun for a change that changes nothing would never end.
    new_doc = ed.put_field(doc, new) if new != spec else doc
    # A table of entry questions keeps its edits as changes to the rows it was given: drawn again from the saved
    # rows, it would add an added row a second time. So a change of the questions draws fresh widgets.
    if new_doc != doc and save(new_doc, refresh=new.subfields != spec.subfields):
        st.rerun()


# "Required?" in one control: stored as ``required`` (Always) or a ``required_when`` condition (Only when…).
REQUIRED_CHOICES = ("No", "Always", "Only when…")


def _required_setting(box: Any, spec: ed.FieldSpec, new: ed.FieldSpec, k: str) -> ed.FieldSpec:
    words = {"No": _("No"), "Always": _("Always"), "Only when…": _("Only when…")}
    start = "Always" if spec.required else "Only when…" if spec.required_when else "No"
    choice = box.radio(_("Required?"), REQUIRED_CHOICES, index=REQUIRED_CHOICES.index(start), horizontal=True,
                       format_func=words.__getitem__, key=f"{k}:required",
                       help=_("No: the resident may leave it empty. Always: the resident cannot submit without "
                              "answering it. Only when…: it must be answered only when another answer matches."))
    if choice != "Only when…":
        return replace(new, required=choice == "Always", required_when=None)
    return replace(new, required=False, required_when=condition_parts(f"{k}:reqwhen", spec.required_when,
                                                                       exclude=spec.name))


def _answer_settings(spec: ed.FieldSpec, new: ed.FieldSpec, k: str) -> ed.FieldSpec:
    new = _required_setting(st, spec, new, k)  # full width: its three choices and its condition read on one line
    placeholder = st.text_input(_("Example shown in the empty box"), value=spec.placeholder, key=f"{k}:ph")
    new = replace(new, placeholder=placeholder)
    if spec.kind in ed.CHOICE_KINDS:
        text = st.text_area(_("Options, one per line"), value="\n".join(spec.options), key=f"{k}:options")
        new = replace(new, options=tuple(dict.fromkeys(o.strip() for o in text.splitlines() if o.strip())))
        if spec.kind == "one_choice":
            new = replace(new, dropdown=st.toggle(_("Show as a dropdown list (instead of buttons)"),
                                                  value=spec.dropdown, key=f"{k}:dropdown"))
    new = _rules(spec, new, k)
    message = st.text_input(_("Message when the answer breaks a rule (optional)"), value=spec.error_message,
                            key=f"{k}:message", placeholder=_("e.g. Enter a postcode like 1234 AB"))
    return replace(new, error_message=message.strip())


def _number(box: Any, words: str, value: float | None, key: str) -> float | None:
    text = box.text_input(words, value="" if value is None else f"{value:g}", key=key, placeholder=_("no limit"))
    try:
        return float(text) if "." in text else int(text) if text.strip() else None
    except ValueError:
        box.error(_("Enter a number, or leave empty for no limit."))
        return value


def _rules(spec: ed.FieldSpec, new: ed.FieldSpec, k: str) -> ed.FieldSpec:
    cols = st.columns(2)
    if spec.kind in ed.NUMBER_KINDS:
        return replace(new, min_value=_number(cols[0], _("Lowest allowed"), spec.min_value, f"{k}:min"),
                       max_value=_number(cols[1], _("Highest allowed"), spec.max_value, f"{k}:max"))
    if spec.kind in ed.TEXT_KINDS:
        new = replace(new, min_length=_number(cols[0], _("Fewest characters"), spec.min_length, f"{k}:minlen"),
                      max_length=_number(cols[1], _("Most characters"), spec.max_length, f"{k}:maxlen"))
        if spec.kind in ("short_text", "long_text"):
            new = replace(new, pattern=_pattern_input(spec, k))
        return new
    if spec.kind == "repeating_group":
        new = replace(new, subfields=_entry_questions(spec, k))
    if spec.kind in ("several_choices", "repeating_group"):
        return replace(new, min_items=_number(cols[0], _("At least"), spec.min_items, f"{k}:minitems"),
                       max_items=_number(cols[1], _("At most"), spec.max_items, f"{k}:maxitems"))
    if spec.kind == "file":
        return _file_rules(spec, new, cols, k)
    if spec.kind == "date":
        earliest = _date_limit(cols[0], spec.earliest_date, k, earliest=True)
        latest = _date_limit(cols[1], spec.latest_date, k, earliest=False)
        low, high = date_bound(earliest), date_bound(latest)
        if low and high and low > high:
            st.warning(_("The earliest date is after the latest date: no date could be entered."))
        return replace(new, earliest_date=earliest, latest_date=latest)
    return new


def _file_rules(spec: ed.FieldSpec, new: ed.FieldSpec, cols: Any, k: str) -> ed.FieldSpec:
    """Allowed kinds of file: only those builder.attachments recognises by their content, stored as MIME types."""
    types = {att.MIME_TYPES[kind]: FILE_KIND_WORDS.get(kind, att.KIND_NAMES[kind]) for kind in att.ALL_KINDS}
    current = [att.MIME_TYPES[kind] for kind in dict.fromkeys(filter(None, map(att.kind_of_type, spec.file_types)))]
    unknown = [t for t in spec.file_types if att.kind_of_type(t) is None]
    default = current if spec.file_types else ed.DEFAULT_FILE_TYPES
    chosen = cols[0].multiselect(_("Allowed file types"), list(types), default=default,
                                 format_func=types.__getitem__, key=f"{k}:types")
    if unknown:
        st.warning(_("Files of these types cannot be recognised, so they are not accepted: {types}. Choose the "
                     "allowed types from the list.").format(types=plain(", ".join(unknown))))
    elif not chosen:
        cols[0].caption(_("With no type chosen, PDF, JPEG and PNG files are allowed."))
    size = _number(cols[1], _("Largest file (MB)"), spec.max_size_mb, f"{k}:size")
    # Untouched, the field keeps its types as written (an imported ".png" stays ".png").
    return replace(new, file_types=spec.file_types if chosen == default else tuple(chosen), max_size_mb=size)


def _date_limit(box: Any, current: str, k: str, *, earliest: bool) -> str:
    """"No limit", today, tomorrow / yesterday, a number of days from today, or a fixed date."""
    side = "earliest" if earliest else "latest"
    near = "today+1" if earliest else "today-1"
    modes = {"": _("No earliest date") if earliest else _("No latest date"),
             "today": _("Today (no dates in the past)") if earliest else _("Today (no dates in the future)"),
             near: _("Tomorrow (the date must be in the future)") if earliest
             else _("Yesterday (the date must be in the past)"),
             "days": _("A number of days from today…"), "fixed": _("A fixed date…")}
    if current in modes:
        start = current
    else:
        start = "days" if current.startswith("today") and date_bound(current) else "fixed" if date_bound(current) else ""
    mode = box.selectbox(_("Earliest date") if earliest else _("Latest date"), list(modes), index=list(modes).index(start),
                         format_func=modes.__getitem__, key=f"{k}:{side}")
    if mode == "days":
        offset = (date_bound(current, date(2000, 1, 1)) - date(2000, 1, 1)).days if start == "days" else (
            14 if earliest else 0)
        days = int(box.number_input(_("Days from today (negative: before today)"), -36500, 36500, offset, step=1,
                                    key=f"{k}:{side}:days"))
        return "today" if days == 0 else f"today{days:+d}"
    if mode == "fixed":
        first, last = date(1900, 1, 1), date(2100, 12, 31)  # the range the form's date fields offer
        shown = min(max(date_bound(current) or date.today(), first), last) if start == "fixed" else date.today()
        picked = box.date_input(_("Earliest allowed date") if earliest else _("Latest allowed date"), value=shown,
                                min_value=first, max_value=last, key=f"{k}:{side}:date")
        return picked.isoformat() if isinstance(picked, date) else ""
    return mode


def _entry_questions(spec: ed.FieldSpec, k: str) -> tuple[ed.FieldSpec, ...]:
    """The questions asked for each entry of a repeating group: one row each, with its kind and "required"."""
    words = {kind: kind_words(kind) for kind in (*ed.ENTRY_KINDS, *(s.kind for s in spec.subfields))}
    st.markdown("**" + _("Questions for each entry") + "**")
    st.caption(_("One row per question, for example Name, then Relationship to you. Add a row at the bottom of the "
                 "table; to remove one, tick it and press the bin."))
    # A new row gets its defaults in the browser; these say the same when a row arrives without them.
    rows = st.data_editor(
        [{"name": s.name, "question": s.label, "kind": words[s.kind], "required": s.required} for s in spec.subfields],
        key=f"{k}:entries", num_rows="dynamic", hide_index=True, width="stretch",
        column_order=("question", "kind", "required"),
        column_config={"question": st.column_config.TextColumn(_("Question"), required=True, max_chars=300),
                       "kind": st.column_config.SelectboxColumn(_("Kind of answer"), options=list(words.values()),
                                                                required=True, default=words["short_text"]),
                       "required": st.column_config.CheckboxColumn(_("Required"), default=False)})
    kinds = {shown: kind for kind, shown in words.items()}
    entries = ed.entry_questions(spec.subfields, [
        ed.EntryRow(row.get("name"), str(row.get("question") or ""), kinds.get(row.get("kind"), "short_text"),
                    bool(row.get("required"))) for row in rows])
    if not entries:
        st.warning(_("A repeating group needs at least one question; the last one is kept."))
    return entries or spec.subfields


def _pattern_input(spec: ed.FieldSpec, k: str) -> str:
    presets = {"": _("Any text"), **{key: PRESET_WORDS.get(key, words) for key, (words, _rx) in ed.PATTERN_PRESETS.items()},
               "custom": _("Advanced: my own pattern")}
    current = spec.pattern if spec.pattern in presets else ("custom" if spec.pattern else "")
    choice = st.selectbox(_("Allowed format"), list(presets), index=list(presets).index(current),
                          format_func=presets.__getitem__, key=f"{k}:preset")
    if choice != "custom":
        return choice
    # From a named format, its pattern is the start: adapting "1234 AB" is easier than writing it again.
    start = spec.pattern if current == "custom" else ed.PATTERN_PRESETS[current][1] if current else ""
    return st.text_input(_("Pattern (regular expression)"), value=start, key=f"{k}:pattern",
                         help=_("For example ^[0-9]{4}$ for exactly four digits."))


# ------------------------------------------------------------------ pages


def pages_section() -> None:
    pages = ed.pages_of(doc)
    if not pages:
        st.info(_("This form is one page. Long forms are easier to fill in when split into named pages."))
        if st.button(_("Split into pages"), key=f"{K}:split", type="primary"):
            change(ed.split_into_pages(doc, _("Page 1")))
        return
    st.caption(_("Residents fill in one page at a time. To move a field, pick another page next to it."))
    names = labels()
    titles = [p.get("title", "") for p in pages]
    for index, page_ in enumerate(pages):
        with st.container(border=True):
            cols = st.columns([5, 1, 1, 1], vertical_alignment="bottom")
            title = cols[0].text_input(_("Page {number} title").format(number=index + 1), value=page_.get("title", ""),
                                       key=keyed(f"page:{index}"))
            if title.strip() and title != page_.get("title"):
                if save(ed.rename_page(doc, index, title)):
                    st.rerun()
            name = page_.get("title") or str(index + 1)
            with cols[1]:
                if icon_button(_("Move page “{title}” earlier").format(title=name), ":material/arrow_upward:",
                               f"{K}:pup:{index}", disabled=index == 0):
                    change(ed.move_page(doc, index, -1))
            with cols[2]:
                if icon_button(_("Move page “{title}” later").format(title=name), ":material/arrow_downward:",
                               f"{K}:pdown:{index}", disabled=index == len(pages) - 1):
                    change(ed.move_page(doc, index, 1))
            with cols[3]:
                if icon_button(_("Remove page “{title}”; its fields move to the page before").format(title=name),
                               ":material/delete:", f"{K}:pdel:{index}"):
                    change(ed.remove_page(doc, index))
            for name in page_.get("fields") or []:
                row = st.columns([4, 3], vertical_alignment="center")
                row[0].text(names.get(name, name))
                target = row[1].selectbox(_("Move to page"), range(len(pages)), index=index, key=keyed(f"move:{name}"),
                                          format_func=lambda i: f"{i + 1}. {titles[i]}")
                if target != index:
                    change(ed.move_to_page(doc, name, target))
    for name in ed.unplaced_fields(doc):
        cols = st.columns([4, 3])
        cols[0].warning(_("“{label}” is on no page").format(label=names[name]))
        if cols[1].button(_("Put it on page {number}").format(number=len(pages)), key=f"{K}:place:{name}"):
            change(ed.move_to_page(doc, name, len(pages) - 1))
    cols = st.columns([4, 1], vertical_alignment="bottom")
    new_title = cols[0].text_input(_("New page title"), key=emptied(f"{K}:new_page"), placeholder=_("e.g. About you"))
    if cols[1].button(_("Add page"), key=f"{K}:add_page"):
        change(ed.add_page(doc, new_title), then=lambda: empty_next_run(f"{K}:new_page"))


# ------------------------------------------------------------------ approval steps


def steps_section(groups: dict[str, int]) -> None:
    steps = ed.steps_of(doc)
    if not steps:
        st.info(_("No approval steps: every request would be approved at once. Add the first step below."))
    for index, step in enumerate(steps):
        with st.container(border=True):
            step_editor(index, step, len(steps), groups)
    with st.container(border=True):
        st.markdown("**" + _("Add an approval step") + "**")
        cols = st.columns([2, 2, 1], vertical_alignment="bottom")
        name = cols[0].text_input(_("Step name"), key=emptied(f"{K}:new_step"),
                                  placeholder=_("e.g. Check by the licensing desk"))
        # Groups with members first: a step given to an empty group could never be decided.
        choices = sorted(groups, key=lambda g: (groups[g] == 0, g.lower()))
        group = cols[1].selectbox(_("Group that decides"), choices, key=f"{K}:new_step_group",
                                  format_func=lambda g: ngettext("{group} ({count} member)", "{group} ({count} members)",
                                                                 groups[g]).format(group=g, count=groups[g]))
        if cols[2].button(_("Add step"), key=f"{K}:add_step", type="primary", disabled=not groups):
            change(ed.add_step(doc, name or _("Review"), group),  # emptied, else one more click adds it twice
                   then=lambda: empty_next_run(f"{K}:new_step"))


def step_editor(index: int, step: dict[str, Any], count: int, groups: dict[str, int]) -> None:
    k = keyed(f"step:{step['id']}")
    top = st.columns([5, 1, 1, 1], vertical_alignment="bottom")
    name = top[0].text_input(_("Step {number}: name").format(number=index + 1), value=step["name"], key=f"{k}:name")
    with top[1]:
        if icon_button(_("Move step “{name}” earlier").format(name=step["name"]), ":material/arrow_upward:",
                       f"{K}:sup:{index}", disabled=index == 0):
            change(ed.move_step(doc, index, -1))
    with top[2]:
        if icon_button(_("Move step “{name}” later").format(name=step["name"]), ":material/arrow_downward:",
                       f"{K}:sdown:{index}", disabled=index == count - 1):
            change(ed.move_step(doc, index, 1))
    with top[3]:
        if icon_button(_("Remove step “{name}”").format(name=step["name"]), ":material/delete:", f"{K}:sdel:{index}"):
            change(ed.remove_step(doc, index))
    cols = st.columns(2)
    options = sorted(set(groups) | {step["group"]})
    group = cols[0].selectbox(_("Group that decides"), options, index=options.index(step["group"]), key=f"{k}:group",
                              format_func=lambda g: ngettext("{group} ({count} member)", "{group} ({count} members)",
                                                             groups[g]).format(group=g, count=groups[g])
                              if g in groups else _("{group} (missing)").format(group=g))
    policy = cols[1].selectbox(_("Who must approve"), list(POLICY_WORDS), index=list(POLICY_WORDS).index(step.get("policy", "any")),
                               format_func=POLICY_WORDS.__getitem__, key=f"{k}:policy")
    cols = st.columns(2)
    sla = cols[0].number_input(_("Working days allowed"), 1, 365, int(step.get("sla_days") or 5), key=f"{k}:sla")
    changes: dict[str, Any] = {"name": name.strip() or step["name"], "group": group, "policy": policy, "sla_days": int(sla)}
    if policy == "n":
        changes["approvals_needed"] = int(cols[1].number_input(_("How many approvals"), 1, 100,
                                                               int(step.get("approvals_needed") or 2), key=f"{k}:n"))
    changes["actions"] = st.multiselect(_("What reviewers can do"), list(STEP_ACTIONS), default=step.get("actions") or [],
                                        format_func=ACTION_WORDS.__getitem__, key=f"{k}:actions")
    changes["comments_visible_to_resident"] = st.checkbox(_("The resident sees this step's comments"),
                                                          value=step.get("comments_visible_to_resident", True), key=f"{k}:public")
    current = ed.step_condition(step)
    if step.get("condition") and current is None:
        st.caption(_("This step has an advanced rule written in JSON; edit it under “Advanced”."))
    else:
        changes["condition"] = condition_editor(f"{k}:cond", current, exclude=None, prompt=_("This step applies"))
    new_doc = ed.update_step(doc, index, **changes)
    if new_doc != doc:
        if save(new_doc):
            st.rerun()


# ------------------------------------------------------------------ settings


def settings_section() -> None:
    k = keyed("settings")
    settings = dict(doc.get("settings") or {})
    names = labels()
    title = st.text_input(_("Form title"), value=doc.get("title", ""), key=f"{k}:title", max_chars=200)
    description = st.text_area(_("Introduction shown above the form"), value=doc.get("description", ""), key=f"{k}:desc")
    who = {"anonymous": _("Anyone, without an account"), "signed_in": _("Only residents who have signed in")}
    settings["submission"] = st.radio(_("Who may submit"), list(who), format_func=who.__getitem__, horizontal=True,
                                      index=list(who).index(settings.get("submission", "anonymous")), key=f"{k}:who")
    settings["confirmation_text"] = st.text_area(
        _("Text the resident reads after submitting"), key=f"{k}:confirm",
        value=settings.get("confirmation_text", "Thank you. Your request has been received."))
    settings["reference_prefix"] = st.text_input(_("Reference prefix (2–4 capital letters)"), key=f"{k}:prefix",
                                                 value=settings.get("reference_prefix", "FW")).strip().upper() or "FW"
    retention_inputs(k, settings)
    settings["personal_data"] = st.multiselect(_("Fields holding personal data"), list(names), format_func=names.__getitem__,
                                               default=[n for n in settings.get("personal_data", []) if n in names],
                                               key=f"{k}:personal")
    settings["open_data"] = st.multiselect(_("Fields that may be published as open data"), list(names),
                                           format_func=names.__getitem__, key=f"{k}:open",
                                           default=[n for n in settings.get("open_data", []) if n in names])
    overlap = set(settings["personal_data"]) & set(settings["open_data"])
    if overlap:
        st.warning(_("Personal data should not be published: {fields}").format(
            fields=", ".join(names[n] for n in overlap)))
    emails = [None] + [n for n in names if ed.read_field(doc, n).kind == "email"]
    settings["contact_email_field"] = st.selectbox(
        _("Send updates to the address in"), emails, key=f"{k}:contact",
        index=emails.index(settings.get("contact_email_field")) if settings.get("contact_email_field") in emails else 0,
        format_func=lambda n: _("(no email field — only signed-in residents get mail)") if n is None else names[n])
    new_doc = {**doc, "title": title.strip() or doc.get("title", ""), "description": description, "settings": settings}
    if new_doc != doc:
        if save(new_doc):
            st.rerun()


def retention_inputs(k: str, settings: dict[str, Any]) -> None:
    """How long requests are kept, per kind. Withdrawn and abandoned follow the first period until the
    designer gives them another (an unset period is stored only once it differs)."""
    st.markdown("**" + _("How long requests are kept") + "**")
    cols = st.columns(3)
    finished = int(cols[0].number_input(
        _("Keep approved or rejected requests for (days)"), 1, 36500, int(settings.get("retention_days", 730)),
        key=f"{k}:retention", help=_("Counted from the decision. Then the answers, files, comments and contact details "
                                     "are removed; only the dates and steps stay, for the figures.")))
    withdrawn = int(cols[1].number_input(
        _("Keep withdrawn requests for (days)"), 1, 36500, int(settings.get("retention_withdrawn_days") or finished),
        key=f"{k}:retention_withdrawn", help=_("Counted from the day the resident withdrew the request. Then its "
                                               "answers, files, comments and contact details are removed.")))
    abandoned = int(cols[2].number_input(
        _("Close and remove requests the resident never answered after (days)"), 1, 36500,
        int(settings.get("retention_abandoned_days") or finished), key=f"{k}:retention_abandoned",
        help=_("Counted from the day the resident was asked for more information. If they have not answered by then, "
               "the request is closed as withdrawn and its answers, files, comments and contact details are removed.")))
    settings["retention_days"] = finished
    for name, days in (("retention_withdrawn_days", withdrawn), ("retention_abandoned_days", abandoned)):
        if days != finished or settings.get(name) is not None:
            settings[name] = days


# ------------------------------------------------------------------ translations


def language(code: str) -> str:
    """A language's name in the designer's interface language, as written in a sentence (“French”,
    « français »)."""
    return tr.language_name(code, current_locale())


def language_title(code: str) -> str:
    """A language's name on its own, as a label or at the start of a sentence (“French”, « Français »)."""
    name = language(code)
    return name[:1].upper() + name[1:]


def translations_section() -> None:
    source = language(tr.default_locale(doc))
    st.caption(_("The form is written in {language}. Residents choose their language on the form; a text "
                 "without a translation is shown in {language}.").format(language=source))
    add_language_box()
    offered = tr.offered_locales(doc)
    if not offered:
        st.info(_("This form is only in {language}. Add a language above to translate it.").format(language=source))
        return
    key = f"{K}:tr_locale"
    if st.session_state.get(key) not in offered:
        st.session_state[key] = offered[0]
    counts = {code: _gaps(tr.translation_rows(doc, code)) for code in offered}
    locale = st.radio(_("Language to edit"), offered, key=key, horizontal=True,
                      format_func=lambda code: _("{language} ({count} to do)").format(
                          language=language_title(code), count=counts[code]) if counts[code] else language_title(code))
    translation_table(locale)
    remove_language_box(locale)


def _gaps(rows: list[tr.TranslationRow]) -> int:
    return sum(row.status != "done" for row in rows)


def add_language_box() -> None:
    default, offered = tr.default_locale(doc), tr.offered_locales(doc)
    choices = [code for code in LANGUAGES if code not in (default, *offered)] + ["other"]
    with st.container(border=True):
        cols = st.columns(2, vertical_alignment="bottom")
        picked = cols[0].selectbox(_("Add a language"), choices, key=f"{K}:tr_new",
                                   format_func=lambda c: _("Another language (code)…") if c == "other" else language_title(c))
        code = picked
        if picked == "other":
            code = cols[1].text_input(_("Language code"), key=f"{K}:tr_code", placeholder=_("e.g. de, nl, pt-BR"),
                                      help=_("Any language code Babel knows, with a country if needed (pt-BR)."))
        if st.button(_("Add language"), key=f"{K}:tr_add", type="primary", disabled=not code.strip()):
            add_language(code)


def add_language(code: str) -> None:
    try:
        new_doc = tr.add_language(doc, code)
    except tr.UnknownLanguage:
        if code.strip().lower() == tr.default_locale(doc):
            st.error(_("The form is written in {language} already.").format(language=language(code.strip().lower())))
        else:
            st.error(_("“{code}” is not a language code we know. Use a code like de, nl or pt-BR.").format(
                code=code.strip()))
        return
    added = tr.locale_code(code)
    st.session_state[f"{K}:tr_locale"] = added
    change(new_doc, notice="" if added in LANGUAGES else _(
        "{language} added. Formwork's own screens are not translated into it yet, so residents can choose it "
        "once they are; until then the translations are kept with the form.").format(language=language_title(added)))


def translation_table(locale: str) -> None:
    rows = tr.translation_rows(doc, locale)
    missing = sum(row.status == "missing" for row in rows)
    stale = sum(row.status == "stale" for row in rows)
    st.caption(_("{done} of {total} texts translated · {missing} missing · {stale} to check").format(
        done=len(rows) - missing - stale, total=len(rows), missing=missing, stale=stale))
    only_open = st.toggle(_("Show only missing and changed texts"), key=f"{K}:tr_open")
    shown = [row for row in rows if row.status != "done" or not only_open]
    labels_by_name = labels()
    head = st.columns(2, gap="medium")
    head[0].markdown("**" + _("{language} (source)").format(language=language_title(tr.default_locale(doc))) + "**")
    head[1].markdown("**" + language_title(locale) + "**")
    for row in shown:
        with st.container(border=True, key=f"{K}:tr_{row.status}:{locale}:{row.pointer}"):
            translation_row(row, locale, labels_by_name)


def translation_row(row: tr.TranslationRow, locale: str, labels_by_name: dict[str, str]) -> None:
    cols = st.columns(2, gap="medium")
    where = PART_WORDS[row.part]
    if row.field in labels_by_name and (row.part != "field_title" or "/items/" in row.pointer):
        where = _("{part} · {field}").format(part=where, field=labels_by_name[row.field])
    with cols[0]:
        st.caption(where)
        st.text(row.source)
    with cols[1]:
        name = _("{language} for “{text}”").format(language=language(locale), text=_shorten(row.source))
        widget = st.text_area if len(row.source) > 25 or "\n" in row.source else st.text_input
        size = {"height": "content"} if widget is st.text_area else {}
        text = widget(name, value=row.text, key=keyed(f"tr:{locale}:{row.pointer}"),
                      **size)
        _status(row, locale)
    if text.strip() != row.text:
        if save(tr.set_translation(doc, locale, row.pointer, text)):
            st.rerun()


def _status(row: tr.TranslationRow, locale: str) -> None:
    if row.status == "missing":
        st.badge(_("Missing"), icon=":material/translate:", color="orange",
                 help=_("Residents who choose this language read the source text instead."))
    elif row.status == "stale":
        st.badge(_("Source changed"), icon=":material/history:", color="violet",
                 help=_("The source text changed since this was translated: check the translation."))
        st.caption(_("Translated from: {text}").format(text=plain(row.was)))
        if st.button(_("Still correct"), key=f"{K}:tr_ok:{locale}:{row.pointer}",
                     help=_("The translation still fits the new source text.")):
            change(tr.confirm_translation(doc, locale, row.pointer))


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def remove_language_box(locale: str) -> None:
    asking = st.session_state.get(f"{K}:tr_remove") == locale
    if not asking:
        if st.button(_("Remove {language} from this form").format(language=language(locale)), key=f"{K}:tr_remove_ask",
                     icon=":material/delete:"):
            st.session_state[f"{K}:tr_remove"] = locale
            st.rerun()
        return
    st.warning(_("Remove {language} and all its translations? Residents will no longer be offered it once the "
                 "next version is published.").format(language=language(locale)))
    cols = st.columns(2)
    if cols[0].button(_("Remove {language}").format(language=language(locale)), key=f"{K}:tr_remove_yes",
                      type="primary"):
        st.session_state.pop(f"{K}:tr_remove")
        change(tr.remove_language(doc, locale), notice=_("{language} removed.").format(language=language_title(locale)))
    if cols[1].button(_("Keep it"), key=f"{K}:tr_remove_no"):
        st.session_state.pop(f"{K}:tr_remove")
        st.rerun()


# ------------------------------------------------------------------ check and publish


def goto_finding(name: str | None, step: int | None, locale: str | None) -> None:
    """Callback of a finding's link: open the field, the steps or the translations it is about."""
    if name:
        select(name, doc)
        st.session_state[f"{K}:section"] = "Fields"
    elif step is not None:
        st.session_state[f"{K}:section"] = "Approval steps"
    elif locale is not None:
        st.session_state[f"{K}:section"] = "Translations"
        st.session_state[f"{K}:tr_locale"] = locale
    else:  # fields the builder cannot edit: the JSON under "Advanced"
        st.session_state[f"{K}:section"] = "Advanced"


def refusal_lines(exc: DefinitionInvalid) -> str:
    """Why publishing was refused, one problem a line, in the designer's language; labels as written (plain)."""
    locale = current_locale()
    return "\n".join(f"- {plain(line)}" for line in dict.fromkeys(localized(e, locale) for e in exc.errors))


def check_section(findings: list[Finding]) -> None:
    problems, warnings = errors(findings), [f for f in findings if f.severity == "warning"]
    if not findings:
        st.success(_("No problems found. The form is ready to publish."))
    locale = current_locale()
    for index, finding in enumerate(problems + warnings):
        box = st.error if finding.severity == "error" else st.warning
        cols = st.columns([5, 1], vertical_alignment="center")
        with cols[0]:  # the finding in the designer's language; labels in it are staff text: plain()
            box(plain(finding.text(locale)),
                icon=":material/error:" if finding.severity == "error" else ":material/warning:")
        if finding.field or finding.step is not None or finding.locale is not None or finding.code.startswith(
                "uneditable"):
            cols[1].button(_("Go to it"), key=f"{K}:goto:{index}", on_click=goto_finding,
                           args=(finding.field, finding.step, finding.locale))
    acknowledged = True
    if warnings and not problems:
        acknowledged = st.checkbox(_("I have read the warnings and want to publish anyway"), key=f"{K}:ack")
    blocked = ""
    if problems:
        blocked = ngettext("Fix the error above first; then this version can be published.",
                           "Fix the {count} errors above first; then this version can be published.",
                           len(problems)).format(count=len(problems))
        st.caption(blocked)
    elif not acknowledged:
        blocked = _("Tick “I have read the warnings” first.")
    if st.session_state.get(f"{K}:conflict"):  # what is on screen is not the stored draft that would be published
        blocked = _("Resolve the editing conflict at the top of the page first: publishing takes the saved draft.")
        st.caption(blocked)
    if st.button(_("Publish this version"), type="primary", key=f"{K}:publish",
                 disabled=bool(blocked), help=blocked or None):
        try:
            number = uc.publish(slug, actor, uow_factory())
        except DefinitionInvalid as exc:  # each problem on its own line, in the designer's language (plain)
            st.error(_("The form cannot be published yet:") + "\n\n" + refusal_lines(exc))
        except FormworkError as exc:
            st.error(staff_refusal(exc))
        else:
            st.session_state[f"{K}:notice"] = _("Published as version {number}. Residents now fill in this "
                                                "version.").format(number=number)
            st.session_state[f"{K}:doc"] = None  # reopen: the form now has a published version
            st.rerun()


# ------------------------------------------------------------------ versions


def versions_section() -> None:
    versions = uc.versions_of(slug, actor, uow_factory())
    if not versions:
        st.info(_("Nothing published yet. Publish under “Check and publish”; each publication is kept as a version."))
        return
    # Newest first, as on the forms page (versions_of gives them newest first).
    st.dataframe([{_("Version"): v.number, _("Published (UTC)"): v.published_at.strftime("%Y-%m-%d %H:%M"),
                   _("By"): v.published_by or ""} for v in versions], hide_index=True, width="stretch")
    choices = ["draft"] + [v.number for v in versions]
    words = lambda c: _("The current draft") if c == "draft" else _("Version {number}").format(number=c)  # noqa: E731
    cols = st.columns(2)
    older = cols[0].selectbox(_("Compare"), choices, index=1, format_func=words, key=f"{K}:diff_a")
    newer = cols[1].selectbox(_("with"), choices, index=0, format_func=words, key=f"{K}:diff_b")
    docs = {c: doc if c == "draft" else uc.version_definition(slug, c, actor, uow_factory()) for c in (older, newer)}
    changes = describe_changes(docs[older], docs[newer], current_locale())  # in the designer's language
    if not changes:
        st.caption(_("No differences."))
    for line in changes:
        st.text(f"• {line}")
    st.divider()
    older_versions = [v.number for v in versions[1:]]  # the first is live already
    if not older_versions:
        st.caption(_("Only one version has been published, so there is no older version to roll back to."))
        return
    cols = st.columns([2, 2], vertical_alignment="bottom")
    back = cols[0].selectbox(_("Roll back to"), older_versions, format_func=words, key=f"{K}:back")
    if cols[1].button(_("Publish version {number} again").format(number=back), key=f"{K}:rollback"):
        try:
            number = uc.republish(slug, back, actor, uow_factory())
        except DefinitionInvalid as exc:  # the same checks as publishing: e.g. its group was emptied since
            st.error(_("Version {number} cannot be published again; nothing was changed:").format(number=back)
                     + "\n\n" + refusal_lines(exc))
            return
        except FormworkError as exc:
            st.error(staff_refusal(exc))
            return
        st.session_state[f"{K}:notice"] = _("Version {old} is live again as version {new}. Requests already "
                                            "submitted keep the version they were made with. The draft is "
                                            "unchanged.").format(old=back, new=number)
        st.session_state[f"{K}:doc"] = None
        st.rerun()


# ------------------------------------------------------------------ advanced


def advanced_section() -> None:
    st.download_button(_("Export the definition (JSON file)"), uc.export_document(doc), file_name=f"{slug}.json",
                       mime="application/json", icon=":material/download:", key=f"{K}:export")
    text = st.text_area(_("The whole definition as JSON"), value=json.dumps(doc, indent=2, ensure_ascii=False),
                        height=420, key=keyed("json"))
    if st.button(_("Apply these changes"), key=f"{K}:apply_json"):
        apply_json(text)
    with st.expander(_("Import a file (replaces the draft)")):
        upload = st.file_uploader(_("A Formwork definition or a JSON Schema"), type=["json"], key=keyed("import"))
        ui_upload = st.file_uploader(_("Optional: its uiSchema"), type=["json"], key=keyed("import_ui"))
        if st.button(_("Import"), key=f"{K}:import", disabled=upload is None):
            try:
                imported = uc.import_document(upload.getvalue().decode("utf-8", "replace"),
                                              ui_upload.getvalue().decode("utf-8", "replace") if ui_upload else "",
                                              slug=slug, department=draft.department, title=doc.get("title", ""))
            except DefinitionInvalid as exc:
                st.error(plain(exc.errors[0].message))
            else:
                apply_json(json.dumps(imported))


def apply_json(text: str) -> None:
    try:
        new_doc = json.loads(text)
    except json.JSONDecodeError as exc:
        st.error(_("Line {line}, column {column}: {problem}. Nothing was changed.").format(
            line=exc.lineno, column=exc.colno, problem=exc.msg))
        return
    problems = sorted(Draft202012Validator(meta_schema()).iter_errors(new_doc), key=lambda e: list(e.absolute_path))
    if problems:
        st.error(_("Nothing was changed; the definition has these problems:"))
        for problem in problems[:20]:
            where = "/" + "/".join(str(p) for p in problem.absolute_path)
            st.text(_("• at {where}: {problem}").format(where=where, problem=problem.message))
        return
    if new_doc.get("slug") != slug or new_doc.get("department") != draft.department:
        st.error(_("The address (slug) and department of a form cannot change here."))
        return
    change(new_doc, notice=_("The definition was replaced and saved as the draft."))


# ------------------------------------------------------------------ preview and test run


def preview(groups: dict[str, int], locale: str | None) -> None:
    """The form as residents see it; while translating, as residents who chose that language see it."""
    st.subheader(_("Preview"))
    if locale:
        st.caption(_("What residents who choose {language} will see. Fill it in to test which approval steps "
                     "apply.").format(language=language(locale)))
    else:
        st.caption(_("What residents will see. Fill it in to test which approval steps apply."))
    shown = tr.localise(doc, locale) if locale else doc
    pages = ed.pages_of(shown)
    renderer = FormRenderer(shown.get("schema") or {}, shown.get("uiSchema") or {},
                            key=f"{K}:preview:{st.session_state.get(f'{K}:preview_gen', 0)}")
    page_index = None
    if pages:
        # A box of its own per language, in a container of its own: in the browser, a select box that
        # takes the place of another keeps showing the words of the option it had chosen.
        page_key = f"{K}:preview_page:{locale}" if locale else f"{K}:preview_page"
        with st.container(key=f"{K}:preview_pages:{locale}") if locale else contextlib.nullcontext():
            page_index = st.selectbox(_("Page"), range(len(pages)), key=page_key,
                                      format_func=lambda i: f"{i + 1}. {pages[i].get('title', '')}")
        page_index = min(page_index, len(pages) - 1)
    with st.container(border=True):
        st.subheader(plain(shown.get("title", "")), anchor=False)
        if shown.get("description"):
            st.text(shown["description"])
        try:
            answers = renderer.render(page=page_index)
        except Exception as exc:  # a half-edited definition must not break the editor beside it
            st.session_state[f"{K}:preview_gen"] = st.session_state.get(f"{K}:preview_gen", 0) + 1
            st.warning(_("The preview cannot show this form yet: {problem}").format(problem=exc))
            answers = {}
    test_run(shown, answers, groups)


def test_run(shown: dict[str, Any], answers: dict[str, Any], groups: dict[str, int]) -> None:
    st.markdown("**" + _("Test run: with these answers, the request goes to") + "**")
    try:
        steps = applicable_steps(Workflow.model_validate(shown.get("workflow") or {}), answers)
    except Exception as exc:  # same reason: show the problem, keep the editor usable
        st.warning(_("The approval steps cannot be tested yet: {problem}").format(problem=exc))
        return
    if not steps:
        st.caption(_("No step applies: the request would be approved at once."))
    for number, step in enumerate(steps, start=1):
        who = POLICY_WORDS.get(step.policy, step.policy).lower()
        if step.policy == "n":
            who = ngettext("{count} member", "{count} members", step.approvals_needed or 0).format(
                count=step.approvals_needed)
        days = ngettext("{count} working day", "{count} working days", step.sla_days or 0).format(count=step.sla_days)
        st.text(_("{number}. {step} — {group} ({who} must approve; {days})").format(
            number=number, step=step.name, group=step.group, who=who, days=days))


# ------------------------------------------------------------------ the page


st.html(ICON_BUTTON_STYLE)
header()
groups = uc.group_sizes(actor, uow_factory())
findings = lint(doc, group_size=groups.get)
problems = len(errors(findings))
if f"{K}:section" not in st.session_state:
    st.session_state[f"{K}:section"] = "Fields"
section = st.segmented_control(
    _("Section"), SECTIONS, key=f"{K}:section",
    format_func=lambda s: _("{section} ({count} to fix)").format(section=SECTION_WORDS[s], count=problems)
    if s == "Check and publish" and problems else SECTION_WORDS[s])
section = section or "Fields"
edit_col, preview_col = st.columns([3, 2], gap="large")
with edit_col:
    if section == "Fields":
        fields_section()
    elif section == "Pages":
        pages_section()
    elif section == "Approval steps":
        steps_section(groups)
    elif section == "Settings":
        settings_section()
    elif section == "Translations":
        translations_section()
    elif section == "Check and publish":
        check_section(findings)
    elif section == "Versions":
        versions_section()
    else:
        advanced_section()
with preview_col, st.container(key=f"{K}:preview"):
    translating = st.session_state.get(f"{K}:tr_locale") if section == "Translations" else None
    preview(groups, translating if translating in tr.offered_locales(doc) else None)
