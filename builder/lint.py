"""Findings about a definition in plain words, each pointing at the field or step it is about.

Errors make a version unusable, so publishing refuses them; warnings are worth a look and can be
acknowledged. ``Finding.field`` / ``Finding.step`` let the editor link each finding to its place.

A finding is a message key of ``builder.lint_messages`` with its parameters, so the editor shows it
in the designer's language (``Finding.text(locale)``); ``Finding.message`` is the English text, for
the use cases' errors and the logs. The limits and safety checks of publishing
(``builder.publishing_checks``) are findings too, so the designer sees them while editing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from builder.attachments import kind_of_type
from builder.conditions import Condition, can_ever_hold, fields_in, read_condition
from builder.definition_limits import definition_limit_errors
from builder.editing import PATTERN_PRESETS, field_names, read_field, unplaced_fields
from builder.errors import FieldError
from builder.lint_messages import KeyedFieldError, render
from builder.publishing_checks import REFERENCE_KEYS, field_name, limit_key, open_group_errors
from builder.schema_view import reference_problems
from builder.translations import missing_translations, orphaned_translations, stale_translations
from builder.validation import compile_pattern

try:  # written by another part of the builder; the lint works without it
    from builder.renderer_support import unsupported_features
except ImportError:  # pragma: no cover - only while the module is absent
    unsupported_features = None  # type: ignore[assignment]

Severity = Literal["error", "warning"]
Params = tuple[tuple[str, Any], ...]

#: Keys of the findings that repeat a check of ``builder.publishing_checks`` (publishing runs it again).
PUBLISHING_CHECK_KEYS = frozenset({
    "limit_too_large", "limit_too_deep", "limit_too_many_fields", "limit_max_length", "limit_max_items",
    "limit_unique_items", "unsafe_pattern", "outside_reference", "invalid_schema", "schema_too_deep",
    "not_an_object", "publishing_check", "publish_open_group", "reference.anchor", "reference.whole", "reference.nowhere",
    "reference.loop"})


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str  # a key of ``builder.lint_messages.MESSAGES``
    params: Params = ()  # its placeholders, as (name, value) pairs
    field: str | None = None  # property name the finding is about
    step: int | None = None  # index of the workflow step it is about
    locale: str | None = None  # language of the translation it is about

    def text(self, locale: str) -> str:
        """The finding in words, in ``locale`` (English when there is no table for it)."""
        return render(self.code, dict(self.params), locale)

    @property
    def message(self) -> str:
        return self.text("en")

    @property
    def key(self) -> str:
        """Stable identity, so an acknowledged warning stays acknowledged across reruns."""
        return f"{self.severity}|{self.field}|{self.step}|{self.locale}|{self.code}|{self.params!r}"


def _finding(severity: Severity, code: str, *, field: str | None = None, step: int | None = None,
             locale: str | None = None, **params: Any) -> Finding:
    frozen = tuple((name, tuple(value) if isinstance(value, list) else value) for name, value in params.items())
    return Finding(severity, code, frozen, field, step, locale)


def lint(document: dict[str, Any], *, group_size: Callable[[str], int | None]) -> list[Finding]:
    """Everything to tell the designer; ``group_size`` gives a group's member count (None: no such group)."""
    names = field_names(document)
    findings: list[Finding] = []
    findings += _safety_findings(document, names)
    findings += _field_findings(document, names)
    findings += _step_findings(document, names, group_size)
    findings += _renderer_findings(document)
    if not names:
        findings.append(_finding("error", "no_fields"))
    findings += [_finding("warning", "unplaced", field=n, label=read_field(document, n).label)
                 for n in unplaced_fields(document)]
    findings += _uneditable_findings(document, names)
    findings += _translation_findings(document)
    findings += _attachment_settings_findings(document)
    return findings


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


