"""Every interface string of the pages goes through gettext: a static check with ``ast``.

A string literal handed to a Streamlit display or widget call (first positional argument, or the
``label``/``help``/``placeholder``/``title``/``text`` keyword) must be wrapped in ``_()`` or
``ngettext()``. Only text without letters (punctuation, markdown markers, ``{placeholders}``) is
exempt, plus the short allowlist below. Each file is its own test case, so a file still being
translated shows up by name.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(str(p.relative_to(ROOT)) for p in [ROOT / "app.py", *(ROOT / "pages").glob("*.py"),
                                                   *(ROOT / "ui").glob("*.py")])

# Streamlit calls whose first positional argument people read.
DISPLAY = {
    "title", "header", "subheader", "caption", "write", "markdown", "text", "info", "warning", "error",
    "success", "toast", "button", "download_button", "link_button", "page_link", "text_input",
    "text_area", "number_input", "date_input", "time_input", "selectbox", "multiselect", "radio", "checkbox",
    "toggle", "slider", "select_slider", "file_uploader", "camera_input", "color_picker", "form_submit_button",
    "metric", "expander", "popover", "spinner", "status", "tabs", "Page", "progress", "dialog", "pills",
    "segmented_control", "feedback", "chat_input",
}
KEYWORDS = {"label", "help", "placeholder", "title", "text"}
# Formwork helpers that show their message to people: ``require(check, message)``.
HELPERS = {"require": 1}
TRANSLATE = {"_", "ngettext"}
# (file, literal): shown untranslated on purpose, with the reason.
ALLOWED = {
    # The language selector's own label must be understood before a language is chosen.
    ("ui/i18n.py", "Language / Langue"),
    # The product's name, the title of the hidden page shown while the configuration is refused.
    ("app.py", "Formwork"),
}


def _has_words(text: str) -> bool:
    return re.search(r"[^\W\d_]", re.sub(r"\{[^{}]*\}", "", text)) is not None


def _untranslated(node: ast.AST) -> list[str]:
    """The literal texts in an argument expression that people would read without translation."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value] if _has_words(node.value) else []
    if isinstance(node, ast.JoinedStr):
        literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
        return [literal] if _has_words(literal) else []
    if isinstance(node, ast.BinOp):
        return _untranslated(node.left) + _untranslated(node.right)
    if isinstance(node, ast.IfExp):
        return _untranslated(node.body) + _untranslated(node.orelse)
    if isinstance(node, (ast.List, ast.Tuple)):
        return [text for element in node.elts for text in _untranslated(element)]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _untranslated(node.func.value)  # "...".format(...) is only as translated as its template
    return []  # _()/ngettext() calls, variables and other calls (data, already-translated values)


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    if isinstance(call.func, ast.Name):
        return call.func.id
    return None


def untranslated_strings(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _called_name(node)
        arguments: list[ast.AST] = []
        if name in DISPLAY and isinstance(node.func, ast.Attribute) or name == "Page":
            arguments = node.args[:1] + [k.value for k in node.keywords if k.arg in KEYWORDS]
        elif name in HELPERS and isinstance(node.func, ast.Name) and len(node.args) > HELPERS[name]:
            arguments = [node.args[HELPERS[name]]]
        found += [(node.lineno, text) for argument in arguments for text in _untranslated(argument)]
    return found


@pytest.mark.parametrize("path", FILES)
def test_interface_strings_go_through_gettext(path: str) -> None:
    missing = [(line, text) for line, text in untranslated_strings((ROOT / path).read_text(encoding="utf-8"))
               if (path, text) not in ALLOWED]
    assert missing == [], f"{path}: wrap these in _() (line, text): {missing}"


def computed_messages(source: str) -> list[tuple[int, str]]:
    """``_()``/``ngettext()`` calls whose message is not a plain literal: an f-string or a variable cannot be
    extracted into the catalogues, so it would never be translated."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in TRANSLATE:
            messages = node.args[:2] if node.func.id == "ngettext" else node.args[:1]
            found += [(node.lineno, ast.unparse(m)) for m in messages
                      if not (isinstance(m, ast.Constant) and isinstance(m.value, str))]
    return found


@pytest.mark.parametrize("path", FILES)
def test_messages_are_literals_with_placeholders_filled_after_translation(path: str) -> None:
    assert computed_messages((ROOT / path).read_text(encoding="utf-8")) == []


def test_the_literal_check_flags_f_strings_and_variables() -> None:
    assert computed_messages('_(f"Hello {name}")\n_(label)\n_("Hello {name}").format(name=n)') == [
        (1, "f'Hello {name}'"), (2, "label")]


@pytest.mark.parametrize("snippet, flagged", [
    ('st.title("Inbox")', ["Inbox"]),
    ('left.selectbox("Form", options, placeholder="Choose one")', ["Form", "Choose one"]),
    ('st.text(f"Step: {name}")', ["Step: "]),
    ('st.caption("Requests for: " + groups)', ["Requests for: "]),
    ('st.tabs(["Users", _("Groups")])', ["Users"]),
    ('st.Page(path, title="Forms")', ["Forms"]),
    ('st.info("{n} waiting".format(n=3))', ["{n} waiting"]),
    ('require(is_admin, "Only administrators.")', ["Only administrators."]),
    ('st.title(_("Inbox"))', []),
    ('st.text(ngettext("{n} request", "{n} requests", n).format(n=n))', []),
    ('st.markdown("#### " + _("Messages"))', []),
    ('st.text(f"• {line}")', []),
    ('st.text(comment.body)', []),
])
def test_the_check_tells_translated_from_untranslated(snippet: str, flagged: list[str]) -> None:
    assert [text for _line, text in untranslated_strings(snippet)] == flagged
