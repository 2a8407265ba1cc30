"""What a form definition asks of the renderer that it cannot honour, in words a designer understands.

The builder's lint calls ``unsupported_features`` when a definition is saved: an unknown ``ui:widget``,
an unknown JSON Schema keyword (a typo like ``maxLenght`` would otherwise be silently ignored by
every validator), display settings of react-jsonschema-form the renderer does not honour
(``ui:autofocus``, ``ui:classNames``, ``ui:label: false`` anywhere but on a checkbox), a widget on a
question it cannot show (``range`` on a text, a ``range`` without both ends), a ``format`` that checks
nothing and structures the form renderer cannot show are reported, never dropped. Draft-07 ``dependencies`` is known: the validator
and the renderer read it as ``dependentRequired`` / ``dependentSchemas`` (``builder.validation``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from builder.errors import FieldError
from builder.lint_messages import keyed_error
from builder.validation import FORMAT_CHECKS

#: Widget names of the uiSchema the renderer honours (react-jsonschema-form's standard set).
SUPPORTED_WIDGETS = frozenset({"text", "textarea", "password", "radio", "select", "checkboxes", "checkbox",
                               "updown", "range", "date", "hidden", "file", "email", "uri", "tel", "time",
                               "date-time"})
#: Display settings the renderer honours. ``ui:label: false`` only on a checkbox (see ``_label_problems``);
#: ``ui:autofocus`` and ``ui:classNames`` have no equivalent in the form, so the lint reports them.
UI_KEYS = frozenset({"ui:order", "ui:widget", "ui:title", "ui:description", "ui:help", "ui:placeholder",
                     "ui:options", "ui:pages", "ui:enumNames", "ui:disabled", "ui:readonly", "ui:label", "items"})
# react-jsonschema-form settings the form cannot honour; why is said by their key of ``builder.lint_messages``
# (``renderer.not_honoured.<setting>``), so the designer can remove them.
_NOT_HONOURED = frozenset({"ui:autofocus", "ui:classNames"})
UI_OPTIONS = frozenset({"rows", "inline", "label", "orderable", "addable", "removable", "accept", "maxSizeMb"})

# Keywords with subschemas, by shape: one schema, a map of schemas, a list of schemas.
_ONE = frozenset({"items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames",
                  "unevaluatedItems", "unevaluatedProperties", "additionalItems", "contentSchema"})
_MAP = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})
_LIST = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
_PLAIN = frozenset({
    "$schema", "$id", "$ref", "$anchor", "$comment", "$vocabulary", "$dynamicRef", "$dynamicAnchor",
    "type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
    "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems", "maxContains", "minContains",
    "maxProperties", "minProperties", "required", "dependentRequired", "dependencies", "format",
    "contentEncoding", "contentMediaType", "title", "description", "default", "deprecated", "readOnly",
    "writeOnly", "examples", "errorMessage", "enumNames"})
# Earliest / latest day of a date: the format vocabulary's keywords (as in ajv-formats), which the builder
# writes for "Earliest date" / "Latest date" and ``builder.validation`` enforces.
_FORMAT_LIMITS = frozenset({"formatMinimum", "formatMaximum"})
KNOWN_KEYWORDS = _ONE | _MAP | _LIST | _PLAIN | _FORMAT_LIMITS
# Valid JSON Schema the validator enforces but the form cannot offer as fields to fill in; why is said by
# their key of ``builder.lint_messages`` (``renderer.not_shown.<keyword>``).
_NOT_SHOWN = frozenset({"prefixItems", "patternProperties", "contains"})
#: Formats that mean something: those the validator checks, file fields (``builder.attachments``) and the
#: builder's amounts of money (a number shown in the city's currency). Any other (react-jsonschema-form's
#: ``alt-date``, ``idn-email``, a typo) would accept any text, so the designer is told.
CHECKED_FORMATS = frozenset(FORMAT_CHECKS) | {"data-url", "money"}


def unsupported_features(schema: dict[str, Any], ui_schema: dict[str, Any]) -> list[FieldError]:
    """Unknown widgets and keywords, and what the renderer cannot show, each at its place."""
    problems = list(_schema_problems(schema, ("schema",)))
    problems.extend(_ui_problems(ui_schema or {}, ("uiSchema",)))
    problems.extend(_label_problems(schema, schema, ui_schema or {}, ("uiSchema",)))
    problems.extend(_widget_problems(schema, schema, ui_schema or {}, ("uiSchema",)))
    problems.extend(_page_problems(schema, ui_schema or {}))
    return problems


def _ui_fields(root: dict[str, Any], node: Any, ui: Any,
               at: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any], dict[str, Any]]]:
    """Every field the uiSchema speaks of, at any depth, with its (resolved) schema: ``(where, schema, ui)``."""
    if not isinstance(ui, dict) or not isinstance(node, dict):
        return
    fields = _field_schemas(root, node)
    for name, child_ui in ui.items():
        if name.startswith("ui:") or not isinstance(child_ui, dict):
            continue
        where = (*at, name)
        sub = _resolved(root, node.get("items")) if name == "items" else fields.get(name, {})
        yield where, sub, child_ui
        yield from _ui_fields(root, sub, child_ui, where)


def _label_problems(root: dict[str, Any], node: Any, ui: Any, at: tuple[str | int, ...]) -> Iterator[FieldError]:
    """``ui:label: false`` (or ``ui:options.label``) on anything but a checkbox: residents must see what a field
    asks, so the label stays, and the designer is told."""
    for where, sub, child_ui in _ui_fields(root, node, ui, at):
        options = child_ui.get("ui:options") if isinstance(child_ui.get("ui:options"), dict) else {}
        for key, hidden in (("ui:label", child_ui.get("ui:label")), ("label", options.get("label"))):
            if hidden is False and not _is_checkbox(sub, child_ui):
                yield keyed_error((*where, key) if key == "ui:label" else (*where, "ui:options", key),
                                  "renderer.label_hidden")


#: The widgets that can show each kind of question; any other is not honoured there (the usual field is
#: shown), so the designer is told. ``hidden`` fits every question.
WIDGETS_FOR: dict[str, frozenset[str]] = {
    "text": frozenset({"text", "textarea", "password", "email", "uri", "tel", "date", "time", "date-time", "file"}),
    "choice": frozenset({"radio", "select"}),
    "number": frozenset({"updown", "range", "text"}),
    "boolean": frozenset({"checkbox", "radio", "select"}),
    "choices": frozenset({"checkboxes", "select"}),
    "file": frozenset({"file"}),
    "list": frozenset(),
    "group": frozenset(),
}


def question_kind(schema: dict[str, Any]) -> str:
    """What kind of question a (resolved) field schema asks, as far as widgets go."""
    kind = schema.get("type")
    kind = next((k for k in kind if k != "null"), None) if isinstance(kind, list) else kind
    if kind == "string" and (schema.get("format") == "data-url" or "contentEncoding" in schema):
        return "file"
    if kind == "array":
        items = schema.get("items") if isinstance(schema.get("items"), dict) else {}
        return "choices" if _has_choices(items) else "list"
    if _has_choices(schema):  # as the renderer reads it: a choice whatever its type
        return "choice"
    return {"integer": "number", "number": "number", "boolean": "boolean", "object": "group"}.get(str(kind), "text")


def _has_choices(schema: dict[str, Any]) -> bool:
    options = schema.get("oneOf") or schema.get("anyOf")
    return isinstance(schema.get("enum"), list) or (isinstance(options, list) and bool(options) and all(
        isinstance(o, dict) and "const" in o for o in options))


def _widget_problems(root: dict[str, Any], node: Any, ui: Any, at: tuple[str | int, ...]) -> Iterator[FieldError]:
    """A widget on a question it cannot show (``range`` on a text, ``checkboxes`` on one choice), and a
    ``range`` without both ends: the renderer shows the usual field instead, so the designer is told."""
    for where, sub, child_ui in _ui_fields(root, node, ui, at):
        widget = child_ui.get("ui:widget")
        if not (isinstance(widget, str) and widget in SUPPORTED_WIDGETS and widget != "hidden" and sub):
            continue
        kind = question_kind(sub)
        if widget not in WIDGETS_FOR[kind]:
            yield keyed_error((*where, "ui:widget"), "renderer.widget_wrong_kind", where="", widget=widget,
                              kind=f"kind.{kind}", known=", ".join(sorted(WIDGETS_FOR[kind])) or "—")
        elif widget == "range" and ("minimum" not in sub and "exclusiveMinimum" not in sub
                                    or "maximum" not in sub and "exclusiveMaximum" not in sub):
            yield keyed_error((*where, "ui:widget"), "renderer.range_without_bounds", where="")


def _field_schemas(root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Every property of an object schema, those of conditional branches included, with references resolved."""
    found: dict[str, Any] = {}
    stack, seen = [node], 0
    while stack and seen < 1000:  # a reference loop must not hang the lint
        current, seen = _resolved(root, stack.pop()), seen + 1
        for name, sub in (current.get("properties") or {}).items():
            found[name] = {**found.get(name, {}), **_resolved(root, sub)}
        stack.extend(current[key] for key in ("then", "else") if isinstance(current.get(key), dict))
        for key in ("allOf", "oneOf", "anyOf"):
            stack.extend(b for b in current.get(key) or [] if isinstance(b, dict))
        for key in ("dependentSchemas", "dependencies"):
            branches = current.get(key) if isinstance(current.get(key), dict) else {}
            stack.extend(b for b in branches.values() if isinstance(b, dict))
    return found


