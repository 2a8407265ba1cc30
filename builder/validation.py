"""Safe validation of answers against a form version's JSON Schema.

Safety rules (STACK-NOTES.md, jsonschema 4.26):
- an empty ``referencing.Registry`` so no ``$ref`` is ever fetched from http or read from a file;
- ``pattern`` and ``patternProperties`` run with RE2 (linear time, no catastrophic backtracking), also where
  ``additionalProperties`` and ``unevaluatedProperties`` match property names against ``patternProperties``;
- formats are checked, with our own checks for email, uri, date-time and time;
- answers are limited in size and depth before the validator sees them;
- dates may have an earliest and a latest day: ``formatMinimum`` / ``formatMaximum`` (the keywords of the
  format vocabulary, as in ajv-formats) on a ``"format": "date"`` property, holding an ISO date or, a
  Formwork extension, ``"today"``, ``"today+N"`` or ``"today-N"`` (N days from the day of validation).

A validator is built once per schema and cached by the schema's content hash.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import math
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker, ValidationError, validators
from jsonschema._utils import extras_msg
from referencing import Registry
from referencing.exceptions import Unresolvable

from builder.errors import AnswersInvalid, DefinitionInvalid, FieldError, InputTooLarge
from builder.patterns import compile_pattern, matches_any
from builder.quick_check import Check, compile_check
from builder.unevaluated import unevaluated_properties
from babel.dates import format_date

from builder.validation_messages import FALLBACK, number, resolve, table

MAX_ANSWER_BYTES = 1_000_000
MAX_ANSWER_DEPTH = 32
# Applied where a schema sets no maxLength / maxItems (builder.definition_limits: "present or defaulted").
DEFAULT_MAX_LENGTH = 10_000
DEFAULT_MAX_ITEMS = 500


# ---------------------------------------------------------------- RE2 patterns


def pattern_problem(pattern: str) -> str | None:
    """Why RE2 refuses a pattern, or None when it can run it."""
    try:
        compile_pattern(pattern)
    except Exception as exc:  # re2 raises its own error type, with bytes in its message
        detail = exc.args[0].decode(errors="replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        return (f"this pattern cannot be used ({detail}); backreferences like \\1 and look-arounds "
                "like (?=...) are not supported")
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


def _additional_properties(
    validator: Any, additional: Any, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    """jsonschema 4.26's ``additionalProperties`` with its messages, its ``patternProperties`` matched with RE2."""
    if not validator.is_type(instance, "object"):
        return
    named = schema.get("properties") or {}
    extras = {key for key in instance if key not in named and not matches_any(schema.get("patternProperties"), key)}
    if validator.is_type(additional, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], additional, path=extra)
    elif not additional and extras:
        if "patternProperties" in schema:
            verb = "does" if len(extras) == 1 else "do"
            joined = ", ".join(repr(each) for each in sorted(extras))
            patterns = ", ".join(repr(each) for each in sorted(schema["patternProperties"]))
            yield ValidationError(f"{joined} {verb} not match any of the regexes: {patterns}")
        else:
            yield ValidationError("Additional properties are not allowed (%s %s unexpected)"
                                  % extras_msg(sorted(extras, key=str)))


# ---------------------------------------------------------------- formats

_EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
_PHONE = re.compile(r"^\+?[0-9 ()./-]{6,20}$")


def is_email(value: object) -> bool:
    return not isinstance(value, str) or bool(_EMAIL.match(value))


def is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. "http://[" (an unclosed IPv6 address)
        return False
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


def _ip(version: int) -> Callable[[object], bool]:
    def check(value: object) -> bool:
        if not isinstance(value, str):
            return True
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            return False
        return address.version == version and "%" not in value  # no zone index: it names a local interface
    return check


_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


def is_uuid(value: object) -> bool:
    return not isinstance(value, str) or bool(_UUID.match(value))


