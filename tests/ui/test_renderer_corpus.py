"""The renderer against a corpus of real-world forms (tests/corpus/*.json, written in the public
conventions of react-jsonschema-form and JSON Forms): every visible field gets a widget, sample
answers round-trip unchanged, and problems appear right under the field they belong to."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from builder.schema_view import resolve_ref, visible_fields
from builder.validation import field_errors

ROOT = Path(__file__).resolve().parents[2]
ENTRY = str(ROOT / "tests" / "ui" / "entry" / "render_corpus_form.py")
CORPUS = sorted((ROOT / "tests" / "corpus").glob("*.json"))


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def _render(path: Path, answers: dict[str, Any], errors: list[tuple[list[Any], str]] | None = None) -> AppTest:
    app = AppTest.from_file(ENTRY, default_timeout=30)
    app.session_state["corpus_file"] = str(path)
    app.session_state["seed"] = answers
    app.session_state["errors"] = errors or []
    app.run()
    assert not app.exception, app.exception
    return app


def _flat(node: Any) -> list[Any]:
    """Every element of the page, in the order a resident reads them."""
    children = getattr(node, "children", None)
    if not children:
        return [node]
    found = [node] if getattr(node, "type", None) == "expander" else []
    for index in sorted(children):
        found.extend(_flat(children[index]))
    return found


def _keys(app: AppTest) -> list[str]:
    return [str(element.key) for element in _flat(app.main) if getattr(element, "key", None)]


def test_the_corpus_is_large_and_varied() -> None:
    forms = [_load(path) for path in CORPUS]
    assert len(forms) >= 25
    text = json.dumps(forms)
    for feature in ('"$ref"', '"if"', '"dependentSchemas"', '"dependentRequired"', '"oneOf"', '"errorMessage"',
                    '"format": "date"', '"ui:order"', '"ui:pages"', '"items": {"type": "object"'):
        assert feature in text.replace('\n', '').replace('  ', ' '), feature
    assert max(len(form["schema"]["properties"]) for form in forms) >= 50


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_sample_answers_are_valid_and_round_trip_through_the_widgets(path: Path) -> None:
    form = _load(path)
    assert field_errors(form["schema"], form["sample"]) == []
    app = _render(path, form["sample"])
    assert app.session_state["rendered"] == form["sample"]
    app.run()  # a second run reads the values back from the widgets themselves
    assert app.session_state["rendered"] == form["sample"]
    keys = _keys(app)
    for field in visible_fields(form["schema"], form["schema"], form["sample"]):
        ui = form["uiSchema"].get(field.name, {})
        kind = resolve_ref(form["schema"], field.schema).get("type")
        if ui.get("ui:widget") == "hidden" or kind == "null":
            continue
        assert any(key == f"corpus:{field.name}" or key.startswith(f"corpus:{field.name}/") for key in keys), \
            f"no widget for {field.name}"


def _messages_near(elements: list[Any], where: str) -> list[str]:
    """Messages shown between the field's first widget (or its group heading) and the next field."""
    parts = where.split("/")
    while parts:
        prefix = "corpus:" + "/".join(parts)
        owned = [i for i, e in enumerate(elements)
                 if str(getattr(e, "key", "")) == prefix or str(getattr(e, "key", "")).startswith(prefix + "/")]
        if owned:
            break
        parts.pop()
    assert parts, f"no widget for {where}"
    keyed = [i for i, e in enumerate(elements) if getattr(e, "key", None)]
    start = max([i for i in keyed if i < owned[0]], default=-1) + 1
    end = min([i for i in keyed if i > owned[-1]], default=len(elements))
    return [str(e.value) for e in elements[start:end] if e.__class__.__name__ == "Error"]


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_invalid_answers_are_refused_with_messages_under_their_fields(path: Path) -> None:
    form = _load(path)
    for case in form["invalid"]:
        errors = field_errors(form["schema"], case["answers"])
        by_path: dict[str, list[str]] = {}
        for error in errors:
            by_path.setdefault("/".join(map(str, error.path)), []).append(error.message)
        for where, fragment in case["errors"].items():
            assert any(fragment in message for message in by_path.get(where, [])), (where, by_path)
        app = _render(path, case["answers"], [(list(e.path), e.message) for e in errors])
        elements = _flat(app.main)
        for where in case["errors"]:
            shown = _messages_near(elements, where)
            assert set(by_path[where]) <= set(shown), (where, by_path[where], shown)