def _field_findings(document: dict[str, Any], names: list[str]) -> list[Finding]:
    findings: list[Finding] = []
    seen: dict[str, str] = {}
    for name in names:
        spec = read_field(document, name)
        label = spec.label
        if label.strip().lower() in seen and spec.kind != "text_block":
            findings.append(_finding("warning", "duplicate_label", field=name, label=label))
        seen.setdefault(label.strip().lower(), name)
        if spec.kind in ("one_choice", "several_choices") and not spec.options:
            findings.append(_finding("error", "no_options", field=name, label=label))
        if spec.pattern:
            regex = PATTERN_PRESETS.get(spec.pattern, ("", spec.pattern))[1]
            detail = _re2_refusal(regex)
            if detail is not None:
                findings.append(_finding("error", "field_pattern", field=name, label=label, detail=detail))
        for rule, shown in ((spec.show_when, True), (spec.required_when, False)):
            findings += _condition_findings(document, names, name, label, rule, shown, spec.required)
    return findings


def _re2_refusal(pattern: str) -> str | None:
    """RE2's reason for refusing ``pattern`` (as ``builder.validation.pattern_problem``), or None."""
    try:
        compile_pattern(pattern)
    except Exception as exc:  # re2 raises its own error type, with bytes in its message
        return exc.args[0].decode(errors="replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
    return None


def _condition_findings(document: dict[str, Any], names: list[str], name: str, label: str, rule: Any,
                        shown: bool, required: bool) -> list[Finding]:
    if rule is None:
        return []
    if rule.field not in names:
        return [_finding("error", "shown_when_missing" if shown else "required_when_missing", field=name,
                         label=label, source=rule.field)]
    source = _schema_of(document, rule.field)
    if not can_ever_hold(rule, source):
        source_label = read_field(document, rule.field).label
        if required and shown:
            return [_finding("error", "never_shown_required", field=name, label=label, source=source_label,
                             condition=_condition(rule, source_label))]
        return [_finding("warning", "never_applies", field=name, label=label, source=source_label,
                         condition=_condition(rule, source_label))]
    return []


def _condition(rule: Condition, label: str) -> tuple[str, str, Any]:
    value = tuple(rule.value) if isinstance(rule.value, list) else rule.value
    return (label, rule.operator, value)


def _schema_of(document: dict[str, Any], name: str) -> dict[str, Any] | None:
    schema = document.get("schema") or {}
    if name in (schema.get("properties") or {}):
        return schema["properties"][name]
    for branch in schema.get("allOf") or []:
        then = (branch or {}).get("then") or {}
        if name in (then.get("properties") or {}):
            return then["properties"][name]
    return None


def _step_findings(document: dict[str, Any], names: list[str],
                   group_size: Callable[[str], int | None]) -> list[Finding]:
    findings: list[Finding] = []
    steps = (document.get("workflow") or {}).get("steps") or []
    if not steps:
        findings.append(_finding("warning", "no_steps"))
    for index, step in enumerate(steps):
        title = {"step": index, "number": index + 1, "name": str(step.get("name", ""))}
        group = str(step.get("group", ""))
        size = group_size(group)
        if size is None:
            findings.append(_finding("error", "step_no_group", group=group, **title))
        elif size == 0:
            findings.append(_finding("error", "step_empty_group", group=group, **title))
        elif step.get("policy") == "n" and (step.get("approvals_needed") or 0) > size:
            findings.append(_finding("error", "step_too_few", group=group, needed=step.get("approvals_needed"),
                                     size=size, **title))
        missing = sorted(fields_in(step.get("condition")) - set(names))
        if missing:
            findings.append(_finding("error", "step_missing_field", source=missing[0], **title))
        elif step.get("condition") and read_condition(step["condition"]) is not None:
            rule = read_condition(step["condition"])
            if not can_ever_hold(rule, _schema_of(document, rule.field)):
                findings.append(_finding("warning", "step_never", condition=_condition(
                    rule, read_field(document, rule.field).label), **title))
        if "approve" not in (step.get("actions") or []):
            findings.append(_finding("warning", "step_no_approve", **title))
    return findings


def _translation_findings(document: dict[str, Any]) -> list[Finding]:
    """Gaps are warnings, never errors: residents read a missing translation in the default language."""
    missing: dict[str, int] = {}
    for gap in missing_translations(document):
        missing[gap.locale] = missing.get(gap.locale, 0) + 1
    stale: dict[str, int] = {}
    for old in stale_translations(document):
        stale[old.locale] = stale.get(old.locale, 0) + 1
    default = ((document.get("settings") or {}).get("default_locale")) or "en"
    findings = []
    for locale, count in sorted(missing.items()):
        findings.append(_finding("warning", "missing_translations." + ("one" if count == 1 else "many"),
                                 locale=locale, language=locale, count=count, default=default))
    for locale, count in sorted(stale.items()):
        findings.append(_finding("warning", "stale_translations." + ("one" if count == 1 else "many"),
                                 locale=locale, language=locale, count=count))
    findings += _orphan_findings(document)
    return findings


def _orphan_findings(document: dict[str, Any]) -> list[Finding]:
    """Translations keyed by a pointer that names no text (a deleted field, a mistyped key): never shown."""
    orphans: dict[str, list[str]] = {}
    for locale, pointer in orphaned_translations(document):
        text = str(((document.get("translations") or {}).get(locale) or {}).get(pointer, "")).strip()
        orphans.setdefault(locale, []).append(_shortened(text) if text else pointer)
    return [_finding("warning", "orphaned_translations." + ("one" if len(texts) == 1 else "many"),
                     locale=locale, language=locale, count=len(texts), names=texts[:5])  # the count says if more
            for locale, texts in sorted(orphans.items())]


def _shortened(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _attachment_settings_findings(document: dict[str, Any]) -> list[Finding]:
    """``settings.attachments.allowed_types`` are the kinds of file fields without their own ``accept``: a
    type that cannot be recognised from a file's content accepts nothing, so the designer is told."""
    attachments = (document.get("settings") or {}).get("attachments") or {}
    types = attachments.get("allowed_types") if isinstance(attachments, dict) else None
    unknown = [str(name) for name in types or [] if kind_of_type(name) is None]
    return [_finding("warning", "attachment_types", names=unknown)] if unknown else []


# ------------------------------------------------------------------ fields the builder cannot edit


def _uneditable_findings(document: dict[str, Any], names: list[str]) -> list[Finding]:
    """Fields that exist only where the builder does not look (dependentSchemas, oneOf, a top-level then…)."""
    schema = document.get("schema") or {}
    hidden = [n for n in dict.fromkeys(_branch_names(schema, top=True)) if n not in names]
    if not hidden:
        return []
    return [_finding("warning", "uneditable." + ("one" if len(hidden) == 1 else "many"), names=hidden)]


def _branch_names(node: Any, *, top: bool = False) -> Iterator[str]:
    """Property names of ``node`` and of every branch that adds questions (then/else, allOf/oneOf/anyOf,
    dependentSchemas); the builder itself reads only ``properties`` and ``allOf[].then``."""
    if not isinstance(node, dict):
        return
    if not top:
        yield from (node.get("properties") or {}) if isinstance(node.get("properties"), dict) else ()
    for key in ("then", "else"):
        yield from _branch_names(node.get(key))
    for key in ("allOf", "oneOf", "anyOf"):
        for branch in node.get(key) or [] if isinstance(node.get(key), list) else []:
            yield from _branch_names(branch)
    dependent = node.get("dependentSchemas")
    for branch in (dependent.values() if isinstance(dependent, dict) else ()):
        yield from _branch_names(branch)


# ------------------------------------------------------------------ limits and safety (as at publishing)


def _safety_findings(document: dict[str, Any], names: list[str]) -> list[Finding]:
    """The limits and safety checks publishing applies to the schema (``builder.publishing_checks``):
    size and depth limits, RE2-unsafe patterns anywhere, references outside the form, invalid JSON Schema."""
    schema = document.get("schema")
    if not isinstance(schema, dict):
        return []
    limits = definition_limit_errors(schema)
    findings = [_limit_finding(error, document, names) for error in limits if not _is_pattern_error(error)]
    if any(error.path == ("schema",) and not error.message.startswith("The form has") for error in limits):
        return findings  # too large or too deep: the checks below would recurse into it
    own_patterns = _field_patterns(document, names)
    for path, node in _walk(schema, ("schema",)):
        where = _field_at(path, names)
        patterns = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
        if isinstance(node.get("patternProperties"), dict):
            patterns.extend(str(p) for p in node["patternProperties"])
        for pattern in patterns:
            detail = _re2_refusal(pattern)
            if detail is not None and (path, pattern) not in own_patterns:
                findings.append(_finding("error", "unsafe_pattern", field=where, where=_label(document, where),
                                         pattern=repr(pattern), detail=detail))
    for error in open_group_errors(schema):  # a group written to accept any answer (publishing refuses it)
        where = _field_at(error.path, names)
        params = dict(error.params) if isinstance(error, KeyedFieldError) else {}
        findings.append(_finding("error", "publish_open_group", field=where,
                                 **{**params, "where": _label(document, where) or params.get("where", "")}))
    for path, kind, ref in reference_problems(schema):
        where = _field_at(path, names)
        findings.append(_finding("error", REFERENCE_KEYS[kind], field=where,
                                 where=_label(document, where) or field_name(path, schema), ref=repr(ref)))
    findings += _schema_validity(document, schema, names)
    return findings


def _is_pattern_error(error: FieldError) -> bool:
    return error.message.startswith("The pattern ")  # reported below with every other pattern


def _limit_finding(error: FieldError, document: dict[str, Any], names: list[str]) -> Finding:
    where = _field_at(error.path, names)
    found = limit_key(error.message)
    if found:
        code, values = found
        extra = {"where": _label(document, where)} if code in ("limit_max_length", "limit_max_items",
                                                              "limit_unique_items") else {}
        return _finding("error", code, field=where, **extra, **values)
    return _finding("error", "publishing_check", field=where, detail=error.message)


def _schema_validity(document: dict[str, Any], schema: dict[str, Any], names: list[str]) -> list[Finding]:
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        where = _field_at(("schema", *exc.absolute_path), names)
        return [_finding("error", "invalid_schema", field=where, where=_label(document, where), detail=exc.message)]
    except RecursionError:
        return [_finding("error", "schema_too_deep")]
    if schema.get("type", "object") != "object":
        return [_finding("error", "not_an_object")]
    return []


def _field_patterns(document: dict[str, Any], names: list[str]) -> set[tuple[tuple[str | int, ...], str]]:
    """Patterns of the builder's own fields: ``_field_findings`` reports those with the field's label."""
    schema = document.get("schema") or {}
    found = set()
    for name in names:
        if name in (schema.get("properties") or {}):
            at: tuple[str | int, ...] = ("schema", "properties", name)
        else:
            index = next((i for i, b in enumerate(schema.get("allOf") or [])
                          if name in (((b or {}).get("then") or {}).get("properties") or {})), None)
            if index is None:
                continue
            at = ("schema", "allOf", index, "then", "properties", name)
        spec = read_field(document, name)
        if spec.pattern:
            found.add((at, PATTERN_PRESETS.get(spec.pattern, ("", spec.pattern))[1]))
    return found


def _walk(node: Any, at: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(node, at)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, dict):
            yield where, value
            stack.extend((child, (*where, key)) for key, child in reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend((child, (*where, index)) for index, child in reversed(list(enumerate(value))))


def _field_at(path: tuple[Any, ...], names: list[str]) -> str | None:
    """The builder's field a schema path is inside: ``schema/properties/x/...`` or
    ``schema/allOf/i/then/properties/x/...``; None elsewhere (no link)."""
    parts = [str(p) for p in path]
    if len(parts) >= 3 and parts[:2] == ["schema", "properties"] and parts[2] in names:
        return parts[2]
    if len(parts) >= 6 and parts[1] == "allOf" and parts[3:5] == ["then", "properties"] and parts[5] in names:
        return parts[5]
    return None


def _label(document: dict[str, Any], name: str | None) -> str:
    return read_field(document, name).label if name else ""


def _renderer_findings(document: dict[str, Any]) -> list[Finding]:
    if unsupported_features is None:
        return []
    findings = []
    names = set(field_names(document))
    for problem in unsupported_features(document.get("schema") or {}, document.get("uiSchema") or {}):
        field = next((str(p) for p in problem.path if str(p) in names), None)
        if isinstance(problem, KeyedFieldError):  # said in the designer's language
            params = dict(problem.params)
            if params.get("where") == "" and field:  # the problem names its question
                params["where"] = read_field(document, field).label
            findings.append(_finding("error", problem.key, field=field, **params))
        else:
            findings.append(_finding("error", "renderer", field=field, detail=problem.message))
    return findings