def is_hostname(value: object) -> bool:
    """RFC 1123 host names (letters, digits and hyphens between dots); checked by form, never looked up."""
    if not isinstance(value, str):
        return True
    name = value.removesuffix(".")
    return 0 < len(name) <= 253 and all(_LABEL.match(label) for label in name.split("."))


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())
    for name, check in FORMAT_CHECKS.items():
        checker.checks(name)(check)
    return checker


#: Every format the validator checks, each by its own function: none needs the network or another package.
FORMAT_CHECKS: dict[str, Callable[[object], bool]] = {
    "email": is_email,
    "uri": is_uri,
    "date-time": is_date_time,
    "date": is_date,
    "time": is_time,
    "phone": is_phone,
    "ipv4": _ip(4),
    "ipv6": _ip(6),
    "uuid": is_uuid,
    "hostname": is_hostname,
}
FORMAT_CHECKER = _format_checker()


# ---------------------------------------------------------------- earliest and latest dates

_RELATIVE_DAY = re.compile(r"^today(?:([+-])([0-9]{1,5}))?$")


def date_bound(value: object, today: date | None = None) -> date | None:
    """The day a ``formatMinimum`` / ``formatMaximum`` stands for: an ISO date, or ``today`` ± N days.

    None for anything else (such a bound checks nothing).
    """
    if not isinstance(value, str):
        return None
    relative = _RELATIVE_DAY.match(value.strip())
    if relative:
        days = int(relative[2] or 0) * (-1 if relative[1] == "-" else 1)
        return (today or date.today()) + timedelta(days=days)
    return date.fromisoformat(value) if is_date(value) else None


def _date_limit(earliest: bool) -> Callable[..., Iterator[ValidationError]]:
    def check(validator: Any, bound: Any, instance: Any, schema: dict[str, Any]) -> Iterator[ValidationError]:
        limit = date_bound(bound)
        if schema.get("format") != "date" or limit is None or not isinstance(instance, str) or not is_date(instance):
            return
        day = date.fromisoformat(instance)
        if (day < limit) if earliest else (day > limit):
            yield ValidationError(f"{instance} is {'before' if earliest else 'after'} {limit.isoformat()}")
    return check

_TYPE = Draft202012Validator.VALIDATORS["type"]


def _type_with_default_limits(validator: Any, types: Any, instance: Any, schema: dict[str, Any]) -> Iterator[ValidationError]:
    """The standard ``type`` check, plus the default length limits of texts and lists without their own."""
    yield from _TYPE(validator, types, instance, schema)
    if isinstance(instance, str) and "maxLength" not in schema and len(instance) > DEFAULT_MAX_LENGTH:
        yield ValidationError("too long", validator="maxLength", validator_value=DEFAULT_MAX_LENGTH)
    if isinstance(instance, list) and "maxItems" not in schema and len(instance) > DEFAULT_MAX_ITEMS:
        yield ValidationError("too many", validator="maxItems", validator_value=DEFAULT_MAX_ITEMS)


SafeValidator = validators.extend(
    Draft202012Validator,
    {"pattern": _pattern, "patternProperties": _pattern_properties, "additionalProperties": _additional_properties,
     "type": _type_with_default_limits,
     "formatMinimum": _date_limit(earliest=True), "formatMaximum": _date_limit(earliest=False),
     "unevaluatedProperties": unevaluated_properties},
)

_EMPTY_REGISTRY: Registry = Registry()


def schema_key(schema: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(schema, sort_keys=True).encode()).hexdigest()


_VALIDATORS: dict[str, Any] = {}


def validator_for(schema: dict[str, Any], *, closed: bool = False) -> Any:
    """The validator of a schema, built once and reused (schemas are never personal data).

    ``closed``: the validator of answers to a form, which refuses in every object of the answers a
    property the form does not define (``closed_schema``); conditions are checked as they are written."""
    key = schema_key(schema) + (":closed" if closed else "")
    cached = _VALIDATORS.get(key)
    if cached is None:
        upgraded = upgrade_dependencies(schema)
        cached = SafeValidator(closed_schema(upgraded) if closed else upgraded, registry=_EMPTY_REGISTRY,
                               format_checker=FORMAT_CHECKER)
        if len(_VALIDATORS) > 512:
            _VALIDATORS.clear()
        _VALIDATORS[key] = cached
    return cached


