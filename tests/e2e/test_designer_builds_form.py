"""A real browser: a designer builds a form from scratch — a conditional field and a conditional
approval step — previews it, translates it into French, publishes it, and residents fill it in:
one in English who submits, one who chooses Français and reads it in French (issues 4 and 9).
The builder's icon-only buttons are found by the names a screen reader announces."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from builder.definition import parse_definition
from builder.usecases import forms
from builder.workflow import applicable_steps
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork
from tests.e2e.conftest import full_page_screenshot, live_server, sign_in
from tests.helpers import DESIGNER, seed_organisation

ROOT = Path(__file__).resolve().parents[2]
PORTS = range(8641, 8650)  # this test's share of the Streamlit ports (8640 is kept for looking at pages)
SCREENSHOTS = ROOT / "test-output" / "screenshots" / "designer_builds_form"
FRENCH = {"Market stall permit": "Permis pour un stand de marché", "Kind of stall": "Type de stand",
          "What else will you sell": "Que vendrez-vous d'autre ?", "Expected turnover": "Chiffre d'affaires prévu"}
SLUG = "market-stall-permit"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A live app on an organisation without forms: the designer starts from nothing."""
    url = f"sqlite:///{tmp_path / 'formwork.db'}"
    engine = make_engine(url)
    upgrade(engine)
    seed_organisation(engine)
    engine.dispose()
    with live_server(tmp_path, PORTS, seed=False) as live:
        yield live.base, live.database_url


def _key(page: Page, key: str) -> object:
    """The element Streamlit wraps in the class made from a widget key (``:`` becomes ``-``)."""
    return page.locator(f".st-key-{key.replace(':', '-')}").first


def _choose(page: Page, key: str, option: str) -> None:
    box = _key(page, key).get_by_role("combobox")
    box.click()
    box.press_sequentially(option[:6])  # long lists scroll: narrow them down as a person would
    # A group's option also says how many members it has: "Events office (2 members)".
    page.get_by_role("option", name=re.compile(rf"^{re.escape(option)}( \(\d+ members?\))?$")).click()
    page.wait_for_timeout(600)


def _settle(page: Page) -> None:
    page.wait_for_timeout(400)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=15_000)


def _add_field(page: Page, kind: str, label: str) -> None:
    _choose(page, f"editor:{SLUG}:new_kind", kind)
    _key(page, f"editor:{SLUG}:new_label").get_by_role("textbox").fill(label)
    _key(page, f"editor:{SLUG}:new_label").get_by_role("textbox").press("Enter")
    _settle(page)
    _key(page, f"editor:{SLUG}:add").get_by_role("button").click()
    expect(page.get_by_text(f"Editing this {kind.lower()} field")).to_be_visible(timeout=15_000)
    _settle(page)


