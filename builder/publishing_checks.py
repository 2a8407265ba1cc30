"""The checks that must pass before a definition is published.

The builder's lint (warnings and errors in plain words) grows around this; these are the errors
that make a version unusable, so publishing refuses them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from builder.definition import FormDefinition
from builder.errors import FieldError
from builder.validation import pattern_problem


def publishing_errors(definition: FormDefinition, *, group_exists: Callable[[str], bool]) -> list[FieldError]:
    errors: list[FieldError] = []
    errors.extend(_schema_errors(definition.schema_))
    errors.extend(_pattern_errors(definition.schema_, ("schema",)))
    errors.extend(_ref_errors(definition.schema_, ("schema",)))
    for index, step in enumerate(definition.workflow.steps):
        if not group_exists(step.group):
            errors.append(FieldError(("workflow", "steps", index, "group"),
                                     f"Step “{step.name}”: there is no group called “{step.group}”."))
        if step.condition:
            errors.extend(_schema_errors(step.condition, ("workflow", "steps", index, "condition")))
    return errors


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
