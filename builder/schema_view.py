"""Which fields a form shows for the current answers, and which of them are required.

Conditional fields live in ``if``/``then``/``else``, ``dependentSchemas``, ``dependentRequired``,
``allOf`` and ``oneOf`` branches (DESIGN.md §2), and in draft-07 ``dependencies`` (the same two rules
under their old name, as react-jsonschema-form writes them). This module evaluates those against the answers
and returns the flat list of fields to show, so the renderer and the lint share one reading.
Local ``$ref`` (``#/$defs/...`` and draft-07 ``#/definitions/...``) is resolved here; any other
reference is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from builder.errors import DefinitionInvalid, FieldError
from builder.validation import condition_holds, split_dependencies

MAX_REF_DEPTH = 32


@dataclass(frozen=True)
class FieldView:
    name: str
    schema: dict[str, Any]
    required: bool


def resolve_ref(root: dict[str, Any], node: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    """Follow a local ``$ref``; siblings of ``$ref`` override the target (2020-12 semantics)."""
    ref = node.get("$ref")
    if not isinstance(ref, str):
        return node
    if depth > MAX_REF_DEPTH:
        raise DefinitionInvalid([FieldError((), f"The reference {ref!r} loops.")])
    if not ref.startswith("#/"):
        raise DefinitionInvalid([FieldError((), f"Only references inside the form are allowed, not {ref!r}.")])
    target: Any = root
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(target, dict) or part not in target:
            raise DefinitionInvalid([FieldError((), f"The reference {ref!r} points nowhere.")])
        target = target[part]
    resolved = resolve_ref(root, target, depth + 1)
    siblings = {key: value for key, value in node.items() if key != "$ref"}
    return {**resolved, **siblings}


# ---------------------------------------------------------------- references checked when a form is saved

#: A ``$ref`` the form cannot follow: where it is, why (see ``reference_problems``) and the reference itself.
RefProblem = tuple[tuple[str | int, ...], str, str]
_MAX_REF_VISITS = 10_000
_DATA = frozenset({"const", "enum", "default", "examples"})
_NAMING = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})


def reference_problems(schema: dict[str, Any], at: tuple[str | int, ...] = ("schema",)) -> list[RefProblem]:
    """Each ``$ref`` the form cannot follow: ``outside`` (not in the form: never fetched), ``anchor``
    (``#name``: the renderer follows only paths like ``#/$defs/name``), ``whole`` (``#``: the form inside
    itself), ``nowhere`` (a path to nothing) and ``loop`` (a reference that leads back to where it is, so
    the form would never end). ``at`` is put in front of each place."""
    problems: list[RefProblem] = []
    for path, ref in _refs(schema, ()):
        kind = _ref_kind(schema, ref)
        if kind is None and _loops(schema, path, ref):
            kind = "loop"
        if kind is not None:
            problems.append(((*at, *path), kind, ref))
    return problems


def _refs(node: Any, at: tuple[str | int, ...]) -> list[tuple[tuple[str | int, ...], str]]:
    """Every ``$ref`` under ``node``, with its place (what ``const``, ``enum``, ``default`` and ``examples`` hold
    is data, not schemas; inside ``properties`` or ``$defs`` those words are names of fields)."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(node, at)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, dict):
            if isinstance(value.get("$ref"), str):
                found.append((where, value["$ref"]))
            naming = bool(where) and where[-1] in _NAMING
            stack.extend((child, (*where, key)) for key, child in value.items() if naming or key not in _DATA)
        elif isinstance(value, list):
            stack.extend((child, (*where, index)) for index, child in enumerate(value))
    return sorted(found, key=lambda item: [str(part) for part in item[0]])


def _pointer(ref: str) -> tuple[str, ...]:
    return tuple(part.replace("~1", "/").replace("~0", "~") for part in ref[2:].split("/"))


def _ref_kind(root: dict[str, Any], ref: str) -> str | None:
    if not ref.startswith("#"):
        return "outside"
    if ref == "#":
        return "whole"
    if not ref.startswith("#/"):
        return "anchor"
    target: Any = root
    for part in _pointer(ref):
        if not isinstance(target, dict) or part not in target:
            return "nowhere"
        target = target[part]
    return None if isinstance(target, dict) else "nowhere"


