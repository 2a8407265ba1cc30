"""Findings about a definition in plain words, each pointing at the field or step it is about.

Errors make a version unusable, so publishing refuses them; warnings are worth a look and can be
acknowledged. ``Finding.field`` / ``Finding.step`` let the editor link each finding to its place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from builder.conditions import can_ever_hold, fields_in, read_condition
from builder.editing import PATTERN_PRESETS, field_names, read_field, unplaced_fields
from builder.translations import language_name, missing_translations, stale_translations
from builder.validation import pattern_problem

try:  # written by another part of the builder; the lint works without it
    from builder.renderer_support import unsupported_features
except ImportError:  # pragma: no cover - only while the module is absent
    unsupported_features = None  # type: ignore[assignment]

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    severity: Severity
    message: str
    field: str | None = None  # property name the finding is about
    step: int | None = None  # index of the workflow step it is about
    locale: str | None = None  # language of the translation it is about

    @property
    def key(self) -> str:
        """Stable identity, so an acknowledged warning stays acknowledged across reruns."""
        return f"{self.severity}|{self.field}|{self.step}|{self.locale}|{self.message}"


def lint(document: dict[str, Any], *, group_size: Callable[[str], int | None]) -> list[Finding]:
    """Everything to tell the designer; ``group_size`` gives a group's member count (None: no such group)."""
    names = field_names(document)
    findings: list[Finding] = []
    findings += _field_findings(document, names)
    findings += _step_findings(document, names, group_size)
    findings += _renderer_findings(document)
    if not names:
        findings.append(Finding("error", "The form has no fields yet. Add at least one."))
    findings += [Finding("warning", f"“{read_field(document, n).label}” is on no page, so residents never see it.", n)
                 for n in unplaced_fields(document)]
    findings += _translation_findings(document)
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
            findings.append(Finding("warning", f"Two fields are called “{label}”; residents and reviewers "
                                               "cannot tell them apart.", name))
        seen.setdefault(label.strip().lower(), name)
        if spec.kind in ("one_choice", "several_choices") and not spec.options:
            findings.append(Finding("error", f"“{label}” is a choice with no options to choose from.", name))
        if spec.pattern:
            regex = PATTERN_PRESETS.get(spec.pattern, ("", spec.pattern))[1]
            problem = pattern_problem(regex)
            if problem:
                findings.append(Finding("error", f"“{label}”: the pattern cannot be used — {problem}", name))
        for rule, words in ((spec.show_when, "is shown when"), (spec.required_when, "is required when")):
            findings += _condition_findings(document, names, name, label, rule, words, spec.required)
    return findings


def _condition_findings(document: dict[str, Any], names: list[str], name: str, label: str, rule: Any,
                        words: str, required: bool) -> list[Finding]:
    if rule is None:
        return []
    if rule.field not in names:
        return [Finding("error", f"“{label}” {words} “{rule.field}” …, but there is no such field any more.", name)]
    source = _schema_of(document, rule.field)
    if not can_ever_hold(rule, source):
        severity: Severity = "error" if required and words == "is shown when" else "warning"
        what = "a required field that can never be shown" if severity == "error" else "a rule that can never apply"
        return [Finding(severity, f"“{label}” is {what}: no answer to “{read_field(document, rule.field).label}” "
                                  f"makes “{rule.words()}” true.", name)]
    return []


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
        findings.append(Finding("warning", "The form has no approval steps: every request is approved at once."))
    for index, step in enumerate(steps):
        title = f"Step {index + 1} “{step.get('name', '')}”"
        size = group_size(str(step.get("group", "")))
        if size is None:
            findings.append(Finding("error", f"{title}: there is no group called “{step.get('group')}”.", step=index))
        elif size == 0:
            findings.append(Finding("error", f"{title}: the group “{step.get('group')}” has no members, so nobody "
                                             "could decide.", step=index))
        elif step.get("policy") == "n" and (step.get("approvals_needed") or 0) > size:
            findings.append(Finding("error", f"{title} needs {step.get('approvals_needed')} approvals but "
                                             f"“{step.get('group')}” has only {size} members.", step=index))
        missing = sorted(fields_in(step.get("condition")) - set(names))
        if missing:
            findings.append(Finding("error", f"{title} applies only when “{missing[0]}” …, but there is no such "
                                             "field any more.", step=index))
        elif step.get("condition") and read_condition(step["condition"]) is not None:
            rule = read_condition(step["condition"])
            if not can_ever_hold(rule, _schema_of(document, rule.field)):
                findings.append(Finding("warning", f"{title} can never apply: no answer makes "
                                                   f"{rule.words()} true.", step=index))
        if "approve" not in (step.get("actions") or []):
            findings.append(Finding("warning", f"{title} does not offer “approve”, so requests can never "
                                               "get past it.", step=index))
    return findings


def _translation_findings(document: dict[str, Any]) -> list[Finding]:
    """Gaps are warnings, never errors: residents read a missing translation in the default language."""
    missing: dict[str, int] = {}
    for gap in missing_translations(document):
        missing[gap.locale] = missing.get(gap.locale, 0) + 1
    stale: dict[str, int] = {}
    for old in stale_translations(document):
        stale[old.locale] = stale.get(old.locale, 0) + 1
    default = language_name(((document.get("settings") or {}).get("default_locale")) or "en", "en")
    findings = []
    for locale, count in sorted(missing.items()):
        language = language_name(locale, "en")
        gap = "1 text has no translation" if count == 1 else f"{count} texts have no translation"
        findings.append(Finding("warning", f"{language}: {gap}; residents who choose {language} read "
                                           f"{'it' if count == 1 else 'them'} in {default}.", locale=locale))
    for locale, count in sorted(stale.items()):
        texts = "translation was" if count == 1 else "translations were"
        findings.append(Finding("warning", f"{language_name(locale, 'en')}: {count} {texts} made for an earlier "
                                           "version of the text; check them.", locale=locale))
    return findings


def _renderer_findings(document: dict[str, Any]) -> list[Finding]:
    if unsupported_features is None:
        return []
    findings = []
    names = set(field_names(document))
    for problem in unsupported_features(document.get("schema") or {}, document.get("uiSchema") or {}):
        field = next((str(p) for p in problem.path if str(p) in names), None)
        findings.append(Finding("error", problem.message, field))
    return findings
