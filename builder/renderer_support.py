"""What a form definition asks of the renderer that it cannot honour, in words a designer understands.

The builder's lint calls ``unsupported_features`` when a definition is saved: an unknown ``ui:widget``,
an unknown JSON Schema keyword (a typo like ``maxLenght`` would otherwise be silently ignored by
every validator) and structures the form renderer cannot show are reported, never dropped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from builder.errors import FieldError

#: Widget names of the uiSchema the renderer honours (react-jsonschema-form's standard set).
SUPPORTED_WIDGETS = frozenset({"text", "textarea", "password", "radio", "select", "checkboxes", "checkbox",
                               "updown", "range", "date", "hidden", "file", "email", "uri", "tel", "time",
                               "date-time"})
UI_KEYS = frozenset({"ui:order", "ui:widget", "ui:title", "ui:description", "ui:help", "ui:placeholder",
                     "ui:options", "ui:pages", "ui:enumNames", "ui:autofocus", "ui:disabled", "ui:readonly",
                     "ui:classNames", "ui:label", "items"})
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
KNOWN_KEYWORDS = _ONE | _MAP | _LIST | _PLAIN
# Valid JSON Schema the validator enforces but the form cannot offer as fields to fill in.
_NOT_SHOWN = {
    "prefixItems": "a list whose entries each have their own type cannot be shown as a form; use items",
    "patternProperties": "fields with names chosen by the resident cannot be shown; list the properties",
    "contains": "“at least one entry like …” cannot be shown as a form; use minItems on an enum list",
}


def unsupported_features(schema: dict[str, Any], ui_schema: dict[str, Any]) -> list[FieldError]:
    """Unknown widgets and keywords, and what the renderer cannot show, each at its place."""
    problems = list(_schema_problems(schema, ("schema",)))
    problems.extend(_ui_problems(ui_schema or {}, ("uiSchema",)))
    problems.extend(_page_problems(schema, ui_schema or {}))
    return problems


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
                yield FieldError(("uiSchema", "ui:pages", index), f"Page {index + 1} lists “{name}”, which is not a question of this form.")
    for name in sorted(names - listed):
        yield FieldError(("uiSchema", "ui:pages"), f"The question “{name}” is on no page, so residents could never answer it.")


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
    for branch in (node.get("dependentSchemas") or {}).values():
        yield from _all_property_names(branch)


def _schema_problems(node: Any, at: tuple[str | int, ...]) -> Iterator[FieldError]:
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        where = (*at, key)
        if key not in KNOWN_KEYWORDS:
            yield FieldError(where, f"“{key}” is not a JSON Schema keyword{_suggest(key)}; "
                                    "it would be ignored, so the rule it meant would not be checked.")
        elif key in _NOT_SHOWN:
            yield FieldError(where, f"“{key}”: {_NOT_SHOWN[key]}.")
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
            yield FieldError(where, f"The widget “{value}” is not available. Available widgets: {known}.")
        elif key == "ui:options" and isinstance(value, dict):
            for option in value:
                if option not in UI_OPTIONS:
                    yield FieldError((*where, option), f"The display option “{option}” is not supported.")
        elif key.startswith("ui:") and key not in UI_KEYS:
            yield FieldError(where, f"“{key}” is not a display setting the form understands.")
        elif not key.startswith("ui:"):
            yield from _ui_problems(value, where)


def _suggest(key: str) -> str:
    lowered = key.lower()
    for known in sorted(KNOWN_KEYWORDS):
        if known.lower() == lowered or (len(key) > 4 and sorted(known.lower()) == sorted(lowered)):
            return f" (did you mean “{known}”?)"
    return ""
