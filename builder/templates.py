"""Starter templates shipped under ``schemas/templates/``: realistic city forms to begin from."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TEMPLATE_FOLDER = Path(__file__).resolve().parent.parent / "schemas" / "templates"


@dataclass(frozen=True)
class Template:
    slug: str
    title: str
    description: str
    document: dict[str, Any]


def load_templates(folder: Path = TEMPLATE_FOLDER) -> list[Template]:
    templates = []
    for path in sorted(folder.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        templates.append(Template(document["slug"], document["title"], document.get("description", ""), document))
    return templates
