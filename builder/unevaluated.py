"""``unevaluatedProperties`` with jsonschema's own verdicts, at a fraction of its cost on valid answers.

Every published form closes its answers with ``"unevaluatedProperties": false`` (builder.lint), and
jsonschema 4.26 answers it by listing every property that any part of the schema evaluates: each
``allOf`` / ``if`` branch validated a second time, and each answer checked against the keyword's own
subschema. That was half of a form's validation (bench/submit.py). Here only the answers that are not
one of the schema's own ``properties`` (which jsonschema counts as evaluated before anything else) are
looked for, with the same rules in the same order (``jsonschema._utils.find_evaluated_property_keys_by_schema``),
stopping once all are found. When one is left over, the properties refused are named in jsonschema's own
words (builder.validation reads the names from them). Unlike jsonschema, ``patternProperties`` are matched
with RE2 (builder.patterns): property names are the resident's to choose, a designer's pattern must never
run with Python's backtracking ``re`` on them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from jsonschema import ValidationError
from jsonschema._utils import extras_msg

from builder.patterns import matches_any


def unevaluated_properties(validator: Any, unevaluated: Any, instance: Any,
                           schema: dict[str, Any]) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    own = schema.get("properties")
    wanted = {key for key in instance if not (isinstance(own, dict) and key in own)}
    found = _evaluated(validator, instance, schema, wanted) if wanted else wanted
    refused = [key for key in instance if key in wanted - found
               and not _valid(validator.descend(instance[key], unevaluated, path=key, schema_path=key))]
    if not refused:
        return
    if unevaluated is False:
        yield ValidationError("Unevaluated properties are not allowed (%s %s unexpected)"
                              % extras_msg(sorted(refused, key=str)))
    else:
        yield ValidationError("Unevaluated properties are not valid under the given schema (%s %s unevaluated "
                              "and invalid)" % extras_msg(refused))


def _evaluated(validator: Any, instance: dict[str, Any], schema: Any, wanted: set[str]) -> set[str]:
    """Which of ``wanted`` jsonschema counts as evaluated under ``schema``."""
    if not isinstance(schema, dict):
        return set()
    found: set[str] = set()
    for keyword in ("$ref", "$dynamicRef"):
        if schema.get(keyword) is not None:
            resolved = validator._resolver.lookup(schema[keyword])
            found |= _evaluated(validator.evolve(schema=resolved.contents, _resolver=resolved.resolver),
                                instance, resolved.contents, wanted)
    properties = schema.get("properties")
    if isinstance(properties, dict):
        found |= wanted & properties.keys()
    for keyword in ("additionalProperties", "unevaluatedProperties"):
        subschema = schema.get(keyword)
        if subschema is not None:
            found |= {key for key in wanted - found if _valid(validator.descend(instance[key], subschema))}
    found |= {key for key in wanted - found if matches_any(schema.get("patternProperties"), key)}
    if found != wanted:
        for branch in _branches(validator, instance, schema):
            found |= _evaluated(validator, instance, branch, wanted - found)
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
