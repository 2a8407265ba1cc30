"""JSON Schema + uiSchema → Streamlit widgets, and back to a JSON answer object.

Conventions of react-jsonschema-form for the uiSchema (``ui:order`` with ``*``, ``ui:widget``,
``ui:title``, ``ui:description``, ``ui:help``, ``ui:placeholder``, ``ui:options``, ``ui:enumNames``,
``ui:readonly`` and ``ui:disabled``, which lock the widget and keep its value, and ``ui:label: false``,
honoured for checkboxes only: every other field keeps a visible label), nested per property and per
``items``. A field's description is its help tooltip; ``ui:help`` is a note under it. A field of type
``null`` is a section heading with its description as text. One extension, ``ui:pages`` at the root,
splits a long form into steps::

    "ui:pages": [{"title": "About you", "fields": ["name", "email"]}, ...]

Answers are kept in ``st.session_state`` under the form key, so moving between pages loses nothing.
Labels pass through ``ui.text.label_text`` and help texts through ``ui.text.plain``: they are never
interpreted as markdown. Dates are entered in the order of the interface language; amounts of money,
and numbers with decimals or of four digits or more, are echoed in its format (``ui.i18n``); answers
themselves stay ISO dates and plain numbers.
A submitted request is drawn read-only with ``show``: the same widgets, disabled, all pages in turn.
What the renderer cannot honour is reported to the designer by ``builder.renderer_support`` at save
time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date, datetime, time
from typing import Any

import streamlit as st

from builder.attachments import is_file_field
from builder.errors import AnswersInvalid, FieldError
from builder.schema_view import FieldView, resolve_ref, visible_fields
from builder.validation import DEFAULT_MAX_LENGTH, date_bound
from ui.i18n import _, current_locale, date_input_format, show_money, show_number
from ui.text import label_text, literal, plain

# Far outside Streamlit's ±10-year default: birth dates and old permits must be enterable.
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2100, 12, 31)

Path = tuple[str | int, ...]
# A page hands the renderer what to do with an uploaded file: store it, return the answer value.
UploadHandler = Callable[[Path, dict[str, Any], Any], Any]


class FormRenderer:
    """Renders one form (``key`` keeps its answers in the session) and returns the answers."""

    def __init__(self, schema: dict[str, Any], ui_schema: dict[str, Any], *, key: str,
                 on_upload: UploadHandler | None = None) -> None:
        self.root = schema
        self.ui = ui_schema or {}
        self.key = key
        self.on_upload = on_upload
        self.file_names: dict[str, str] | None = None  # set while ``show`` draws a submitted request

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
        self.errors = errors
        self.disabled = disabled
        rendered = self._object(self.root, self.ui, answers, path=(), only=only, locked=disabled)
        # Keep answers of fields on other pages; drop only what this page removed.
        merged = {name: value for name, value in answers.items() if only is not None and name not in only}
        merged.update(rendered)
        self.set_answers(merged)
        return merged

    def show(self, answers: dict[str, Any], *, files: dict[str, str] | None = None) -> None:
        """Read-only: submitted ``answers`` in the form's own widgets, disabled, every page one after another
        under its title, for a reviewer. Nothing is kept: the answers in the session under this key are neither
        read nor written, no upload handler is needed, rows have no buttons, and a file field shows the name
        of its file (``files``: the answer value, ``attachment:<id>``, to the file's name)."""
        self.errors, self.disabled, self.file_names = (), True, dict(files or {})
        try:
            pages = self.pages()
            listed = {name for page in pages for name in (page.get("fields") or ())}
            whole = any(not page.get("fields") for page in pages)
            stray = {name for name in answers if name not in listed}  # answered, yet on no page: shown last
            for page in [*pages, *([{"title": "", "fields": sorted(stray)}] if stray and not whole else [])]:
                if page.get("title"):
                    st.markdown(f"#### {plain(str(page['title']))}")
                only = set(page["fields"]) if page.get("fields") else None
                self._object(self.root, self.ui, dict(answers), path=(), only=only, locked=True)
        finally:
            self.file_names = None

    def _object(self, node: dict[str, Any], ui: dict[str, Any], values: dict[str, Any], *, path: Path,
                only: set[str] | None, locked: bool) -> dict[str, Any]:
        result: dict[str, Any] = {}
        done: set[str] = set()
        fields = self._ordered(visible_fields(self.root, node, values), ui)
        while (field := next((f for f in fields if f.name not in done), None)) is not None:
            done.add(field.name)
            if only is not None and not path and field.name not in only:
                continue
            child_ui = ui.get(field.name) if isinstance(ui.get(field.name), dict) else {}
            before = values.get(field.name)
            value = self._field(field, child_ui, before, path=(*path, field.name), locked=locked)
            if value is _NULL:
                if field.name in values:
                    result[field.name] = None
            elif value is not None and value != "":
                result[field.name] = value
                values[field.name] = value  # the fields below see this run's answer
            else:
                values.pop(field.name, None)
            if values.get(field.name) != before:  # an answer changed: conditions may show or hide fields
                fields = self._ordered(visible_fields(self.root, node, values), ui)
        shown = {f.name for f in fields}
        return {name: value for name, value in result.items() if name in shown}

    @staticmethod
    def _ordered(fields: list[FieldView], ui: dict[str, Any]) -> list[FieldView]:
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

    def _field(self, field: FieldView, ui: dict[str, Any], value: Any, *, path: Path, locked: bool) -> Any:
        schema = resolve_ref(self.root, field.schema)
        widget = ui.get("ui:widget")
        if widget == "hidden":
            return value if value is not None else schema.get("default")
        title = str(ui.get("ui:title") or schema.get("title") or field.name.replace("_", " ").capitalize())
        # The marker is a plain suffix: a lone "*" before the end is not emphasis, and the screen reader
        # name (Streamlit's aria-label is the raw label) stays "Name *" rather than "Name \*".
        label = label_text(title) + (" *" if field.required else "")
        heading = plain(title) + (" \\*" if field.required else "")  # for markdown headings and captions
        # Both are shown: the description in the field's help tooltip, ``ui:help`` as a note under the field.
        description = ui.get("ui:description") or schema.get("description")
        note = ui.get("ui:help")
        # ``ui:readonly`` / ``ui:disabled`` lock the widget; it still shows and returns the value it has.
        locked = locked or bool(schema.get("readOnly")) or "const" in schema or _ui_locked(ui)
        if isinstance(ui.get("ui:enumNames"), list) and isinstance(schema.get("enum"), list):
            schema = {**schema, "enumNames": ui["ui:enumNames"]}
        if isinstance(schema.get("items"), dict) and "$ref" in schema["items"]:
            schema = {**schema, "items": resolve_ref(self.root, schema["items"])}
        kind = _kind(schema, widget)
        if kind == "null":
            return _section(title, description, note)
        if kind == "object":
            return self._group(schema, ui, value, heading=heading, help_text=description, note=note, path=path,
                               locked=locked)
        if kind == "rows":
            return self._rows(schema, ui, value, heading=heading, help_text=description, note=note, path=path,
                              locked=locked)
        kw = {"key": self._key(path), "label": label, "help": plain(str(description)) if description else None,
              "disabled": locked, "label_visibility": "collapsed" if _label_hidden(kind, ui) else "visible"}
        if "const" in schema:
            value = schema["const"]
        if kind == "file":
            result = self._file(schema, ui, value, where=path, **kw)
        else:
            result = _WIDGETS[kind](schema, ui, value, heading=heading, **kw)
        if note:
            st.caption(plain(str(note)))
        self._show_errors(path, below=True)
        return result

    def _key(self, path: Path) -> str:
        return f"{self.key}:{'/'.join(str(p) for p in path)}"

    def _show_errors(self, path: Path, *, below: bool = False) -> None:
        """Messages of this field; a single widget also shows those of its entries (a list's items)."""
        for error in self.errors:
            where = tuple(error.path)
            if where == path or below and where[:len(path)] == path:
                st.error(plain(error.message), icon=":material/error:")

    def _group(self, schema: dict[str, Any], ui: dict[str, Any], value: Any, *, heading: str, help_text: Any,
               note: Any, path: Path, locked: bool) -> dict[str, Any] | None:
        with st.container(border=True):
            st.markdown(f"**{heading}**")
            for text in (help_text, note):
                if text:
                    st.caption(plain(str(text)))
            self._show_errors(path)
            return self._object(schema, ui, dict(value or {}), path=path, only=None, locked=locked) or None

    # ---------------------------------------------------------------- arrays of objects

    def _rows(self, schema: dict[str, Any], ui: dict[str, Any], value: Any, *, heading: str, help_text: Any,
              note: Any, path: Path, locked: bool) -> list[dict[str, Any]] | None:
        """Rows of a group, with add / remove / move up buttons as ``ui:options`` allow."""
        options = ui.get("ui:options") if isinstance(ui.get("ui:options"), dict) else {}
        item_schema = resolve_ref(self.root, schema.get("items") or {})
        item_ui = ui.get("items") if isinstance(ui.get("items"), dict) else {}
        rows = [dict(row) if isinstance(row, dict) else {} for row in (value or [])]
        st.markdown(f"**{heading}**")
        for text in (help_text, note):
            if text:
                st.caption(plain(str(text)))
        self._show_errors(path)
        result: list[dict[str, Any]] = []
        change: tuple[str, int] | None = None
        for index, row in enumerate(rows):
            with st.container(border=True):
                st.caption(plain(f"{item_schema.get('title') or _('Entry')} {index + 1}"))
                result.append(self._object(item_schema, item_ui, row, path=(*path, index), only=None, locked=locked))
                change = self._row_buttons(path, index, len(rows), options, locked) or change
        if not locked and options.get("addable", True) and len(rows) < int(schema.get("maxItems", 10**6)):
            if st.button(_("Add an entry"), key=self._key((*path, "add")), icon=":material/add:"):
                change = ("add", len(rows))
        if change:
            self._apply_row_change(path, result, change)
        return result or None

    def _row_buttons(self, path: Path, index: int, count: int, options: dict[str, Any],
                     locked: bool) -> tuple[str, int] | None:
        if locked:
            return None
        change = None
        left = right = st.container(horizontal=True)
        if options.get("orderable", True) and index > 0 and left.button(
                _("Move up"), key=self._key((*path, index, "up")), icon=":material/arrow_upward:"):
            change = ("up", index)
        if options.get("removable", True) and right.button(
                _("Remove"), key=self._key((*path, index, "remove")), icon=":material/delete:"):
            change = ("remove", index)
        return change

    def _apply_row_change(self, path: Path, rows: list[dict[str, Any]], change: tuple[str, int]) -> None:
        """Store the new rows, forget the widgets of this list (their keys shift) and rerun."""
        action, index = change
        if action == "add":
            rows.append({})
        elif action == "remove":
            rows.pop(index)
        elif action == "up":
            rows[index - 1], rows[index] = rows[index], rows[index - 1]
        prefix = self._key(path) + "/"
        for name in [k for k in st.session_state if isinstance(k, str) and k.startswith(prefix)]:
            del st.session_state[name]
        answers = dict(self.answers)
        _set_path(answers, path, rows)
        self.set_answers(answers)
        st.rerun()

    # ---------------------------------------------------------------- files

    def _file(self, schema: dict[str, Any], ui: dict[str, Any], value: Any, *, where: Path, **kw: Any) -> Any:
        """An uploader; the page's ``on_upload`` checks and stores the file once per chosen file."""
        if self.file_names is not None:  # a submitted request: the file's name, in a locked text field
            name = self.file_names.get(value, _("A file (see Files)")) if isinstance(value, str) and value else ""
            st.text_input(value=name, **{**kw, "disabled": True})
            return value
        options = ui.get("ui:options") if isinstance(ui.get("ui:options"), dict) else {}
        accept = options.get("accept")
        wanted = accept.split(",") if isinstance(accept, str) else accept if isinstance(accept, list) else []
        suffixes = [str(t).strip().lstrip(".").lower() for t in wanted if "/" not in str(t)]
        if value:
            st.caption(_("A file is attached. Choose another file to replace it."))
        # The browser filters by extension only; the content is checked again when the file is stored.
        upload = st.file_uploader(type=[*suffixes, *(["jpeg"] if "jpg" in suffixes else [])] or None, **kw)
        if upload is None or self.on_upload is None:
            return value
        memo_key = f"{kw['key']}:stored"
        memo = st.session_state.get(memo_key)
        if not memo or memo[0] != upload.file_id:
            try:
                memo = (upload.file_id, self.on_upload(where, schema, upload), None)
            except AnswersInvalid as exc:
                memo = (upload.file_id, None, exc.errors[0].message if exc.errors else str(exc))
            st.session_state[memo_key] = memo
        if memo[2]:
            st.error(plain(memo[2]), icon=":material/error:")
        return memo[1] if memo[1] is not None else value


_NULL = object()


def _ui_locked(ui: dict[str, Any]) -> bool:
    return ui.get("ui:readonly") is True or ui.get("ui:disabled") is True


def _label_hidden(kind: str, ui: dict[str, Any]) -> bool:
    """``ui:label: false`` hides the label of a checkbox only (its name stays for screen readers); every other
    field keeps a visible label, and the lint tells the designer the setting is not honoured there."""
    options = ui.get("ui:options") if isinstance(ui.get("ui:options"), dict) else {}
    asked = ui.get("ui:label") is False or options.get("label") is False
    return asked and kind == "boolean" and ui.get("ui:widget") not in {"radio", "select"}


def _section(title: str, description: Any, note: Any) -> object:
    """A heading with its explanation (a field of type null): staff text, shown literally, never an answer."""
    st.header(plain(title), anchor=False)  # the level below the page title (h1): no level skipped
    for text in (description, note):
        if text:
            st.markdown(plain(str(text)))
    return _NULL


def _set_path(target: dict[str, Any], path: Path, value: Any) -> None:
    node: Any = target
    for part in path[:-1]:
        node = node.setdefault(part, {}) if isinstance(node, dict) else node[part]
    node[path[-1]] = value


def _kind(schema: dict[str, Any], widget: Any) -> str:
    if is_file_field(schema, {"ui:widget": widget} if widget else {}):
        return "file"
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if "const" in schema and not kind:
        return "const"
    if _choices(schema) is not None and kind != "array":
        return "choice"
    fmt = schema.get("format")
    if kind == "string":
        if fmt == "date" or widget == "date":
            return "date"
        if fmt == "time" or widget == "time":
            return "time"
        if fmt == "date-time" or widget == "date-time":
            return "datetime"
        return "textarea" if widget == "textarea" else "text"
    if kind == "array":
        items = schema.get("items") if isinstance(schema.get("items"), dict) else {}
        if _choices(items) is not None:
            return "multichoice"
        return "rows" if items.get("type") == "object" or "properties" in items else "list"
    return {"boolean": "boolean", "integer": "number", "number": "number", "object": "object",
            "null": "null"}.get(str(kind), "text")


def _choices(schema: dict[str, Any]) -> list[tuple[Any, str]] | None:
    if isinstance(schema.get("enum"), list):
        names = schema.get("enumNames")
        labels = names if isinstance(names, list) and len(names) == len(schema["enum"]) else schema["enum"]
        return [(option, str(label)) for option, label in zip(schema["enum"], labels, strict=True)]
    options = schema.get("oneOf") or schema.get("anyOf")
    if isinstance(options, list) and options and all(isinstance(o, dict) and "const" in o for o in options):
        return [(o["const"], str(o.get("title", o["const"]))) for o in options]
    return None


def _placeholder(schema: dict[str, Any], ui: dict[str, Any]) -> str | None:
    examples = schema.get("examples")
    placeholder = ui.get("ui:placeholder") or (examples[0] if isinstance(examples, list) and examples else None)
    return literal(str(placeholder)) if placeholder is not None else None  # an attribute: never markdown


def _start(schema: dict[str, Any], value: Any) -> Any:
    return value if value is not None else schema.get("default")


def _text(schema: dict[str, Any], ui: dict[str, Any], value: Any, *, heading: str, **kw: Any) -> str | None:
    kind = "password" if ui.get("ui:widget") == "password" else "default"
    current = _start(schema, value)
    text = st.text_input(value="" if current is None else str(current), placeholder=_placeholder(schema, ui),
                         max_chars=schema.get("maxLength", DEFAULT_MAX_LENGTH), type=kind, **kw)
    return text.strip() or None


def _textarea(schema: dict[str, Any], ui: dict[str, Any], value: Any, *, heading: str, **kw: Any) -> str | None:
    rows = (ui.get("ui:options") or {}).get("rows", 4)
    current = _start(schema, value)
    text = st.text_area(value="" if current is None else str(current), placeholder=_placeholder(schema, ui),
                        max_chars=schema.get("maxLength", DEFAULT_MAX_LENGTH), height=max(68, int(rows) * 28),
                        **kw)
    return text.strip() or None


def _number(schema: dict[str, Any], ui: dict[str, Any], value: Any, *, heading: str, **kw: Any) -> int | float | None:
    integer = schema.get("type") == "integer"
    cast: Callable[[Any], int | float] = int if integer else float
    minimum = schema.get("minimum", schema.get("exclusiveMinimum"))
    maximum = schema.get("maximum", schema.get("exclusiveMaximum"))
    current = _start(schema, value)
    current = current if isinstance(current, int | float) and not isinstance(current, bool) else None
    if ui.get("ui:widget") == "range" and minimum is not None and maximum is not None:
        start = min(max(current if current is not None else minimum, minimum), maximum)
        return st.slider(min_value=cast(minimum), max_value=cast(maximum), value=cast(start),
                         step=cast(schema.get("multipleOf", 1)), **kw)
    if current is not None and not (minimum is None or minimum <= current) or \
            current is not None and not (maximum is None or current <= maximum):
        minimum = maximum = None  # keep the resident's out-of-range value visible; the validator explains it
    step = schema.get("multipleOf", 1 if integer else 0.01)
    decimals = max(2, len(str(step).split(".")[1]) if "." in str(step) else 0)
    number = st.number_input(
        value=cast(current) if current is not None else None,
        min_value=cast(minimum) if minimum is not None else None,
        max_value=cast(maximum) if maximum is not None else None, step=cast(step),
        format="%d" if integer else f"%.{decimals}f", placeholder=_placeholder(schema, ui), **kw)
    if number is None:
        return None
    # The input cannot group digits or write the decimal comma by locale: echo the value as people write it.
    if schema.get("format") == "money":
        st.caption(show_money(number))
    elif abs(number) >= 1000 or number != int(number):
        st.caption(show_number(number, decimals=0 if integer else decimals))
    return int(number) if integer else float(number)


def _boolean(schema: dict[str, Any], ui: dict[str, Any], value: Any, *, heading: str, **kw: Any) -> bool | None:
    current = _start(schema, value)
    if ui.get("ui:widget") in {"radio", "select"}:
        chooser = st.radio if ui.get("ui:widget") == "radio" else st.selectbox
        inline = (ui.get("ui:options") or {}).get("inline", True) is not False  # side by side unless told
        extra = {"horizontal": inline} if chooser is st.radio else {}
        return chooser(options=[True, False], format_func=lambda v: _("Yes") if v else _("No"),
                       index=None if current is None else (0 if current else 1), **extra, **kw)
    return bool(st.checkbox(value=bool(current), **kw))


def _choice(schema: dict[str, Any], ui: dict[str, Any], value: Any, *, heading: str, **kw: Any) -> Any:
    options = _choices(schema) or []
    values = [option for option, _label in options]
    labels = {_hashable(option): label for option, label in options}
    current = _start(schema, value)
    index = values.index(current) if current in values else None
    widget = ui.get("ui:widget")
    if widget == "radio" or (len(values) <= 4 and widget != "select"):
        inline = bool((ui.get("ui:options") or {}).get("inline", True))
        return st.radio(options=values, format_func=lambda v: label_text(labels.get(_hashable(v), str(v))),
                        index=index, horizontal=inline, **kw)  # radio options read markdown
    return st.selectbox(options=values, format_func=lambda v: literal(labels.get(_hashable(v), str(v))),
                        index=index, placeholder=_("Choose an option"), **kw)  # select options do not


def _hashable(option: Any) -> Any:
    # 1 and True are equal in Python but different answers in JSON: keep them apart.
    return (type(option).__name__, json.dumps(option, sort_keys=True))


def _multichoice(schema: dict[str, Any], ui: dict[str, Any], value: Any, *, heading: str,
                 **kw: Any) -> list[Any] | None:
    options = _choices(schema.get("items", {})) or []
    values = [option for option, _label in options]
    labels = {_hashable(option): label for option, label in options}
    chosen = [v for v in (_start(schema, value) or []) if v in values]
    if ui.get("ui:widget") == "checkboxes":
        st.markdown(heading, help=kw["help"])  # made plain text by the caller
        # ``ui:options.inline``: side by side, wrapping on a narrow screen; one under the other by default.
        row = st.container(horizontal=True) if (ui.get("ui:options") or {}).get("inline") is True else st
        ticked = [v for i, v in enumerate(values) if row.checkbox(
            label_text(labels[_hashable(v)]), value=v in chosen, key=f"{kw['key']}/option-{i}",
            disabled=kw["disabled"])]
        # Keep the order the answer had; newly ticked options follow in the form's order.
        return sorted(ticked, key=lambda v: chosen.index(v) if v in chosen else len(values) + values.index(v)) or None
    picked = st.multiselect(options=values, default=chosen, format_func=lambda v: literal(labels[_hashable(v)]),
                            placeholder=_("Choose one or more"), **kw)
    return list(picked) or None


def _list(schema: dict[str, Any], ui: dict[str, Any], value: Any, *, heading: str, **kw: Any) -> list[Any] | None:
    items = schema.get("items") if isinstance(schema.get("items"), dict) else {}
    current = _start(schema, value) or []
    text = st.text_area(value="\n".join(str(v) for v in current), **kw)
    st.caption(_("One entry per line."))
    return [_scalar(items, line.strip()) for line in text.splitlines() if line.strip()] or None


def _scalar(schema: dict[str, Any], text: str) -> Any:
    """A line of a list, as the item type wants it; left as text when it does not parse (the validator says why)."""
    try:
        if schema.get("type") == "integer":
            return int(text)
        if schema.get("type") == "number":
            number = float(text)
            return int(number) if number.is_integer() and "." not in text else number
    except ValueError:
        return text
    return text


def _date(schema: dict[str, Any], ui: dict[str, Any], value: Any, *, heading: str, **kw: Any) -> str | None:
    current = _parse(date.fromisoformat, _start(schema, value))
    # The form's earliest / latest date (``formatMinimum`` / ``formatMaximum``), widened to keep an answer
    # already given on screen (the validator then says why it is refused).
    low = max(date_bound(schema.get("formatMinimum")) or DATE_MIN, DATE_MIN)
    high = min(date_bound(schema.get("formatMaximum")) or DATE_MAX, DATE_MAX)
    picked = st.date_input(value=current, min_value=min(low, current or low),
                           max_value=max(high, low, current or high), format=date_input_format(current_locale()), **kw)
    return picked.isoformat() if isinstance(picked, date) else None


def _time(schema: dict[str, Any], ui: dict[str, Any], value: Any, *, heading: str, **kw: Any) -> str | None:
    current = _parse(time.fromisoformat, _start(schema, value))
    picked = st.time_input(value=current, step=60, **kw)
    return picked.strftime("%H:%M") if isinstance(picked, time) else None


def _datetime(schema: dict[str, Any], ui: dict[str, Any], value: Any, *, heading: str, **kw: Any) -> str | None:
    current = _parse(datetime.fromisoformat, _start(schema, value))
    picked = st.datetime_input(value=current, min_value=datetime(1900, 1, 1), max_value=datetime(2100, 12, 31),
                               format=date_input_format(current_locale()), **kw)
    return picked.isoformat(timespec="minutes") if isinstance(picked, datetime) else None


def _const(schema: dict[str, Any], ui: dict[str, Any], value: Any, *, heading: str, **kw: Any) -> Any:
    st.text_input(value=str(schema["const"]), **{**kw, "disabled": True})
    return schema["const"]


def _parse(parser: Any, value: Any) -> Any:
    if not isinstance(value, str):
        return None
    try:
        return parser(value)
    except ValueError:
        return None


_WIDGETS: dict[str, Callable[..., Any]] = {
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
    "const": _const,
}

def error_summary(errors: Sequence[FieldError], schema: dict[str, Any], ui_schema: dict[str, Any]) -> list[str]:
    """One line per problem, naming the field by its label, for the summary at the top of the page."""
    lines = []
    for error in errors:
        lines.append(_("{field}: {problem}").format(field=field_label(schema, ui_schema, tuple(error.path)),
                                                     problem=error.message))
    return lines


def field_label(schema: dict[str, Any], ui_schema: dict[str, Any], path: Path) -> str:
    """The label a resident sees for the field at ``path`` (its name when it cannot be found)."""
    node, ui, names = schema, ui_schema or {}, []
    for part in path:
        node = resolve_ref(schema, node)
        if isinstance(part, int):
            node = node.get("items") if isinstance(node.get("items"), dict) else {}
            ui = ui.get("items", {}) if isinstance(ui.get("items"), dict) else {}
            names.append(_("Entry {number}").format(number=part + 1))
            continue
        found = {f.name: f.schema for f in visible_fields(schema, node, {})}
        node = resolve_ref(schema, found.get(part) or (node.get("properties") or {}).get(part) or {})
        ui = ui.get(part, {}) if isinstance(ui.get(part), dict) else {}
        names.append(str(ui.get("ui:title") or node.get("title") or part))
    return " › ".join(names) or _("The form")