# The compiled yes-check of each validator answers are checked with (builder.quick_check), by the
# validator's identity; the validator is kept beside it, so its id cannot pass to another one meanwhile.
_QUICK: dict[int, tuple[Any, Check | None]] = {}


def answers_valid(validator: Any, answers: object) -> bool:
    """Whether ``validator`` finds no error in the answers: its compiled yes-check first, the validator
    itself whenever that check does not say yes (or cannot run on these answers)."""
    found = _QUICK.get(id(validator))
    if found is None:
        if len(_QUICK) > 512:
            _QUICK.clear()
        found = _QUICK[id(validator)] = (validator, compile_check(
            validator, max_length=DEFAULT_MAX_LENGTH, max_items=DEFAULT_MAX_ITEMS))
    quick = found[1]
    if quick is not None:
        try:
            if quick(answers):
                return True
        except Exception:  # noqa: BLE001 - whatever the shortcut cannot judge, the validator judges
            pass
    return bool(validator.is_valid(answers))


# ---------------------------------------------------------------- closed objects

# Subschemas that describe the same value as their parent (their fields are the parent's conditional fields).
_IN_PLACE_LIST = frozenset({"allOf", "anyOf", "oneOf"})
_IN_PLACE_ONE = frozenset({"then", "else"})
# Subschemas that describe a value inside the parent's (a property, an entry of a list).
_INSIDE_MAP = frozenset({"properties", "patternProperties"})
_INSIDE_ONE = frozenset({"items", "additionalProperties", "unevaluatedItems", "additionalItems"})
_DEFINITIONS = frozenset({"$defs", "definitions"})


