"""Accessibility of the resident pages and the reviewer's pages in Chromium (issue 8).

- Every form control on the catalogue, the form (both pages, with errors showing) and the tracking page
  has an accessible name, and that name is text the resident can see; so has every control of the
  reviewer's inbox (filters open) and case page.
- A resident completes a form with the keyboard alone — Tab, Shift+Tab, Enter, Space and typing —
  from the catalogue to the reference; an invalid email on the way is announced next to its field.
"""

from __future__ import annotations

import contextlib

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from builder.usecases import requests
from builder.usecases.requests import Receipt
from builder.workflow import Action
from storage.engine import make_engine
from storage.uow import SqlUnitOfWork
from tests.e2e.conftest import LiveServer, Shots, live_server, nav, new_page, settle, sign_in
from tests.e2e.journeys import (ROADS, TREE_PERMIT, box, decided, expander, open_case, open_form, pothole,
                                seeded_database, submitted, track, tree_permit, warm_up)
from tests.e2e.journeys import patient_expect  # noqa: F401 - autouse fixture

pytestmark = pytest.mark.e2e
PORTS = range(8760, 8770)  # this module's share of issue 8's ports (8740-8779)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, browser: Browser) -> Iterator[tuple[LiveServer, Receipt]]:
    folder = tmp_path_factory.mktemp("accessibility")
    url = seeded_database(folder, tree_permit())
    # A request waiting for the resident: its tracking page shows the answer box and the withdraw form.
    asked = submitted(url, "report-pothole", pothole("Bridge Street 3"), "a11y-asked")
    decided(url, asked.reference, Action.RETURN, "Is it on the bridge or before it?")
    with live_server(folder, PORTS, seed=False) as server:
        warm_up(browser, server.base)
        yield server, asked


# Each rendered control (hidden inputs, those under aria-hidden and Streamlit's zero-size file input excepted:
# the uploader is checked on its own below) with the name assistive technology reads and the visible text that names it.
CONTROLS_JS = """() => {
  const text = el => el.innerText.replace(/\\s+/g, ' ').trim();
  const shown = el => !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden'
                      && text(el) !== '';
  const selector = 'input:not([type=hidden]):not([type=file]), textarea, select, [role=combobox], '
                 + '[role=radiogroup], [role=checkbox], [role=radio], [role=spinbutton], [role=slider], [role=textbox]';
  const controls = [...document.querySelectorAll(selector)]
    .filter(e => !e.closest('[data-stale=true]') && (e.closest('label') || e).getClientRects().length > 0)
    // Out of the accessibility tree (a date field's hidden native input for form submission): never read out.
    .filter(e => !e.closest('[aria-hidden=true]'));
  return controls.map((e, index) => {
    e.setAttribute('data-label-audit', String(index));
    const targets = (e.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean)
      .map(id => document.getElementById(id)).filter(Boolean);
    const own = e.labels ? [...e.labels] : [];
    const wrapping = e.closest('label');
    const container = e.closest('[data-testid=stElementContainer]');
    const widgetLabel = container && container.querySelector('[data-testid=stWidgetLabel]');
    // A button (a segmented control's choice) is named by its own text, which is also what it shows.
    const fromContent = e.tagName === 'BUTTON';
    const name = targets.length ? targets.map(text).join(' ')
      : e.getAttribute('aria-label') || (own[0] && text(own[0])) || (wrapping && text(wrapping))
        || (fromContent ? text(e) : '');
    const label = fromContent && !e.getAttribute('aria-label') ? (shown(e) ? e : null)
      : [...targets, ...own, wrapping, widgetLabel].find(shown);
    const kind = e.tagName.toLowerCase() + (e.getAttribute('type') ? '[type=' + e.getAttribute('type') + ']' : '')
               + (e.getAttribute('role') ? '[role=' + e.getAttribute('role') + ']' : '');
    return {index, kind, name, label: label ? text(label) : ''};
  });
}"""

UPLOADERS_JS = """() => [...document.querySelectorAll('[data-testid=stFileUploader]')].map(u => ({
  region: u.querySelector('[data-testid=stFileUploaderDropzone]').getAttribute('aria-label') || '',
  label: u.querySelector('[data-testid=stWidgetLabel]').innerText.trim(),
  button: u.querySelector('[data-testid=stFileUploaderDropzone] button').innerText.trim(),
}))"""


def _words(text: str) -> str:
    return " ".join(text.split())


