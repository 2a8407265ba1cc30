"""Demo content: departments, groups, one user per role, and two published city forms.

``python -m storage demo`` loads it into the configured database and prints the passwords.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from builder.passwords import hash_password
from builder.ports import Actor, UserRecord
from builder.usecases import forms
from storage.models import Department, StaffGroup
from storage.uow import SqlUnitOfWork

TEMPLATES = Path(__file__).resolve().parent.parent / "schemas" / "templates"

DEPARTMENTS = {"public-works": "Public Works", "events": "Events and Culture", "social": "Social Services",
               "planning": "Planning and Building", "business": "Business and Licensing"}
GROUPS = {"Road inspectors": "public-works", "Events office": "events", "Public safety": "events",
          "Tree officers": "public-works", "Benefits team": "social", "Building control": "planning",
          "Licensing desk": "business"}

# (username, name, password, admin, designer departments, reviewer groups)
USERS = [
    ("admin", "Alex Admin", "demo-admin-passphrase", True, (), ()),
    ("designer", "Dana Designer", "demo-designer-passphrase", False, ("public-works", "events"), ()),
    ("roads", "Robin Roads", "demo-roads-passphrase", False, (), ("Road inspectors", "Tree officers")),
    ("events", "Eve Events", "demo-events-passphrase", False, (), ("Events office",)),
    ("safety", "Sam Safety", "demo-safety-passphrase", False, (), ("Public safety",)),
    ("resident", "Riley Resident", "demo-resident-passphrase", False, (), ()),
]
DEMO_FORMS = ("report-pothole", "street-party-permit")


def load_demo(engine: Engine, *, rounds: int = 12) -> list[tuple[str, str, str]]:
    """Load the demo (idempotent); returns (username, role, password) for printing."""
    _organisation(engine)
    uow = SqlUnitOfWork(engine)
    printed = []
    for username, name, password, admin, departments, groups in USERS:
        with uow:
            if uow.directory.user(username) is None:
                uow.directory.add_user(UserRecord(username, name, f"{username}@city.example", hash_password(
                    password, rounds=rounds), admin, True, frozenset(departments), frozenset(groups)))
                uow.commit()
        role = "administrator" if admin else "designer" if departments else "reviewer" if groups else "resident"
        printed.append((username, role, password))
    admin_actor = Actor("admin", "Alex Admin", is_admin=True)
    for slug in DEMO_FORMS:
        with uow.reading():
            exists = uow.forms.get(slug) is not None
        if not exists:
            forms.create_form(json.loads((TEMPLATES / f"{slug}.json").read_text()), admin_actor, uow)
            forms.publish(slug, admin_actor, uow)
    return printed


def _organisation(engine: Engine) -> None:
    with Session(engine) as session:
        for slug, name in DEPARTMENTS.items():
            if session.exec(select(Department).where(Department.slug == slug)).first() is None:
                session.add(Department(slug=slug, name=name))
        session.commit()
        for name, slug in GROUPS.items():
            if session.exec(select(StaffGroup).where(StaffGroup.name == name)).first() is None:
                department = session.exec(select(Department).where(Department.slug == slug)).one()
                session.add(StaffGroup(name=name, department_id=department.id))
        session.commit()
