"""Pure editing operations on a definition document: the builder's fields, pages and steps.

Every function takes a document (the JSON of a form definition) and returns a new one; nothing is
changed in place, so the editor can keep the previous version for undo and conflict messages.

A field is read into a ``FieldSpec`` (kind in plain words, label, help, rules, conditions) and
written back with ``put_field``. Where a field lives in the JSON Schema follows DESIGN.md §2: an
always-shown field sits in ``schema.properties``; a field shown only when a condition holds sits in
an ``allOf`` entry ``{"if": condition, "then": {"properties": {name: ...}}}``; "required when" is an
``allOf`` entry ``{"if": condition, "then": {"required": [name]}}``.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field, replace
from typing import Any

from builder.conditions import Condition, compile_condition, read_condition

# kind -> plain words shown in the "add a field" menu, in menu order.
FIELD_KINDS: dict[str, str] = {
    "short_text": "Short text",
    "long_text": "Long text",
    "number": "Number",
    "money": "Amount of money",
    "date": "Date",
    "time": "Time",
    "yes_no": "Yes / no",
    "one_choice": "One choice",
    "several_choices": "Several choices",
    "email": "Email address",
    "phone": "Phone number",
    "address": "Address",
    "file": "File upload",
    "text_block": "Section heading / explanatory text",
    "repeating_group": "Repeating group (“add another”)",
}

#: Named patterns a designer can pick instead of writing a regular expression (all RE2-safe).
PATTERN_PRESETS: dict[str, tuple[str, str]] = {
    "postcode": ("Postcode (letters, digits, spaces)", r"^[A-Za-z0-9][A-Za-z0-9 -]{2,9}$"),
    "uk_postcode": ("UK postcode", r"^[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}$"),
    "nl_postcode": ("Dutch postcode (1234 AB)", r"^[1-9][0-9]{3} ?[A-Za-z]{2}$"),
    "zip_code": ("US ZIP code", r"^[0-9]{5}(-[0-9]{4})?$"),
    "digits": ("Digits only", r"^[0-9]+$"),
    "letters": ("Letters and spaces only", r"^[A-Za-z\u00C0-\u017F' -]+$"),
    "licence_plate": ("Vehicle registration", r"^[A-Za-z0-9 -]{2,10}$"),
    "iban": ("IBAN bank account", r"^[A-Z]{2}[0-9]{2}[A-Z0-9 ]{11,30}$"),
}

TEXT_KINDS = frozenset({"short_text", "long_text", "email", "phone"})
NUMBER_KINDS = frozenset({"number", "money"})
CHOICE_KINDS = frozenset({"one_choice", "several_choices"})
DEFAULT_FILE_TYPES = ["application/pdf", "image/jpeg", "image/png"]


@dataclass(frozen=True)
class FieldSpec:
    """One field as the designer sees it."""

    name: str
    kind: str
    label: str
    help: str = ""
    placeholder: str = ""
    required: bool = False
    options: tuple[str, ...] = ()  # choices as the resident reads them, in order
    option_values: tuple[Any, ...] = ()  # stored values of imported choices (``oneOf`` const), by position
    dropdown: bool = False  # one choice: dropdown instead of radio buttons
    min_value: float | None = None  # number, money
    max_value: float | None = None
    min_length: int | None = None  # text
    max_length: int | None = None
    pattern: str = ""  # text: a preset name from PATTERN_PRESETS or a free pattern
    min_items: int | None = None  # several choices, repeating group
    max_items: int | None = None
    file_types: tuple[str, ...] = ()  # file
    max_size_mb: float | None = None
    earliest_date: str = ""  # date: an ISO date, "today" or "today+N" / "today-N" days ("" = no limit)
    latest_date: str = ""
    error_message: str = ""
    # Imported per-rule messages (``errorMessage`` as a map, e.g. {"pattern": "…"}): the builder edits only the
    # single message above, so these are kept exactly as they are.
    rule_messages: dict[str, Any] = field(default_factory=dict)
    show_when: Condition | None = None
    required_when: Condition | None = None
    subfields: tuple[FieldSpec, ...] = ()  # repeating group
    advanced: dict[str, Any] = field(default_factory=dict)  # keywords the builder does not edit, kept as they are

    @property
    def kind_words(self) -> str:
        return FIELD_KINDS.get(self.kind, self.kind)


# ------------------------------------------------------------------ names


def make_name(label: str, taken: set[str]) -> str:
    """A stable property name from a label: ``"Date of the event"`` → ``date_of_the_event``."""
    base = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:40].strip("_") or "field"
    if base[0].isdigit():
        base = f"f_{base}"
    name, number = base, 2
    while name in taken:
        name, number = f"{base}_{number}", number + 1
    return name


def field_names(document: dict[str, Any]) -> list[str]:
    """Every top-level field, in the order the resident sees them."""
    schema = document.get("schema") or {}
    found = list((schema.get("properties") or {}).keys())
    for branch in schema.get("allOf") or []:
        then = branch.get("then") if isinstance(branch, dict) else None
        for name in ((then or {}).get("properties") or {}):
            if name not in found:
                found.append(name)
    order = [n for n in (document.get("uiSchema") or {}).get("ui:order", []) if n in found]
    return order + [n for n in found if n not in order]


# ------------------------------------------------------------------ reading


def read_fields(document: dict[str, Any]) -> list[FieldSpec]:
    return [read_field(document, name) for name in field_names(document)]


def read_field(document: dict[str, Any], name: str) -> FieldSpec:
    schema = document.get("schema") or {}
    ui = (document.get("uiSchema") or {}).get(name) or {}
    prop, show_when, required = _locate(schema, name)
    required_when = _required_when(schema, name)
    return _spec_from_schema(name, prop, ui, required=required, show_when=show_when, required_when=required_when)


def _locate(schema: dict[str, Any], name: str) -> tuple[dict[str, Any], Condition | None, bool]:
    if name in (schema.get("properties") or {}):
        return schema["properties"][name], None, name in (schema.get("required") or [])
    for branch in schema.get("allOf") or []:
        then = branch.get("then") if isinstance(branch, dict) else None
        if isinstance(then, dict) and name in (then.get("properties") or {}):
            return then["properties"][name], read_condition(branch.get("if")), name in (then.get("required") or [])
    raise KeyError(name)


def _required_when(schema: dict[str, Any], name: str) -> Condition | None:
    for branch in schema.get("allOf") or []:
        then = branch.get("then") if isinstance(branch, dict) else None
        if isinstance(then, dict) and set(then) == {"required"} and then["required"] == [name]:
            return read_condition(branch.get("if"))
    return None


def kind_of(prop: dict[str, Any], ui: dict[str, Any]) -> str:
    """The catalogue kind a property's schema corresponds to (imported schemas included)."""
    kind, fmt, widget = prop.get("type"), prop.get("format"), ui.get("ui:widget")
    if widget == "file" or fmt == "data-url":
        return "file"
    if kind == "null":
        return "text_block"
    if kind == "boolean":
        return "yes_no"
    if kind == "array":
        items = prop.get("items") or {}
        return "repeating_group" if items.get("type") == "object" else "several_choices"
    if kind == "object":
        return "address" if {"street", "city"} <= set(prop.get("properties") or {}) else "repeating_group"
    if "enum" in prop or "oneOf" in prop:
        return "one_choice"
    if kind in ("number", "integer"):
        return "money" if fmt == "money" else "number"
    by_format = {"date": "date", "time": "time", "email": "email", "phone": "phone"}
    if fmt in by_format:
        return by_format[fmt]
    return "long_text" if widget == "textarea" else "short_text"