def _resolved(root: dict[str, Any], node: Any) -> dict[str, Any]:
    if not isinstance(node, dict):
        return {}
    ref = node.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return node
    target: Any = root
    for part in ref[2:].split("/"):
        target = target.get(part.replace("~1", "/").replace("~0", "~")) if isinstance(target, dict) else None
    return {**target, **{k: v for k, v in node.items() if k != "$ref"}} if isinstance(target, dict) else node


def _is_checkbox(schema: dict[str, Any], ui: dict[str, Any]) -> bool:
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    return "boolean" in kinds and ui.get("ui:widget") not in {"radio", "select"}


def _page_problems(schema: dict[str, Any], ui_schema: dict[str, Any]) -> Iterator[FieldError]:
    """With ``ui:pages``, every question must be on a page, and every page must list real questions."""
    pages = ui_schema.get("ui:pages")
    if not isinstance(pages, list) or not pages:
        return
    names = set(_all_property_names(schema))
    listed: set[str] = set()
    for index, page in enumerate(pages):
        fields = page.get("fields") if isinstance(page, dict) else None
        if fields is None:
            return  # a page without a list shows every field
        for name in fields:
            listed.add(name)
            if name not in names:
                yield keyed_error(("uiSchema", "ui:pages", index), "renderer.page_unknown_field", number=index + 1,
                                  name=name)
    for name in sorted(names - listed):
        yield keyed_error(("uiSchema", "ui:pages"), "renderer.unplaced", name=name)


