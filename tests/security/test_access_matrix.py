"""Every use case × every role, allowed and refused, on SQLite and PostgreSQL.

Refusals are ``PermissionDenied`` (the role may not do this at all) or ``NotFound`` (the thing
exists but is not theirs: the answer must not reveal that it exists). Lists, searches and exports
are checked like the detail view.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine

from builder.errors import NotFound, PermissionDenied
from builder.ports import ANONYMOUS, Actor, InboxQuery
from builder.usecases import admin, forms, insights, requests, review
from builder.usecases.attachments import download_attachment, request_files
from builder.workflow import Action, Command
from storage.uow import SqlUnitOfWork
from tests.conftest import template
from tests.helpers import ADMIN, DESIGNER, EVENTS, RESIDENT, ROADS, SAFETY, seed_organisation

ROADS_DESIGNER = Actor("roads-head", "Pat Public-works", designer_departments=frozenset({"public-works"}))
OTHER_RESIDENT = Actor("neighbour", "Nico Neighbour")
ROLES = {"admin": ADMIN, "designer (both)": DESIGNER, "designer (public-works)": ROADS_DESIGNER, "roads": ROADS,
         "events": EVENTS, "safety": SAFETY, "resident": RESIDENT, "other resident": OTHER_RESIDENT,
         "anonymous": ANONYMOUS}
POTHOLE = {"location": "Market Street 12", "size": "medium"}
PARTY = {"organiser": "Sam Party", "email": "sam@example.org", "street": "Elm Street", "event_date": "2027-06-12",
         "start_time": "14:00", "end_time": "22:00", "guests": 40}


@dataclass
class World:
    uow: SqlUnitOfWork
    pothole: requests.Receipt  # submitted by RESIDENT (signed in)
    party: requests.Receipt  # submitted anonymously


@pytest.fixture
def world(engine: Engine) -> World:
    uow = seed_organisation(engine)
    for slug in ("report-pothole", "street-party-permit"):
        forms.create_form(template(slug), DESIGNER, uow)
        forms.publish(slug, DESIGNER, uow)
    pothole = requests.submit("report-pothole", POTHOLE, RESIDENT, uow, idempotency_key="p")
    party = requests.submit("street-party-permit", PARTY, ANONYMOUS, uow, idempotency_key="s")
    return World(uow, pothole, party)


def outcome(call: Callable[[Actor], Any], actor: Actor) -> str:
    try:
        call(actor)
    except PermissionDenied:
        return "refused"
    except NotFound:
        return "not found"
    return "allowed"


def matrix(call: Callable[[Actor], Any]) -> dict[str, str]:
    return {name: outcome(call, actor) for name, actor in ROLES.items()}


def only(allowed: set[str], refusal: str) -> dict[str, str]:
    return {name: "allowed" if name in allowed else refusal for name in ROLES}


def test_tracking_needs_the_access_code_of_that_very_request(world: World) -> None:
    uow, pothole, party = world.uow, world.pothole, world.party
    assert matrix(lambda a: requests.status(pothole.reference, pothole.access_code or "", uow)) == only(set(ROLES), "")
    assert matrix(lambda a: requests.status(pothole.reference, "WRONG-CODE", uow)) == only(set(), "not found")
    # A resident guessing another reference with their own code learns nothing, not even that it exists.
    assert matrix(lambda a: requests.status(party.reference, pothole.access_code or "", uow)) == only(set(), "not found")
    assert matrix(lambda a: requests.status("PW-2026-99999", pothole.access_code or "", uow)) == only(set(), "not found")


def test_my_requests_show_only_the_submitting_account(world: World) -> None:
    uow, pothole = world.uow, world.pothole
    assert matrix(lambda a: requests.my_request_status(pothole.reference, a, uow)) == only({"resident"}, "not found")
    listed = {name: [r.reference for r in requests.my_requests(actor, uow)]
              for name, actor in ROLES.items() if actor.is_signed_in}
    assert listed.pop("resident") == [pothole.reference]
    assert all(refs == [] for refs in listed.values())
    assert outcome(lambda a: requests.my_requests(a, uow), ANONYMOUS) == "refused"


def test_residents_act_only_with_proof(world: World) -> None:
    uow, pothole = world.uow, world.pothole

    def withdraw(actor: Actor) -> str:
        return requests.resident_act(pothole.reference, None, Action.WITHDRAW, "", 99, actor, uow)

    # Version 99 never matches: an allowed actor gets past the ownership check and fails on staleness instead.
    results = {}
    for name, actor in ROLES.items():
        try:
            withdraw(actor)
        except NotFound:
            results[name] = "not found"
        except Exception as exc:  # noqa: BLE001 - the ownership check passed; the stale version stopped it
            results[name] = type(exc).__name__
    assert results == {**only(set(), "not found"), "resident": "StaleRequest"}


def test_inbox_lists_only_the_reviewers_groups_even_when_asked_for_others(world: World) -> None:
    uow = world.uow

    def listed(actor: Actor) -> set[str]:
        asked = InboxQuery(groups=frozenset({"Road inspectors", "Events office", "Public safety"}))
        return {r.reference for r in review.inbox(actor, uow, asked).rows}

    assert listed(ROADS) == {world.pothole.reference}
    assert listed(EVENTS) == {world.party.reference}
    assert listed(SAFETY) == set()  # the party request has not reached the safety step yet
    assert review.inbox(ROADS, uow, InboxQuery(groups=frozenset({"Road inspectors"}), reference_contains=
                                                 world.party.reference)).total == 0  # search is scoped too
    assert matrix(lambda a: review.inbox(a, uow)) == only({"roads", "events", "safety"}, "refused")


def test_inbox_exports_and_tab_counts_are_scoped_like_the_inbox(world: World) -> None:
    uow = world.uow
    asked = InboxQuery(groups=frozenset({"Road inspectors", "Events office", "Public safety"}))
    reviewers = {"roads": ROADS, "events": EVENTS, "safety": SAFETY}
    assert matrix(lambda a: review.export_selection(a, uow, asked)) == only(set(reviewers), "refused")
    exported = {name: [row["Reference"] for row in review.export_selection(actor, uow, asked)]
                for name, actor in reviewers.items()}
    assert exported == {"roads": [world.pothole.reference], "events": [world.party.reference], "safety": []}
    tabs = {"open": ("in_review",)}
    assert matrix(lambda a: review.inbox_counts(a, uow, tabs, asked)) == only(set(reviewers), "refused")
    counted = {name: review.inbox_counts(actor, uow, tabs, asked)["open"].total for name, actor in reviewers.items()}
    assert counted == {"roads": 1, "events": 1, "safety": 0}


def test_a_case_opens_only_for_its_current_and_past_groups(world: World) -> None:
    uow, party = world.uow, world.party
    assert matrix(lambda a: review.open_case(world.pothole.reference, a, uow)) == only({"roads"}, "not found")
    assert matrix(lambda a: review.open_case(party.reference, a, uow)) == only({"events"}, "not found")
    case = review.open_case(party.reference, EVENTS, uow)
    review.act(party.reference, Command(Action.APPROVE, EVENTS), case.request.row_version, uow)
    # Now at the safety step: safety sees it, and events still sees its past step.
    assert matrix(lambda a: review.open_case(party.reference, a, uow)) == only({"events", "safety"}, "not found")


def test_only_the_current_group_can_decide(world: World) -> None:
    uow, pothole = world.uow, world.pothole
    version = review.open_case(pothole.reference, ROADS, uow).request.row_version
    others = {name: actor for name, actor in ROLES.items() if name != "roads"}
    decide = {name: outcome(lambda a: review.act(pothole.reference, Command(Action.APPROVE, a), version, uow), actor)
              for name, actor in others.items()}
    # Outside the group, deciding reveals nothing about the request, not even that it exists.
    assert decide == {name: "not found" for name in others}
    assert review.act(pothole.reference, Command(Action.APPROVE, ROADS), version, uow) == "approved"


def test_designers_see_and_change_only_their_departments_forms(world: World) -> None:
    uow = world.uow
    seen = {name: sorted(f.slug for f in forms.forms_for(actor, uow)) for name, actor in ROLES.items()
            if actor.is_admin or actor.designer_departments}
    assert seen == {"admin": ["report-pothole", "street-party-permit"],
                    "designer (both)": ["report-pothole", "street-party-permit"],
                    "designer (public-works)": ["report-pothole"]}
    designers = {"admin", "designer (both)", "designer (public-works)"}
    assert matrix(lambda a: forms.forms_for(a, uow)) == only(designers, "refused")
    assert matrix(lambda a: forms.versions_of("street-party-permit", a, uow)) == only(
        {"admin", "designer (both)"}, "not found")

    def save(actor: Actor) -> int:
        form = next(f for f in forms.forms_for(ADMIN, uow) if f.slug == "street-party-permit")
        return forms.save_draft(form.slug, form.draft, form.draft_revision, actor, uow)

    assert matrix(save) == only({"admin", "designer (both)"}, "not found")
    other = {**template("street-party-permit"), "slug": "another-party"}
    assert outcome(lambda a: forms.create_form(other, a, uow), ROADS_DESIGNER) == "refused"
    assert outcome(lambda a: forms.publish("street-party-permit", a, uow), ROADS_DESIGNER) == "not found"
    assert outcome(lambda a: forms.publish("street-party-permit", a, uow), EVENTS) == "not found"


def test_drafts_versions_and_rollbacks_follow_the_department(world: World) -> None:
    uow = world.uow
    party_designers = {"admin", "designer (both)"}
    assert matrix(lambda a: forms.open_draft("street-party-permit", a, uow)) == only(party_designers, "not found")
    assert matrix(lambda a: forms.version_definition("street-party-permit", 1, a, uow)) == only(
        party_designers, "not found")
    assert matrix(lambda a: forms.open_draft("report-pothole", a, uow)) == only(
        {*party_designers, "designer (public-works)"}, "not found")
    # Last: an allowed rollback publishes version 1 again as a new version.
    assert matrix(lambda a: forms.republish("street-party-permit", 1, a, uow)) == only(party_designers, "not found")


def test_exports_and_figures_follow_the_department(world: World) -> None:
    uow = world.uow
    designers = {"admin", "designer (both)", "designer (public-works)"}
    assert matrix(lambda a: insights.visible_forms(a, uow)) == only(designers, "refused")
    assert matrix(lambda a: insights.open_data("street-party-permit", a, uow)) == {
        **only({"admin", "designer (both)"}, "refused"), "designer (public-works)": "not found"}
    assert matrix(lambda a: insights.find_resident("resident", a, uow)) == only({"admin"}, "refused")
    assert matrix(lambda a: insights.dashboard(a, uow)) == only(designers, "refused")
    shown = {name: sorted(f.form for f in insights.dashboard(actor, uow).forms)
             for name, actor in ROLES.items() if name in designers}
    assert shown == {"admin": ["report-pothole", "street-party-permit"],
                     "designer (both)": ["report-pothole", "street-party-permit"],
                     "designer (public-works)": ["report-pothole"]}
    asked_for_other = insights.dashboard(ROADS_DESIGNER, uow, forms=["street-party-permit"])
    assert asked_for_other.forms == []  # asking for another department's form shows nothing of it


def test_a_resident_s_archive_and_erasure_are_for_administrators_only(world: World) -> None:
    uow = world.uow
    assert matrix(lambda a: insights.resident_archive("resident", a, uow)) == only({"admin"}, "refused")
    # Last: the allowed erase removes the resident's data.
    assert matrix(lambda a: insights.erase_resident("resident", a, uow)) == only({"admin"}, "refused")
    with uow.reading():
        assert uow.requests.get(world.pothole.reference).answers == {}


def test_administration_is_for_administrators_only(world: World) -> None:
    uow = world.uow
    calls: list[Callable[[Actor], Any]] = [
        lambda a: admin.organisation(a, uow),
        lambda a: admin.reset_password(a, "roads", uow, new_password="a brand new passphrase"),
        lambda a: admin.set_roles(a, "resident", uow, designer_departments=frozenset({"events"}),
                                  reviewer_groups=frozenset()),
        lambda a: admin.update_user(a, "resident", uow, display_name="Riley", email="", is_admin=True, is_active=True),
    ]
    for call in calls:
        assert matrix(call) == only({"admin"}, "refused")
    created = {name: outcome(lambda a, n=name: admin.create_user(
        a, f"new-{len(n)}-{n[:3]}", "New Person", "", "four unrelated words", uow), actor) for name, actor in ROLES.items()}
    assert created == only({"admin"}, "refused")
    departments = {name: outcome(lambda a, i=i: admin.add_department(a, f"new-department-{i}", "New", uow), actor)
                   for i, (name, actor) in enumerate(ROLES.items())}
    assert departments == only({"admin"}, "refused")
    groups = {name: outcome(lambda a, i=i: admin.add_group(a, f"New group {i}", "events", uow), actor)
              for i, (name, actor) in enumerate(ROLES.items())}
    assert groups == only({"admin"}, "refused")
    with uow.reading():
        assert uow.directory.department_exists("new-department-0") and uow.directory.group_exists("New group 0")
        assert not uow.directory.department_exists("new-department-1")


def test_attachment_downloads_follow_the_request(world: World) -> None:
    uow, pothole = world.uow, world.pothole
    version = review.open_case(pothole.reference, ROADS, uow).request.row_version
    review.act(pothole.reference, Command(Action.RETURN, ROADS, text="A photo, please"), version, uow)
    waiting = requests.my_request_status(pothole.reference, RESIDENT, uow)
    requests.resident_act(pothole.reference, None, Action.ANSWER, "Here", waiting.row_version, RESIDENT, uow,
                          files=[("hole.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)])
    [photo] = request_files(pothole.reference, RESIDENT, uow)

    assert matrix(lambda a: download_attachment(photo.id, a, uow)) == only({"roads", "resident"}, "not found")
    with_code = matrix(lambda a: download_attachment(photo.id, a, uow, access_code=pothole.access_code))
    assert with_code == only(set(ROLES), "")  # the access code is the resident's proof, whoever holds it
    other_code = matrix(lambda a: download_attachment(photo.id, a, uow, access_code=world.party.access_code))
    assert other_code == only({"roads", "resident"}, "not found")


def _signed_in_only_form() -> dict[str, Any]:
    """The pothole form, as a city would set it up for signed-in residents only."""
    document = template("report-pothole")
    document.update(slug="pothole-residents", title="Report a pothole (residents' account)")
    document["settings"].update(submission="signed_in", reference_prefix="PR")
    del document["uiSchema"]["ui:pages"]  # one page: Submit sends at once
    return document


def test_a_signed_in_only_form_is_submitted_only_by_signed_in_people(world: World) -> None:
    uow = world.uow
    forms.create_form(_signed_in_only_form(), DESIGNER, uow)
    forms.publish("pothole-residents", DESIGNER, uow)
    keys = iter(range(100))
    submitted = matrix(lambda a: requests.submit("pothole-residents", POTHOLE, a, uow, idempotency_key=f"r{next(keys)}"))
    assert submitted == {**only(set(ROLES) - {"anonymous"}, ""), "anonymous": "refused"}
    # The refused submission left nothing behind: every stored one belongs to a signed-in account.
    mine = requests.my_requests(RESIDENT, uow)
    assert [r.form_slug for r in mine].count("pothole-residents") == 1


def test_the_form_page_asks_anonymous_residents_to_sign_in_and_lets_signed_in_ones_submit(
        new_app: Callable[[], Any], app_database: Engine) -> None:
    from sqlmodel import Session, select

    from storage.models import Submission
    from tests.ui.conftest import open_page, sign_in, texts

    uow = seed_organisation(app_database)
    forms.create_form(_signed_in_only_form(), DESIGNER, uow)
    forms.publish("pothole-residents", DESIGNER, uow)

    anonymous = open_page(new_app(), "form", form="pothole-residents")
    assert "Please sign in to submit this form." in texts(anonymous)
    assert not anonymous.text_input and "Submit" not in [b.label for b in anonymous.button]

    resident = open_page(sign_in(new_app(), "resident"), "form", form="pothole-residents")
    resident.text_input[0].input("Market Street 12")
    resident.radio[0].set_value("medium")
    resident = next(b for b in resident.button if b.label == "Submit").click().run()
    assert not resident.exception and resident.metric and resident.metric[0].value.startswith("PR-")
    with Session(app_database) as session:
        assert session.exec(select(Submission.submitted_by)).all() == ["resident"]


def test_only_a_signed_out_visitor_creates_a_resident_account_and_it_gets_no_role(world: World) -> None:
    from builder.usecases.accounts import actor_for, register_resident

    uow = world.uow
    created = {name: outcome(lambda a, n=name: register_resident(
        a, f"self-{len(n)}-{n[:3]}", "New Resident", "", "four unrelated words", "four unrelated words", uow), actor)
        for name, actor in ROLES.items()}
    assert created == only({"anonymous"}, "refused")
    newcomer = actor_for("self-9-ano", uow)
    assert newcomer.is_signed_in and not newcomer.is_staff
    assert outcome(lambda a: review.inbox(a, uow), newcomer) == "refused"
    assert outcome(lambda a: admin.organisation(a, uow), newcomer) == "refused"
    assert outcome(lambda a: requests.my_request_status(world.pothole.reference, a, uow), newcomer) == "not found"


def test_the_file_list_of_a_request_follows_the_request(world: World) -> None:
    """``request_files`` checks who asks, like the request's own views: no page has to do it for it."""
    uow, pothole, party = world.uow, world.pothole, world.party
    version = review.open_case(pothole.reference, ROADS, uow).request.row_version
    review.act(pothole.reference, Command(Action.RETURN, ROADS, text="A photo, please"), version, uow)
    waiting = requests.my_request_status(pothole.reference, RESIDENT, uow)
    requests.resident_act(pothole.reference, None, Action.ANSWER, "Here", waiting.row_version, RESIDENT, uow,
                          files=[("hole.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)])

    assert matrix(lambda a: request_files(pothole.reference, a, uow)) == only({"roads", "resident"}, "not found")
    assert matrix(lambda a: request_files(pothole.reference, a, uow, access_code=pothole.access_code)) == only(
        set(ROLES), "")
    assert matrix(lambda a: request_files(pothole.reference, a, uow, access_code=party.access_code)) == only(
        {"roads", "resident"}, "not found")  # another request's code proves nothing here
    assert [f.filename for f in request_files(pothole.reference, ROADS, uow)] == ["hole.png"]
    # An unknown reference answers exactly like somebody else's request.
    assert matrix(lambda a: request_files("PW-2026-99999", a, uow, access_code=pothole.access_code)) == only(
        set(), "not found")
    # Current and past step groups: once the events office approves, public safety sees the list and events still does.
    assert matrix(lambda a: request_files(party.reference, a, uow)) == only({"events"}, "not found")
    case = review.open_case(party.reference, EVENTS, uow)
    review.act(party.reference, Command(Action.APPROVE, EVENTS), case.request.row_version, uow)
    assert matrix(lambda a: request_files(party.reference, a, uow)) == only({"events", "safety"}, "not found")
