"""A designer imports a file (forms page and the builder's Advanced section), exports the definition as
JSON and reads who published which version when — through the real app (AppTest)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from builder import editing as ed
from builder import translations as tr
from builder.errors import NotFound
from builder.usecases import forms
from storage.uow import SqlUnitOfWork
from tests.conftest import template
from tests.helpers import ADMIN, DESIGNER, seed_organisation
from tests.ui.conftest import open_page, sign_in, texts

SLUG = "street-party-permit"
K = f"editor:{SLUG}"
# A plain JSON Schema as a city may already have it (draft-07, no Formwork parts).
MARKET_STALL = {"$schema": "http://json-schema.org/draft-07/schema#", "title": "Market stall", "type": "object",
                "required": ["trader"],
                "properties": {"trader": {"type": "string", "title": "Name of the trader", "maxLength": 200},
                               "pitch": {"type": "string", "title": "Preferred pitch",
                                         "enum": ["North square", "Riverside"]}}}


@pytest.fixture
def organisation(app_database: Engine) -> Engine:
    seed_organisation(app_database)
    return app_database


@pytest.fixture
def street_party(organisation: Engine) -> Engine:
    forms.create_form(template(SLUG), DESIGNER, SqlUnitOfWork(organisation))
    return organisation


def uploader(app: AppTest, key: str):  # noqa: ANN201 - an AppTest widget
    return next(w for w in app.get("file_uploader") if w.key == key)


def import_on_forms_page(new_app: Callable[[], AppTest], content: bytes, slug: str) -> AppTest:
    app = open_page(sign_in(new_app(), "designer"), "forms")
    uploader(app, "import_file").set_value(("market.json", content, "application/json")).run()
    app.selectbox(key="import_department").set_value("events").run()
    app.text_input(key="import_slug").input(slug).run()
    return app.button(key="import_create").click().run()


def no_form(engine: Engine, slug: str) -> bool:
    try:
        forms.open_draft(slug, ADMIN, SqlUnitOfWork(engine))
    except NotFound:
        return True
    return False


def test_importing_a_json_schema_creates_a_draft_with_its_fields(
        new_app: Callable[[], AppTest], organisation: Engine) -> None:
    app = import_on_forms_page(new_app, json.dumps(MARKET_STALL).encode(), "market-stall")
    assert not app.error
    saved = forms.open_draft("market-stall", DESIGNER, SqlUnitOfWork(organisation))
    assert (saved.department, saved.document["title"]) == ("events", "Market stall")
    assert list(saved.document["schema"]["properties"]) == ["trader", "pitch"]
    # The builder opens on the new draft, its fields listed and shown in the preview.
    assert app.title[0].value == "Market stall"
    shown = texts(app)
    assert "**Name of the trader**" in shown and "**Preferred pitch**" in shown
    assert "Name of the trader *" in [w.label for w in app.text_input]  # required, as in the file


def test_importing_a_formwork_definition_keeps_its_steps(new_app: Callable[[], AppTest], organisation: Engine) -> None:
    app = import_on_forms_page(new_app, json.dumps(template("tree-removal")).encode(), "trees")
    assert not app.error
    saved = forms.open_draft("trees", DESIGNER, SqlUnitOfWork(organisation)).document
    assert saved["slug"] == "trees" and saved["department"] == "events"  # the address and department chosen here
    steps = [(s["name"], s["group"]) for s in saved["workflow"]["steps"]]
    assert steps == [(s["name"], s["group"]) for s in template("tree-removal")["workflow"]["steps"]]


@pytest.mark.parametrize(("content", "message"), [
    (b'{"title": "Market stall",', "The file is not valid JSON: look near line 1, column 26."),
    (b'["trader", "pitch"]', "The file must hold one JSON object."),
    (b'{"title": "Market stall", "type": "string"}',
     "This file is neither a Formwork form nor a JSON Schema of an object with properties."),
])
def test_a_bad_file_is_refused_with_a_clear_error_and_nothing_is_saved(
        new_app: Callable[[], AppTest], organisation: Engine, content: bytes, message: str) -> None:
    app = import_on_forms_page(new_app, content, "market-stall")
    assert [e.value for e in app.error] == [message]
    assert app.title[0].value == "Design forms"  # still on the forms page
    assert no_form(organisation, "market-stall")
    assert "Your departments have no forms yet." in texts(app)


def import_in_editor(new_app: Callable[[], AppTest], content: bytes) -> AppTest:
    app = open_page(sign_in(new_app(), "designer"), "editor", form=SLUG)
    app.session_state[f"{K}:section"] = "Advanced"
    app.run()
    gen = app.session_state[f"{K}:gen"]
    uploader(app, f"{K}:{gen}:import").set_value(("market.json", content, "application/json")).run()
    return app.button(key=f"{K}:import").click().run()


def test_advanced_import_replaces_the_draft_with_the_files_fields(
        new_app: Callable[[], AppTest], street_party: Engine) -> None:
    app = import_in_editor(new_app, json.dumps(MARKET_STALL).encode())
    assert "The definition was replaced and saved as the draft." in texts(app)
    saved = forms.open_draft(SLUG, DESIGNER, SqlUnitOfWork(street_party))
    assert saved.revision == 2 and list(saved.document["schema"]["properties"]) == ["trader", "pitch"]
    assert saved.document["slug"] == SLUG and saved.document["department"] == "events"
    assert "Name of the trader *" in [w.label for w in app.text_input]  # the preview shows the imported form


def test_advanced_import_of_a_bad_file_changes_nothing(new_app: Callable[[], AppTest], street_party: Engine) -> None:
    before = forms.open_draft(SLUG, DESIGNER, SqlUnitOfWork(street_party))
    app = import_in_editor(new_app, b"not json at all")
    assert [e.value for e in app.error] == ["The file is not valid JSON: Expecting value at line 1, column 1."]
    assert forms.open_draft(SLUG, DESIGNER, SqlUnitOfWork(street_party)) == before


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, bytes]]:
    """The files the page hands to download buttons, by file name."""
    handed: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def keep(self: MemoryMediaFileStorage, path_or_data: str | bytes, mimetype: str, kind: object,
             filename: str | None = None) -> str:
        data = path_or_data.encode() if isinstance(path_or_data, str) else path_or_data
        handed[filename or ""] = data
        return original(self, path_or_data, mimetype, kind, filename)  # type: ignore[arg-type]

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    yield handed


def test_export_gives_the_definition_as_a_json_file(new_app: Callable[[], AppTest], street_party: Engine,
                                                    downloads: dict[str, bytes]) -> None:
    app = open_page(sign_in(new_app(), "designer"), "editor", form=SLUG)
    app.session_state[f"{K}:section"] = "Advanced"
    app.run()
    assert [b.proto.label for b in app.get("download_button")] == ["Export the definition (JSON file)"]
    exported = json.loads(downloads[f"{SLUG}.json"].decode("utf-8"))
    assert exported == forms.open_draft(SLUG, DESIGNER, SqlUnitOfWork(street_party)).document
    # and the exported file can be imported again as a new form
    app = import_on_forms_page(new_app, downloads[f"{SLUG}.json"], "street-party-copy")
    assert not app.error
    copy = forms.open_draft("street-party-copy", DESIGNER, SqlUnitOfWork(street_party)).document
    assert copy["schema"]["properties"] == exported["schema"]["properties"]


def publish_twice(engine: Engine) -> None:
    forms.publish(SLUG, DESIGNER, SqlUnitOfWork(engine), now=datetime(2026, 3, 2, 9, 15, tzinfo=UTC))
    forms.publish(SLUG, ADMIN, SqlUnitOfWork(engine), now=datetime(2026, 3, 9, 14, 30, tzinfo=UTC))


VERSIONS = {"Version": [2, 1], "Published (UTC)": ["2026-03-09 14:30", "2026-03-02 09:15"],
            "By": ["admin", "designer"]}


def test_the_forms_page_lists_each_version_with_who_published_it_when(
        new_app: Callable[[], AppTest], street_party: Engine) -> None:
    publish_twice(street_party)
    app = open_page(sign_in(new_app(), "designer"), "forms")
    assert "version 2 is live" in texts(app)
    assert [e.label for e in app.expander] == ["2 published versions"]
    assert app.dataframe[0].value.to_dict(orient="list") == VERSIONS


def test_the_builder_lists_each_version_newest_first_and_offers_older_ones_to_roll_back_to(
        new_app: Callable[[], AppTest], street_party: Engine) -> None:
    publish_twice(street_party)
    app = open_page(sign_in(new_app(), "designer"), "editor", form=SLUG)
    app.session_state[f"{K}:section"] = "Versions"
    app.run()
    assert app.dataframe[0].value.to_dict(orient="list") == VERSIONS
    assert app.selectbox(key=f"{K}:diff_a").value == 2  # the live version against the draft
    assert app.selectbox(key=f"{K}:back").options == ["Version 1"]  # version 2 is live already


@pytest.mark.parametrize(("content", "message"), [
    (b'{"title": "Market stall",', "Le fichier n'est pas du JSON valide : regardez vers la ligne 1, colonne 26."),
    (b'["trader", "pitch"]', "Le fichier doit contenir un seul objet JSON."),
    (b'{"title": "Market stall", "type": "string"}',
     "Ce fichier n'est ni un formulaire Formwork ni un JSON Schema d'un objet avec des propriétés."),
])
def test_a_bad_file_is_refused_in_the_designer_s_language(
        new_app: Callable[[], AppTest], organisation: Engine, content: bytes, message: str) -> None:
    app = open_page(sign_in(new_app(), "designer"), "forms", lang="fr")
    uploader(app, "import_file").set_value(("market.json", content, "application/json")).run()
    app.selectbox(key="import_department").set_value("events").run()
    app.text_input(key="import_slug").input("market-stall").run()
    app = app.button(key="import_create").click().run()
    assert [e.value for e in app.error] == [message]
    assert no_form(organisation, "market-stall")


def test_a_taken_web_address_is_refused_in_the_designer_s_language(
        new_app: Callable[[], AppTest], street_party: Engine) -> None:
    app = open_page(sign_in(new_app(), "designer"), "forms", lang="fr")
    uploader(app, "import_file").set_value(("market.json", json.dumps(MARKET_STALL).encode(),
                                             "application/json")).run()
    app.selectbox(key="import_department").set_value("events").run()
    app.text_input(key="import_slug").input(SLUG).run()
    app = app.button(key="import_create").click().run()
    assert [e.value for e in app.error] == [
        f"Un formulaire à l'adresse « {SLUG} » existe déjà. Choisissez une autre adresse web."]


def changes(app: AppTest) -> list[str]:
    """The lines of "what changed" under the two versions compared (the preview shows texts too)."""
    return [t.value for t in app.text if t.value.startswith("• ")]


def test_the_builder_says_what_changed_since_the_live_version_in_the_designer_s_language(
        new_app: Callable[[], AppTest], street_party: Engine) -> None:
    forms.publish(SLUG, DESIGNER, SqlUnitOfWork(street_party), now=datetime(2026, 3, 2, 9, 15, tzinfo=UTC))
    current = forms.open_draft(SLUG, DESIGNER, SqlUnitOfWork(street_party))
    document = ed.put_field(current.document, replace(ed.read_field(current.document, "phone"), required=True))
    document = ed.update_step(document, 0, sla_days=3)
    document = tr.add_language(document, "fr")
    forms.save_draft(SLUG, document, current.revision, DESIGNER, SqlUnitOfWork(street_party))
    app = open_page(sign_in(new_app(), "designer"), "editor", form=SLUG, lang="fr")
    app.session_state[f"{K}:section"] = "Versions"
    app.run()
    assert app.selectbox(key=f"{K}:diff_a").value == 1 and app.selectbox(key=f"{K}:diff_b").value == "draft"
    assert changes(app) == [  # staff labels and step names as typed, the rest in French
        "• Champ « Phone number » : obligatoire — était non, devient oui.",
        "• Étape d’approbation « Check by the events office » : jours ouvrés accordés — était « 5 », devient « 3 ».",
        "• Traduction en français ajoutée."]
    app.selectbox(key=f"{K}:diff_b").set_value(1).run()  # the live version with itself
    assert changes(app) == [] and "Aucune différence." in texts(app)
