"""Safe validation of answers against a form version's JSON Schema.

Safety rules (STACK-NOTES.md, jsonschema 4.26):
- an empty ``referencing.Registry`` so no ``$ref`` is ever fetched from http or read from a file;
- ``pattern`` and ``patternProperties`` run with RE2 (linear time, no catastrophic backtracking);
- formats are checked, with our own checks for email, uri, date-time and time;
- answers are limited in size and depth before the validator sees them.

A validator is built once per schema and cached by the schema's content hash.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime, time
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import re2
from jsonschema import Draft202012Validator, FormatChecker, ValidationError, validators
from referencing import Registry

from builder.errors import AnswersInvalid, FieldError, InputTooLarge

MAX_ANSWER_BYTES = 1_000_000
MAX_ANSWER_DEPTH = 32


# ---------------------------------------------------------------- RE2 patterns


@lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> re2._Regexp:
    """Compile with RE2; raises ``re2.error`` for what RE2 cannot run (backreferences, lookaround)."""
    options = re2.Options()
    options.log_errors = False
    return re2.compile(pattern, options)


def pattern_problem(pattern: str) -> str | None:
    """Why RE2 refuses a pattern, or None when it can run it."""
    try:
        compile_pattern(pattern)
    except Exception as exc:  # re2 raises its own error type
        return f"this pattern cannot be used ({exc}); backreferences and look-arounds are not supported"
    return None


def _pattern(validator: Any, pattern: str, instance: Any, schema: dict[str, Any]) -> Iterator[ValidationError]:
    if isinstance(instance, str) and not compile_pattern(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(
    validator: Any, patterns: dict[str, Any], instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if not isinstance(instance, dict):
        return
    for pattern, subschema in patterns.items():
        regex = compile_pattern(pattern)
        for key, value in instance.items():
            if regex.search(key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


# ---------------------------------------------------------------- formats

_EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
_PHONE = re.compile(r"^\+?[0-9 ()./-]{6,20}$")


def is_email(value: object) -> bool:
    return not isinstance(value, str) or bool(_EMAIL.match(value))


def is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return parts.scheme in {"http", "https"} and bool(parts.netloc) and " " not in value


def is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return parsed.tzinfo is not None or len(value) >= 16


def is_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        time.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def is_phone(value: object) -> bool:
    return not isinstance(value, str) or bool(_PHONE.match(value))


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())
    for name, check in {
        "email": is_email,
        "uri": is_uri,
        "date-time": is_date_time,
        "date": is_date,
        "time": is_time,
        "phone": is_phone,
    }.items():
        checker.checks(name)(check)
    return checker


FORMAT_CHECKER = _format_checker()

SafeValidator = validators.extend(
    Draft202012Validator,
    {"pattern": _pattern, "patternProperties": _pattern_properties},
)

_EMPTY_REGISTRY: Registry = Registry()


def schema_key(schema: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(schema, sort_keys=True).encode()).hexdigest()


_VALIDATORS: dict[str, Any] = {}


def validator_for(schema: dict[str, Any]) -> Any:
    """The validator of a schema, built once and reused (schemas are never personal data)."""
    key = schema_key(schema)
    cached = _VALIDATORS.get(key)
    if cached is None:
        cached = SafeValidator(schema, registry=_EMPTY_REGISTRY, format_checker=FORMAT_CHECKER)
        if len(_VALIDATORS) > 512:
            _VALIDATORS.clear()
        _VALIDATORS[key] = cached
    return cached


# ---------------------------------------------------------------- limits and messages


def check_answer_limits(answers: object) -> None:
    """Refuse answers that are too large or too deeply nested before validating them."""
    if _depth(answers) > MAX_ANSWER_DEPTH:
        raise InputTooLarge("The answers are nested too deeply to be accepted.")
    if len(json.dumps(answers, default=str)) > MAX_ANSWER_BYTES:
        raise InputTooLarge("The answers are too large (over 1 MB). Shorten long texts or attach them as files.")


def _depth(value: object, level: int = 0) -> int:
    if level > MAX_ANSWER_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


def _choices(error: ValidationError) -> str:
    schema = error.schema if isinstance(error.schema, dict) else {}
    options = schema.get("enum") or [option.get("const") for option in schema.get("oneOf", []) if isinstance(option, dict)]
    return ", ".join(str(option) for option in options)


_FORMAT_HINTS = {
    "date": "Enter a date like 2026-03-14.",
    "date-time": "Enter a date and time like 2026-03-14 09:30.",
    "time": "Enter a time like 09:30.",
    "email": "Enter an email address like name@example.org.",
    "uri": "Enter a web address starting with https://.",
    "phone": "Enter a phone number using digits, spaces and an optional leading +.",
}

_TYPE_NAMES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "yes or no",
    "array": "a list",
    "object": "a group of answers",
    "null": "nothing",
}


def _type_message(error: ValidationError) -> str:
    expected = error.validator_value
    names = [expected] if isinstance(expected, str) else list(expected)
    return "Enter " + " or ".join(_TYPE_NAMES.get(name, name) for name in names) + "."


_MESSAGES: dict[str, Callable[[ValidationError], str]] = {
    "required": lambda e: "This field is required.",
    "type": _type_message,
    "enum": lambda e: f"Choose one of: {_choices(e)}.",
    "const": lambda e: f"This must be {e.validator_value!r}.",
    "oneOf": lambda e: f"Choose one of: {_choices(e)}." if _choices(e) else "This answer does not fit any of the allowed options.",
    "anyOf": lambda e: "This answer does not fit any of the allowed options.",
    "format": lambda e: _FORMAT_HINTS.get(str(e.validator_value), f"Enter a valid {e.validator_value}."),
    "minLength": lambda e: f"Enter at least {e.validator_value} characters." if e.validator_value > 1 else "This field is required.",
    "maxLength": lambda e: f"Enter at most {e.validator_value} characters.",
    "pattern": lambda e: "This answer is not in the expected format.",
    "minimum": lambda e: f"Enter a value of at least {e.validator_value}.",
    "maximum": lambda e: f"Enter a value of at most {e.validator_value}.",
    "exclusiveMinimum": lambda e: f"Enter a value greater than {e.validator_value}.",
    "exclusiveMaximum": lambda e: f"Enter a value less than {e.validator_value}.",
    "multipleOf": lambda e: f"Enter a multiple of {e.validator_value}.",
    "minItems": lambda e: f"Add at least {e.validator_value}.",
    "maxItems": lambda e: f"Add at most {e.validator_value}.",
    "uniqueItems": lambda e: "Each entry must be different.",
    "additionalProperties": lambda e: "This form does not accept extra answers.",
    "unevaluatedProperties": lambda e: "This form does not accept extra answers.",
    "dependentRequired": lambda e: "This field is required.",
}


def _generic_message(error: ValidationError) -> str:
    return "This answer is not valid."


def _field_paths(error: ValidationError) -> list[tuple[str | int, ...]]:
    """Where a message belongs: a missing field's own path rather than its parent's."""
    path = tuple(error.absolute_path)
    instance = error.instance if isinstance(error.instance, dict) else {}
    if error.validator == "required":
        missing = [name for name in error.validator_value if name not in instance]
        return [(*path, name) for name in missing] or [path]
    if error.validator == "dependentRequired":
        needed = [name for names in error.validator_value.values() for name in names]
        missing = [name for name in dict.fromkeys(needed) if name not in instance]
        return [(*path, name) for name in missing] or [path]
    return [path]


def _custom_message(error: ValidationError) -> str | None:
    """react-jsonschema-form style ``errorMessage`` on the failing subschema: a string, or per keyword."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    custom = schema.get("errorMessage")
    if isinstance(custom, str):
        return custom
    if isinstance(custom, dict):
        value = custom.get(str(error.validator))
        return value if isinstance(value, str) else None
    return None


