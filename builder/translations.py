"""Translations of a form definition: everything a resident reads, per locale, by JSON pointer.

A definition carries ``translations``: ``{"fr": {"/title": "Signaler un nid-de-poule",
"/schema/properties/size/oneOf/0/title": "Plus petit qu'une main", ...}}``. The pointers name the
source texts in the definition document itself, so a translation survives reordering of fields and
the JSON Schema of the answers stays language-neutral: choice *values* never change, only their
labels. A missing translation falls back to the form's own text (its default language).

``translation_sources`` records, per locale and pointer, the source text a translation was made
from; when the source text changes afterwards, the translation is *stale* and the builder marks it
for review. Plain choices (``enum``) have no label of their own: they are offered for translation
under the pointer their label would have as ``oneOf`` (``…/oneOf/<i>/title``), their source text being
the option's label (react-jsonschema-form's schema-level ``enumNames``, else the value itself), and
``localise`` turns such a choice into ``oneOf`` in the resident's copy, the stored values unchanged and
the untranslated options keeping their label. The first of a field's ``examples`` is its placeholder, so
it is translatable too (under ``…/examples/0``) unless a ``ui:placeholder`` replaces it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from babel import Locale, UnknownLocaleError

from builder.definition import FormSettings

DEFAULT_CONFIRMATION: str = FormSettings.model_fields["confirmation_text"].default

# Keys of a schema node whose string value a resident reads.
SCHEMA_TEXT_KEYS = ("title", "description")
# Keys of a uiSchema node whose string value a resident reads.
UI_TEXT_KEYS = ("ui:title", "ui:description", "ui:help", "ui:placeholder")
# Schema keywords holding subschemas (dicts), lists of subschemas, or maps of subschemas.
_SUBSCHEMA = ("items", "if", "then", "else", "not", "additionalProperties", "contains")
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SUBSCHEMA_MAPS = ("properties", "$defs", "definitions", "dependentSchemas", "patternProperties")


@dataclass(frozen=True)
class MissingTranslation:
    locale: str
    pointer: str
    source: str


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _schema_texts(node: Any, at: str) -> Iterator[tuple[str, str]]:
    if not isinstance(node, dict):
        return
    for key in SCHEMA_TEXT_KEYS:
        if isinstance(node.get(key), str) and node[key].strip():
            yield f"{at}/{key}", node[key]
    if isinstance(node.get("enum"), list) and "oneOf" not in node:  # plain choices: enumNames or the value
        for index, label in enumerate(enum_labels(node)):
            if isinstance(label, str) and label.strip():
                yield f"{at}/oneOf/{index}/title", label
    examples = node.get("examples")  # the first example is the field's placeholder when it has no ui:placeholder
    if isinstance(examples, list) and examples and isinstance(examples[0], str) and examples[0].strip():
        yield f"{at}/examples/0", examples[0]
    message = node.get("errorMessage")
    if isinstance(message, str) and message.strip():
        yield f"{at}/errorMessage", message
    elif isinstance(message, dict):
        for keyword, text in message.items():
            if isinstance(text, str) and text.strip():
                yield f"{at}/errorMessage/{escape(keyword)}", text
    for key in _SUBSCHEMA:
        yield from _schema_texts(node.get(key), f"{at}/{key}")
    for key in _SUBSCHEMA_LISTS:
        for index, sub in enumerate(node.get(key) or []):
            yield from _schema_texts(sub, f"{at}/{key}/{index}")
    for key in _SUBSCHEMA_MAPS:
        subs = node.get(key)
        if isinstance(subs, dict):
            for name, sub in subs.items():
                yield from _schema_texts(sub, f"{at}/{key}/{escape(name)}")


def enum_labels(node: dict[str, Any]) -> list[Any]:
    """The label of each option of a plain choice: react-jsonschema-form's schema-level ``enumNames`` when it
    names every option, else the stored values themselves."""
    options = node.get("enum") or []
    names = node.get("enumNames")
    return list(names) if isinstance(names, list) and len(names) == len(options) else list(options)


def _ui_texts(node: Any, at: str) -> Iterator[tuple[str, str]]:
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in UI_TEXT_KEYS and isinstance(value, str) and value.strip():
            yield f"{at}/{escape(key)}", value
        elif key == "ui:enumNames" and isinstance(value, list):
            for index, text in enumerate(value):
                if isinstance(text, str):
                    yield f"{at}/{escape(key)}/{index}", text
        elif key == "ui:pages" and isinstance(value, list):
            for index, page in enumerate(value):
                if isinstance(page, dict) and isinstance(page.get("title"), str) and page["title"].strip():
                    yield f"{at}/{escape(key)}/{index}/title", page["title"]
        elif not key.startswith("ui:") and isinstance(value, dict):
            yield from _ui_texts(value, f"{at}/{escape(key)}")


def translatable_texts(document: dict[str, Any]) -> dict[str, str]:
    """Every text a resident reads, keyed by its JSON pointer in the definition document."""
    texts: dict[str, str] = {}
    for key in ("title", "description"):
        if isinstance(document.get(key), str) and document[key].strip():
            texts[f"/{key}"] = document[key]
    texts.update(_schema_texts(document.get("schema"), "/schema"))
    texts.update(_ui_texts(document.get("uiSchema"), "/uiSchema"))
    # Residents read the default confirmation when the form sets none, so it is translatable too.
    confirmation = (document.get("settings") or {}).get("confirmation_text", DEFAULT_CONFIRMATION)
    if isinstance(confirmation, str) and confirmation.strip():
        texts["/settings/confirmation_text"] = confirmation
    for index, step in enumerate((document.get("workflow") or {}).get("steps") or []):
        if isinstance(step, dict) and isinstance(step.get("name"), str):
            texts[f"/workflow/steps/{index}/name"] = step["name"]
    return {pointer: text for pointer, text in texts.items() if not _labelled_elsewhere(document, pointer)}


def _labelled_elsewhere(document: dict[str, Any], pointer: str) -> bool:
    """A text the uiSchema replaces: the labels of a plain choice with ``ui:enumNames``, and the example of a
    field with a ``ui:placeholder`` (the texts residents read are the uiSchema's)."""
    match = re.fullmatch(r"/schema/properties/([^/]+)/(oneOf/\d+/title|examples/0)", pointer)
    if not match:
        return False
    schema_node = ((document.get("schema") or {}).get("properties") or {}).get(unescape(match.group(1))) or {}
    ui_node = (document.get("uiSchema") or {}).get(unescape(match.group(1))) or {}
    if not isinstance(ui_node, dict):
        return False
    if match.group(2) == "examples/0":
        return bool(ui_node.get("ui:placeholder"))
    return "enum" in schema_node and isinstance(ui_node.get("ui:enumNames"), list)


def missing_translations(document: dict[str, Any], locales: list[str] | None = None) -> list[MissingTranslation]:
    """Texts without a translation, per locale (default: every locale the definition mentions)."""
    translations = document.get("translations") or {}
    wanted = locales if locales is not None else sorted(translations)
    texts = translatable_texts(document)
    return [MissingTranslation(locale, pointer, source)
            for locale in wanted for pointer, source in texts.items()
            if not str((translations.get(locale) or {}).get(pointer, "")).strip()]


@dataclass(frozen=True)
class StaleTranslation:
    locale: str
    pointer: str
    was: str  # the source text the translation was made from
    now: str  # the source text today


def stale_translations(document: dict[str, Any]) -> list[StaleTranslation]:
    """Translations made from a source text that has changed since (recorded in ``translation_sources``)."""
    texts = translatable_texts(document)
    sources = document.get("translation_sources") or {}
    return [StaleTranslation(locale, pointer, sources[locale][pointer], texts[pointer])
            for locale, entries in sorted((document.get("translations") or {}).items())
            for pointer, text in entries.items()
            if str(text).strip() and pointer in texts and pointer in (sources.get(locale) or {})
            and sources[locale][pointer] != texts[pointer]]


def orphaned_translations(document: dict[str, Any]) -> list[tuple[str, str]]:
    """(locale, pointer) of translations whose source text no longer exists (e.g. a deleted field)."""
    texts = translatable_texts(document)
    return [(locale, pointer) for locale, entries in sorted((document.get("translations") or {}).items())
            for pointer in entries if pointer not in texts]


def localise(document: dict[str, Any], locale: str) -> dict[str, Any]:
    """A copy of the definition with its texts in ``locale``; missing ones stay in the default language."""
    entries = (document.get("translations") or {}).get(locale) or {}
    if not entries:
        return document
    localised = copy.deepcopy(document)
    texts = translatable_texts(document)
    for pointer, translated in entries.items():
        if pointer in texts and isinstance(translated, str) and translated.strip():
            _set(localised, pointer, translated)
    return localised


def _set(document: dict[str, Any], pointer: str, value: str) -> None:
    parts = [unescape(part) for part in pointer.split("/")[1:]]
    node: Any = document
    for index, part in enumerate(parts[:-1]):
        if isinstance(node, dict) and part not in node and parts[index + 1:] == ["confirmation_text"]:
            node[part] = {}  # a form relying on the default confirmation has no settings of its own
        if part == "oneOf" and isinstance(node, dict) and "oneOf" not in node and isinstance(node.get("enum"), list):
            _enum_as_one_of(node)
        node = node[int(part)] if isinstance(node, list) else node[part]
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def _enum_as_one_of(node: dict[str, Any]) -> None:
    """A plain choice as ``oneOf`` with the same stored values, so each option can carry its own label; an
    option left untranslated keeps its label in the default language (``enumNames``, else its value)."""
    labels = enum_labels(node)
    node["oneOf"] = [{"const": option, "title": str(label)} for option, label in zip(node.pop("enum"), labels,
                                                                                      strict=True)]
    node.pop("enumNames", None)


def available_locales(document: dict[str, Any]) -> list[str]:
    """The form's default language first, then every language it has translations for."""
    default = ((document.get("settings") or {}).get("default_locale")) or "en"
    return [default, *sorted(locale for locale in (document.get("translations") or {}) if locale != default)]


# ------------------------------------------------------------------ the builder's translation table

Status = Literal["done", "missing", "stale"]
# What a text is, so the builder can say it in the designer's language.
Part = Literal["form_title", "form_description", "field_title", "help", "placeholder", "choice", "error_message",
               "page_title", "step_name", "confirmation", "text"]


@dataclass(frozen=True)
class TranslationRow:
    """One source text and its translation into one locale, as the builder's table shows it."""

    pointer: str
    part: Part
    field: str | None  # property name of the field the text belongs to, if any
    source: str
    text: str  # the translation ("" when missing)
    status: Status
    was: str = ""  # stale: the source text the translation was made from


_FIELD = re.compile(r"^/(?:schema(?:/(?:allOf|anyOf|oneOf)/\d+)?(?:/(?:then|else)|/dependentSchemas/[^/]+)?"
                    r"/properties|uiSchema)/([^/]+)")
_PARTS: tuple[tuple[str, Part], ...] = (
    (r"^/title$", "form_title"), (r"^/description$", "form_description"),
    (r"^/settings/confirmation_text$", "confirmation"), (r"^/workflow/steps/\d+/name$", "step_name"),
    (r"^/uiSchema/ui:pages/\d+/title$", "page_title"), (r"/oneOf/\d+/title$|/ui:enumNames/\d+$", "choice"),
    (r"/errorMessage(/.*)?$", "error_message"), (r"/ui:placeholder$|/examples/0$", "placeholder"),
    (r"/(description|ui:help|ui:description)$", "help"), (r"/(title|ui:title)$", "field_title"),
)


def part_of(pointer: str) -> Part:
    return next((part for pattern, part in _PARTS if re.search(pattern, pointer)), "text")


def field_of(pointer: str) -> str | None:
    match = _FIELD.match(pointer)
    return unescape(match.group(1)) if match and not match.group(1).startswith("ui:") else None


def translation_rows(document: dict[str, Any], locale: str) -> list[TranslationRow]:
    """Every source text with its translation into ``locale``, in the order a resident meets them."""
    entries = (document.get("translations") or {}).get(locale) or {}
    recorded = (document.get("translation_sources") or {}).get(locale) or {}
    rows = []
    for pointer, source in translatable_texts(document).items():
        text = str(entries.get(pointer, ""))
        was = recorded.get(pointer, source)
        status: Status = "missing" if not text.strip() else "stale" if was != source else "done"
        rows.append(TranslationRow(pointer, part_of(pointer), field_of(pointer), source, text, status,
                                   was if status == "stale" else ""))
    return sorted(rows, key=lambda row: _reading_order(document, row))


# Within a field: its question, then what is read under and inside it, then its options and messages.
_PART_RANK = {"field_title": 0, "help": 1, "placeholder": 2, "choice": 3, "error_message": 4, "text": 5}


def _reading_order(document: dict[str, Any], row: TranslationRow) -> tuple[int, int, int, int, str]:
    order = list(dict.fromkeys([*((document.get("uiSchema") or {}).get("ui:order") or []),
                                *((document.get("schema") or {}).get("properties") or {})]))
    if row.part in ("form_title", "form_description"):
        return 0, 0 if row.part == "form_title" else 1, 0, 0, ""
    # A repeating group's own texts before those of the questions of each entry.
    depth = row.pointer.count("/properties/") + row.pointer.count("/items/") - row.pointer.startswith("/schema")
    if row.field is not None:
        position = order.index(row.field) if row.field in order else len(order)
        return 1, position, depth, _PART_RANK.get(row.part, 5), row.pointer
    section = {"page_title": 2, "step_name": 3, "confirmation": 4}.get(row.part, 5)
    return section, _index_in(row.pointer), depth, 0, row.pointer


def _index_in(pointer: str) -> int:
    match = re.search(r"/(\d+)/", pointer)
    return int(match.group(1)) if match else 0


def set_translation(document: dict[str, Any], locale: str, pointer: str, text: str) -> dict[str, Any]:
    """A copy with ``text`` as the translation of ``pointer`` (empty: no translation), recorded as made
    from today's source text."""
    texts = translatable_texts(document)
    if pointer not in texts:
        raise KeyError(pointer)
    doc = copy.deepcopy(document)
    entries = doc.setdefault("translations", {}).setdefault(locale, {})
    sources = doc.setdefault("translation_sources", {}).setdefault(locale, {})
    if text.strip():
        entries[pointer] = text.strip()
        sources[pointer] = texts[pointer]
    else:
        entries.pop(pointer, None)
        sources.pop(pointer, None)
    return doc


def confirm_translation(document: dict[str, Any], locale: str, pointer: str) -> dict[str, Any]:
    """The designer checked a stale translation and it still fits: record today's source text."""
    current = ((document.get("translations") or {}).get(locale) or {}).get(pointer, "")
    return set_translation(document, locale, pointer, str(current))


def without_orphans(document: dict[str, Any]) -> dict[str, Any]:
    """A copy without the translations of texts that no longer exist (a deleted field, a removed step)."""
    orphans = orphaned_translations(document)
    if not orphans:
        return document
    doc = copy.deepcopy(document)
    for locale, pointer in orphans:
        doc["translations"][locale].pop(pointer, None)
        ((doc.get("translation_sources") or {}).get(locale) or {}).pop(pointer, None)
    return doc


# ------------------------------------------------------------------ languages of a form


class UnknownLanguage(ValueError):
    """A language code Babel does not know, or one a form cannot use."""


def locale_code(text: str) -> str:
    """A form's code for a language the designer typed: ``pt_BR`` / ``pt-br`` → ``pt-BR``; ``fr`` → ``fr``."""
    cleaned = text.strip().replace("-", "_")
    try:
        parsed = Locale.parse(cleaned)
    except (UnknownLocaleError, ValueError, TypeError):
        raise UnknownLanguage(f"“{text.strip()}” is not a language code Babel knows (e.g. de, nl, pt-BR).") from None
    if parsed.script or parsed.variant:
        raise UnknownLanguage(f"“{text.strip()}”: give a language with at most a country (e.g. zh-TW, sr-RS).")
    return parsed.language + (f"-{parsed.territory}" if parsed.territory else "")


def language_name(code: str, in_locale: str) -> str:
    """``fr`` → ``French`` in English, ``français`` in French (as written inside a sentence); unknown codes
    are shown as they are."""
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(in_locale.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return code
    return name or code


def offered_locales(document: dict[str, Any]) -> list[str]:
    """The languages the form is translated into (its default language not included)."""
    default = default_locale(document)
    return sorted(locale for locale in (document.get("translations") or {}) if locale != default)


def default_locale(document: dict[str, Any]) -> str:
    return ((document.get("settings") or {}).get("default_locale")) or "en"


def add_language(document: dict[str, Any], code: str) -> dict[str, Any]:
    """A copy that offers ``code`` (every text still to translate); the code as ``locale_code`` gives it."""
    locale = locale_code(code)
    if locale == default_locale(document):
        raise UnknownLanguage(f"The form is written in “{locale}” already.")
    doc = copy.deepcopy(document)
    doc.setdefault("translations", {}).setdefault(locale, {})
    return doc


def remove_language(document: dict[str, Any], locale: str) -> dict[str, Any]:
    doc = copy.deepcopy(document)
    (doc.get("translations") or {}).pop(locale, None)
    (doc.get("translation_sources") or {}).pop(locale, None)
    if not doc.get("translation_sources"):
        doc.pop("translation_sources", None)
    return doc