def unnamed_controls(page: Page) -> tuple[list[str], list[str]]:
    """(problems, names): a problem for each control without a name matching its visible label."""
    settle(page)
    expect(page.locator("[data-stale=true]")).to_have_count(0)  # the audit skips what a run is still redrawing
    found: list[dict[str, Any]] = page.evaluate(CONTROLS_JS)
    problems, names = [], []
    for control in found:
        # Streamlit copies the label string into aria-label: a markdown escape left in it ("1\\.3") is
        # read out by screen readers and breaks voice commands, so the name must equal the shown text.
        name = _words(control["name"])
        # A date's day, month and year boxes are read as "year, Submitted between start date": the visible
        # label inside the name, which is what WCAG's "label in name" asks of them.
        segment = control["kind"] == "span[role=spinbutton]" and bool(control["label"]) and control["label"] in name
        names.append(control["label"] if segment else name)
        if not name:
            problems.append(f"{control['kind']} has no accessible name")
        elif name != control["label"] and not segment:
            problems.append(f"{control['kind']} is named {name!r} but shows {control['label']!r}")
        else:  # the name computed here is the one the browser exposes
            expect(page.locator(f'[data-label-audit="{control["index"]}"]')).to_have_accessible_name(control["name"])
    for uploader in page.evaluate(UPLOADERS_JS):
        if _words(uploader["region"]) != uploader["label"] or not uploader["button"]:
            problems.append(f"file uploader {uploader}: its area is not named by its visible label")
        names.append(uploader["label"])
    return problems, names


def test_every_resident_control_has_a_visible_label(live: tuple[LiveServer, Receipt], browser: Browser,
                                                    shots: Shots) -> None:
    server, asked = live
    page = new_page(browser, "desktop")
    page.goto(server.base)
    expect(page.get_by_role("heading", name="City services online")).to_be_visible(timeout=15_000)
    expect(page.get_by_test_id("stSidebar").get_by_role("combobox")).to_be_visible()  # drawn after the page
    seen: dict[str, tuple[list[str], list[str]]] = {"catalogue": unnamed_controls(page)}

    open_form(page, server.base, TREE_PERMIT, "Tree work permit")
    page.get_by_role("button", name="Next").click()  # nothing filled in: every required field shows its error
    expect(page.get_by_text("Please correct 4 problems below.")).to_be_visible(timeout=15_000)
    seen["form page 1 with errors"] = unnamed_controls(page)
    shots(page, "form-page-1-errors")
    box(page, "textbox", "Where is the tree?").fill("Linden Avenue 4")
    page.get_by_text("Fell (cut down) the tree").click()  # shows "Will you plant a new tree?"
    trunk = box(page, "spinbutton", "Trunk width at 1.3 m height (cm)")
    trunk.fill("45")
    trunk.press("Enter")
    page.get_by_text("Dangerous", exact=True).click()
    settle(page)
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Step 2 of 2: You and a photo")).to_be_visible(timeout=15_000)
    seen["form page 2"] = unnamed_controls(page)

    track(page, server.base, asked.reference, asked.access_code or "")
    expander(page, "Withdraw this request").click()
    seen["tracking"] = unnamed_controls(page)
    shots(page, "tracking-answer-and-withdraw")

    assert {where: problems for where, (problems, _names) in seen.items() if problems} == {}
    # The audit saw the fields it is about (it cannot pass by finding nothing).
    assert {"Language / Langue"} <= set(seen["catalogue"][1])
    assert {"Where is the tree? *", "What do you want to do? *", "Fell (cut down) the tree",
            "Trunk width at 1.3 m height (cm) *", "Why? *", "Other",
            "Is the tree on the list of protected trees?"} <= set(seen["form page 1 with errors"][1])
    assert {"Your full name *", "Email address *", "Photo of the tree"} <= set(seen["form page 2"][1])
    assert {"Reference", "Access code", "Your answer",
            "I want to withdraw this request. This cannot be undone."} <= set(seen["tracking"][1])



def test_every_reviewer_control_has_a_visible_label(live: tuple[LiveServer, Receipt], browser: Browser,
                                                    shots: Shots) -> None:
    server, _asked = live
    waiting = submitted(server.database_url, "report-pothole", pothole("Canal Walk 5"), "a11y-staff")
    page = new_page(browser, "desktop")
    sign_in(page, server.base, ROADS.username)
    nav(page, "Inbox", until=page.get_by_role("heading", name="Inbox", level=1))
    expander(page, "Filters").click()
    expect(page.get_by_role("checkbox", name="Only overdue")).to_be_visible()
    seen: dict[str, tuple[list[str], list[str]]] = {"inbox with filters open": unnamed_controls(page)}
    shots(page, "inbox-labels")
    open_case(page, waiting.reference)
    seen["case"] = unnamed_controls(page)
    shots(page, "case-labels")

    assert {where: problems for where, (problems, _names) in seen.items() if problems} == {}
    inbox_names = set(seen["inbox with filters open"][1])
    assert {"Requests to show", "Find by reference", "Form", "Step", "Claimed", "Only overdue", "Submitted between",
            "Order", "Open a request"} <= inbox_names, sorted(inbox_names)
    assert any(name.startswith("Waiting for a decision (") for name in inbox_names), inbox_names
    assert {"Show the answers", "Table", "As the form", "What do you want to do?"} <= set(seen["case"][1])