def _all_property_names(node: Any) -> Iterator[str]:
    """Top-level questions, including those of conditional branches."""
    if not isinstance(node, dict):
        return
    yield from (node.get("properties") or {})
    for key in ("then", "else"):
        yield from _all_property_names(node.get(key))
    for key in ("allOf", "oneOf", "anyOf"):
        for branch in node.get(key) or []:
            yield from _all_property_names(branch)
    for key in ("dependentSchemas", "dependencies"):  # draft-07 ``dependencies``: lists of names are no questions
        branches = node.get(key) if isinstance(node.get(key), dict) else {}
        for branch in branches.values():
            yield from _all_property_names(branch)


def _schema_problems(node: Any, at: tuple[str | int, ...]) -> Iterator[FieldError]:
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        where = (*at, key)
        if key not in KNOWN_KEYWORDS:
            known = _suggest(key)
            yield (keyed_error(where, "renderer.unknown_keyword_suggested", key=key, known=known) if known
                   else keyed_error(where, "renderer.unknown_keyword", key=key))
        elif key in _NOT_SHOWN:
            yield keyed_error(where, f"renderer.not_shown.{key}")
        elif key == "format" and isinstance(value, str) and value not in CHECKED_FORMATS:
            yield keyed_error(where, "renderer.unchecked_format", where="", format=value,
                              known=", ".join(sorted(FORMAT_CHECKS)))
        if key in _ONE:
            yield from _schema_problems(value, where)
        elif key in _MAP and isinstance(value, dict):
            for name, sub in value.items():
                yield from _schema_problems(sub, (*where, name))
        elif key in _LIST and isinstance(value, list):
            for index, sub in enumerate(value):
                yield from _schema_problems(sub, (*where, index))
        elif key == "dependencies" and isinstance(value, dict):
            for name, sub in value.items():
                yield from _schema_problems(sub, (*where, name))


def _ui_problems(ui: Any, at: tuple[str | int, ...]) -> Iterator[FieldError]:
    if not isinstance(ui, dict):
        return
    for key, value in ui.items():
        where = (*at, key)
        if key == "ui:widget" and value not in SUPPORTED_WIDGETS:
            known = ", ".join(sorted(SUPPORTED_WIDGETS))
            yield keyed_error(where, "renderer.unknown_widget", widget=str(value), known=known)
        elif key == "ui:options" and isinstance(value, dict):
            for option in value:
                if option not in UI_OPTIONS:
                    yield keyed_error((*where, option), "renderer.unknown_option", option=str(option))
        elif key in _NOT_HONOURED:
            yield keyed_error(where, f"renderer.not_honoured.{key}")
        elif key.startswith("ui:") and key not in UI_KEYS:
            yield keyed_error(where, "renderer.unknown_ui_key", key=key)
        elif not key.startswith("ui:"):
            yield from _ui_problems(value, where)


def _suggest(key: str) -> str:
    """The keyword ``key`` is probably a typo of (``maxLenght`` → ``maxLength``), or ""."""
    lowered = key.lower()
    for known in sorted(KNOWN_KEYWORDS):
        if known.lower() == lowered or (len(key) > 4 and sorted(known.lower()) == sorted(lowered)):
            return known
    return ""
