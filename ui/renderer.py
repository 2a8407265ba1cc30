"""JSON Schema + uiSchema → Streamlit widgets, and back to a JSON answer object.

Conventions of react-jsonschema-form for the uiSchema (``ui:order``, ``ui:widget``, ``ui:title``,
``ui:description``, ``ui:help``, ``ui:placeholder``, ``ui:options``), nested per property and per
``items``. One extension, ``ui:pages`` at the root, splits a long form into steps::

    "ui:pages": [{"title": "About you", "fields": ["name", "email"]}, ...]

Answers are kept in ``st.session_state`` under the form key, so moving between pages loses nothing.
Labels and help texts pass through ``ui.text.plain``: they are never interpreted as markdown.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

import streamlit as st

from builder.errors import FieldError
from builder.schema_view import FieldView, resolve_ref, visible_fields
from ui.text import plain

DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2100, 12, 31)


class FormRenderer:
    """Renders one form (``key`` keeps its answers in the session) and returns the answers."""

    def __init__(self, schema: dict[str, Any], ui_schema: dict[str, Any], *, key: str) -> None:
        self.root = schema
        self.ui = ui_schema or {}
        self.key = key

    # ---------------------------------------------------------------- state

    @property
    def answers(self) -> dict[str, Any]:
        return st.session_state.setdefault(f"{self.key}:answers", {})

    def set_answers(self, answers: dict[str, Any]) -> None:
        st.session_state[f"{self.key}:answers"] = dict(answers)

    def pages(self) -> list[dict[str, Any]]:
        pages = self.ui.get("ui:pages")
        if isinstance(pages, list) and pages:
            return pages
        return [{"title": "", "fields": None}]

    # ---------------------------------------------------------------- rendering

    def render(self, *, page: int | None = None, errors: Sequence[FieldError] = (), disabled: bool = False) -> dict[str, Any]:
        """Render the fields (of one page, when given) and return the whole answer object."""
        only = None
        if page is not None:
            fields = self.pages()[page].get("fields")
            only = set(fields) if fields else None
        answers = dict(self.answers)
        rendered = self._object(self.root, self.ui, answers, path=(), errors=errors, only=only, disabled=disabled)
        # Keep answers of fields on other pages; drop only what this page removed.
        merged = {name: value for name, value in answers.items() if only is not None and name not in only}
        merged.update(rendered)
        self.set_answers(merged)
        return merged

    def _object(self, node: dict[str, Any], ui: dict[str, Any], values: dict[str, Any], *, path: tuple[Any, ...],
                errors: Sequence[FieldError], only: set[str] | None, disabled: bool) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for field in self._ordered(visible_fields(self.root, node, values), ui):
            if only is not None and not path and field.name not in only:
                continue
            child_ui = ui.get(field.name, {}) if isinstance(ui.get(field.name), dict) else {}
            value = self._field(field, child_ui, values.get(field.name), path=(*path, field.name), errors=errors,
                                disabled=disabled)
            if value is not None and value != "":
                result[field.name] = value
            if value is not None and value != "" and values.get(field.name) != value:
                values[field.name] = value  # later conditions see this run's answer
        return result

    def _ordered(self, fields: list[FieldView], ui: dict[str, Any]) -> list[FieldView]:
        order = ui.get("ui:order")
        if not isinstance(order, list):
            return fields
        by_name = {field.name: field for field in fields}
        named = [name for name in order if name != "*"]
        rest = [field.name for field in fields if field.name not in named]
        sequence: list[str] = []
        for name in order:
            sequence.extend(rest if name == "*" else [name])
        if "*" not in order:
            sequence.extend(rest)
        return [by_name[name] for name in sequence if name in by_name]

    def _field(self, field: FieldView, ui: dict[str, Any], value: Any, *, path: tuple[Any, ...],
               errors: Sequence[FieldError], disabled: bool) -> Any:
        schema = resolve_ref(self.root, field.schema)
        widget = ui.get("ui:widget")
        if widget == "hidden":
            return value if value is not None else schema.get("default")
        key = f"{self.key}:{'/'.join(str(p) for p in path)}"
        label = plain(ui.get("ui:title") or schema.get("title") or field.name.replace("_", " ").capitalize())
        if field.required:
            label += " \\*"
        help_text = ui.get("ui:help") or ui.get("ui:description") or schema.get("description")
        locked = disabled or bool(schema.get("readOnly")) or "const" in schema
        kind = _kind(schema, widget)
        if kind == "object":
            with st.container(border=True):
                st.markdown(f"**{label}**")
                return self._object(schema, ui, dict(value or {}), path=path, errors=errors, only=None,
                                    disabled=locked) or None
        result = _WIDGETS[kind](schema, ui, value, key=key, label=label,
                                help=plain(help_text) if help_text else None, disabled=locked)
        for error in errors:
            if error.path == path:
                st.error(error.message, icon=":material/error:")
        return result


def _kind(schema: dict[str, Any], widget: Any) -> str:
    if _choices(schema) is not None and schema.get("type") != "array":
        return "choice"
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    fmt = schema.get("format")
    if kind == "string" and (fmt == "date" or widget == "date"):
        return "date"
    if kind == "string" and fmt == "time":
        return "time"
    if kind == "string" and fmt == "date-time":
        return "datetime"
    if kind == "string" and widget in {"textarea"}:
        return "textarea"
    if kind == "array":
        return "multichoice" if _choices(schema.get("items", {})) is not None else "list"
    return {"boolean": "boolean", "integer": "number", "number": "number", "object": "object"}.get(str(kind), "text")


def _choices(schema: dict[str, Any]) -> list[tuple[Any, str]] | None:
    if isinstance(schema.get("enum"), list):
        return [(option, str(option)) for option in schema["enum"]]
    options = schema.get("oneOf") or schema.get("anyOf")
    if isinstance(options, list) and options and all(isinstance(o, dict) and "const" in o for o in options):
        return [(o["const"], str(o.get("title", o["const"]))) for o in options]
    return None


def _text(schema: dict[str, Any], ui: dict[str, Any], value: Any, **kw: Any) -> str | None:
    placeholder = ui.get("ui:placeholder") or (schema.get("examples") or [None])[0]
    kind = "password" if ui.get("ui:widget") == "password" else "default"
    text = st.text_input(value=value if value is not None else schema.get("default", "") or "",
                         placeholder=str(placeholder) if placeholder else None, max_chars=schema.get("maxLength"),
                         type=kind, **kw)
    return text.strip() or None


def _textarea(schema: dict[str, Any], ui: dict[str, Any], value: Any, **kw: Any) -> str | None:
    rows = (ui.get("ui:options") or {}).get("rows", 4)
    placeholder = ui.get("ui:placeholder")
    text = st.text_area(value=value if value is not None else schema.get("default", "") or "",
                        placeholder=str(placeholder) if placeholder else None, max_chars=schema.get("maxLength"),
                        height=max(68, int(rows) * 28), **kw)
    return text.strip() or None


def _number(schema: dict[str, Any], ui: dict[str, Any], value: Any, **kw: Any) -> int | float | None:
    integer = schema.get("type") == "integer"
    cast = int if integer else float
    minimum, maximum = schema.get("minimum"), schema.get("maximum")
    if ui.get("ui:widget") == "range" and minimum is not None and maximum is not None:
        start = value if value is not None else schema.get("default", minimum)
        return st.slider(min_value=cast(minimum), max_value=cast(maximum), value=cast(start),
                         step=cast(schema.get("multipleOf", 1)), **kw)
    current = value if value is not None else schema.get("default")
    number = st.number_input(
        value=cast(current) if current is not None else None, min_value=cast(minimum) if minimum is not None else None,
        max_value=cast(maximum) if maximum is not None else None, step=cast(schema.get("multipleOf", 1 if integer else 0.01)),
        format="%d" if integer else "%.2f", placeholder=str(ui.get("ui:placeholder") or "") or None, **kw)
    if number is None:
        return None
    return int(number) if integer else float(number)


def _boolean(schema: dict[str, Any], ui: dict[str, Any], value: Any, **kw: Any) -> bool:
    current = bool(value if value is not None else schema.get("default", False))
    if ui.get("ui:widget") == "radio":
        return st.radio(options=[True, False], format_func=lambda v: "Yes" if v else "No", index=0 if current else 1,
                        horizontal=True, **kw)
    return bool(st.checkbox(value=current, **kw))


def _choice(schema: dict[str, Any], ui: dict[str, Any], value: Any, **kw: Any) -> Any:
    options = _choices(schema) or []
    values = [option for option, _ in options]
    labels = {option: plain(label) for option, label in options}
    current = value if value is not None else schema.get("default")
    index = values.index(current) if current in values else None
    if ui.get("ui:widget") == "radio" or (len(values) <= 4 and ui.get("ui:widget") != "select"):
        inline = bool((ui.get("ui:options") or {}).get("inline", True))
        return st.radio(options=values, format_func=lambda v: labels[v], index=index, horizontal=inline, **kw)
    return st.selectbox(options=values, format_func=lambda v: labels[v], index=index,
                        placeholder="Choose an option", **kw)


def _multichoice(schema: dict[str, Any], ui: dict[str, Any], value: Any, **kw: Any) -> list[Any] | None:
    options = _choices(schema.get("items", {})) or []
    values = [option for option, _ in options]
    labels = {option: plain(label) for option, label in options}
    chosen = [v for v in (value or schema.get("default") or []) if v in values]
    picked = st.multiselect(options=values, default=chosen, format_func=lambda v: labels[v],
                            placeholder="Choose one or more", **kw)
    return list(picked) or None


def _list(schema: dict[str, Any], ui: dict[str, Any], value: Any, **kw: Any) -> list[str] | None:
    text = st.text_area(value="\n".join(str(v) for v in (value or [])), **kw)
    st.caption("One entry per line.")
    items = [line.strip() for line in text.splitlines() if line.strip()]
    return items or None


def _date(schema: dict[str, Any], ui: dict[str, Any], value: Any, **kw: Any) -> str | None:
    current = _parse(date.fromisoformat, value)
    picked = st.date_input(value=current, min_value=DATE_MIN, max_value=DATE_MAX, format="YYYY-MM-DD", **kw)
    return picked.isoformat() if isinstance(picked, date) else None


def _time(schema: dict[str, Any], ui: dict[str, Any], value: Any, **kw: Any) -> str | None:
    current = _parse(time.fromisoformat, value)
    picked = st.time_input(value=current, step=300, **kw)
    return picked.strftime("%H:%M") if isinstance(picked, time) else None


def _datetime(schema: dict[str, Any], ui: dict[str, Any], value: Any, **kw: Any) -> str | None:
    current = _parse(datetime.fromisoformat, value)
    picked = st.datetime_input(value=current, min_value=datetime(1900, 1, 1), max_value=datetime(2100, 12, 31), **kw) \
        if hasattr(st, "datetime_input") else None
    return picked.isoformat(timespec="minutes") if isinstance(picked, datetime) else None


def _parse(parser: Any, value: Any) -> Any:
    if not isinstance(value, str):
        return None
    try:
        return parser(value)
    except ValueError:
        return None


_WIDGETS = {
    "text": _text,
    "textarea": _textarea,
    "number": _number,
    "boolean": _boolean,
    "choice": _choice,
    "multichoice": _multichoice,
    "list": _list,
    "date": _date,
    "time": _time,
    "datetime": _datetime,
}