def _designer_builds_and_publishes(page: Page, base: str) -> None:
    sign_in(page, base, "designer", "designer-test-passphrase")  # retries a click swallowed by the first run
    page.get_by_test_id("stSidebarNav").get_by_text("Design forms", exact=True).click()
    expect(page.get_by_role("heading", name="Design forms")).to_be_visible(timeout=15_000)
    page.get_by_label("Title of the new form").fill("Market stall permit")
    page.get_by_label("Title of the new form").press("Enter")
    _settle(page)
    page.get_by_role("button", name="Create and open the builder").click()
    expect(page.get_by_role("heading", name="Preview")).to_be_visible(timeout=15_000)

    _add_field(page, "One choice", "Kind of stall")
    options = page.get_by_label("Options, one per line")
    options.fill("Food\nCrafts\nOther")
    page.get_by_label("Help text (shown under the question)").click()  # leaving the box saves it
    _settle(page)
    _add_field(page, "Long text", "What else will you sell")
    field = f"editor:{SLUG}:{generation(page)}:field:what_else_will_you_sell:show"
    _key(page, f"{field}:mode").get_by_text("Only when…").click()  # "Required?" offers "Only when…" too
    _settle(page)
    _choose(page, f"{field}:field", "Kind of stall")
    _choose(page, f"{field}:value:kind_of_stall:is", "Other")
    _settle(page)
    _add_field(page, "Amount of money", "Expected turnover")

    preview = _key(page, f"editor:{SLUG}:preview")
    expect(preview.get_by_text("What else will you sell")).to_have_count(0)
    preview.get_by_text("Other", exact=True).click()  # the live preview shows the conditional field
    expect(preview.get_by_label("What else will you sell")).to_be_visible(timeout=15_000)
    _full_page_shot(page, "fields-desktop.png")  # the field list, the open field editor and the preview

    page.get_by_test_id("stButtonGroup").get_by_text("Approval steps").click()
    _settle(page)
    for number, (name, group) in enumerate((("Check by the events office", "Events office"),
                                            ("Safety review", "Public safety")), start=1):
        page.get_by_label("Step name").fill(name)
        page.get_by_label("Step name").press("Enter")
        _settle(page)
        _choose(page, f"editor:{SLUG}:new_step_group", group)
        page.get_by_role("button", name="Add step").click()
        expect(page.get_by_label(f"Step {number}: name")).to_have_value(name, timeout=15_000)  # a busy machine is slow
        _settle(page)
    page.get_by_text("Only when…").nth(1).click()
    _settle(page)
    _choose(page, step_key(page, "field"), "Expected turnover")
    _choose(page, step_key(page, "op:money"), "is greater than")
    value = _key(page, step_key(page, "value:expected_turnover:greater_than")).get_by_role("spinbutton")
    value.fill("5000")
    value.press("Enter")
    _settle(page)
    expect(page.get_by_text("2. Safety review — Public safety")).to_have_count(0)
    _full_page_shot(page, "approval-steps-desktop.png")  # both steps, the second one's condition, the test run

    _icon_buttons_have_names(page)
    _translate_into_french(page)
    page.get_by_test_id("stButtonGroup").get_by_text("Check and publish").click()
    _settle(page)
    # Left untranslated: the name field, the options, the step names, the confirmation: a warning, not an error.
    expect(page.get_by_text("French: 7 texts have no translation; residents who choose French read them in "
                            "English.")).to_be_visible()
    page.get_by_text("I have read the warnings and want to publish anyway").click()
    _settle(page)
    page.get_by_role("button", name="Publish this version").click()
    expect(page.get_by_text("Published as version 1")).to_be_visible(timeout=15_000)


def _icon_buttons_have_names(page: Page) -> None:
    """A screen reader announces "Move “Expected turnover” up", not the icon's name ("arrow_upward")."""
    page.get_by_test_id("stButtonGroup").get_by_text("Fields", exact=True).click()
    _settle(page)
    for name in ("Edit “Kind of stall”", "Move “Kind of stall” down", "Duplicate “Kind of stall”",
                 "Delete “Kind of stall”", "Move “Expected turnover” up"):
        expect(page.get_by_role("button", name=name, exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Move “Your full name” up", exact=True)).to_be_disabled()  # first field
    expect(page.get_by_role("button", name="arrow_upward icon")).to_have_count(0)
    rows = page.locator("strong").filter(has_text=re.compile(r"^(Kind of stall|What else will you sell|Expected turnover)$"))
    expect(rows).to_have_text(["Kind of stall", "What else will you sell", "Expected turnover"])
    page.get_by_role("button", name="Move “Expected turnover” up", exact=True).click()
    _settle(page)
    # A move reruns the page twice (save, then show); the second run can take a while on a busy machine.
    expect(rows).to_have_text(["Kind of stall", "Expected turnover", "What else will you sell"], timeout=15_000)
    page.get_by_role("button", name="Move “Expected turnover” down", exact=True).click()
    _settle(page)
    expect(rows).to_have_text(["Kind of stall", "What else will you sell", "Expected turnover"], timeout=15_000)
    page.get_by_test_id("stButtonGroup").get_by_text("Approval steps").click()
    _settle(page)
    expect(page.get_by_role("button", name="Move step “Safety review” earlier", exact=True)).to_be_enabled()


def _translate_into_french(page: Page) -> None:
    page.get_by_test_id("stButtonGroup").get_by_text("Translations").click()
    _settle(page)
    expect(page.get_by_text("This form is only in English.")).to_be_visible()
    page.get_by_role("button", name="Add language").click()  # French is offered first
    _settle(page)
    for source, french in FRENCH.items():
        box = page.get_by_label(f"French for “{source}”", exact=True)
        box.fill(french)
        box.press("Tab")  # leaving the box saves it
        _settle(page)
    expect(page.get_by_label("French for “Market stall permit”", exact=True)).to_have_value(FRENCH["Market stall permit"])
    preview = _key(page, f"editor:{SLUG}:preview")  # the preview shows the form as French readers see it
    expect(preview.get_by_text(FRENCH["Expected turnover"])).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "translations-desktop.png"), full_page=True)