def closed_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``schema`` in which every object of the answers refuses properties the form does not define.

    A JSON Schema object accepts any other property unless told not to, so a crafted answer could carry
    ``{"address": {"street": "…", "status": "approved"}}``. Each place that holds a value of its own (the
    form itself, a property, the entries of a list) and describes an object gets ``unevaluatedProperties:
    false`` unless it sets ``additionalProperties`` / ``unevaluatedProperties`` itself. Unlike
    ``additionalProperties``, it sees the fields of ``if``/``then``/``else``, ``allOf``/``oneOf``/``anyOf``,
    ``dependentSchemas`` and ``$ref`` at the same place, so conditional fields still go through when their
    condition holds. Conditions (``if``, ``not``, ``contains``) are left as written: closing them would
    change when they hold. A branch that gives a declared field (or its list's entries) sub-fields cannot be
    seen from the field's own ``unevaluatedProperties``: those sub-fields are added to the declaration as
    optional, each checked against the branch's description of it (``_with_branch_fields``).
    """
    return _close(schema, schema, inside=True, declared=frozenset())


def _close(node: Any, root: dict[str, Any], *, inside: bool, declared: frozenset[str]) -> Any:
    if not isinstance(node, dict):
        return node
    own = declared | frozenset(node["properties"]) if isinstance(node.get("properties"), dict) else declared
    branches = list(_in_place_parts(node, root))[1:]
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key in _INSIDE_MAP and isinstance(value, dict):
            # A branch that re-describes a field its object already has adds rules to it, not a new object: the
            # field is closed where it is declared, with the sub-fields the branches give it.
            result[key] = {name: sub if inside is False and key == "properties" and name in declared
                           else _close(_with_branch_fields(sub, _descriptions(branches, name), root) if
                                       key == "properties" else sub, root, inside=True, declared=frozenset())
                           for name, sub in value.items()}
        elif key in _INSIDE_ONE and isinstance(value, dict):
            result[key] = _close(value, root, inside=True, declared=frozenset())
        elif key == "prefixItems" and isinstance(value, list):
            result[key] = [_close(sub, root, inside=True, declared=frozenset()) for sub in value]
        elif key in _IN_PLACE_LIST and isinstance(value, list):
            result[key] = [_close(sub, root, inside=False, declared=own) for sub in value]
        elif key in _IN_PLACE_ONE:
            result[key] = _close(value, root, inside=False, declared=own)
        elif key == "dependentSchemas" and isinstance(value, dict):
            result[key] = {name: _close(sub, root, inside=False, declared=own) for name, sub in value.items()}
        elif key in _DEFINITIONS and isinstance(value, dict):
            # Closed where they are used (a ``$ref`` beside ``unevaluatedProperties``), so ``allOf`` can combine them.
            result[key] = {name: _close(sub, root, inside=False, declared=frozenset()) for name, sub in value.items()}
        else:
            result[key] = value
    if inside and "additionalProperties" not in node and "unevaluatedProperties" not in node \
            and describes_object(node, root):
        result["unevaluatedProperties"] = False
    return result


def _in_place_parts(node: Any, root: dict[str, Any], seen: frozenset[str] = frozenset()) -> Iterator[dict[str, Any]]:
    """A schema and every subschema describing the same value with it: its branches at any depth and
    what a local ``$ref`` points to (a reference loop ends the search). Conditions (``if``) are not parts."""
    if not isinstance(node, dict):
        return
    yield node
    branches = [node.get(key) for key in _IN_PLACE_ONE]
    branches += [sub for key in _IN_PLACE_LIST if isinstance(node.get(key), list) for sub in node[key]]
    if isinstance(node.get("dependentSchemas"), dict):
        branches += node["dependentSchemas"].values()
    for sub in branches:
        yield from _in_place_parts(sub, root, seen)
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/") and ref not in seen:
        yield from _in_place_parts(local_target(root, ref), root, seen | {ref})


def _descriptions(parts: list[dict[str, Any]], name: str) -> list[Any]:
    """How ``parts`` describe their field ``name``."""
    return [part["properties"][name] for part in parts
            if isinstance(part.get("properties"), dict) and name in part["properties"]]


def _sets_extra(schema: Any) -> bool:
    return isinstance(schema, dict) and ("additionalProperties" in schema or "unevaluatedProperties" in schema)


def _with_branch_fields(declaration: Any, branches: list[Any], root: dict[str, Any]) -> Any:
    """A field's declaration with the sub-fields branches of its parent give it (or its list's entries), added
    as optional.

    The field's ``unevaluatedProperties`` sees only its own subschema, not a parent's branch describing
    the same field, so without them a correct answer to a branch's sub-field was refused, and a field
    only a branch made an object was not closed at all. Each added sub-field is checked against the
    branches' descriptions of it (any one of them); a field or branch that decides its extra properties
    itself is left as written."""
    parts = [part for branch in branches for part in _in_place_parts(branch, root)]
    if not parts or not isinstance(declaration, dict | bool) or declaration is False \
            or _sets_extra(declaration) or any(map(_sets_extra, parts)):
        return declaration
    base: dict[str, Any] = {} if declaration is True else declaration
    merged = dict(base)
    if any(describes_object(part, root) for part in parts) and isinstance(base.get("properties", {}), dict):
        properties = dict(base.get("properties") or {})
        for name in dict.fromkeys(name for part in parts if isinstance(part.get("properties"), dict)
                                  for name in part["properties"]):
            described = _descriptions(parts, name)
            properties[name] = _with_branch_fields(properties[name], described, root) if name in properties \
                else described[0] if len(described) == 1 else {"anyOf": described}
        merged["properties"] = properties
    entries = [part["items"] for part in parts if isinstance(part.get("items"), dict)]
    if entries and isinstance(base.get("items", True), dict | bool):
        merged["items"] = _with_branch_fields(base.get("items", True), entries, root)
    return declaration if merged == base else merged


def describes_object(node: Any, root: dict[str, Any], seen: frozenset[str] = frozenset()) -> bool:
    """Whether a schema describes an object with fields: ``type: object`` or ``properties``, itself, in a
    branch at the same place or behind a local ``$ref`` (a reference loop ends the search)."""
    if not isinstance(node, dict):
        return False
    kind = node.get("type")
    if kind == "object" or (isinstance(kind, list) and "object" in kind) or isinstance(node.get("properties"), dict):
        return True
    branches = [node.get(key) for key in _IN_PLACE_ONE]
    branches += [sub for key in _IN_PLACE_LIST if isinstance(node.get(key), list) for sub in node[key]]
    if any(describes_object(sub, root, seen) for sub in branches):
        return True
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/") and ref not in seen:
        return describes_object(local_target(root, ref), root, seen | {ref})
    return False


def local_target(root: dict[str, Any], ref: str) -> Any:
    """What a ``#/...`` JSON pointer points to in ``root``, or None."""
    target: Any = root
    for part in ref[2:].split("/") if ref != "#/" else [""]:
        part = part.replace("~1", "/").replace("~0", "~")
        target = target.get(part) if isinstance(target, dict) else None
    return target


