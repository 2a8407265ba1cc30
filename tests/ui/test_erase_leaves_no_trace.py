"""An erasure on the data-protection page takes the erased values out of the SQLite files at once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from builder.usecases import forms, requests
from storage import retention
from tests.conftest import template
from tests.helpers import DESIGNER, RESIDENT, seed_organisation
from tests.ui.conftest import open_page, sign_in, texts

CANARY = "Canary-Erased-Oswin-5823"


def _database_bytes(engine: Engine) -> bytes:
    path = Path(engine.url.database or "")
    return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())


def test_erased_answers_are_in_neither_the_database_nor_its_wal_file(new_app: Callable[[], AppTest],
                                                                     app_database: Engine) -> None:
    uow = seed_organisation(app_database)
    forms.create_form(template("report-pothole"), DESIGNER, uow)
    forms.publish("report-pothole", DESIGNER, uow)
    requests.submit("report-pothole", {"location": "Market Street 12", "size": "small", "name": CANARY},
                    RESIDENT, uow, idempotency_key="canary")
    retention.checkpoint(app_database)
    assert CANARY.encode() in _database_bytes(app_database)  # the test can see the value before the erasure

    app = open_page(sign_in(new_app(), "admin"), "data_protection")
    app.text_input[0].input("resident")
    app.get("form_submit_button")[0].click().run()
    app.checkbox[0].check().run()
    app.text_input[1].input("resident")
    next(b for b in app.button if b.label == "Erase now").click().run()

    assert "Erased: 1 request." in texts(app)
    assert CANARY.encode() not in _database_bytes(app_database)  # no need to wait for the nightly purge