def _loops(root: dict[str, Any], place: tuple[str | int, ...], ref: str) -> bool:
    """Whether following ``ref`` (found at ``place``) ever leads back into a schema being expanded."""
    visits = 0
    pending: list[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]] = [(_pointer(ref), (tuple(map(str, place)),))]
    while pending:
        target, expanding = pending.pop()
        visits += 1
        if visits > _MAX_REF_VISITS or any(inside[:len(target)] == target for inside in expanding):
            return True  # the target holds a schema being expanded: it contains itself
        node: Any = root
        for part in target:
            node = node.get(part) if isinstance(node, dict) else None
        for path, inner in _refs(node, target):
            if inner.startswith("#/") and _ref_kind(root, inner) is None:
                pending.append((_pointer(inner), (*expanding, tuple(map(str, path)))))
    return False


def visible_fields(root: dict[str, Any], node: dict[str, Any], answers: dict[str, Any]) -> list[FieldView]:
    """The properties of an object schema that apply to these answers, in declaration order."""
    properties: dict[str, dict[str, Any]] = {}
    required: set[str] = set()
    _collect(root, resolve_ref(root, node), answers, properties, required, depth=0)
    return [FieldView(name, schema, name in required) for name, schema in properties.items()]


def _collect(root: dict[str, Any], node: dict[str, Any], answers: dict[str, Any],
             properties: dict[str, dict[str, Any]], required: set[str], depth: int) -> None:
    if depth > MAX_REF_DEPTH:
        return
    for name, sub in (node.get("properties") or {}).items():
        resolved = resolve_ref(root, sub) if isinstance(sub, dict) else {}
        properties[name] = {**properties.get(name, {}), **resolved}
    required.update(name for name in node.get("required", []) if isinstance(name, str))
    for branch in node.get("allOf", []):
        _collect(root, resolve_ref(root, branch), answers, properties, required, depth + 1)
    if isinstance(node.get("if"), dict):
        chosen = node.get("then") if condition_holds(node["if"], answers) else node.get("else")
        if isinstance(chosen, dict):
            _collect(root, resolve_ref(root, chosen), answers, properties, required, depth + 1)
    legacy_required, legacy_schemas = split_dependencies(node.get("dependencies"))  # draft-07, react-jsonschema-form
    for trigger, sub in [*(node.get("dependentSchemas") or {}).items(), *legacy_schemas.items()]:
        if _answered(answers.get(trigger)) and isinstance(sub, dict):
            _collect(root, resolve_ref(root, sub), answers, properties, required, depth + 1)
    for trigger, names in [*(node.get("dependentRequired") or {}).items(), *legacy_required.items()]:
        if _answered(answers.get(trigger)):
            required.update(names)
    _collect_one_of(root, node, answers, properties, required, depth)


def _collect_one_of(root: dict[str, Any], node: dict[str, Any], answers: dict[str, Any],
                    properties: dict[str, dict[str, Any]], required: set[str], depth: int) -> None:
    """A object-level ``oneOf`` whose branches are told apart by a ``const`` (discriminated branches), or by
    a one-value ``enum`` as react-jsonschema-form writes it."""
    branches = [resolve_ref(root, b) for b in node.get("oneOf", []) if isinstance(b, dict) and "properties" in b]
    for branch in branches:
        discriminators = {name: value for name, sub in branch["properties"].items()
                          for value in _discriminator(sub)}
        if discriminators and all(answers.get(name) == value for name, value in discriminators.items()):
            extra = {**branch, "properties": {k: v for k, v in branch["properties"].items() if k not in discriminators}}
            _collect(root, extra, answers, properties, required, depth + 1)


def _discriminator(sub: Any) -> list[Any]:
    """The one value a branch's property must have (``const``, or an ``enum`` of one), if it names one."""
    if not isinstance(sub, dict):
        return []
    if "const" in sub:
        return [sub["const"]]
    enum = sub.get("enum")
    return list(enum) if isinstance(enum, list) and len(enum) == 1 else []


def _answered(value: Any) -> bool:
    return value not in (None, "", [], {})


def prune_hidden(root: dict[str, Any], node: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """Drop answers of fields that are not shown any more (their condition stopped holding)."""
    shown = {field.name: field for field in visible_fields(root, node, answers)}
    pruned: dict[str, Any] = {}
    for name, value in answers.items():
        field = shown.get(name)
        if field is None:
            continue
        if isinstance(value, dict) and field.schema.get("type") == "object":
            value = prune_hidden(root, field.schema, value)
        pruned[name] = value
    return pruned