_EDITED = {"type", "title", "description", "minimum", "maximum", "minLength", "maxLength", "pattern", "enum",
           "oneOf", "items", "minItems", "maxItems", "uniqueItems", "format", "errorMessage", "properties",
           "required", "formatMinimum", "formatMaximum"}


def _spec_from_schema(name: str, prop: dict[str, Any], ui: dict[str, Any], *, required: bool,
                      show_when: Condition | None, required_when: Condition | None) -> FieldSpec:
    kind = kind_of(prop, ui)
    options_ui = ui.get("ui:options") or {}
    items = prop.get("items") or {}
    message = prop.get("errorMessage")
    pattern = prop.get("pattern", "")
    preset = next((key for key, (_, rx) in PATTERN_PRESETS.items() if rx == pattern), None)
    subfields: tuple[FieldSpec, ...] = ()
    if kind == "repeating_group":
        inner = items if prop.get("type") == "array" else prop
        subfields = tuple(_spec_from_schema(n, p, (ui.get("items") or {}).get(n) or {},
                                            required=n in (inner.get("required") or []), show_when=None,
                                            required_when=None)
                          for n, p in (inner.get("properties") or {}).items())
    return FieldSpec(
        name=name, kind=kind, label=str(prop.get("title") or ui.get("ui:title") or name),
        help=str(prop.get("description") or ui.get("ui:help") or ""),
        placeholder=str(ui.get("ui:placeholder") or ""), required=required,
        options=tuple(str(o) for o in _options(prop if kind == "one_choice" else items)),
        option_values=tuple(o["const"] for o in (prop if kind == "one_choice" else items).get("oneOf") or []
                            if isinstance(o, dict) and "const" in o),
        dropdown=ui.get("ui:widget") == "select",
        min_value=prop.get("minimum"), max_value=prop.get("maximum"),
        min_length=prop.get("minLength"), max_length=prop.get("maxLength"),
        pattern=preset or pattern, min_items=prop.get("minItems"), max_items=prop.get("maxItems"),
        file_types=tuple(options_ui.get("accept") or ()), max_size_mb=options_ui.get("maxSizeMb"),
        earliest_date=str(prop.get("formatMinimum") or ""), latest_date=str(prop.get("formatMaximum") or ""),
        error_message=_single_message(message), rule_messages=_rule_messages(message),
        show_when=show_when, required_when=required_when, subfields=subfields,
        advanced={k: v for k, v in prop.items() if k not in _EDITED or (k, v) == ("type", "integer")},
    )