# ---------------------------------------------------------------- draft-07 ``dependencies``

# Keywords whose values are subschemas, by shape (a ``properties`` map holds field names, not keywords).
_SUB_ONE = frozenset({"items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames",
                      "unevaluatedItems", "unevaluatedProperties", "additionalItems", "contentSchema"})
_SUB_MAP = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})
_SUB_LIST = frozenset({"allOf", "anyOf", "oneOf", "prefixItems", "items"})


def split_dependencies(value: Any) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """Draft-07 ``dependencies`` (react-jsonschema-form writes them) as 2020-12 ``dependentRequired``
    (list values) and ``dependentSchemas`` (schema values): the same rules under their new names."""
    required: dict[str, list[str]] = {}
    schemas: dict[str, Any] = {}
    if isinstance(value, dict):
        for trigger, rule in value.items():
            if isinstance(rule, list):
                required[trigger] = [name for name in rule if isinstance(name, str)]
            elif isinstance(rule, dict | bool):
                schemas[trigger] = rule
    return required, schemas


def upgrade_dependencies(schema: Any) -> Any:
    """A copy of ``schema`` with every ``dependencies`` turned into ``dependentRequired`` / ``dependentSchemas``,
    merged with those already there; a schema without ``dependencies`` is returned as it is."""
    if not _has_dependencies(schema):
        return schema
    return _upgrade(schema)


def _has_dependencies(node: Any) -> bool:
    return '"dependencies"' in json.dumps(node) if isinstance(node, dict) else False


