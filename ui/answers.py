"""Read-only views of a request: answers as a table, the history as a timeline.

Everything a resident wrote is shown through dataframes and ``st.text``: never markdown or HTML.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from builder.schema_view import resolve_ref, visible_fields


def answer_rows(schema: dict[str, Any], ui_schema: dict[str, Any], answers: dict[str, Any],
                prefix: str = "") -> list[dict[str, str]]:
    """(question, answer) rows, with choice labels instead of stored values."""
    rows: list[dict[str, str]] = []
    for field in visible_fields(schema, schema, answers):
        if field.name not in answers:
            continue
        sub = resolve_ref(schema, field.schema)
        ui = ui_schema.get(field.name, {}) if isinstance(ui_schema.get(field.name), dict) else {}
        title = str(ui.get("ui:title") or sub.get("title") or field.name)
        rows.extend(_rows(f"{prefix}{title}", sub, ui, answers[field.name], schema))
    return rows


def _rows(title: str, schema: dict[str, Any], ui: dict[str, Any], value: Any, root: dict[str, Any]) -> list[dict[str, str]]:
    if isinstance(value, dict) and schema.get("type") == "object":
        nested = {**root, **schema} if "properties" in schema else root
        return [{"Question": f"{title} › {row['Question']}", "Answer": row["Answer"]}
                for row in answer_rows(nested, ui, value)]
    return [{"Question": title, "Answer": display_value(schema, value)}]


def display_value(schema: dict[str, Any], value: Any) -> str:
    labels = {o.get("const"): str(o.get("title", o.get("const"))) for o in schema.get("oneOf", []) + schema.get("anyOf", [])
              if isinstance(o, dict) and "const" in o}
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        item_schema = schema.get("items", {}) if isinstance(schema.get("items"), dict) else {}
        return "; ".join(display_value(item_schema, item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {display_value({}, v)}" for k, v in value.items())
    return labels.get(value, str(value))


def show_answers(schema: dict[str, Any], ui_schema: dict[str, Any], answers: dict[str, Any]) -> None:
    rows = answer_rows(schema, ui_schema, answers)
    if not rows:
        st.text("No answers.")
        return
    st.dataframe(rows, hide_index=True, use_container_width=True)