#: Key of an ``errorMessage`` map for every rule without its own message (the ajv-errors convention).
OTHER_RULES = "_"


def _single_message(message: Any) -> str:
    """The message the designer edits: a plain ``errorMessage``, or the catch-all of a per-rule map."""
    if isinstance(message, dict):
        message = message.get(OTHER_RULES)
    return message if isinstance(message, str) else ""


def _rule_messages(message: Any) -> dict[str, Any]:
    return {rule: text for rule, text in message.items() if rule != OTHER_RULES} if isinstance(message, dict) else {}


def _error_message(spec: FieldSpec) -> str | dict[str, Any] | None:
    """The ``errorMessage`` to write. With per-rule messages, the designer's single message becomes the
    catch-all ``_`` of the map: the more specific per-rule texts keep winning for their own rules, and
    clearing the single message removes only the catch-all."""
    if not spec.rule_messages:
        return spec.error_message or None
    return {**spec.rule_messages, OTHER_RULES: spec.error_message} if spec.error_message else dict(spec.rule_messages)


def _options(schema: dict[str, Any]) -> list[Any]:
    if isinstance(schema.get("enum"), list):
        return schema["enum"]
    return [o.get("title", o.get("const")) for o in schema.get("oneOf") or [] if isinstance(o, dict)]


# ------------------------------------------------------------------ writing


def new_field(kind: str, label: str, taken: set[str]) -> FieldSpec:
    """A field of ``kind`` with sensible defaults (a choice field starts with two options)."""
    if kind not in FIELD_KINDS:
        raise ValueError(f"There is no field kind “{kind}”.")
    options = ("Option 1", "Option 2") if kind in CHOICE_KINDS else ()
    subfields = (FieldSpec("item", "short_text", "Item", required=True),) if kind == "repeating_group" else ()
    max_length = {"short_text": 200, "long_text": 4000}.get(kind)
    return FieldSpec(make_name(label, taken), kind, label, options=options, subfields=subfields,
                     max_length=max_length, min_value=0 if kind == "money" else None)


#: The kinds of answer the builder offers for a question asked in each entry of a repeating group.
ENTRY_KINDS = ("short_text", "number", "date", "yes_no")


@dataclass(frozen=True)
class EntryRow:
    """One question of a repeating group as the designer lists it: its stored name (None for a new one)."""

    name: str | None
    label: str
    kind: str
    required: bool


