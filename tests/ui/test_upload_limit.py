"""The per-client upload limit, as a resident meets it at the file field of the form page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from builder.throttling import RateRule
from builder.usecases import limits
from tests.attachment_journey import PNG
from tests.ui.test_attachment_pages import _fill_first_page, _publish


def test_past_the_upload_limit_the_field_says_the_file_was_not_kept_and_what_to_do(
        new_app: Callable[[], AppTest], app_database: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "FILE_UPLOADS", RateRule("upload", 1, timedelta(hours=1)))
    _publish(app_database)
    app = _fill_first_page(new_app(), "photo.png", PNG)
    assert not app.error
    app.get("file_uploader")[0].set_value(("another.png", PNG + b"\x01", "image/png")).run()
    [message] = [e.value for e in app.error]
    assert "Too many files were sent from your connection in the last hour, so this file was not kept." in message
    assert "choose it again; your other answers are kept" in message
    assert app.text_input[0].value == "Market Street 12"