def _leaf_errors(error: ValidationError) -> Iterator[ValidationError]:
    """Descend into if/then/allOf wrappers so each message sits at the real field."""
    if error.context and error.validator in {"allOf", "then", "else", "dependentSchemas", "$ref"}:
        for sub in error.context:
            yield from _leaf_errors(sub)
    else:
        yield error


def field_errors(schema: dict[str, Any], answers: object) -> list[FieldError]:
    """Every problem of the answers, each with the path of its field and a plain message."""
    check_answer_limits(answers)
    found: list[FieldError] = []
    seen: set[tuple[tuple[str | int, ...], str]] = set()
    for error in validator_for(schema).iter_errors(answers):
        for leaf in _leaf_errors(error):
            message = _custom_message(leaf) or _MESSAGES.get(str(leaf.validator), _generic_message)(leaf)
            for path in _field_paths(leaf):
                if (path, message) not in seen:
                    seen.add((path, message))
                    found.append(FieldError(path=path, message=message))
    return found


def validate_answers(schema: dict[str, Any], answers: object) -> None:
    """Raise ``AnswersInvalid`` with every field problem, or return when the answers are valid."""
    errors = field_errors(schema, answers)
    if errors:
        raise AnswersInvalid(errors)


def condition_holds(condition: dict[str, Any] | None, answers: object) -> bool:
    """Conditions are JSON Schema fragments; an absent condition always holds."""
    if not condition:
        return True
    return validator_for(condition).is_valid(answers)
