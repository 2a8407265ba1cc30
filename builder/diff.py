"""What changed between two versions of a form, in sentences a designer understands.

Every change the builder can make has its sentence: the form's texts, each field and the questions of a
repeating group, pages, approval steps, settings and translations. Fields are named by their labels, in
conditions and settings too (a field that no longer exists keeps its stored name: there is nothing else).
The sentences are said in the designer's language (``builder.diff_messages``); what the designer typed
stays as typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from builder.attachments import kind_of_type
from builder.conditions import Condition, read_condition
from builder.definition import FormSettings
from builder.diff_messages import Words
from builder.editing import PATTERN_PRESETS, FieldSpec, field_names, pages_of, read_field
from builder.translations import offered_locales

Shown = Callable[[Any, Words], str]


def _shown(value: Any, w: Words) -> str:
    return w.shown(value)


def _kind(value: Any, w: Words) -> str:
    return w.quoted(w.word(f"kind.{value}", str(value)))


def _pattern(value: Any, w: Words) -> str:
    return w.shown(w.word(f"preset.{value}", PATTERN_PRESETS[value][0]) if value in PATTERN_PRESETS else value)


def _file_types(value: Any, w: Words) -> str:
    return w.shown([w.file_kind(kind_of_type(t), t) for t in value or ()])


def _date(value: Any, w: Words) -> str:
    """``today``, ``today+14``, ``2027-01-31`` as the editor offers them."""
    if not value:
        return w.say("no_limit")
    if value == "today":
        return w.say("today")
    if str(value).startswith("today"):
        days = int(str(value)[5:])
        return w.counted("days_after" if days > 0 else "days_before", abs(days))
    return w.shown(value)


def _widget(value: Any, w: Words) -> str:
    return w.say("dropdown" if value else "buttons")


# (attribute of FieldSpec, how a value reads); the words are ``aspect.<attribute>``. min/max items are worded
# by kind in ``_item_aspects``.
_FIELD_ASPECTS: tuple[tuple[str, Shown], ...] = (
    ("kind", _kind), ("help", _shown), ("placeholder", _shown), ("required", _shown), ("options", _shown),
    ("dropdown", _widget), ("min_value", _shown), ("max_value", _shown), ("min_length", _shown),
    ("max_length", _shown), ("pattern", _pattern), ("earliest_date", _date), ("latest_date", _date),
    ("file_types", _file_types), ("max_size_mb", _shown), ("error_message", _shown),
)
_STEP_KEYS = ("group", "policy", "approvals_needed", "sla_days", "actions", "comments_visible_to_resident",
              "condition")


def describe_changes(old: dict[str, Any], new: dict[str, Any], locale: str = "en") -> list[str]:
    """One sentence per change from ``old`` to ``new``, in ``locale``; empty when nothing a resident or reviewer
    sees changed."""
    w = Words.of(locale)
    labels = {**_labels(old), **_labels(new)}
    changes: list[str] = []
    for key in ("title", "description"):
        if old.get(key) != new.get(key):
            changes.append(w.say("form_text_changed", what=w.say(key), before=w.shown(old.get(key)),
                                 after=w.shown(new.get(key))))
    changes += _field_changes(old, new, labels, w)
    changes += _page_changes(old, new, w)
    changes += _step_changes(old, new, labels, w)
    changes += _setting_changes(old.get("settings") or {}, new.get("settings") or {}, labels, w)
    changes += _translation_changes(old, new, w)
    return changes


def _labels(document: dict[str, Any]) -> dict[str, str]:
    return {name: read_field(document, name).label for name in field_names(document)}


# ------------------------------------------------------------------ fields


def _field_changes(old: dict[str, Any], new: dict[str, Any], labels: dict[str, str], w: Words) -> list[str]:
    before, after = field_names(old), field_names(new)
    changes = [w.say("field_added", label=read_field(new, n).label) for n in after if n not in before]
    changes += [w.say("field_removed", label=read_field(old, n).label) for n in before if n not in after]
    for name in (n for n in after if n in before):
        old_spec, new_spec = read_field(old, name), read_field(new, name)
        if old_spec.label != new_spec.label:
            changes.append(w.say("field_renamed", old=old_spec.label, new=new_spec.label))
        changes += _one_field(old_spec, new_spec, w.say("field", label=new_spec.label), labels, w)
    common = [n for n in before if n in after]
    if [n for n in after if n in common] != common:
        changes.append(w.say("fields_order"))
    return changes


def _one_field(old: FieldSpec, new: FieldSpec, who: str, labels: dict[str, str], w: Words) -> list[str]:
    changes = [w.say("changed", who=who, what=w.say(words), before=shown(getattr(old, attribute), w),
                     after=shown(getattr(new, attribute), w))
               for attribute, words, shown in _aspects(new)
               if getattr(old, attribute) != getattr(new, attribute)]
    for attribute, key in (("show_when", "now_shown"), ("required_when", "now_required")):
        before, after = getattr(old, attribute), getattr(new, attribute)
        if before != after:
            changes.append(w.say(key, who=who, now=_when(after, labels, w), was=_when(before, labels, w)))
    for attribute, key in (("rule_messages", "rule_messages_changed"), ("advanced", "advanced_changed")):
        if getattr(old, attribute) != getattr(new, attribute):
            changes.append(w.say(key, who=who))
    return changes + _entry_changes(old, new, who, labels, w)


def _aspects(spec: FieldSpec) -> tuple[tuple[str, str, Shown], ...]:
    """(attribute, key of its words, how a value reads); a count of items is of entries or of choices."""
    unit = "entries" if spec.kind == "repeating_group" else "choices"
    return (*((attribute, f"aspect.{attribute}", shown) for attribute, shown in _FIELD_ASPECTS),
            ("min_items", f"aspect.min_items.{unit}", _shown), ("max_items", f"aspect.max_items.{unit}", _shown))


def _entry_changes(old: FieldSpec, new: FieldSpec, who: str, labels: dict[str, str], w: Words) -> list[str]:
    """The questions asked for each entry of a repeating group."""
    before = {s.name: s for s in old.subfields}
    after = {s.name: s for s in new.subfields}
    changes = [w.say("question_added", who=who, label=s.label) for n, s in after.items() if n not in before]
    changes += [w.say("question_removed", who=who, label=s.label) for n, s in before.items() if n not in after]
    for name in (n for n in after if n in before):
        if before[name].label != after[name].label:
            changes.append(w.say("question_renamed", who=who, old=before[name].label, new=after[name].label))
        changes += _one_field(before[name], after[name], w.say("question", who=who, label=after[name].label),
                              labels, w)
    common = [n for n in before if n in after]
    if [n for n in after if n in common] != common:
        changes.append(w.say("questions_order", who=who))
    return changes


def _when(condition: Condition | None, labels: dict[str, str], w: Words) -> str:
    if condition is None:
        return w.say("always")
    return w.say("when", condition=w.condition(condition, labels.get(condition.field)))


# ------------------------------------------------------------------ pages


def _page_changes(old: dict[str, Any], new: dict[str, Any], w: Words) -> list[str]:
    before, after = pages_of(old), pages_of(new)
    titles = [p.get("title") for p in before], [p.get("title") for p in after]
    changes = [] if titles[0] == titles[1] else [
        w.say("pages_changed", before=w.shown(titles[0]), after=w.shown(titles[1]))]
    if len(before) == len(after):  # the same pages, perhaps renamed: a field moved if its page's place changed
        old_page = {n: i for i, p in enumerate(before) for n in p.get("fields") or []}
        moved = [(n, i) for i, p in enumerate(after) for n in p.get("fields") or [] if old_page.get(n, i) != i]
    else:  # pages added or removed: a field moved if the page it was on still exists and it is no longer there
        old_page = {n: p.get("title") for p in before for n in p.get("fields") or []}
        moved = [(n, i) for i, p in enumerate(after) for n in p.get("fields") or []
                 if n in old_page and old_page[n] != p.get("title") and old_page[n] in titles[1]]
    return changes + [w.say("field_moved", label=read_field(new, n).label, page=after[i].get("title", ""))
                      for n, i in moved]


# ------------------------------------------------------------------ approval steps


def _step_changes(old: dict[str, Any], new: dict[str, Any], labels: dict[str, str], w: Words) -> list[str]:
    before = {s["id"]: s for s in (old.get("workflow") or {}).get("steps") or []}
    after = {s["id"]: s for s in (new.get("workflow") or {}).get("steps") or []}
    changes = [w.say("step_added", name=s["name"]) for i, s in after.items() if i not in before]
    changes += [w.say("step_removed", name=s["name"]) for i, s in before.items() if i not in after]
    for step_id in (i for i in after if i in before):
        was, now = before[step_id], after[step_id]
        if was.get("name") != now.get("name"):
            changes.append(w.say("step_renamed", old=was.get("name"), new=now.get("name")))
        who = w.say("step", name=now.get("name"))
        changes += [w.say("changed", who=who, what=w.say(f"step_aspect.{key}"),
                          before=_step_value(key, was.get(key), labels, w),
                          after=_step_value(key, now.get(key), labels, w))
                    for key in _STEP_KEYS if was.get(key) != now.get(key)]
    common = [i for i in before if i in after]
    if [i for i in after if i in common] != common:
        changes.append(w.say("steps_order"))
    return changes


def _step_value(key: str, value: Any, labels: dict[str, str], w: Words) -> str:
    if key == "condition":
        condition = read_condition(value)
        return w.say("always") if value is None else _when(condition, labels, w) if condition else w.say(
            "advanced_rule")
    if key == "policy":
        return w.word(f"policy.{value}", str(value))
    if key == "actions":
        return w.shown([w.word(f"action.{a}", a) for a in value or ()])
    return w.shown(value)


# ------------------------------------------------------------------ settings and translations


def _setting_changes(old: dict[str, Any], new: dict[str, Any], labels: dict[str, str], w: Words) -> list[str]:
    fields = lambda names: w.shown([labels.get(n, n) for n in names or ()])  # noqa: E731
    kept: Callable[[Any], str] = lambda v: w.say("same_period") if v is None else w.shown(v)  # noqa: E731
    settings: dict[str, Callable[[Any], str]] = {
        "submission": lambda v: w.word(f"submission.{v}", w.shown(v)),
        "confirmation_text": w.shown,
        "reference_prefix": w.shown,
        "retention_days": w.shown,
        "retention_withdrawn_days": kept,
        "retention_abandoned_days": kept,
        "personal_data": fields,
        "open_data": fields,
        "contact_email_field": lambda v: w.say("no_field") if v is None else fields([v]),
        "default_locale": lambda v: w.language(v or "en"),
    }
    changes = []
    for key, shown in settings.items():
        default = FormSettings.model_fields[key].get_default(call_default_factory=True)  # what an unset one means
        before, after = old.get(key, default), new.get(key, default)
        if before != after:
            changes.append(w.say("setting_changed", what=w.say(f"setting.{key}"), before=shown(before),
                                 after=shown(after)))
    if old.get("attachments") != new.get("attachments"):  # set in the JSON only: the fields' own rules come first
        changes.append(w.say("attachments_changed"))
    return changes


def _translation_changes(old: dict[str, Any], new: dict[str, Any], w: Words) -> list[str]:
    before, after = offered_locales(old), offered_locales(new)
    named = lambda code: {"language": w.language(code), "language_title": w.language_title(code)}  # noqa: E731
    changes = [w.say("translation_added", **named(code)) for code in after if code not in before]
    changes += [w.say("translation_removed", **named(code)) for code in before if code not in after]
    for code in (c for c in after if c in before):
        was, now = (old.get("translations") or {}).get(code) or {}, (new.get("translations") or {}).get(code) or {}
        count = sum(was.get(pointer) != now.get(pointer) for pointer in set(was) | set(now))
        if count:
            changes.append(w.counted("translations_changed", count, **named(code)))
    return changes
