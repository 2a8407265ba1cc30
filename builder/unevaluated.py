"""``unevaluatedProperties`` with jsonschema's own verdicts, at a fraction of its cost on valid answers.

Every published form closes its answers with ``"unevaluatedProperties": false`` (builder.lint), and
jsonschema 4.26 answers it by listing every property that any part of the schema evaluates: each
``allOf`` / ``if`` branch validated a second time, and each answer checked against the keyword's own
subschema. That was half of a form's validation (bench/submit.py). Here only the answers that are not
one of the schema's own ``properties`` (which jsonschema counts as evaluated before anything else) are
looked for, with the same rules in the same order (``jsonschema._utils.find_evaluated_property_keys_by_schema``),
stopping once all are found. Whenever one may be left over, or a ``$ref`` would need resolving, jsonschema's
own keyword runs instead, so its errors and messages are exactly jsonschema's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from jsonschema import Draft202012Validator, ValidationError

_STANDARD = Draft202012Validator.VALIDATORS["unevaluatedProperties"]


def unevaluated_properties(validator: Any, unevaluated: Any, instance: Any,
                           schema: dict[str, Any]) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    own = schema.get("properties")
    wanted = {key for key in instance if not (isinstance(own, dict) and key in own)}
    if not wanted or _evaluated(validator, instance, schema, wanted) == wanted:
        return
    yield from _STANDARD(validator, unevaluated, instance, schema)


def _evaluated(validator: Any, instance: dict[str, Any], schema: Any, wanted: set[str]) -> set[str] | None:
    """Which of ``wanted`` jsonschema counts as evaluated under ``schema``; None when it cannot be told here."""
    if not isinstance(schema, dict):
        return set()
    if "$ref" in schema or "$dynamicRef" in schema:
        return None
    found: set[str] = set()
    properties = schema.get("properties")
    if isinstance(properties, dict):
        found |= wanted & properties.keys()
    for keyword in ("additionalProperties", "unevaluatedProperties"):
        subschema = schema.get(keyword)
        if subschema is not None:
            found |= {key for key in wanted - found if _valid(validator.descend(instance[key], subschema))}
    for pattern in schema.get("patternProperties") or ():
        found |= {key for key in wanted - found if re.search(pattern, key)}
    if found != wanted:
        for branch in _branches(validator, instance, schema):
            more = _evaluated(validator, instance, branch, wanted - found)
            if more is None:
                return None
            found |= more
            if found == wanted:
                break
    return found


def _branches(validator: Any, instance: dict[str, Any], schema: dict[str, Any]) -> Iterator[Any]:
    """The subschemas whose properties count too, in jsonschema's order; each validated only when reached."""
    for name, subschema in (schema.get("dependentSchemas") or {}).items():
        if name in instance:
            yield subschema
    for keyword in ("allOf", "oneOf", "anyOf"):
        for subschema in schema.get(keyword, []):
            if _valid(validator.descend(instance, subschema)):
                yield subschema
    if "if" in schema:
        if validator.evolve(schema=schema["if"]).is_valid(instance):
            yield schema["if"]
            if "then" in schema:
                yield schema["then"]
        elif "else" in schema:
            yield schema["else"]


def _valid(errors: Iterator[ValidationError]) -> bool:
    return next(errors, None) is None
