"""A real browser on a phone: a French tracking link opens the request in French, and a reviewer who
chose French on the sign-in page works the inbox in French. Screenshots go to test-output/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.dates import format_date
from playwright.sync_api import Browser, expect

from builder.ports import ANONYMOUS
from builder.usecases import forms, requests
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork
from tests.conftest import template
from tests.e2e.conftest import LiveServer, Shots, live_server, nav, new_page, settle
from tests.helpers import DESIGNER, seed_organisation

pytestmark = pytest.mark.e2e
PORTS = range(8700, 8720)  # i18n-pages' share of the Streamlit ports


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[LiveServer, requests.Receipt]]:
    url = f"sqlite:///{tmp_path / 'formwork.db'}"
    engine = make_engine(url)
    upgrade(engine)
    uow = seed_organisation(engine)
    forms.create_form(template("report-pothole"), DESIGNER, uow)
    forms.publish("report-pothole", DESIGNER, uow)
    receipt = requests.submit("report-pothole", {"location": "Rue du Marché 12", "size": "small"}, ANONYMOUS,
                              SqlUnitOfWork(engine), idempotency_key="e2e-fr", locale="fr")
    engine.dispose()
    with live_server(tmp_path, PORTS, seed=False) as live:
        yield live, receipt


def test_french_tracking_link_and_french_inbox_on_a_phone(server: tuple[LiveServer, requests.Receipt],
                                                          browser: Browser, shots: Shots) -> None:
    live, receipt = server
    resident = new_page(browser, "phone")
    # The tracking link of the receipt mail is the first page this server serves (tests/e2e/test_deep_links.py).
    resident.goto(f"{live.base}/track?ref={receipt.reference}&lang=fr")
    settle(resident)
    expect(resident.get_by_role("heading", name="Suivre une demande")).to_be_visible(timeout=30_000)
    settle(resident)  # typing during a script run can be lost to its rerun
    resident.get_by_role("textbox", name="Code d'accès").fill(receipt.access_code or "")
    resident.get_by_role("button", name="Afficher ma demande").click()
    settle(resident)
    expect(resident.get_by_text("En cours d'instruction")).to_be_visible(timeout=15_000)
    view = requests.status(receipt.reference, receipt.access_code or "", SqlUnitOfWork(make_engine(live.database_url)))
    expected = format_date(view.expected_on, format="long", locale="fr")
    expect(resident.get_by_text(f"Décision attendue au plus tard le {expected}.")).to_be_visible()
    expect(resident.get_by_text("Signaler un nid-de-poule")).to_be_visible()
    shots(resident, "track-fr-phone")

    reviewer = new_page(browser, "phone")
    reviewer.goto(f"{live.base}/account?lang=fr")
    settle(reviewer)
    expect(reviewer.get_by_role("heading", name="Se connecter")).to_be_visible(timeout=15_000)
    settle(reviewer)
    reviewer.get_by_label("Identifiant", exact=True).fill("roads")
    reviewer.get_by_label("Mot de passe", exact=True).first.fill("roads-test-passphrase")
    reviewer.get_by_role("button", name="Se connecter").click()
    expect(reviewer.get_by_text("Se déconnecter").first).to_be_attached(timeout=15_000)
    settle(reviewer)
    nav(reviewer, "Demandes à traiter", until=reviewer.get_by_role("heading", name="Demandes à traiter"))
    expect(reviewer.get_by_role("heading", name="Demandes à traiter")).to_be_visible(timeout=15_000)
    expect(reviewer.get_by_text("1 demande", exact=True)).to_be_visible()
    shots(reviewer, "inbox-fr-phone")
