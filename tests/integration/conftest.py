"""Fixtures of the integration tests (each runs on SQLite and on PostgreSQL through ``engine``)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from builder.usecases import forms
from storage.uow import SqlUnitOfWork
from tests.conftest import template
from tests.helpers import DESIGNER, seed_organisation


@pytest.fixture
def seeded(engine: Engine, request: pytest.FixtureRequest) -> SqlUnitOfWork:
    """The test organisation with "Report a pothole" published as version 1 -- now, or at the module's
    ``PUBLISHED_AT`` (retention tests publish long ago, so that requests of that time can expire)."""
    at = getattr(request.module, "PUBLISHED_AT", None)
    uow = seed_organisation(engine)
    forms.create_form(template("report-pothole"), DESIGNER, uow, now=at)
    forms.publish("report-pothole", DESIGNER, uow, now=at)
    return uow
