"""Translations of a form definition: everything a resident reads, per locale, by JSON pointer.

A definition carries ``translations``: ``{"fr": {"/title": "Signaler un nid-de-poule",
"/schema/properties/size/oneOf/0/title": "Plus petit qu'une main", ...}}``. The pointers name the
source texts in the definition document itself, so a translation survives reordering of fields and
the JSON Schema of the answers stays language-neutral: choice *values* never change, only their
labels. A missing translation falls back to the form's own text (its default language).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

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
    settings = document.get("settings") or {}
    if isinstance(settings.get("confirmation_text"), str) and settings["confirmation_text"].strip():
        texts["/settings/confirmation_text"] = settings["confirmation_text"]
    for index, step in enumerate((document.get("workflow") or {}).get("steps") or []):
        if isinstance(step, dict) and isinstance(step.get("name"), str):
            texts[f"/workflow/steps/{index}/name"] = step["name"]
    return texts


def missing_translations(document: dict[str, Any], locales: list[str] | None = None) -> list[MissingTranslation]:
    """Texts without a translation, per locale (default: every locale the definition mentions)."""
    translations = document.get("translations") or {}
    wanted = locales if locales is not None else sorted(translations)
    texts = translatable_texts(document)
    return [MissingTranslation(locale, pointer, source)
            for locale in wanted for pointer, source in texts.items()
            if not str((translations.get(locale) or {}).get(pointer, "")).strip()]


def stale_translations(document: dict[str, Any]) -> list[tuple[str, str]]:
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
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def available_locales(document: dict[str, Any]) -> list[str]:
    """The form's default language first, then every language it has translations for."""
    default = ((document.get("settings") or {}).get("default_locale")) or "en"
    return [default, *sorted(locale for locale in (document.get("translations") or {}) if locale != default)]