def _upgrade(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key in _SUB_MAP and isinstance(value, dict):
            result[key] = {name: _upgrade(sub) for name, sub in value.items()}
        elif key in _SUB_LIST and isinstance(value, list):
            result[key] = [_upgrade(sub) for sub in value]
        elif key in _SUB_ONE:
            result[key] = _upgrade(value)
        elif key != "dependencies":
            result[key] = value
    required, schemas = split_dependencies(node.get("dependencies"))
    if required:
        merged = {trigger: list(names) for trigger, names in (result.get("dependentRequired") or {}).items()}
        for trigger, names in required.items():
            merged[trigger] = list(dict.fromkeys([*merged.get(trigger, []), *names]))
        result["dependentRequired"] = merged
    if schemas:
        merged_schemas = dict(result.get("dependentSchemas") or {})
        for trigger, sub in schemas.items():
            sub = _upgrade(sub)
            merged_schemas[trigger] = {"allOf": [merged_schemas[trigger], sub]} if trigger in merged_schemas else sub
        result["dependentSchemas"] = merged_schemas
    if "dependencies" in node and not isinstance(node["dependencies"], dict):
        result["dependencies"] = node["dependencies"]  # not a map: left for the checks to report
    return result


# ---------------------------------------------------------------- limits and messages


def check_answer_limits(answers: object, locale: str = FALLBACK) -> None:
    """Refuse answers that are too large or too deeply nested before validating them."""
    if _depth(answers) > MAX_ANSWER_DEPTH:
        raise InputTooLarge(table(locale)["too_deep"])
    if len(json.dumps(answers, default=str)) > MAX_ANSWER_BYTES:
        raise InputTooLarge(table(locale)["too_large"])


def unstorable_values(answers: object, locale: str = FALLBACK) -> list[FieldError]:
    """Values JSON cannot hold or text cannot be stored as, at their fields: a number that is not finite
    (Python's ``json`` reads ``NaN`` and ``Infinity``) and text with a lone surrogate (``"\\ud800"``)."""
    found: list[FieldError] = []
    texts = table(locale)

    def walk(value: object, path: tuple[str | int, ...]) -> None:
        if isinstance(value, float) and not math.isfinite(value):
            found.append(FieldError(path, texts["not_a_number"]))
        elif isinstance(value, str) and not _encodable(value):
            found.append(FieldError(path, texts["unreadable_text"]))
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, (*path, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, (*path, index))

    walk(answers, ())
    return found


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _depth(value: object, level: int = 0) -> int:
    if level > MAX_ANSWER_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


def _choices(error: ValidationError) -> list[tuple[Any, str | None]]:
    """The allowed values of a choice with their labels (None without one): ``oneOf``/``anyOf`` of ``const`` +
    ``title``, or ``enum`` with react-jsonschema-form's ``enumNames``. In the schema localised for the reader,
    the labels are in their language."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    if isinstance(schema.get("enum"), list):
        names = schema.get("enumNames") if isinstance(schema.get("enumNames"), list) else []
        return [(value, names[i] if i < len(names) and isinstance(names[i], str) else None)
                for i, value in enumerate(schema["enum"])]
    branches = [*(schema.get("oneOf") or []), *(schema.get("anyOf") or [])]
    return [(option["const"], option.get("title") if isinstance(option.get("title"), str) else None)
            for option in branches if isinstance(option, dict) and "const" in option]


def shown_value(value: Any, texts: dict[str, str]) -> str:
    """A value as a resident reads it: text in quotes, yes / no, never Python's ``'x'`` or ``True``."""
    if value is True or value is False or value is None:
        return texts[f"value.{str(value).lower()}"]
    if isinstance(value, str):
        return texts["quoted"].format(text=value)
    return json.dumps(value, ensure_ascii=False)


# A message from the failing keyword, the locale's table and the locale (to write numbers its way).
Message = Callable[[ValidationError, dict[str, str], str], str]


def _type_message(error: ValidationError, texts: dict[str, str], locale: str) -> str:
    expected = error.validator_value
    names = [expected] if isinstance(expected, str) else list(expected)
    return texts["type"].format(types=texts["or"].join(texts.get(f"type.{name}", name) for name in names))


def _limit(key: str) -> Message:
    return lambda error, texts, locale: texts[key].format(limit=number(error.validator_value, locale))


def _fixed(key: str) -> Message:
    return lambda error, texts, locale: texts[key]


def _choice_message(error: ValidationError, texts: dict[str, str], locale: str) -> str:
    choices = ", ".join(texts["quoted"].format(text=label) if label else shown_value(value, texts)
                        for value, label in _choices(error))
    return texts["choose"].format(choices=choices) if choices else texts["no_option"]


def _const_message(error: ValidationError, texts: dict[str, str], locale: str) -> str:
    return texts["const"].format(value=shown_value(error.validator_value, texts))


def _format_message(error: ValidationError, texts: dict[str, str], locale: str) -> str:
    return texts.get(f"format.{error.validator_value}") or texts["format.other"].format(format=error.validator_value)


def _day_limit(key: str) -> Message:
    def message(error: ValidationError, texts: dict[str, str], locale: str) -> str:
        limit = date_bound(error.validator_value)
        day = format_date(limit, format="long", locale=resolve(locale)) if limit else str(error.validator_value)
        return texts[key].format(date=day)
    return message


def _min_length_message(error: ValidationError, texts: dict[str, str], locale: str) -> str:
    return _limit("minLength")(error, texts, locale) if error.validator_value > 1 else texts["required"]


_MESSAGES: dict[str, Message] = {
    "required": _fixed("required"),
    "type": _type_message,
    "enum": _choice_message,
    "const": _const_message,
    "oneOf": _choice_message,
    "anyOf": _fixed("no_option"),
    "format": _format_message,
    "minLength": _min_length_message,
    "maxLength": _limit("maxLength"),
    "pattern": _fixed("pattern"),
    "minimum": _limit("minimum"),
    "maximum": _limit("maximum"),
    "exclusiveMinimum": _limit("exclusiveMinimum"),
    "exclusiveMaximum": _limit("exclusiveMaximum"),
    "multipleOf": _limit("multipleOf"),
    "minItems": _limit("minItems"),
    "maxItems": _limit("maxItems"),
    "uniqueItems": _fixed("uniqueItems"),
    "additionalProperties": lambda e, texts, locale: _extra_message(e, texts),
    "unevaluatedProperties": lambda e, texts, locale: _extra_message(e, texts),
    "dependentRequired": _fixed("required"),
    "formatMinimum": _day_limit("date.min"),
    "formatMaximum": _day_limit("date.max"),
}


# jsonschema names the properties it refused as Python strings: ('weeks' was unexpected).
_QUOTED = re.compile(r"'([^']*)'|\"([^\"]*)\"")


def _refused_names(error: ValidationError) -> list[str]:
    """The properties jsonschema names as refused (exactly those, a conditional field whose condition does not
    hold too), as far as they are keys of the answer."""
    instance = error.instance if isinstance(error.instance, dict) else {}
    return [a or b for a, b in _QUOTED.findall(error.message) if (a or b) in instance]


def _extra_message(error: ValidationError, texts: dict[str, str]) -> str:
    """Name the unexpected answers, so a designer or a support person sees which ones were refused."""
    instance = error.instance if isinstance(error.instance, dict) else {}
    schema = error.schema if isinstance(error.schema, dict) else {}
    known = set(schema.get("properties") or {})
    extra = _refused_names(error) or [str(name) for name in instance if name not in known] or [error.message]
    names = ", ".join(f"“{name[:40]}”" for name in extra[:5])
    return texts["extra.one" if len(extra) == 1 else "extra.many"].format(names=names)


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
    """react-jsonschema-form style ``errorMessage`` on the failing subschema: a string, or per keyword with
    ``_`` for the keywords without their own (the ajv-errors convention; the builder writes it)."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    custom = schema.get("errorMessage")
    if isinstance(custom, str):
        return custom
    if isinstance(custom, dict):
        value = custom.get(str(error.validator), custom.get("_"))
        return value if isinstance(value, str) else None
    return None


def _leaf_errors(error: ValidationError) -> Iterator[ValidationError]:
    """Descend into if/then/allOf wrappers so each message sits at the real field."""
    if error.context and error.validator in {"allOf", "then", "else", "dependentSchemas", "$ref"}:
        for sub in error.context:
            yield from _leaf_errors(sub)
    elif error.context and error.validator in {"oneOf", "anyOf"} and not _choices(error):
        yield from _chosen_branch(error)
    else:
        yield error


def _chosen_branch(error: ValidationError) -> Iterator[ValidationError]:
    """Of object branches told apart by a ``const``, report the errors of the branch the resident chose."""
    by_branch: dict[Any, list[ValidationError]] = {}
    for sub in error.context or []:
        by_branch.setdefault(sub.schema_path[0] if sub.schema_path else None, []).append(sub)
    chosen = [errors for errors in by_branch.values() if not any(_discriminator_failed(e) for e in errors)]
    if len(chosen) == 1:
        for sub in chosen[0]:
            yield from _leaf_errors(sub)
    else:
        yield error


def _discriminator_failed(error: ValidationError) -> bool:
    """A branch's ``const`` (or one-value ``enum``, as react-jsonschema-form writes it) that the answer does not match."""
    one_value_enum = error.validator == "enum" and isinstance(error.validator_value, list) and len(error.validator_value) == 1
    return error.validator == "const" or one_value_enum


def field_errors(schema: dict[str, Any], answers: object, locale: str = FALLBACK, *,
                 validator: Any | None = None) -> list[FieldError]:
    """Every problem of the answers, each with the path of its field and a plain message in ``locale``.

    Pass the schema of the definition localised to the same locale (``builder.translations.localise``):
    the designer's own ``errorMessage`` texts are translated there, the standard messages here.
    ``validator`` is ``validator_for(schema, closed=True)`` when the caller keeps it already
    (builder.published): it saves hashing the schema to find it.
    """
    check_answer_limits(answers, locale)
    unstorable = unstorable_values(answers, locale)
    if unstorable:  # the validator's own checks would raise on them (RE2 on a lone surrogate, Fraction(inf))
        return unstorable
    try:
        return _collect_errors(validator or validator_for(schema, closed=True), answers, locale)
    except RecursionError as exc:  # a schema cycle the save-time checks did not catch
        raise InputTooLarge(table(locale)["form_too_deep"]) from exc
    except Unresolvable as exc:  # the empty registry refused a reference outside the form: nothing was fetched
        raise DefinitionInvalid([FieldError((), table(locale)["outside_reference"])]) from exc


def _collect_errors(validator: Any, answers: object, locale: str) -> list[FieldError]:
    found: list[FieldError] = []
    seen: set[tuple[tuple[str | int, ...], str]] = set()
    texts = table(locale)
    if answers_valid(validator, answers):  # the common case, without building error objects
        return found
    leaves = [leaf for error in validator.iter_errors(answers) for leaf in _leaf_errors(error)]
    for leaf in leaves:
        if _extra_because_invalid(leaf, leaves):
            continue
        standard = _MESSAGES.get(str(leaf.validator), _fixed("generic"))
        message = _custom_message(leaf) or standard(leaf, texts, locale)
        for path in _field_paths(leaf):
            text = _missing_field_message(leaf, path) or message
            if (path, text) not in seen:
                seen.add((path, text))
                found.append(FieldError(path=path, message=text))
    return found


def _extra_because_invalid(error: ValidationError, leaves: list[ValidationError]) -> bool:
    """A conditional field whose own answer is wrong is not counted by ``unevaluatedProperties`` (a branch
    that fails adds no fields), so it is called extra too: its own problems say what to correct."""
    if error.validator != "unevaluatedProperties" or not isinstance(error.instance, dict):
        return False
    path = tuple(error.absolute_path)
    named = _refused_names(error)
    wrong = {tuple(other.absolute_path)[len(path)] for other in leaves if other is not error
             and len(other.absolute_path) > len(path) and tuple(other.absolute_path)[:len(path)] == path}
    return bool(named) and all(name in wrong for name in named)


def _missing_field_message(error: ValidationError, path: tuple[str | int, ...]) -> str | None:
    """A missing field's own ``errorMessage.required`` (the rule sits on its parent, the message on it)."""
    if error.validator not in {"required", "dependentRequired"} or not path:
        return None
    schema = error.schema if isinstance(error.schema, dict) else {}
    field = (schema.get("properties") or {}).get(path[-1])
    custom = field.get("errorMessage") if isinstance(field, dict) else None
    return custom.get("required") if isinstance(custom, dict) and isinstance(custom.get("required"), str) else None


def validate_answers(schema: dict[str, Any], answers: object, locale: str = FALLBACK, *,
                     validator: Any | None = None) -> None:
    """Raise ``AnswersInvalid`` with every field problem (messages in ``locale``), or return when valid
    (``validator``: see ``field_errors``)."""
    errors = field_errors(schema, answers, locale, validator=validator)
    if errors:
        raise AnswersInvalid(errors)


def condition_holds(condition: dict[str, Any] | None, answers: object) -> bool:
    """Conditions are JSON Schema fragments; an absent condition always holds."""
    if not condition:
        return True
    return validator_for(condition).is_valid(answers)
