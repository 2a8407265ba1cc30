"""What changed between two versions of a form, in sentences a designer understands.

Every change the builder can make has its sentence: the form's texts, each field and the questions of a
repeating group, pages, approval steps, settings and translations. Fields are named by their labels, in
conditions and settings too (a field that no longer exists keeps its stored name: there is nothing else).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from builder.attachments import KIND_NAMES, kind_of_type
from builder.conditions import Condition, read_condition
from builder.definition import FormSettings
from builder.editing import PATTERN_PRESETS, FieldSpec, field_names, pages_of, read_field
from builder.translations import language_name, offered_locales

Shown = Callable[[Any], str]


def _shown(value: Any) -> str:
    if value in (None, "", (), []):
        return "nothing"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (tuple, list)):
        return ", ".join(f"“{v}”" for v in value)
    return f"“{value}”"


def _pattern(value: Any) -> str:
    return _shown(PATTERN_PRESETS[value][0] if value in PATTERN_PRESETS else value)


def _file_types(value: Any) -> str:
    return _shown([KIND_NAMES.get(kind_of_type(t) or "", t) for t in value or ()])


def _date(value: Any) -> str:
    """``today``, ``today+14``, ``2027-01-31`` as the editor offers them."""
    if not value:
        return "no limit"
    if value == "today":
        return "today"
    if str(value).startswith("today"):
        days = int(str(value)[5:])
        return f"{abs(days)} day{'s' if abs(days) != 1 else ''} {'after' if days > 0 else 'before'} today"
    return _shown(value)


def _widget(value: Any) -> str:
    return "a dropdown list" if value else "buttons"


# (attribute of FieldSpec, words, how a value reads); min/max items are worded by kind in ``_item_aspects``.
_FIELD_ASPECTS: tuple[tuple[str, str, Shown], ...] = (
    ("kind_words", "type", _shown), ("help", "help text", _shown), ("placeholder", "example in the empty box", _shown),
    ("required", "required", _shown), ("options", "options", _shown), ("dropdown", "shown as", _widget),
    ("min_value", "lowest allowed", _shown), ("max_value", "highest allowed", _shown),
    ("min_length", "fewest characters", _shown), ("max_length", "most characters", _shown),
    ("pattern", "allowed format", _pattern), ("earliest_date", "earliest date", _date),
    ("latest_date", "latest date", _date), ("file_types", "allowed file types", _file_types),
    ("max_size_mb", "largest file (MB)", _shown), ("error_message", "message when a rule is broken", _shown),
)
_STEP_WORDS = {"group": "group", "policy": "who must approve", "approvals_needed": "approvals needed",
               "sla_days": "working days allowed", "actions": "what reviewers can do",
               "comments_visible_to_resident": "resident sees comments", "condition": "when it applies"}
_POLICIES = {"any": "any one member", "all": "all members", "n": "a number of members"}
_ACTIONS = {"approve": "approve", "reject": "reject", "return": "return to the resident for more information",
            "comment": "comment", "reassign": "pass to another group"}
_SUBMISSION = {"anonymous": "anyone, without an account", "signed_in": "only residents who have signed in"}


def describe_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """One sentence per change from ``old`` to ``new``; empty when nothing a resident or reviewer sees changed."""
    labels = {**_labels(old), **_labels(new)}
    changes: list[str] = []
    for key, words in (("title", "Title"), ("description", "Description")):
        if old.get(key) != new.get(key):
            changes.append(f"{words} changed from “{old.get(key, '')}” to “{new.get(key, '')}”.")
    changes += _field_changes(old, new, labels)
    changes += _page_changes(old, new)
    changes += _step_changes(old, new, labels)
    changes += _setting_changes(old.get("settings") or {}, new.get("settings") or {}, labels)
    changes += _translation_changes(old, new)
    return changes


def _labels(document: dict[str, Any]) -> dict[str, str]:
    return {name: read_field(document, name).label for name in field_names(document)}


# ------------------------------------------------------------------ fields


def _field_changes(old: dict[str, Any], new: dict[str, Any], labels: dict[str, str]) -> list[str]:
    before, after = field_names(old), field_names(new)
    changes = [f"Field “{read_field(new, n).label}” added." for n in after if n not in before]
    changes += [f"Field “{read_field(old, n).label}” removed." for n in before if n not in after]
    for name in (n for n in after if n in before):
        old_spec, new_spec = read_field(old, name), read_field(new, name)
        if old_spec.label != new_spec.label:
            changes.append(f"Field “{old_spec.label}” renamed to “{new_spec.label}”.")
        changes += _one_field(old_spec, new_spec, f"Field “{new_spec.label}”", labels)
    common = [n for n in before if n in after]
    if [n for n in after if n in common] != common:
        changes.append("The order of the fields changed.")
    return changes


def _one_field(old: FieldSpec, new: FieldSpec, who: str, labels: dict[str, str]) -> list[str]:
    changes = [f"{who}: {words} changed from {shown(getattr(old, attribute))} to {shown(getattr(new, attribute))}."
               for attribute, words, shown in _FIELD_ASPECTS + _item_aspects(new)
               if getattr(old, attribute) != getattr(new, attribute)]
    for attribute, words in (("show_when", "shown"), ("required_when", "required")):
        before, after = getattr(old, attribute), getattr(new, attribute)
        if before != after:
            changes.append(f"{who}: now {words} {_when(after, labels)} (was {_when(before, labels)}).")
    for attribute, what in (("rule_messages", "its messages for single rules"),
                            ("advanced", "its advanced settings (written in JSON)")):
        if getattr(old, attribute) != getattr(new, attribute):
            changes.append(f"{who}: {what} changed.")
    return changes + _entry_changes(old, new, who, labels)


def _item_aspects(spec: FieldSpec) -> tuple[tuple[str, str, Shown], ...]:
    unit = "entries" if spec.kind == "repeating_group" else "choices"
    return (("min_items", f"fewest {unit}", _shown), ("max_items", f"most {unit}", _shown))


def _entry_changes(old: FieldSpec, new: FieldSpec, who: str, labels: dict[str, str]) -> list[str]:
    """The questions asked for each entry of a repeating group."""
    before = {s.name: s for s in old.subfields}
    after = {s.name: s for s in new.subfields}
    changes = [f"{who}: question “{s.label}” added to each entry." for n, s in after.items() if n not in before]
    changes += [f"{who}: question “{s.label}” removed from each entry." for n, s in before.items() if n not in after]
    for name in (n for n in after if n in before):
        if before[name].label != after[name].label:
            changes.append(f"{who}: question “{before[name].label}” renamed to “{after[name].label}”.")
        changes += _one_field(before[name], after[name], f"{who}, question “{after[name].label}”", labels)
    common = [n for n in before if n in after]
    if [n for n in after if n in common] != common:
        changes.append(f"{who}: the order of the questions for each entry changed.")
    return changes


def _when(condition: Condition | None, labels: dict[str, str]) -> str:
    return f"when {condition.words(labels.get(condition.field))}" if condition else "always"


# ------------------------------------------------------------------ pages


def _page_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    before, after = pages_of(old), pages_of(new)
    titles = [p.get("title") for p in before], [p.get("title") for p in after]
    changes = [] if titles[0] == titles[1] else [f"Pages changed from {_shown(titles[0])} to {_shown(titles[1])}."]
    if len(before) == len(after):  # the same pages, perhaps renamed: a field moved if its page's place changed
        old_page = {n: i for i, p in enumerate(before) for n in p.get("fields") or []}
        moved = [(n, i) for i, p in enumerate(after) for n in p.get("fields") or [] if old_page.get(n, i) != i]
    else:  # pages added or removed: a field moved if the page it was on still exists and it is no longer there
        old_page = {n: p.get("title") for p in before for n in p.get("fields") or []}
        moved = [(n, i) for i, p in enumerate(after) for n in p.get("fields") or []
                 if n in old_page and old_page[n] != p.get("title") and old_page[n] in titles[1]]
    return changes + [f"Field “{read_field(new, n).label}” moved to page “{after[i].get('title', '')}”."
                      for n, i in moved]


# ------------------------------------------------------------------ approval steps


def _step_changes(old: dict[str, Any], new: dict[str, Any], labels: dict[str, str]) -> list[str]:
    before = {s["id"]: s for s in (old.get("workflow") or {}).get("steps") or []}
    after = {s["id"]: s for s in (new.get("workflow") or {}).get("steps") or []}
    changes = [f"Approval step “{s['name']}” added." for i, s in after.items() if i not in before]
    changes += [f"Approval step “{s['name']}” removed." for i, s in before.items() if i not in after]
    for step_id in (i for i in after if i in before):
        was, now = before[step_id], after[step_id]
        if was.get("name") != now.get("name"):
            changes.append(f"Approval step “{was.get('name')}” renamed to “{now.get('name')}”.")
        changes += [f"Approval step “{now.get('name')}”: {words} changed from {_step_value(key, was.get(key), labels)} "
                    f"to {_step_value(key, now.get(key), labels)}."
                    for key, words in _STEP_WORDS.items() if was.get(key) != now.get(key)]
    common = [i for i in before if i in after]
    if [i for i in after if i in common] != common:
        changes.append("The order of the approval steps changed.")
    return changes


def _step_value(key: str, value: Any, labels: dict[str, str]) -> str:
    if key == "condition":
        condition = read_condition(value)
        return "always" if value is None else _when(condition, labels) if condition else "an advanced rule"
    if key == "policy":
        return _POLICIES.get(value, str(value))
    if key == "actions":
        return _shown([_ACTIONS.get(a, a) for a in value or ()])
    return _shown(value)


# ------------------------------------------------------------------ settings and translations


def _setting_changes(old: dict[str, Any], new: dict[str, Any], labels: dict[str, str]) -> list[str]:
    fields: Shown = lambda names: _shown([labels.get(n, n) for n in names or ()])  # noqa: E731
    same_period = "as long as approved or rejected requests"
    settings: dict[str, tuple[str, Shown]] = {
        "submission": ("who may submit", lambda v: _SUBMISSION.get(v, _shown(v))),
        "confirmation_text": ("text after submitting", _shown),
        "reference_prefix": ("reference prefix", _shown),
        "retention_days": ("days approved or rejected requests are kept", _shown),
        "retention_withdrawn_days": ("days withdrawn requests are kept", lambda v: same_period if v is None else _shown(v)),
        "retention_abandoned_days": ("days before a request the resident never answered is closed and removed",
                                     lambda v: same_period if v is None else _shown(v)),
        "personal_data": ("fields holding personal data", fields),
        "open_data": ("fields that may be published as open data", fields),
        "contact_email_field": ("send updates to the address in", lambda v: "no field" if v is None else fields([v])),
        "default_locale": ("language the form is written in", lambda v: language_name(v or "en", "en")),
    }
    changes = []
    for key, (words, shown) in settings.items():
        default = FormSettings.model_fields[key].get_default(call_default_factory=True)  # what an unset one means
        before, after = old.get(key, default), new.get(key, default)
        if before != after:
            changes.append(f"Setting “{words}” changed from {shown(before)} to {shown(after)}.")
    if old.get("attachments") != new.get("attachments"):  # set in the JSON only: the fields' own rules come first
        changes.append("The default rules for attachments changed.")
    return changes


def _translation_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    before, after = offered_locales(old), offered_locales(new)
    changes = [f"{language_name(code, 'en').capitalize()} translation added." for code in after if code not in before]
    changes += [f"{language_name(code, 'en').capitalize()} translation removed." for code in before if code not in after]
    for code in (c for c in after if c in before):
        was, now = (old.get("translations") or {}).get(code) or {}, (new.get("translations") or {}).get(code) or {}
        count = sum(was.get(pointer) != now.get(pointer) for pointer in set(was) | set(now))
        if count:
            changes.append(f"{language_name(code, 'en').capitalize()}: {count} translated "
                           f"text{'s' if count != 1 else ''} changed.")
    return changes
