"""A version stored before references were checked at saving (``$ref: "#"``, a loop) gives residents a
clear message on the form page, never a traceback."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from builder.ports import VersionRecord
from builder.usecases import forms
from tests.conftest import template
from tests.helpers import DESIGNER, seed_organisation
from tests.ui.conftest import open_page, texts

CANNOT_SHOW = "This form cannot be shown at the moment: its definition has a fault the city must correct."


@pytest.mark.parametrize("broken", [
    {"$ref": "#"},
    {"$ref": "#/$defs/loop"},
])
def test_a_stored_form_with_a_reference_it_cannot_follow_says_so_plainly(
        new_app: Callable[[], AppTest], app_database: Engine, broken: dict) -> None:
    uow = seed_organisation(app_database)
    forms.create_form(template("report-pothole"), DESIGNER, uow)
    forms.publish("report-pothole", DESIGNER, uow)
    with uow.reading():
        definition = copy.deepcopy(uow.forms.latest_version("report-pothole").definition)
    definition["schema"]["properties"]["extra"] = {"title": "Extra", **broken}
    definition["schema"]["$defs"] = {"loop": {"type": "object", "properties": {"again": {"$ref": "#/$defs/loop"}}}}
    with uow:  # as an older Formwork stored it, past today's checks
        uow.forms.add_version(VersionRecord("report-pothole", 2, definition, datetime.now(UTC), DESIGNER.username))
        uow.commit()
    app = open_page(new_app(), "form", form="report-pothole")
    assert not app.exception
    assert CANNOT_SHOW in texts(app)
    assert not app.text_input  # no half-drawn form to fill in for nothing
