"""A published version, prepared once per process for the residents who submit on it.

A published version is immutable (DESIGN.md §2), so what every submission derives from it — the parsed
definition, and per language the localised document and the validator of its schema — is worked out
once and kept: parsing the definition and finding its validator (by hashing the schema) cost about
0.05-0.1 ms of every submission (bench/submit.py).

The cache is keyed by the digest of the definition, stored with the version when it is published
(``VersionRecord.digest`` / ``VersionHead.digest``, or of the document itself when the storage gave
none), not by the version's id, so a submission reads the definition only when this process has not
prepared it yet. Not by id: two databases in one process (the tests), or a backup restored under a
running app, can give one id another definition. It holds form
definitions only, which are not personal data (STACK-NOTES: no personal data in process caches), and at
most ``MAX_VERSIONS`` of them, the least recently used leaving first.
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from builder.definition import FormDefinition, parse_definition
from builder.ports import VersionRecord
from builder.translations import localise
from builder.validation import validator_for

MAX_VERSIONS = 256


def definition_digest(stored: str) -> str:
    """The key of a version's definition as stored (its JSON text): equal texts, equal keys."""
    return hashlib.sha256(stored.encode()).hexdigest()


def document_digest(document: dict[str, Any]) -> str:
    """The key of a definition given as a document (stored with the version when it is published)."""
    return definition_digest(json.dumps(document, sort_keys=True))


@dataclass(frozen=True)
class InLanguage:
    """A version's definition in one language, with the validator of that language's schema."""

    document: dict[str, Any]
    validator: Any


class PreparedVersion:
    """One published version's parsed definition, and its documents per language (made when first asked)."""

    def __init__(self, document: dict[str, Any]) -> None:
        # A copy: the caller's document may be changed after this; what is kept must not.
        self._document = copy.deepcopy(document)
        self.definition: FormDefinition = parse_definition(self._document)
        self._translated = frozenset((self._document.get("translations") or {}))
        self._languages: dict[str | None, InLanguage] = {}

    def in_language(self, locale: str) -> InLanguage:
        """The definition in ``locale``; a language the form has no translations for gets its own texts.
        (So the languages kept are bounded by the form's own translations, whatever the reader asks for.)"""
        key = locale if locale in self._translated else None
        found = self._languages.get(key)
        if found is None:
            document = localise(self._document, locale) if key else self._document
            found = self._languages[key] = InLanguage(document, validator_for(document["schema"], closed=True))
        return found


_PREPARED: OrderedDict[str, PreparedVersion] = OrderedDict()
_LOCK = threading.Lock()


def prepared(version: VersionRecord) -> PreparedVersion:
    """The prepared form of a published version, from the cache when it was prepared before."""
    key = version.digest or document_digest(version.definition)
    with _LOCK:
        found = _PREPARED.get(key)
        if found is not None:
            _PREPARED.move_to_end(key)
            return found
    found = PreparedVersion(version.definition)  # outside the lock: parsing may raise, and takes a while
    with _LOCK:
        _PREPARED[key] = found
        while len(_PREPARED) > MAX_VERSIONS:
            _PREPARED.popitem(last=False)
    return found


def cached(digest: str) -> PreparedVersion | None:
    """The version prepared before under this digest, if this process still has it (none for "")."""
    if not digest:
        return None
    with _LOCK:
        found = _PREPARED.get(digest)
        if found is not None:
            _PREPARED.move_to_end(digest)
        return found
