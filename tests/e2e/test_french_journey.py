"""A resident on a phone switches the form to French, is told what is missing in French at the field,
submits, reads a French receipt and gets French mail. Inputs are found by their accessible names,
which carry no markdown escapes. Screenshots go to test-output/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from storage.engine import make_engine
from storage.models import OutboxMail
from tests.e2e.conftest import LiveServer, Shots, live_server, new_page, settle

pytestmark = pytest.mark.e2e
PORTS = range(8720, 8740)  # i18n-deep's share of the Streamlit ports


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("french"), PORTS) as server:
        yield server


def _choose_french(page: Page) -> None:
    """The language choice sits in the sidebar, which a phone keeps folded away."""
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_be_attached(timeout=15_000)
    if sidebar.get_attribute("data-collapsed") == "true":
        page.get_by_test_id("stExpandSidebarButton").click()
        expect(sidebar).to_have_attribute("data-collapsed", "false")
    sidebar.get_by_role("combobox", name="Language / Langue").click()
    page.get_by_role("option", name="Français").click()
    settle(page)
    if sidebar.get_attribute("data-collapsed") == "false":
        page.get_by_test_id("stSidebarCollapseButton").locator("button").click()
        expect(sidebar).to_have_attribute("data-collapsed", "true")


def _outbox(live: LiveServer) -> list[OutboxMail]:
    engine = make_engine(live.database_url)
    try:
        with Session(engine) as session:
            return list(session.exec(select(OutboxMail)).all())
    finally:
        engine.dispose()


def test_a_resident_fills_in_a_form_in_french_on_a_phone(live: LiveServer, browser: Browser, shots: Shots) -> None:
    page = new_page(browser, "phone")
    page.goto(live.base)
    settle(page)
    page.locator('a[href*="report-pothole"]').first.click()  # the catalogue's link to the form
    expect(page.get_by_role("textbox", name="Where is the pothole? *", exact=True)).to_be_visible(timeout=15_000)
    _choose_french(page)
    location = page.get_by_role("textbox", name="Où se trouve le nid-de-poule ? *", exact=True)
    expect(location).to_be_visible(timeout=15_000)
    expect(page.get_by_role("radiogroup", name="Quelle est sa taille ? *", exact=True)).to_be_visible()
    shots(page, "form-fr")

    page.get_by_role("button", name="Suivant").click()
    settle(page)
    expect(page.get_by_text("Veuillez corriger 2 problèmes ci-dessous.")).to_be_visible()
    expect(page.get_by_text("Ce champ est obligatoire.", exact=True)).to_have_count(2)  # one under each field
    shots(page, "form-fr-missing")

    location.fill("Rue du Marché 12")
    location.press("Enter")
    page.get_by_text("Plus petit qu'une main", exact=True).click()
    settle(page)
    page.get_by_role("button", name="Suivant").click()
    email = page.get_by_role("textbox", name="Votre adresse e-mail", exact=True)
    expect(email).to_be_visible(timeout=15_000)
    email.fill("camille@example.org")
    email.press("Enter")
    settle(page)
    shots(page, "form-fr-about-you")
    page.get_by_role("button", name="Envoyer").click()

    expect(page.get_by_text("Votre demande a été envoyée.")).to_be_visible(timeout=15_000)
    expect(page.get_by_text("Merci pour votre signalement.", exact=False)).to_be_visible()
    reference = page.get_by_test_id("stMetricValue").inner_text().strip()
    shots(page, "receipt-fr")

    mail = [m for m in _outbox(live) if m.recipient == "camille@example.org"]
    assert [m.subject for m in mail] == [f"Nous avons bien reçu votre demande {reference}"]
    assert "« Signaler un nid-de-poule »" in mail[0].body
