"""Limits a form's schema must respect before it can be published.

Each limit protects the service from a schema that would make validation slow or unbounded
(STACK-NOTES.md: ``check_schema`` recurses past ~97 levels, ``uniqueItems`` on objects is quadratic,
Python's ``re`` backtracks catastrophically). Every text answer needs a ``maxLength`` and every list a
``maxItems``: present in the schema (and under a ceiling), or defaulted by the validator
(``builder.validation.DEFAULT_MAX_LENGTH`` / ``DEFAULT_MAX_ITEMS``) when absent.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from builder.errors import FieldError
from builder.validation import pattern_problem

MAX_SCHEMA_BYTES = 256_000
MAX_DEPTH = 24
MAX_PROPERTIES = 400
MAX_LENGTH_CEILING = 100_000
MAX_ITEMS_CEILING = 1_000
_SCALARS = {"string", "integer", "number", "boolean", "null"}
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SUBSCHEMA_ONE = ("items", "additionalProperties", "not", "if", "then", "else", "contains")
_SUBSCHEMA_MAPS = ("properties", "$defs", "definitions", "dependentSchemas", "patternProperties")


def definition_limit_errors(schema: dict[str, Any]) -> list[FieldError]:
    """Every limit the schema breaks, each at its place (``("schema", ...)``)."""
    size = len(json.dumps(schema, default=str))
    if size > MAX_SCHEMA_BYTES:
        return [FieldError(("schema",), f"The form is too large ({size // 1000} kB); the limit is "
                                        f"{MAX_SCHEMA_BYTES // 1000} kB. Split it into several forms.")]
    if _depth(schema) > MAX_DEPTH:
        return [FieldError(("schema",), f"The form is nested more than {MAX_DEPTH} levels deep. "
                                        "Flatten its groups.")]
    errors: list[FieldError] = []
    count = 0
    for at, node in _schemas(schema, ("schema",)):
        count += len(node.get("properties") or {}) if isinstance(node.get("properties"), dict) else 0
        errors.extend(_node_errors(node, at))
    if count > MAX_PROPERTIES:
        errors.insert(0, FieldError(("schema",), f"The form has {count} fields; the limit is {MAX_PROPERTIES}."))
    return errors


def _node_errors(node: dict[str, Any], at: tuple[str | int, ...]) -> Iterator[FieldError]:
    kinds = node.get("type") if isinstance(node.get("type"), list) else [node.get("type")]
    if "string" in kinds and "maxLength" in node:
        if not isinstance(node["maxLength"], int) or node["maxLength"] > MAX_LENGTH_CEILING:
            yield FieldError(at, f"A maximum length over {MAX_LENGTH_CEILING:,} characters is not allowed.")
    if "array" in kinds:
        if "maxItems" in node and (not isinstance(node["maxItems"], int) or node["maxItems"] > MAX_ITEMS_CEILING):
            yield FieldError(at, f"A list may not allow more than {MAX_ITEMS_CEILING:,} entries.")
        items = node.get("items") if isinstance(node.get("items"), dict) else {}
        if node.get("uniqueItems") and (items.get("type") not in _SCALARS or "$ref" in items):
            yield FieldError(at, "“Each entry must be different” (uniqueItems) works only on lists of simple "
                                 "values, not of groups.")
    for pattern in _patterns(node):
        problem = pattern_problem(pattern)
        if problem:
            yield FieldError(at, f"The pattern {pattern!r}: {problem}.")


def _patterns(node: dict[str, Any]) -> list[str]:
    found = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
    if isinstance(node.get("patternProperties"), dict):
        found.extend(str(p) for p in node["patternProperties"])
    return found


def _schemas(node: Any, at: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    if not isinstance(node, dict):
        return
    yield at, node
    for key in _SUBSCHEMA_ONE:
        yield from _schemas(node.get(key), (*at, key))
    for key in _SUBSCHEMA_LISTS:
        for index, sub in enumerate(node.get(key) or []):
            yield from _schemas(sub, (*at, key, index))
    for key in _SUBSCHEMA_MAPS:
        if isinstance(node.get(key), dict):
            for name, sub in node[key].items():
                yield from _schemas(sub, (*at, key, name))


def _depth(node: Any) -> int:
    """Nesting depth without recursion, so a hostile schema cannot exhaust the stack."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        value, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH * 4:
            return level
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest
