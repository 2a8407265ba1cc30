"""What changed between two versions of a form, in sentences a designer understands."""

from __future__ import annotations

from typing import Any

from builder.editing import FieldSpec, field_names, pages_of, read_field

_FIELD_ASPECTS = (
    ("kind_words", "type"), ("help", "help text"), ("placeholder", "placeholder"), ("required", "required"),
    ("options", "options"), ("min_value", "lowest value"), ("max_value", "highest value"),
    ("min_length", "shortest length"), ("max_length", "longest length"), ("pattern", "pattern"),
    ("error_message", "error message"), ("file_types", "allowed file types"), ("max_size_mb", "largest file"),
)
_STEP_ASPECTS = (("group", "group"), ("policy", "who decides"), ("approvals_needed", "approvals needed"),
                 ("sla_days", "working days allowed"), ("actions", "actions offered"),
                 ("comments_visible_to_resident", "resident sees comments"), ("condition", "when it applies"))
_SETTINGS = {"submission": "who may submit", "confirmation_text": "confirmation text",
             "retention_days": "retention period (days)", "personal_data": "personal-data fields",
             "open_data": "open-data fields", "reference_prefix": "reference prefix"}


def describe_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """One sentence per change from ``old`` to ``new``; empty when nothing a resident or reviewer sees changed."""
    changes: list[str] = []
    for key, words in (("title", "Title"), ("description", "Description")):
        if old.get(key) != new.get(key):
            changes.append(f"{words} changed from “{old.get(key, '')}” to “{new.get(key, '')}”.")
    changes += _field_changes(old, new)
    changes += _page_changes(old, new)
    changes += _step_changes(old, new)
    changes += _setting_changes(old.get("settings") or {}, new.get("settings") or {})
    return changes


def _field_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    before, after = field_names(old), field_names(new)
    changes = [f"Field “{read_field(new, n).label}” added." for n in after if n not in before]
    changes += [f"Field “{read_field(old, n).label}” removed." for n in before if n not in after]
    for name in (n for n in after if n in before):
        changes += _one_field(read_field(old, name), read_field(new, name))
    common = [n for n in before if n in after]
    if [n for n in after if n in common] != common:
        changes.append("The order of the fields changed.")
    return changes


def _one_field(old: FieldSpec, new: FieldSpec) -> list[str]:
    changes = []
    if old.label != new.label:
        changes.append(f"Field “{old.label}” renamed to “{new.label}”.")
    for attribute, words in _FIELD_ASPECTS:
        before, after = getattr(old, attribute), getattr(new, attribute)
        if before != after:
            changes.append(f"Field “{new.label}”: {words} changed from {_shown(before)} to {_shown(after)}.")
    for attribute, words in (("show_when", "shown"), ("required_when", "required")):
        before, after = getattr(old, attribute), getattr(new, attribute)
        if before != after:
            changes.append(f"Field “{new.label}”: now {words} {_when(after)} (was {_when(before)}).")
    return changes


def _when(condition: Any) -> str:
    return f"when {condition.words()}" if condition else "always"


def _shown(value: Any) -> str:
    if value in (None, "", ()):
        return "nothing"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (tuple, list)):
        return ", ".join(f"“{v}”" for v in value)
    return f"“{value}”"


def _page_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    before = [p.get("title") for p in pages_of(old)]
    after = [p.get("title") for p in pages_of(new)]
    if before == after:
        old_map = {n: p.get("title") for p in pages_of(old) for n in p.get("fields") or []}
        moved = [n for p in pages_of(new) for n in p.get("fields") or []
                 if n in old_map and old_map[n] != p.get("title")]
        return [f"Field “{read_field(new, n).label}” moved to page “{_page_title(new, n)}”." for n in moved]
    return [f"Pages changed from {_shown(before)} to {_shown(after)}."]


def _page_title(document: dict[str, Any], name: str) -> str:
    return next((p.get("title", "") for p in pages_of(document) if name in (p.get("fields") or [])), "")


def _step_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    before = {s["id"]: s for s in (old.get("workflow") or {}).get("steps") or []}
    after = {s["id"]: s for s in (new.get("workflow") or {}).get("steps") or []}
    changes = [f"Approval step “{s['name']}” added." for i, s in after.items() if i not in before]
    changes += [f"Approval step “{s['name']}” removed." for i, s in before.items() if i not in after]
    for step_id in (i for i in after if i in before):
        was, now = before[step_id], after[step_id]
        if was.get("name") != now.get("name"):
            changes.append(f"Approval step “{was.get('name')}” renamed to “{now.get('name')}”.")
        changes += [f"Approval step “{now.get('name')}”: {words} changed from {_step_value(key, was.get(key))} "
                    f"to {_step_value(key, now.get(key))}."
                    for key, words in _STEP_ASPECTS if was.get(key) != now.get(key)]
    common = [i for i in before if i in after]
    if [i for i in after if i in common] != common:
        changes.append("The order of the approval steps changed.")
    return changes


def _step_value(key: str, value: Any) -> str:
    if key == "condition":
        from builder.conditions import read_condition
        condition = read_condition(value)
        return "always" if value is None else (f"when {condition.words()}" if condition else "an advanced rule")
    if key == "policy":
        return {"any": "any one member", "all": "all members", "n": "a number of members"}.get(value, str(value))
    return _shown(value)


def _setting_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return [f"Setting “{words}” changed from {_shown(old.get(key))} to {_shown(new.get(key))}."
            for key, words in _SETTINGS.items() if old.get(key) != new.get(key)]