def entry_questions(current: tuple[FieldSpec, ...], rows: list[EntryRow]) -> tuple[FieldSpec, ...]:
    """The questions for each entry, from the designer's rows. A question keeps its stored name (answers already
    given stay attached) and, while its kind stays the same, its rules; a row without a question is dropped."""
    existing = {spec.name: spec for spec in current}
    taken = set(existing)
    result: list[FieldSpec] = []
    for row in rows:
        label = row.label.strip()
        if not label:
            continue
        old = existing.pop(row.name) if row.name in existing else None
        if row.kind not in ENTRY_KINDS and (old is None or old.kind != row.kind):
            raise ValueError(f"A question in a repeating group cannot be of the kind “{row.kind}”.")
        if old is not None and old.kind == row.kind:
            spec = replace(old, label=label, required=row.required)
        else:
            name = old.name if old is not None else make_name(label, taken)
            spec = replace(new_field(row.kind, label, set()), name=name, required=row.required)
        taken.add(spec.name)
        result.append(spec)
    return tuple(result)


def field_schema(spec: FieldSpec) -> dict[str, Any]:
    """The JSON Schema of one field."""
    # Keywords the builder does not edit (default, examples, integer type…) are kept as imported.
    prop: dict[str, Any] = {**_type_schema(spec), **spec.advanced, "title": spec.label}
    if spec.help:
        prop["description"] = spec.help
    limits = {"minimum": spec.min_value, "maximum": spec.max_value} if spec.kind in NUMBER_KINDS else {}
    if spec.kind in TEXT_KINDS:
        limits.update(minLength=spec.min_length, maxLength=spec.max_length)
        if spec.pattern:
            limits["pattern"] = PATTERN_PRESETS.get(spec.pattern, ("", spec.pattern))[1]
    if spec.kind in ("several_choices", "repeating_group"):
        limits.update(minItems=spec.min_items, maxItems=spec.max_items)
    # Earliest / latest date: the keywords of the format vocabulary (ajv-formats), enforced by builder.validation.
    limits.update(formatMinimum=spec.earliest_date, formatMaximum=spec.latest_date)
    prop.update({k: v for k, v in limits.items() if v not in (None, "")})
    message = _error_message(spec)
    if message:
        prop["errorMessage"] = message
    return prop


def _type_schema(spec: FieldSpec) -> dict[str, Any]:
    kind = spec.kind
    if kind == "one_choice":
        return {"type": "string", **_choice_schema(spec)}
    if kind == "several_choices":
        return {"type": "array", "items": {"type": "string", **_choice_schema(spec)}, "uniqueItems": True}
    if kind == "repeating_group":
        required = [s.name for s in spec.subfields if s.required]
        items: dict[str, Any] = {"type": "object", "properties": {s.name: field_schema(s) for s in spec.subfields}}
        if required:
            items["required"] = required
        return {"type": "array", "items": items}
    if kind == "address":
        return {"type": "object", "properties": {
            "street": {"type": "string", "title": "Street and number", "minLength": 2, "maxLength": 200},
            "postcode": {"type": "string", "title": "Postcode", "maxLength": 12},
            "city": {"type": "string", "title": "Town or city", "minLength": 2, "maxLength": 100}},
            "required": ["street", "city"]}
    simple = {"short_text": {"type": "string"}, "long_text": {"type": "string"}, "number": {"type": "number"},
              "money": {"type": "number", "format": "money"}, "date": {"type": "string", "format": "date"},
              "time": {"type": "string", "format": "time"}, "yes_no": {"type": "boolean"},
              "email": {"type": "string", "format": "email", "maxLength": 254},
              "phone": {"type": "string", "format": "phone", "maxLength": 30},
              "file": {"type": "string", "format": "data-url"}, "text_block": {"type": "null"}}
    return dict(simple[kind])


def _choice_schema(spec: FieldSpec) -> dict[str, Any]:
    """Plain options as an ``enum``; options with separate stored values keep them (``oneOf`` const + title)."""
    if not spec.option_values:
        return {"enum": list(spec.options)}
    values = list(spec.option_values)
    return {"oneOf": [{"const": values[i] if i < len(values) else option, "title": option}
                      for i, option in enumerate(spec.options)]}


