"""Plain-words conditions ("show *Reason* when *Type* is *Other*") and the JSON Schema they become.

A condition is one comparison on one answer. ``compile_condition`` writes the JSON Schema fragment
that ``builder.validation.condition_holds`` evaluates (DESIGN.md §2: conditions are JSON Schema too);
``read_condition`` reads such a fragment back so the editor can show it in words again. A fragment
the builder did not write reads back as ``None`` and is kept untouched (shown as "advanced rule").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Operator = Literal["is", "is_not", "one_of", "greater_than", "less_than", "answered", "not_answered", "includes",
                   "does_not_include"]

#: How each operator reads in the editor.
OPERATOR_WORDS: dict[str, str] = {
    "is": "is",
    "is_not": "is not",
    "one_of": "is one of",
    "greater_than": "is greater than",
    "less_than": "is less than",
    "answered": "is filled in",
    "not_answered": "is not filled in",
    "includes": "includes",
    "does_not_include": "does not include",
}

#: The same words in the other interface languages (lint findings and version diffs say conditions in them).
OPERATOR_WORDS_BY_LANGUAGE: dict[str, dict[str, str]] = {
    "en": OPERATOR_WORDS,
    "fr": {
        "is": "est",
        "is_not": "n’est pas",
        "one_of": "est l’un de",
        "greater_than": "est supérieur à",
        "less_than": "est inférieur à",
        "answered": "est rempli",
        "not_answered": "n’est pas rempli",
        "includes": "contient",
        "does_not_include": "ne contient pas",
    },
}


def operator_messages(language: str) -> dict[str, str]:
    """The operators' words in ``language`` as message-table entries: ``{"condition.is": "is", ...}``."""
    return {f"condition.{operator}": words for operator, words in OPERATOR_WORDS_BY_LANGUAGE[language].items()}


#: The negated operators: each holds exactly when its positive one does not (``{"not": ...}``).
NEGATIONS: dict[str, str] = {"is_not": "is", "not_answered": "answered", "does_not_include": "includes"}


@dataclass(frozen=True)
class Condition:
    """``field`` ``operator`` ``value``; ``value`` is a list for ``one_of``, one option for ``includes`` (a
    several-choices field holds a list of options) and unused for ``answered`` / ``not_answered``."""

    field: str
    operator: Operator
    value: Any = None

    def words(self, label: str | None = None) -> str:
        name = f"“{label or self.field}”"
        if self.operator in ("answered", "not_answered"):
            return f"{name} {OPERATOR_WORDS[self.operator]}"
        shown = ", ".join(_shown(v) for v in self.value) if self.operator == "one_of" else _shown(self.value)
        return f"{name} {OPERATOR_WORDS[self.operator]} {shown}"


def _shown(value: Any) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return f"“{value}”" if isinstance(value, str) else str(value)


def compile_condition(condition: Condition) -> dict[str, Any]:
    """The JSON Schema fragment on the answers that holds exactly when the condition does."""
    name, value = condition.field, condition.value
    if condition.operator in NEGATIONS:
        return {"not": compile_condition(Condition(name, NEGATIONS[condition.operator], value))}  # type: ignore[arg-type]
    test: dict[str, Any] = {
        "is": lambda: {"const": value},
        "includes": lambda: {"contains": {"const": value}},
        "one_of": lambda: {"enum": list(value)},
        "greater_than": lambda: {"exclusiveMinimum": value},
        "less_than": lambda: {"exclusiveMaximum": value},
        "answered": lambda: {},
    }[condition.operator]()
    if condition.operator == "answered":
        return {"required": [name]}
    return {"properties": {name: test}, "required": [name]}


def read_condition(fragment: Any) -> Condition | None:
    """The condition a fragment written by ``compile_condition`` expresses; None for anything else."""
    if not isinstance(fragment, dict):
        return None
    if set(fragment) == {"not"}:
        inner = read_condition(fragment["not"])
        negated = {positive: negative for negative, positive in NEGATIONS.items()}
        if inner is None or inner.operator not in negated:
            return None
        return Condition(inner.field, negated[inner.operator], inner.value)  # type: ignore[arg-type]
    required = fragment.get("required")
    if not isinstance(required, list) or len(required) != 1 or not isinstance(required[0], str):
        return None
    name = required[0]
    if set(fragment) == {"required"}:
        return Condition(name, "answered")
    properties = fragment.get("properties")
    if set(fragment) != {"properties", "required"} or not isinstance(properties, dict) or set(properties) != {name}:
        return None
    return _read_test(name, properties[name])