def _full_page_shot(page: Page, name: str) -> Path:
    _settle(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    full_page_screenshot(page, path)
    _settle(page)
    return path


def step_key(page: Page, suffix: str) -> str:
    """The key of a widget of the second step's condition editor (its id is made from its name)."""
    return f"editor:{SLUG}:{generation(page)}:step:safety-review:cond:{suffix}"


def generation(page: Page) -> int:
    """The editor's widget generation (it changes when fields are added or moved), read from the keys."""
    return int(page.evaluate(r"""() => Math.max(0, ...[...document.querySelectorAll('[class*="st-key-editor-"]')]
        .map(e => (e.className.match(/st-key-editor-market-stall-permit-(\d+)-/) || [0, 0])[1] * 1))"""))


def _resident_submits(page: Page, base: str) -> None:
    page.goto(base)
    page.get_by_role("link", name="Start: Market stall permit").click()
    expect(page.get_by_label("Your full name")).to_be_visible(timeout=15_000)
    page.get_by_label("Your full name").fill("Riley Resident")
    page.get_by_text("Other", exact=True).click()
    expect(page.get_by_label("What else will you sell")).to_be_visible(timeout=15_000)
    page.get_by_label("What else will you sell").fill("Hand-made candles")
    page.get_by_label("Expected turnover").fill("6500")
    page.get_by_label("Expected turnover").press("Enter")
    _settle(page)
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("Your request has been submitted.")).to_be_visible(timeout=15_000)


def _french_resident_reads_it_in_french(page: Page, base: str) -> None:
    page.goto(base)
    language = page.get_by_test_id("stSidebar").get_by_role("combobox")
    expect(language).to_be_visible(timeout=15_000)
    language.click()
    page.get_by_role("option", name="Français").click()
    _settle(page)
    page.get_by_role("link", name=re.compile(FRENCH["Market stall permit"])).click()
    expect(page.get_by_role("heading", name=FRENCH["Market stall permit"])).to_be_visible(timeout=15_000)
    expect(page.get_by_text(FRENCH["Kind of stall"])).to_be_visible()
    expect(page.get_by_label(FRENCH["Expected turnover"])).to_be_visible()
    page.get_by_text("Other", exact=True).click()  # an option without a translation: the form's own words
    expect(page.get_by_label(FRENCH["What else will you sell"])).to_be_visible(timeout=15_000)
    expect(page.get_by_text("Kind of stall")).to_have_count(0)
    page.screenshot(path=str(SCREENSHOTS / "french-resident-desktop.png"), full_page=True)


def test_designer_builds_publishes_and_a_resident_submits(server: tuple[str, str], browser: Browser) -> None:
    base, url = server
    for journey, width in ((_designer_builds_and_publishes, 1440), (_resident_submits, 1280),
                           (_french_resident_reads_it_in_french, 1280)):
        context = browser.new_context(viewport={"width": width, "height": 1000})
        try:
            journey(context.new_page(), base)
        finally:
            context.close()
    uow = SqlUnitOfWork(make_engine(url))
    published = forms.published_form(SLUG, uow).definition
    assert parse_definition(published.to_document()).schema_["allOf"][0]["if"] == {
        "properties": {"kind_of_stall": {"const": "Other"}}, "required": ["kind_of_stall"]}
    steps = applicable_steps(published.workflow, {"expected_turnover": 6500})
    assert [(s.name, s.group) for s in steps] == [("Check by the events office", "Events office"),
                                                  ("Safety review", "Public safety")]
    assert [s.name for s in applicable_steps(published.workflow, {"expected_turnover": 10})] == [
        "Check by the events office"]
    assert forms.versions_of(SLUG, DESIGNER, uow)[0].published_by == "designer"
    assert all((SCREENSHOTS / f"{name}-desktop.png").stat().st_size > 10_000 for name in ("fields", "approval-steps"))
    assert {published.translations["fr"][f"/schema/properties/{name}/title"] for name in
            ("kind_of_stall", "expected_turnover")} == {FRENCH["Kind of stall"], FRENCH["Expected turnover"]}