def choice_values(spec: FieldSpec) -> list[tuple[Any, str]]:
    """(stored value, label) of each option, for conditions on a choice field."""
    values = list(spec.option_values)
    return [(values[i] if i < len(values) else option, option) for i, option in enumerate(spec.options)]


def field_ui(spec: FieldSpec) -> dict[str, Any]:
    """The uiSchema entry of one field (widget, placeholder, file options)."""
    ui: dict[str, Any] = {}
    widget = {"long_text": "textarea", "file": "file", "several_choices": "checkboxes",
              "one_choice": "select" if spec.dropdown else "radio", "email": "email", "phone": "tel"}.get(spec.kind)
    if widget:
        ui["ui:widget"] = widget
    if spec.placeholder:
        ui["ui:placeholder"] = spec.placeholder
    if spec.kind == "file":
        ui["ui:options"] = {"accept": list(spec.file_types or DEFAULT_FILE_TYPES)}
        if spec.max_size_mb:
            ui["ui:options"]["maxSizeMb"] = spec.max_size_mb
    if spec.kind == "repeating_group":
        ui["ui:options"] = {"addable": True, "removable": True, "orderable": True}
        inner = {s.name: field_ui(s) for s in spec.subfields if field_ui(s)}
        if inner:
            ui["items"] = inner
    return ui


def put_field(document: dict[str, Any], spec: FieldSpec, *, page: int | None = None) -> dict[str, Any]:
    """Add ``spec`` or replace the field of the same name, keeping its position."""
    doc = copy.deepcopy(document)
    existed = spec.name in field_names(doc)
    _remove_schema(doc, spec.name)
    schema = doc.setdefault("schema", {"type": "object", "properties": {}})
    prop = field_schema(spec)
    if spec.show_when is None:
        schema.setdefault("properties", {})[spec.name] = prop
        if spec.required:
            schema.setdefault("required", []).append(spec.name)
    else:
        then: dict[str, Any] = {"properties": {spec.name: prop}}
        if spec.required:
            then["required"] = [spec.name]
        schema.setdefault("allOf", []).append({"if": compile_condition(spec.show_when), "then": then})
    if spec.required_when is not None and not spec.required:
        schema.setdefault("allOf", []).append({"if": compile_condition(spec.required_when),
                                               "then": {"required": [spec.name]}})
    _tidy_schema(schema)
    ui_root = doc.setdefault("uiSchema", {})
    ui = field_ui(spec)
    if ui:
        ui_root[spec.name] = ui
    else:
        ui_root.pop(spec.name, None)
    if not existed:
        _place_new(doc, spec.name, page)
    return doc


def _remove_schema(doc: dict[str, Any], name: str) -> None:
    schema = doc.get("schema") or {}
    (schema.get("properties") or {}).pop(name, None)
    if name in (schema.get("required") or []):
        schema["required"].remove(name)
    kept = []
    for branch in schema.get("allOf") or []:
        then = branch.get("then") if isinstance(branch, dict) else None
        if isinstance(then, dict) and set(then) == {"required"} and then["required"] == [name]:
            continue
        if isinstance(then, dict) and name in (then.get("properties") or {}):
            then["properties"].pop(name)
            if name in (then.get("required") or []):
                then["required"].remove(name)
            if not then["properties"] and not then.get("required"):
                continue
        kept.append(branch)
    if "allOf" in schema:
        schema["allOf"] = kept


def _tidy_schema(schema: dict[str, Any]) -> None:
    for key in ("allOf", "required"):
        if key in schema and not schema[key]:
            del schema[key]


def _place_new(doc: dict[str, Any], name: str, page: int | None) -> None:
    ui_root = doc.setdefault("uiSchema", {})
    order = ui_root.setdefault("ui:order", [n for n in field_names(doc) if n != name])
    if name not in order:
        order.insert(order.index("*") if "*" in order else len(order), name)
    pages = ui_root.get("ui:pages")
    if pages:
        target = pages[page if page is not None and 0 <= page < len(pages) else len(pages) - 1]
        target.setdefault("fields", []).append(name)


