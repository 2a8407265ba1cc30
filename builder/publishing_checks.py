"""The checks that must pass before a definition is published.

The builder's lint (warnings and errors in plain words) grows around this; these are the errors
that make a version unusable, so publishing refuses them.

Each refusal is a ``builder.lint_messages.KeyedFieldError``: its ``message`` is the English text (logs,
``DefinitionInvalid``'s summary), and ``localized(error, locale)`` says it in the designer's language.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from builder.definition import FormDefinition
from builder.errors import FieldError
from builder.lint_messages import KeyedFieldError, keyed_error
from builder.schema_view import reference_problems
from builder.validation import compile_pattern, pattern_problem
from builder.definition_limits import definition_limit_errors

#: The English texts of ``builder.definition_limits`` with their key of ``builder.lint_messages`` and the
#: names of the numbers they hold (the lint reads them the same way).
LIMIT_MESSAGES: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = (
    (re.compile(r"The form is too large \((\d+) kB\); the limit is (\d+) kB"), "limit_too_large", ("size", "limit")),
    (re.compile(r"The form is nested more than (\d+) levels"), "limit_too_deep", ("limit",)),
    (re.compile(r"The form has (\d+) fields; the limit is (\d+)"), "limit_too_many_fields", ("count", "limit")),
    (re.compile(r"A maximum length over ([\d,]+) characters"), "limit_max_length", ("limit",)),
    (re.compile(r"A list may not allow more than ([\d,]+) entries"), "limit_max_items", ("limit",)),
    (re.compile(r"\(uniqueItems\)"), "limit_unique_items", ()),
)
_WITH_WHERE = frozenset({"limit_max_length", "limit_max_items", "limit_unique_items"})


def publishing_errors(definition: FormDefinition, *, group_exists: Callable[[str], bool]) -> list[FieldError]:
    errors: list[FieldError] = []
    limits = [_keyed_limit(error) for error in definition_limit_errors(definition.schema_)
              if not error.message.startswith("The pattern ")]  # the pattern check below reports every pattern
    if any(error.path == ("schema",) for error in limits):
        return limits  # first: the checks below recurse into the schema
    errors.extend(limits)
    errors.extend(_schema_errors(definition.schema_))
    errors.extend(_open_form_errors(definition.schema_))
    errors.extend(open_group_errors(definition.schema_))
    errors.extend(_pattern_errors(definition.schema_, ("schema",)))
    errors.extend(_ref_errors(definition.schema_, ("schema",)))
    errors.extend(unsafe_text_errors(definition.to_document()))
    for index, step in enumerate(definition.workflow.steps):
        if not group_exists(step.group):
            errors.append(keyed_error(("workflow", "steps", index, "group"), "publish_step_no_group",
                                      name=step.name, group=step.group))
        if step.condition:
            errors.extend(_schema_errors(step.condition, ("workflow", "steps", index, "condition")))
    return list(dict.fromkeys(errors))


def limit_key(message: str) -> tuple[str, dict[str, int]] | None:
    """The key of ``builder.lint_messages`` and the numbers of a limit's English message, or None."""
    for pattern, key, names in LIMIT_MESSAGES:
        match = pattern.search(message)
        if match:
            return key, {name: int(match.group(i + 1).replace(",", "")) for i, name in enumerate(names)}
    return None


def _keyed_limit(error: FieldError) -> KeyedFieldError:
    found = limit_key(error.message)
    if found is None:  # a limit added without a key: said in English in every language
        return keyed_error(error.path, "publishing_check", message=error.message, detail=error.message)
    key, numbers = found
    where = {"where": ""} if key in _WITH_WHERE else {}
    return keyed_error(error.path, key, message=error.message, **where, **numbers)


def _schema_errors(schema: dict[str, Any], at: tuple[str | int, ...] = ("schema",)) -> list[FieldError]:
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        return [keyed_error((*at, *exc.absolute_path), "publish_invalid_schema", detail=exc.message)]
    except RecursionError:
        return [keyed_error(at, "schema_too_deep")]
    if schema.get("type", "object") != "object" and at == ("schema",):
        return [keyed_error(at, "not_an_object")]
    return []


