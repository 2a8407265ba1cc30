"""Interface catalogues: every string the code marks for translation is translated, and compiled."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest
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


def catalogue(language: str) -> dict[str, str]:
    with open(ROOT / "locale" / language / "LC_MESSAGES" / "formwork.po", "rb") as handle:
        return {(m.id if isinstance(m.id, str) else m.id[0]): (m.string if isinstance(m.string, str) else m.string[0])
                for m in read_po(handle) if m.id}


def test_the_code_marks_strings_for_translation() -> None:
    assert "City services online" in messages_in_code()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_in_the_code_is_translated(language: str) -> None:
    entries = catalogue(language)
    untranslated = sorted(m for m in messages_in_code() if not entries.get(m, "").strip())
    assert untranslated == [], f"locale/{language} misses {len(untranslated)} strings; run the extraction (README)"


def test_catalogues_are_compiled() -> None:
    french = gettext.translation("formwork", localedir=ROOT / "locale", languages=["fr"])
    assert french.gettext("City services online") == "Services de la ville en ligne"
