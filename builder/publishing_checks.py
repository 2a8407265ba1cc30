"""The checks that must pass before a definition is published.

The builder's lint (warnings and errors in plain words) grows around this; these are the errors
that make a version unusable, so publishing refuses them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from builder.definition import FormDefinition
from builder.errors import FieldError
from builder.validation import pattern_problem
from builder.definition_limits import definition_limit_errors


def publishing_errors(definition: FormDefinition, *, group_exists: Callable[[str], bool]) -> list[FieldError]:
    errors: list[FieldError] = []
    limits = definition_limit_errors(definition.schema_)  # first: the checks below recurse into the schema
    if any(error.path == ("schema",) for error in limits):
        return limits
    errors.extend(limits)
    errors.extend(_schema_errors(definition.schema_))
    errors.extend(_open_form_errors(definition.schema_))
    errors.extend(_pattern_errors(definition.schema_, ("schema",)))
    errors.extend(_ref_errors(definition.schema_, ("schema",)))
    errors.extend(unsafe_text_errors(definition.to_document()))
    for index, step in enumerate(definition.workflow.steps):
        if not group_exists(step.group):
            errors.append(FieldError(("workflow", "steps", index, "group"),
                                     f"Step “{step.name}”: there is no group called “{step.group}”."))
        if step.condition:
            errors.extend(_schema_errors(step.condition, ("workflow", "steps", index, "condition")))
    return list(dict.fromkeys(errors))  # the limits and the pattern check may both report a pattern


def _schema_errors(schema: dict[str, Any], at: tuple[str | int, ...] = ("schema",)) -> list[FieldError]:
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        return [FieldError((*at, *exc.absolute_path), exc.message)]
    except RecursionError:
        return [FieldError(at, "The schema is nested too deeply.")]
    if schema.get("type", "object") != "object" and at == ("schema",):
        return [FieldError(at, "The answers of a form must be an object (type: object).")]
    return []


def _open_form_errors(schema: dict[str, Any]) -> list[FieldError]:
    """A form must refuse answers to questions it does not ask: else anyone could send and store
    ``"status": "approved"`` or any other made-up answer along with a request."""
    if schema.get("unevaluatedProperties") is False or schema.get("additionalProperties") is False:
        return []
    return [FieldError(("schema",), "This form would accept and store answers to questions it does not ask (for "
                                    "example a made-up “status”). Close it: set “unevaluatedProperties” to false at "
                                    "the top of the schema.")]


def _walk(node: Any, at: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    if isinstance(node, dict):
        yield at, node
        for key, value in node.items():
            yield from _walk(value, (*at, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, (*at, index))


def _pattern_errors(schema: dict[str, Any], at: tuple[str | int, ...]) -> list[FieldError]:
    errors = []
    for path, node in _walk(schema, at):
        patterns = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
        if isinstance(node.get("patternProperties"), dict):
            patterns.extend(node["patternProperties"])
        for pattern in patterns:
            problem = pattern_problem(pattern)
            if problem:
                errors.append(FieldError(path, f"The pattern {pattern!r}: {problem}."))
    return errors


def _ref_errors(schema: dict[str, Any], at: tuple[str | int, ...]) -> list[FieldError]:
    return [
        FieldError(path, f"Only references inside the form (#/$defs/…) are allowed, not {node['$ref']!r}.")
        for path, node in _walk(schema, at)
        if isinstance(node.get("$ref"), str) and not node["$ref"].startswith("#")
    ]


# Texts shown to residents and reviewers. Streamlit renders labels and help texts as markdown, so a
# definition must not carry links that run code, raw HTML or images fetched from elsewhere (tracking
# pixels, phishing). Refused when the definition is saved and again when it is published.
TEXT_KEYS = frozenset({"title", "description", "ui:title", "ui:description", "ui:help", "ui:placeholder",
                       "name", "confirmation_text", "ui:enumNames"})
# Keys whose every string, however nested, is shown: choice labels (``enumNames``), the designer's own
# error messages (``errorMessage``: one text, or one per rule, ``{"required": {"x": "..."}}`` too) and
# sample answers (``examples``, shown as placeholders and hints).
TEXT_TREE_KEYS = frozenset({"ui:enumNames", "enumNames", "errorMessage", "examples"})
# Inside these the keys are property names chosen by the designer, not keywords: a field called
# "examples" holds a schema, not texts.
_NAMING_KEYS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas",
                          "dependentRequired"})
_UNSAFE_TEXT = (
    (re.compile(r"(?i)(javascript|vbscript)\s*:"), "contains a script link (javascript:)"),
    (re.compile(r"(?i)\bdata:\s*[a-z]+/[a-z0-9.+-]+\s*[;,]"), "contains an embedded data: link"),
    (re.compile(r"!\[[^\]]*\]\s*\("), "contains an image; images from other sites are not allowed"),
    (re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*(\s[^<>]*)?/?>|<!--"), "contains HTML tags"),
    (re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"), "contains invisible control characters"),
)


def unsafe_text_errors(document: dict[str, Any]) -> list[FieldError]:
    """Labels, help texts and translations with script links, raw HTML, images or control characters."""
    errors = []
    for path, text in _texts(document, ()):
        for pattern, problem in _UNSAFE_TEXT:
            if pattern.search(text):
                errors.append(FieldError(path, f"The text “{text[:60]}” {problem}. Write plain text instead."))
                break
    return errors


def _texts(node: Any, at: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    translated = at[:1] == ("translations",)
    if isinstance(node, dict):
        keywords = not at or at[-1] not in _NAMING_KEYS
        for key, value in node.items():
            if isinstance(value, str) and (translated or key in TEXT_KEYS or (keywords and key in TEXT_TREE_KEYS)):
                yield (*at, key), value
            elif keywords and key in TEXT_TREE_KEYS:
                yield from _all_strings(value, (*at, key))
            else:
                yield from _texts(value, (*at, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _texts(value, (*at, index))


def _all_strings(node: Any, at: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(node, str):
        yield at, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _all_strings(value, (*at, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _all_strings(value, (*at, index))