def _open_form_errors(schema: dict[str, Any]) -> list[FieldError]:
    """A form must refuse answers to questions it does not ask: else anyone could send and store
    ``"status": "approved"`` or any other made-up answer along with a request."""
    closed = schema.get("unevaluatedProperties") is False or schema.get("additionalProperties") is False
    opened = schema.get("unevaluatedProperties") is True or schema.get("additionalProperties") is True
    if closed and not opened:  # ``additionalProperties: true`` counts every answer as evaluated
        return []
    return [keyed_error(("schema",), "publish_open_form")]


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
                errors.append(keyed_error(path, "publish_pattern", message=f"The pattern {pattern!r}: {problem}.",
                                          pattern=repr(pattern), detail=_re2_refusal(pattern)))
    return errors


def _re2_refusal(pattern: str) -> str:
    """RE2's own words for refusing ``pattern`` (the detail inside ``pattern_problem``'s sentence)."""
    try:
        compile_pattern(pattern)
    except Exception as exc:  # re2 raises its own error type, with bytes in its message
        return exc.args[0].decode(errors="replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
    return ""


def _ref_errors(schema: dict[str, Any], at: tuple[str | int, ...]) -> list[FieldError]:
    """References the form cannot follow: outside the form, anchors, the whole form, nowhere, loops."""
    return [keyed_error(path, REFERENCE_KEYS[kind], where=field_name(path, schema), ref=repr(ref))
            for path, kind, ref in reference_problems(schema, at)]


#: The key of ``builder.lint_messages`` of each kind of ``builder.schema_view.reference_problems``.
REFERENCE_KEYS = {"outside": "outside_reference", "anchor": "reference.anchor", "whole": "reference.whole",
                  "nowhere": "reference.nowhere", "loop": "reference.loop"}


def field_name(path: tuple[str | int, ...], schema: dict[str, Any] | None = None) -> str:
    """The innermost field a schema path is in (``schema/properties/address/properties/street`` → street), said
    by its title when ``schema`` (the form's, at ``path[0]``) gives it one, or ""."""
    ends = [i + 2 for i in range(len(path) - 1) if path[i] == "properties" and (i == 0 or path[i - 1] != "properties")]
    if not ends:
        return ""
    node: Any = schema
    for part in path[1:ends[-1]]:
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            node = None
    title = node.get("title") if isinstance(node, dict) else None
    return title if isinstance(title, str) and title.strip() else str(path[ends[-1] - 1])


def open_group_errors(schema: dict[str, Any]) -> list[FieldError]:
    """A group (a nested object, the entries of a list) written to accept any other answer
    (``additionalProperties: true``): a crafted answer could carry made-up values in it. The validator
    closes the groups that say nothing (``builder.validation.closed_schema``); these said the opposite."""
    errors = []
    for path, node in _walk(schema, ("schema",)):
        for keyword in ("additionalProperties", "unevaluatedProperties"):
            if node.get(keyword) is True and path != ("schema",):  # the form itself: ``_open_form_errors``
                errors.append(keyed_error((*path, keyword), "publish_open_group", where=field_name(path, schema),
                                          keyword=keyword))
    return errors


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
_UNSAFE_TEXT = (  # each with its key of ``builder.lint_messages``
    (re.compile(r"(?i)(javascript|vbscript)\s*:"), "unsafe_text.script"),
    (re.compile(r"(?i)\bdata:\s*[a-z]+/[a-z0-9.+-]+\s*[;,]"), "unsafe_text.data"),
    (re.compile(r"!\[[^\]]*\]\s*\("), "unsafe_text.image"),
    (re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*(\s[^<>]*)?/?>|<!--"), "unsafe_text.html"),
    (re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"), "unsafe_text.control"),
)


def unsafe_text_errors(document: dict[str, Any]) -> list[FieldError]:
    """Labels, help texts and translations with script links, raw HTML, images or control characters."""
    errors = []
    for path, text in _texts(document, ()):
        for pattern, key in _UNSAFE_TEXT:
            if pattern.search(text):
                errors.append(keyed_error(path, key, text=text[:60]))
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
