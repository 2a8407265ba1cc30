"""Interface catalogues: every string the code marks for translation is translated, and compiled."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("en", "fr")
METHODS = [("pages/**.py", "python"), ("ui/**.py", "python"), ("app.py", "python")]
KEYWORDS = {"_": None, "ngettext": (1, 2)}


def messages_in_code() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else message[0])
    return found


def read_catalogue(language: str) -> Catalog:
    with open(ROOT / "locale" / language / "LC_MESSAGES" / "formwork.po", "rb") as handle:
        return read_po(handle)


def catalogue(language: str) -> dict[str, tuple[str, ...]]:
    """Each message id with every form of its translation (one, or one per plural form)."""
    return {(m.id if isinstance(m.id, str) else m.id[0]): ((m.string,) if isinstance(m.string, str) else tuple(m.string))
            for m in read_catalogue(language) if m.id}


def test_the_code_marks_strings_for_translation() -> None:
    assert "City services online" in messages_in_code()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_in_the_code_is_translated(language: str) -> None:
    entries = catalogue(language)
    untranslated = sorted(m for m in messages_in_code() if not all(form.strip() for form in entries.get(m, ("",))))
    assert untranslated == [], f"locale/{language} misses {len(untranslated)} strings; run the extraction (README)"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_plural_message_has_each_form_of_the_language(language: str) -> None:
    """``ngettext`` picks a form by the count: an empty or missing one shows nothing (or the English)."""
    found = read_catalogue(language)
    incomplete = sorted(m.id[0] for m in found if m.id and m.pluralizable
                        and (len(m.string) != found.num_plurals or not all(form.strip() for form in m.string)))
    assert incomplete == [], f"locale/{language}: plural forms missing or empty for {incomplete}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_translation_is_left_fuzzy(language: str) -> None:
    """A fuzzy entry (a guess by the merge tool) is not compiled: readers would get the English."""
    fuzzy = sorted(str(m.id if isinstance(m.id, str) else m.id[0]) for m in read_catalogue(language)
                   if m.id and m.fuzzy)
    assert fuzzy == [], f"locale/{language}: check and confirm these translations, then remove 'fuzzy': {fuzzy}"


def test_catalogues_are_compiled() -> None:
    french = gettext.translation("formwork", localedir=ROOT / "locale", languages=["fr"])
    assert french.gettext("City services online") == "Services de la ville en ligne"