# ---------------------------------------------------------------- keyboard only

FOCUSED_JS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return {tag: '', href: '', name: ''};
  // Text as read out: material icon names (a ligature font draws "keyboard_arrow_right" as an arrow) left out.
  const read = el => { const copy = el.cloneNode(true);
    copy.querySelectorAll('[data-testid=stIconMaterial], [aria-hidden=true]').forEach(i => i.remove());
    return copy.textContent; };
  const name = e.getAttribute('aria-label') || (e.labels && e.labels[0] && read(e.labels[0]))
             || (e.closest('label') && read(e.closest('label'))) || read(e) || '';
  return {tag: e.tagName.toLowerCase(), href: e.getAttribute('href') || '',
          name: name.replace(/\\\\(.)/g, '$1').replace(/\\s+/g, ' ').trim()};
}"""


def focus(page: Page, tag: str, name: str, *, back: bool = False, limit: int = 60) -> None:
    """Press Tab (Shift+Tab with ``back``) until a ``tag`` element named ``name…`` (or linking to it) has focus."""
    trail: list[str] = []
    for _press in range(limit):
        now = page.evaluate(FOCUSED_JS)
        if now["tag"] == tag and (now["name"].startswith(name) or name in now["href"]):
            return
        trail.append(f"{now['tag']}:{now['name'][:30] or now['href']}")
        page.keyboard.press("Shift+Tab" if back else "Tab")
    raise AssertionError(f"{tag} {name!r} cannot be reached with the keyboard; focus went through {trail}")


def drawn(page: Page) -> None:
    """Wait until the run a key started has drawn everything: the status widget shows only after a delay,
    and until the run ends, elements of the previous run remain (marked stale) and are then replaced,
    taking the keyboard focus with them."""
    settle(page)
    expect(page.locator("[data-stale=true]")).to_have_count(0)


def type_into(page: Page, tag: str, name: str, text: str) -> None:
    focus(page, tag, name)
    page.keyboard.type(text)
    page.keyboard.press("Tab")  # leaving the field hands its value to the app
    drawn(page)


def press_on(page: Page, tag: str, name: str, key: str) -> None:
    focus(page, tag, name)
    page.keyboard.press(key)
    drawn(page)


def test_resident_completes_a_form_with_the_keyboard_alone(live: tuple[LiveServer, Receipt], browser: Browser,
                                                           shots: Shots) -> None:
    server, _asked = live
    page = new_page(browser, "desktop")
    page.goto(server.base)
    expect(page.get_by_role("heading", name="City services online")).to_be_visible(timeout=15_000)
    settle(page)
    form_heading = page.get_by_role("heading", name="Report a pothole", level=1)
    for _attempt in range(3):  # a key press during the first script run can be swallowed by its rerun
        press_on(page, "a", "form=report-pothole", "Enter")  # the catalogue's link to the form
        with contextlib.suppress(AssertionError):
            expect(form_heading).to_be_visible(timeout=5_000)
            break
    expect(form_heading).to_be_visible(timeout=15_000)
    settle(page)

    type_into(page, "input", "Where is the pothole?", "Market Street 12")
    press_on(page, "input", "Smaller than a hand", "ArrowDown")  # arrows move the choice within the group
    expect(page.get_by_role("radio", name="About the size of a dinner plate")).to_be_checked()
    press_on(page, "input", "Is it dangerous for cyclists or pedestrians?", "Space")
    expect(page.get_by_role("checkbox", name="Is it dangerous for cyclists or pedestrians?")).to_be_checked()
    type_into(page, "textarea", "Anything else we should know?", "Deep enough to bend a wheel.")
    press_on(page, "button", "Next", "Enter")
    expect(page.get_by_text("Step 2 of 2: About you")).to_be_visible(timeout=15_000)

    type_into(page, "input", "Your name", "Kim Keyboard")
    type_into(page, "input", "Your email address", "kim at example")
    press_on(page, "button", "Submit", "Enter")
    _invalid_email_is_announced_at_the_field(page)
    shots(page, "keyboard-invalid-email")

    focus(page, "input", "Your email address", back=True)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("kim@example.org")
    page.keyboard.press("Tab")
    settle(page)
    press_on(page, "button", "Submit", "Enter")
    expect(page.get_by_text("Your request has been submitted.")).to_be_visible(timeout=15_000)
    shots(page, "keyboard-receipt")
    reference = page.get_by_test_id("stMetricValue").inner_text().strip()
    code = page.get_by_test_id("stCode").inner_text().strip()

    request = requests.status(reference, code, SqlUnitOfWork(make_engine(server.database_url)))
    assert request.answers == {"location": "Market Street 12", "size": "medium", "dangerous": True,
                               "details": "Deep enough to bend a wheel.", "name": "Kim Keyboard",
                               "email": "kim@example.org"}


def _invalid_email_is_announced_at_the_field(page: Page) -> None:
    email = box(page, "textbox", "Your email address")
    # The message sits in the element right after the field's, as an alert (announced when it appears).
    after = email.locator("xpath=ancestor::div[@data-testid='stElementContainer'][1]/following-sibling::div[1]")
    # (The example address inside it is shown as a mail link: Streamlit links bare addresses in alerts.)
    expect(after.get_by_role("alert")).to_contain_text("Enter an email address like name@example.org.")
    expect(page.get_by_text("Step 2 of 2: About you")).to_be_visible()  # nothing was sent


def test_resident_follows_answers_and_withdraws_with_the_keyboard_alone(live: tuple[LiveServer, Receipt],
                                                                         browser: Browser, shots: Shots) -> None:
    server, _asked = live
    # A request of its own, waiting for an answer (the module's ``asked`` stays as the other test needs it).
    asked = submitted(server.database_url, "report-pothole", pothole("Quay Road 9"), "a11y-keyboard-track")
    decided(server.database_url, asked.reference, Action.RETURN, "Which lane is it in?")
    page = new_page(browser, "desktop")
    page.goto(server.base)
    expect(page.get_by_role("heading", name="City services online")).to_be_visible(timeout=15_000)
    settle(page)
    tracking_heading = page.get_by_role("heading", name="Follow a request", level=1)
    for _attempt in range(3):  # a key press during the first script run can be swallowed by its rerun
        press_on(page, "a", "track", "Enter")  # a link to the tracking page
        with contextlib.suppress(AssertionError):
            expect(tracking_heading).to_be_visible(timeout=5_000)
            break
    expect(tracking_heading).to_be_visible(timeout=15_000)
    settle(page)

    type_into(page, "input", "Reference", asked.reference)
    type_into(page, "input", "Access code", asked.access_code or "")
    press_on(page, "button", "Show my request", "Enter")
    expect(page.get_by_role("heading", name=asked.reference)).to_be_visible(timeout=15_000)
    expect(page.get_by_text("Which lane is it in?")).to_be_visible()
    shots(page, "keyboard-tracking-question")

    type_into(page, "textarea", "Your answer", "The cycle lane, heading north.")
    press_on(page, "button", "Send answer", "Enter")
    expect(page.get_by_text("Thank you. Your answer was sent and the review continues.")).to_be_visible(timeout=15_000)
    expect(page.get_by_test_id("stMetricValue")).to_have_text("Being reviewed")
    # The answer box goes once the run after the answer has finished: until then the page below the notice is
    # still being redrawn, and an expander opened now would be drawn anew, closed.
    expect(page.get_by_role("textbox", name="Your answer")).to_have_count(0)
    drawn(page)

    # Enter on the expander's header opens it; the box inside is then within reach of the keyboard.
    withdraw_box = page.get_by_role("checkbox", name="I want to withdraw this request. This cannot be undone.")
    press_on(page, "summary", "Withdraw this request", "Enter")
    expect(withdraw_box).to_be_visible()
    press_on(page, "input", "I want to withdraw this request.", "Space")
    expect(withdraw_box).to_be_checked()
    expect(page.get_by_role("button", name="Withdraw request")).to_be_enabled()
    shots(page, "keyboard-tracking-withdraw-confirmed")
    press_on(page, "button", "Withdraw request", "Enter")
    expect(page.get_by_text("Your request was withdrawn.")).to_be_visible(timeout=15_000)
    expect(page.get_by_test_id("stMetricValue")).to_have_text("Withdrawn by you")
    shots(page, "keyboard-tracking-withdrawn")

    case = requests.status(asked.reference, asked.access_code or "", SqlUnitOfWork(make_engine(server.database_url)))
    assert case.state == "withdrawn"
    assert [c.body for c in case.comments][-1:] == ["The cycle lane, heading north."]
