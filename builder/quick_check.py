"""A compiled yes-check of answers: True only when the validator itself would find no error.

jsonschema validates by walking the schema for every answer: each subschema it descends into makes a
new validator object and looks every keyword up again. On a published form that was about a fifth of a
submission's time (bench/submit.py), for a verdict that is almost always "valid". ``compile_check``
turns a validator's schema once into nested Python closures that answer the same question directly.

It never replaces the validator, it only saves running it: validation asks it first, and whenever it
says anything but True, the validator runs as before and gives every error with its own message
(builder.validation). So the one promise it must keep is "True only if the validator finds nothing".
For that, it knows a fixed set of keywords and compiles no schema that uses another one (``$ref``,
``patternProperties``, ``dependentSchemas``, ``prefixItems``, ``contains``, ``unevaluatedItems``,
``propertyNames``); keywords that look at one value only run as the validator's own keyword functions,
except the few hot ones written out here with the same rules (``type`` with the default length limits
of builder.validation, ``required``, ``minLength``, ``maxLength``, ``format``, a text ``const``).
``unevaluatedProperties`` counts evaluated properties as jsonschema 4.26 does
(``jsonschema._utils.find_evaluated_property_keys_by_schema``). A form that uses a keyword outside this
set is validated by jsonschema alone, as before (tests/unit/test_quick_check.py compares the two).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

# A compiled subschema: None when the value fails it, else the properties it evaluates (for
# ``unevaluatedProperties`` of the object it describes; empty for anything but an object).
Node = Callable[[Any], frozenset[str] | None]
Check = Callable[[Any], bool]

NOTHING: frozenset[str] = frozenset()
# Keywords that look at the value only, run as the validator's own functions.
_LEAVES = frozenset({"const", "enum", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
                     "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties", "pattern",
                     "dependentRequired", "formatMinimum", "formatMaximum"})
# Keywords handled by their own code below.
_OWN = frozenset({"type", "required", "minLength", "maxLength", "format", "properties", "additionalProperties",
                  "unevaluatedProperties", "items", "allOf", "anyOf", "oneOf", "not", "if"})
# The exact Python types that are each JSON type; anything else is asked of the validator's type checker.
_EXACT = {"string": (str,), "object": (dict,), "array": (list,), "boolean": (bool,), "null": (type(None),),
          "number": (int, float), "integer": (int,)}


class Unsupported(Exception):
    """The schema uses something this module does not compile: the validator alone is used."""


def compile_check(validator: Any, *, max_length: int, max_items: int) -> Check | None:
    """The yes-check of ``validator``'s schema, or None when the schema uses a keyword not compiled here.

    ``max_length`` / ``max_items`` are the limits the validator's ``type`` keyword applies to texts and
    lists whose schema sets no ``maxLength`` / ``maxItems`` of its own."""
    try:
        node = _Compiler(validator, max_length, max_items).node(validator.schema)
    except Unsupported:
        return None
    return lambda instance: node(instance) is not None


class _Compiler:
    def __init__(self, validator: Any, max_length: int, max_items: int) -> None:
        self.validator = validator
        self.max_length = max_length
        self.max_items = max_items

    def node(self, schema: Any) -> Node:
        if schema is True:
            return lambda instance: NOTHING
        if schema is False:
            return lambda instance: None
        if not isinstance(schema, dict):
            raise Unsupported()
        known = self.validator.VALIDATORS
        unknown = [key for key in schema if key in known and key not in _LEAVES and key not in _OWN]
        if unknown:
            raise Unsupported()
        checks = [self._leaf(key, value, schema) for key, value in schema.items() if key in _LEAVES and key in known]
        checks += self._own_checks(schema)
        evaluating = self._evaluating(schema)
        closing = self._unevaluated(schema, evaluating) if "unevaluatedProperties" in schema else None

        def check(instance: Any) -> frozenset[str] | None:
            for one in checks:
                if not one(instance):
                    return None
            if not isinstance(instance, dict):
                return NOTHING if all(part(instance) is not None for part in evaluating) else None
            evaluated: set[str] = set()
            for part in evaluating:
                found = part(instance)
                if found is None:
                    return None
                evaluated |= found
            if closing is not None and not closing(instance, evaluated):
                return None
            return frozenset(evaluated)
        return check

    # ------------------------------------------------------------ one value

    def _leaf(self, key: str, value: Any, schema: dict[str, Any]) -> Check:
        if key == "const" and isinstance(value, str):  # a choice's branch; jsonschema compares text with ==
            return lambda instance: instance == value
        function, validator = self.validator.VALIDATORS[key], self.validator
        return lambda instance: next(iter(function(validator, value, instance, schema) or ()), None) is None

    def _own_checks(self, schema: dict[str, Any]) -> list[Check]:
        checks: list[Check] = []
        if "type" in schema:
            checks.append(self._type(schema["type"], schema))
        if "required" in schema:
            checks.append(_required(schema["required"]))
        if "minLength" in schema:
            least = schema["minLength"]
            checks.append(lambda instance: not isinstance(instance, str) or len(instance) >= least)
        if "maxLength" in schema:
            most = schema["maxLength"]
            checks.append(lambda instance: not isinstance(instance, str) or len(instance) <= most)
        if "format" in schema and self.validator.format_checker is not None:
            conforms, name = self.validator.format_checker.conforms, schema["format"]
            checks.append(lambda instance: conforms(instance, name))
        if "items" in schema:
            checks.append(self._items(schema["items"]))
        if "additionalProperties" in schema:
            checks.append(self._additional(schema["additionalProperties"], schema.get("properties")))
        if isinstance(schema.get("properties"), dict):
            checks.append(self._properties(schema["properties"]))
        elif "properties" in schema:
            raise Unsupported()
        return checks

    def _type(self, types: Any, schema: dict[str, Any]) -> Check:
        names = [types] if isinstance(types, str) else list(types) if isinstance(types, list) else None
        if names is None or not all(isinstance(name, str) and name in _EXACT for name in names):
            raise Unsupported()
        exact = tuple(kind for name in names for kind in _EXACT.get(name, ()))
        is_type = self.validator.is_type
        text_limit = None if "maxLength" in schema else self.max_length
        list_limit = None if "maxItems" in schema else self.max_items

        def check(instance: Any) -> bool:
            if type(instance) not in exact and not any(is_type(instance, name) for name in names):
                return False
            if text_limit is not None and isinstance(instance, str) and len(instance) > text_limit:
                return False
            return list_limit is None or not isinstance(instance, list) or len(instance) <= list_limit
        return check

    def _items(self, items: Any) -> Check:
        each = self.node(items)
        return lambda instance: not isinstance(instance, list) or all(each(item) is not None for item in instance)

    def _additional(self, additional: Any, properties: Any) -> Check:
        named = properties if isinstance(properties, dict) else {}
        each = self.node(additional)
        return lambda instance: not isinstance(instance, dict) or all(
            each(value) is not None for key, value in instance.items() if key not in named)

    def _properties(self, properties: dict[str, Any]) -> Check:
        compiled = [(name, self.node(sub)) for name, sub in properties.items()]

        def check(instance: Any) -> bool:
            if not isinstance(instance, dict):
                return True
            return all(node(instance[name]) is not None for name, node in compiled if name in instance)
        return check

    # ------------------------------------------------------------ the same value, and its evaluated properties

    def _evaluating(self, schema: dict[str, Any]) -> list[Node]:
        """The parts that check the value and tell which of its properties they evaluate."""
        parts: list[Node] = []
        if isinstance(schema.get("properties"), dict):
            names = frozenset(schema["properties"])
            parts.append(lambda instance: names & instance.keys() if isinstance(instance, dict) else NOTHING)
        if "additionalProperties" in schema:
            parts.append(_valid_keys(self.node(schema["additionalProperties"])))
        for keyword, combine in (("allOf", _all_of), ("anyOf", _any_of), ("oneOf", _one_of)):
            if keyword in schema:
                if not isinstance(schema[keyword], list) or not schema[keyword]:
                    raise Unsupported()
                parts.append(combine([self.node(sub) for sub in schema[keyword]]))
        if "not" in schema:
            negated = self.node(schema["not"])
            parts.append(lambda instance: NOTHING if negated(instance) is None else None)
        if "if" in schema:
            parts.append(self._condition(schema))
        return parts

    def _condition(self, schema: dict[str, Any]) -> Node:
        condition = self.node(schema["if"])
        then = self.node(schema["then"]) if "then" in schema else None
        otherwise = self.node(schema["else"]) if "else" in schema else None

        def check(instance: Any) -> frozenset[str] | None:
            held = condition(instance)
            branch = then if held is not None else otherwise
            found = branch(instance) if branch is not None else NOTHING
            if found is None:
                return None
            return held | found if held is not None else found
        return check

    def _unevaluated(self, schema: dict[str, Any], evaluating: list[Node]) -> Callable[[dict[str, Any], set[str]], bool]:
        """``unevaluatedProperties``: each property no other part evaluated must be valid under it (and
        one valid under it counts as evaluated for the parent's own check)."""
        each = self.node(schema["unevaluatedProperties"])
        evaluating.append(_valid_keys(each))

        def check(instance: dict[str, Any], evaluated: set[str]) -> bool:
            return all(key in evaluated or each(value) is not None for key, value in instance.items())
        return check


def _required(names: Any) -> Check:
    if not isinstance(names, list):
        raise Unsupported()
    return lambda instance: not isinstance(instance, dict) or all(name in instance for name in names)


def _valid_keys(node: Node) -> Node:
    """The properties whose values are valid under ``node`` (additional / unevaluated properties)."""
    return lambda instance: frozenset(key for key, value in instance.items() if node(value) is not None) \
        if isinstance(instance, dict) else NOTHING


def _union(found: Iterable[frozenset[str] | None]) -> frozenset[str]:
    return frozenset().union(*(keys for keys in found if keys is not None))


def _all_of(nodes: list[Node]) -> Node:
    def check(instance: Any) -> frozenset[str] | None:
        found = [node(instance) for node in nodes]
        return None if any(keys is None for keys in found) else _union(found)
    return check


def _any_of(nodes: list[Node]) -> Node:
    def check(instance: Any) -> frozenset[str] | None:
        found = [node(instance) for node in nodes]  # every valid branch's properties count, not the first's only
        return _union(found) if any(keys is not None for keys in found) else None
    return check


def _one_of(nodes: list[Node]) -> Node:
    def check(instance: Any) -> frozenset[str] | None:
        found = [node(instance) for node in nodes]
        valid = [keys for keys in found if keys is not None]
        return valid[0] if len(valid) == 1 else None
    return check
