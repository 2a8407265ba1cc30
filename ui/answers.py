"""Read-only views of a request: answers as a table, the history as a timeline.

Everything a resident wrote is shown through dataframes and ``st.text``: never markdown or HTML.
Nested groups become "Group › Question" rows; rows of a list become "List › Entry 2 › Question".

``show_answers_as_form`` draws the same answers as the resident filled them in: the form's own widgets,
disabled (``ui.renderer.FormRenderer.show``); widget values are text, never markdown.

Questions and choice labels are shown in the reader's interface language (the form's translations,
falling back to its own texts); dates, times, numbers and amounts of money are written the way that
language writes them. The stored answers never change: only how they are shown.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import streamlit as st

from builder.attachments import ANSWER_PREFIX
from builder.schema_view import resolve_ref, visible_fields
from builder.translations import localise
from ui.i18n import _, current_locale, show_date, show_money, show_number, show_time
from ui.renderer import FormRenderer


def localised_parts(schema: dict[str, Any], ui_schema: dict[str, Any], translations: dict[str, dict[str, str]] | None,
                    locale: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The schema and uiSchema with their texts in ``locale``, from a definition's ``translations``."""
    document = {"schema": schema, "uiSchema": ui_schema or {}, "translations": translations or {}}
    localised = localise(document, locale)
    return localised["schema"], localised["uiSchema"]


def answer_rows(schema: dict[str, Any], ui_schema: dict[str, Any], answers: dict[str, Any],
                prefix: str = "", *, root: dict[str, Any] | None = None) -> list[dict[str, str]]:
    """(question, answer) rows, with choice labels instead of stored values, in the current locale's format."""
    root = root if root is not None else schema
    rows: list[dict[str, str]] = []
    ui_schema = ui_schema if isinstance(ui_schema, dict) else {}
    fields = visible_fields(root, schema, answers)
    order = ui_schema.get("ui:order") if isinstance(ui_schema.get("ui:order"), list) else []
    fields.sort(key=lambda f: order.index(f.name) if f.name in order else (order.index("*") if "*" in order else len(order)))
    for field in fields:
        if field.name not in answers:
            continue
        sub = resolve_ref(root, field.schema)
        ui = ui_schema.get(field.name, {}) if isinstance(ui_schema.get(field.name), dict) else {}
        if ui.get("ui:widget") == "hidden":
            continue
        title = str(ui.get("ui:title") or sub.get("title") or field.name)
        rows.extend(_rows(f"{prefix}{title}", sub, ui, answers[field.name], root))
    return rows


def _rows(title: str, schema: dict[str, Any], ui: dict[str, Any], value: Any, root: dict[str, Any]) -> list[dict[str, str]]:
    if isinstance(value, dict):
        return answer_rows(schema, ui, value, f"{title} › ", root=root)
    items = resolve_ref(root, schema.get("items")) if isinstance(schema.get("items"), dict) else {}
    if isinstance(value, list) and any(isinstance(item, dict) for item in value):
        item_ui = ui.get("items") if isinstance(ui.get("items"), dict) else {}
        entry = _("Entry {number}")
        return [row for index, item in enumerate(value)
                for row in _rows(f"{title} › " + entry.format(number=index + 1), items, item_ui, item, root)]
    return [{"Question": title, "Answer": display_value(schema, value, root, ui)}]


def choice_labels(schema: dict[str, Any], ui: dict[str, Any] | None = None) -> dict[str, str]:
    """The label of each stored choice: ``oneOf``/``anyOf`` titles, or ``enum`` with ``ui:enumNames`` (or the
    older ``enumNames`` in the schema), as the resident saw them in the form."""
    options = [o for o in schema.get("oneOf", []) + schema.get("anyOf", []) if isinstance(o, dict) and "const" in o]
    labels = {str(o["const"]): str(o.get("title", o["const"])) for o in options}
    enum = schema.get("enum")
    names = (ui or {}).get("ui:enumNames")
    names = names if isinstance(names, list) else schema.get("enumNames")
    if isinstance(enum, list) and isinstance(names, list) and len(names) == len(enum):
        labels.update({str(option): str(name) for option, name in zip(enum, names, strict=True)})
    return labels


def display_value(schema: dict[str, Any], value: Any, root: dict[str, Any] | None = None,
                  ui: dict[str, Any] | None = None) -> str:
    labels = choice_labels(schema, ui)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if value is None:
        return ""
    if isinstance(value, list):
        item_schema = resolve_ref(root or {}, schema["items"]) if isinstance(schema.get("items"), dict) else {}
        item_ui = (ui or {}).get("items") if isinstance((ui or {}).get("items"), dict) else None
        return "; ".join(display_value(item_schema, item, root, item_ui) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {display_value({}, v)}" for k, v in value.items())
    if isinstance(value, str) and value.startswith(ANSWER_PREFIX):
        return _("A file (see Files)")
    if str(value) in labels:
        return labels[str(value)]
    return _formatted(schema, value)


def _formatted(schema: dict[str, Any], value: Any) -> str:
    """A number, amount, date or time as the current locale writes it; anything else as it was given."""
    if isinstance(value, int | float):
        return show_money(value) if schema.get("format") == "money" else show_number(value)
    parse = {"date": date.fromisoformat, "date-time": datetime.fromisoformat, "time": time.fromisoformat}.get(
        str(schema.get("format")))
    if isinstance(value, str) and parse is not None:
        try:
            parsed = parse(value)
        except ValueError:
            return value  # not a valid date: show exactly what was stored
        return show_time(parsed) if isinstance(parsed, time) else show_date(parsed)
    return str(value)


def show_answers(schema: dict[str, Any], ui_schema: dict[str, Any], answers: dict[str, Any],
                 translations: dict[str, dict[str, str]] | None = None) -> None:
    """The answers as a table, questions and choices in the reader's language when the form has it."""
    schema, ui_schema = localised_parts(schema, ui_schema, translations, current_locale())
    rows = answer_rows(schema, ui_schema, answers)
    if not rows:
        st.text(_("No answers."))
        return
    question, answer = _("Question"), _("Answer")
    st.dataframe([{question: row["Question"], answer: row["Answer"]} for row in rows], hide_index=True,
                 width="stretch")


def show_answers_as_form(schema: dict[str, Any], ui_schema: dict[str, Any], answers: dict[str, Any], *, key: str,
                         translations: dict[str, dict[str, str]] | None = None,
                         files: dict[str, str] | None = None) -> None:
    """The answers in the form's own widgets, locked, in the reader's language; ``key`` keeps the widgets apart
    from the page's others (give it the request's version, so a changed request starts afresh). ``files`` maps
    a file field's answer to the file's name. Nothing the widgets hold is ever stored."""
    schema, ui_schema = localised_parts(schema, ui_schema, translations, current_locale())
    with st.container(border=True):  # the resident's form, set apart from the staff panels below it
        FormRenderer(schema, ui_schema, key=key).show(answers, files=files)
