"""Small builders shared by tests: a seeded organisation and actors."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session

from builder.passwords import hash_password
from builder.ports import Actor, UserRecord
from storage.models import Department, StaffGroup
from storage.uow import SqlUnitOfWork

ADMIN = Actor("admin", "Alex Admin", is_admin=True)
DESIGNER = Actor("designer", "Dana Designer", designer_departments=frozenset({"public-works", "events"}))
ROADS = Actor("roads", "Robin Roads", reviewer_groups=frozenset({"Road inspectors"}))
ROADS2 = Actor("roads2", "Remy Roads", reviewer_groups=frozenset({"Road inspectors"}))
EVENTS = Actor("events", "Eve Events", reviewer_groups=frozenset({"Events office"}))
SAFETY = Actor("safety", "Sam Safety", reviewer_groups=frozenset({"Public safety"}))
RESIDENT = Actor("resident", "Riley Resident")
ALL_STAFF = (ADMIN, DESIGNER, ROADS, ROADS2, EVENTS, SAFETY, RESIDENT)


def seed_organisation(engine: Engine) -> SqlUnitOfWork:
    """Departments, groups and the users above (bcrypt cost 4: fast, still real hashes)."""
    with Session(engine) as session:
        departments = {slug: Department(slug=slug, name=slug.title()) for slug in ("public-works", "events")}
        session.add_all(departments.values())
        session.flush()
        for name, slug in (("Road inspectors", "public-works"), ("Events office", "events"),
                           ("Public safety", "events"), ("Empty group", "events")):
            session.add(StaffGroup(name=name, department_id=departments[slug].id))
        session.commit()
    uow = SqlUnitOfWork(engine)
    with uow:
        for actor in ALL_STAFF:
            uow.directory.add_user(UserRecord(
                actor.username or "", actor.display_name, f"{actor.username}@city.example",
                hash_password(f"{actor.username}-test-passphrase", rounds=4), actor.is_admin, True,
                actor.designer_departments, actor.reviewer_groups))
        uow.commit()
    return uow