def add_field(document: dict[str, Any], kind: str, label: str, *, page: int | None = None) -> tuple[dict[str, Any], str]:
    """Add a new field of ``kind`` at the end (of ``page``); returns the document and the field's name."""
    spec = new_field(kind, label.strip() or FIELD_KINDS[kind], set(field_names(document)))
    return put_field(document, spec, page=page), spec.name


def duplicate_field(document: dict[str, Any], name: str) -> tuple[dict[str, Any], str]:
    """A copy of the field right after it, labelled "(copy)"."""
    original = read_field(document, name)
    copy_spec = replace(original, name=make_name(original.label, set(field_names(document))),
                        label=f"{original.label} (copy)")
    doc = put_field(document, copy_spec, page=page_of(document, name))
    order = doc["uiSchema"]["ui:order"]
    order.remove(copy_spec.name)
    order.insert(order.index(name) + 1, copy_spec.name)
    for page in doc["uiSchema"].get("ui:pages") or []:
        fields = page.get("fields") or []
        if copy_spec.name in fields and name in fields:
            fields.remove(copy_spec.name)
            fields.insert(fields.index(name) + 1, copy_spec.name)
    return doc, copy_spec.name


def delete_field(document: dict[str, Any], name: str) -> dict[str, Any]:
    """Remove a field everywhere it is named (conditions on it remain, and the lint reports them)."""
    doc = copy.deepcopy(document)
    _remove_schema(doc, name)
    _tidy_schema(doc.get("schema") or {})
    ui_root = doc.get("uiSchema") or {}
    ui_root.pop(name, None)
    if name in (ui_root.get("ui:order") or []):
        ui_root["ui:order"].remove(name)
    for page in ui_root.get("ui:pages") or []:
        if name in (page.get("fields") or []):
            page["fields"].remove(name)
    settings = doc.get("settings") or {}
    for key in ("personal_data", "open_data"):
        if name in (settings.get(key) or []):
            settings[key].remove(name)
    if settings.get("contact_email_field") == name:
        settings["contact_email_field"] = None
    return doc


def move_field(document: dict[str, Any], name: str, offset: int) -> dict[str, Any]:
    """Move a field ``offset`` places up (negative) or down, within its page when the form has pages."""
    doc = copy.deepcopy(document)
    ui_root = doc.setdefault("uiSchema", {})
    ui_root["ui:order"] = [n for n in ui_root.get("ui:order", field_names(doc)) if n != "*"] or field_names(doc)
    for n in field_names(doc):
        if n not in ui_root["ui:order"]:
            ui_root["ui:order"].append(n)
    page = page_of(doc, name)
    sequence = ui_root["ui:pages"][page]["fields"] if page is not None else ui_root["ui:order"]
    _shift(sequence, name, offset)
    if page is not None:  # keep the overall order consistent with the page's order
        ui_root["ui:order"] = [n for p in ui_root["ui:pages"] for n in p.get("fields") or []] + [
            n for n in ui_root["ui:order"] if not any(n in (p.get("fields") or []) for p in ui_root["ui:pages"])]
    return doc


def _shift(sequence: list[str], name: str, offset: int) -> None:
    index = sequence.index(name)
    target = max(0, min(len(sequence) - 1, index + offset))
    sequence.insert(target, sequence.pop(index))


# ------------------------------------------------------------------ pages


def pages_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    return list((document.get("uiSchema") or {}).get("ui:pages") or [])


def page_of(document: dict[str, Any], name: str) -> int | None:
    for index, page in enumerate(pages_of(document)):
        if name in (page.get("fields") or []):
            return index
    return None


def split_into_pages(document: dict[str, Any], first_title: str = "Page 1") -> dict[str, Any]:
    """Turn a one-page form into a form with one named page holding every field."""
    doc = copy.deepcopy(document)
    ui_root = doc.setdefault("uiSchema", {})
    if not ui_root.get("ui:pages"):
        ui_root["ui:pages"] = [{"title": first_title, "fields": field_names(doc)}]
    return doc


def add_page(document: dict[str, Any], title: str) -> dict[str, Any]:
    doc = split_into_pages(document)
    doc["uiSchema"]["ui:pages"].append({"title": title.strip() or f"Page {len(pages_of(doc)) + 1}", "fields": []})
    return doc