def _read_test(name: str, test: Any) -> Condition | None:
    if not isinstance(test, dict) or len(test) != 1:
        return None
    (keyword, value), = test.items()
    if keyword == "contains":
        if not isinstance(value, dict) or set(value) != {"const"}:
            return None
        return Condition(name, "includes", value["const"])
    operator = {"const": "is", "enum": "one_of", "exclusiveMinimum": "greater_than",
                "exclusiveMaximum": "less_than"}.get(keyword)
    if operator is None or (operator == "one_of" and not isinstance(value, list)):
        return None
    return Condition(name, operator, value)  # type: ignore[arg-type]


def fields_in(fragment: Any) -> set[str]:
    """Every answer name a condition fragment looks at (for "condition on a missing field")."""
    names: set[str] = set()
    if isinstance(fragment, dict):
        names.update(n for n in fragment.get("required", []) if isinstance(n, str))
        names.update((fragment.get("properties") or {}).keys())
        for key in ("not", "if", "then", "else"):
            names |= fields_in(fragment.get(key))
        for key in ("allOf", "anyOf", "oneOf"):
            for sub in fragment.get(key) or []:
                names |= fields_in(sub)
    return names


def can_ever_hold(condition: Condition, field_schema: dict[str, Any] | None) -> bool:
    """False when no answer the field accepts could make the condition true (a dead rule)."""
    if field_schema is None:
        return False
    if condition.operator in ("answered", "not_answered", "does_not_include"):
        return True
    if _is_list(field_schema):  # several choices, repeating group: the answer is a list
        return _list_allows(condition, field_schema)
    if condition.operator == "includes":
        return False  # "includes" looks into a list; this field's answer is never one
    if _is_group(field_schema) and condition.operator in ("is", "one_of"):
        return False  # an address holds several answers: it never equals one value
    allowed = _allowed_values(field_schema)
    if allowed is None:
        return _range_allows(condition, field_schema)
    if condition.operator == "is":
        return condition.value in allowed
    if condition.operator == "one_of":
        return any(v in allowed for v in condition.value or [])
    if condition.operator == "is_not":
        return any(v != condition.value for v in allowed)
    return True


def _types(schema: dict[str, Any]) -> set[str]:
    kind = schema.get("type")
    return {kind} if isinstance(kind, str) else {k for k in kind if isinstance(k, str)} if isinstance(kind, list) else set()


def _is_list(schema: dict[str, Any]) -> bool:
    return _types(schema) == {"array"}


def _is_group(schema: dict[str, Any]) -> bool:
    return _types(schema) == {"object"}


def _list_allows(condition: Condition, schema: dict[str, Any]) -> bool:
    """On a list, ``is`` / ``is one of`` compare the whole list with one value: never true. ``includes`` holds
    when the option is one the list may hold."""
    if condition.operator in ("is", "one_of"):
        values = [condition.value] if condition.operator == "is" else list(condition.value or [])
        return any(isinstance(v, list) for v in values)
    if condition.operator == "includes":
        items = schema.get("items")
        allowed = _allowed_values(items) if isinstance(items, dict) else None
        return allowed is None or condition.value in allowed
    return True  # is_not always holds; greater/less than ignore lists


def _allowed_values(schema: dict[str, Any]) -> list[Any] | None:
    if schema.get("type") == "boolean":
        return [True, False]
    if isinstance(schema.get("enum"), list):
        return schema["enum"]
    options = schema.get("oneOf")
    if isinstance(options, list) and options and all(isinstance(o, dict) and "const" in o for o in options):
        return [o["const"] for o in options]
    return None


def _range_allows(condition: Condition, schema: dict[str, Any]) -> bool:
    value = condition.value
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return True
    maximum, minimum = schema.get("maximum"), schema.get("minimum")
    if condition.operator == "greater_than" and isinstance(maximum, (int, float)):
        return maximum > value
    if condition.operator == "less_than" and isinstance(minimum, (int, float)):
        return minimum < value
    if condition.operator == "is" and isinstance(maximum, (int, float)) and value > maximum:
        return False
    if condition.operator == "is" and isinstance(minimum, (int, float)) and value < minimum:
        return False
    return True