def rename_page(document: dict[str, Any], index: int, title: str) -> dict[str, Any]:
    doc = copy.deepcopy(document)
    doc["uiSchema"]["ui:pages"][index]["title"] = title.strip() or f"Page {index + 1}"
    return doc


def remove_page(document: dict[str, Any], index: int) -> dict[str, Any]:
    """Remove a page; its fields move to the page before (or after, for the first page)."""
    doc = copy.deepcopy(document)
    pages = doc["uiSchema"]["ui:pages"]
    orphans = pages.pop(index).get("fields") or []
    if not pages:
        del doc["uiSchema"]["ui:pages"]
        return doc
    pages[max(0, index - 1)].setdefault("fields", []).extend(orphans)
    return doc


def move_page(document: dict[str, Any], index: int, offset: int) -> dict[str, Any]:
    doc = copy.deepcopy(document)
    pages = doc["uiSchema"]["ui:pages"]
    target = max(0, min(len(pages) - 1, index + offset))
    pages.insert(target, pages.pop(index))
    return doc


def move_to_page(document: dict[str, Any], name: str, index: int) -> dict[str, Any]:
    """Move a field to the end of page ``index``."""
    doc = split_into_pages(document)
    for page in doc["uiSchema"]["ui:pages"]:
        if name in (page.get("fields") or []):
            page["fields"].remove(name)
    doc["uiSchema"]["ui:pages"][index].setdefault("fields", []).append(name)
    return doc


def unplaced_fields(document: dict[str, Any]) -> list[str]:
    """Fields on no page of a paged form: the resident would never see them."""
    pages = pages_of(document)
    if not pages:
        return []
    placed = {n for p in pages for n in p.get("fields") or []}
    return [n for n in field_names(document) if n not in placed]


# ------------------------------------------------------------------ workflow steps


def steps_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    return list((document.get("workflow") or {}).get("steps") or [])


def add_step(document: dict[str, Any], name: str, group: str) -> dict[str, Any]:
    doc = copy.deepcopy(document)
    steps = doc.setdefault("workflow", {}).setdefault("steps", [])
    taken = {s["id"] for s in steps}
    step_id = make_name(name, taken).replace("_", "-")[:63]
    steps.append({"id": step_id, "name": name.strip() or "Review", "group": group, "policy": "any",
                  "sla_days": 5, "actions": ["approve", "reject", "return", "comment"],
                  "comments_visible_to_resident": True})
    return doc


def update_step(document: dict[str, Any], index: int, **changes: Any) -> dict[str, Any]:
    """Change a step's settings; ``condition`` takes a ``Condition`` or None ("always")."""
    doc = copy.deepcopy(document)
    step = doc["workflow"]["steps"][index]
    if "condition" in changes:
        condition = changes.pop("condition")
        step["condition"] = compile_condition(condition) if isinstance(condition, Condition) else condition
    step.update(changes)
    if step.get("policy") != "n":
        step["approvals_needed"] = None
    elif not step.get("approvals_needed"):
        step["approvals_needed"] = 2
    return doc


def step_condition(step: dict[str, Any]) -> Condition | None:
    return read_condition(step.get("condition"))


def move_step(document: dict[str, Any], index: int, offset: int) -> dict[str, Any]:
    doc = copy.deepcopy(document)
    steps = doc["workflow"]["steps"]
    target = max(0, min(len(steps) - 1, index + offset))
    steps.insert(target, steps.pop(index))
    return doc


def remove_step(document: dict[str, Any], index: int) -> dict[str, Any]:
    doc = copy.deepcopy(document)
    doc["workflow"]["steps"].pop(index)
    return doc


# ------------------------------------------------------------------ new forms


def blank_definition(slug: str, title: str, department: str) -> dict[str, Any]:
    """A form with one field and one step, the start of "create from scratch"."""
    document: dict[str, Any] = {
        "slug": slug, "title": title, "description": "", "department": department,
        "schema": {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                   "properties": {}, "unevaluatedProperties": False},
        "uiSchema": {"ui:order": []}, "workflow": {"steps": []}, "settings": {},
    }
    document, _ = add_field(document, "short_text", "Your full name")
    return put_field(document, replace(read_field(document, "your_full_name"), required=True))
