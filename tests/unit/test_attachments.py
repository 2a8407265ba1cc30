"""File fields: rules from the definition, content sniffing, and the upload → submit → download journey."""

from __future__ import annotations

from builder.attachments import check_file, file_rules, sniff
from tests.attachment_journey import run_journey
from tests.fakes import FakeUnitOfWork

DOCX = b"PK\x03\x04" + b"\x00" * 26 + b"word/document.xml" + b"\x00" * 10


def test_file_fields_and_their_rules_come_from_the_definition() -> None:
    schema = {"type": "object", "properties": {
        "photo": {"type": "string", "format": "data-url"}, "plan": {"type": "string", "contentEncoding": "base64"},
        "letter": {"type": "string"}, "name": {"type": "string"},
        "owner": {"type": "object", "properties": {"id_card": {"type": "string", "format": "data-url"}}}}}
    ui = {"photo": {"ui:options": {"accept": ".png, .jpg", "maxSizeMb": 2}}, "letter": {"ui:widget": "file"}}
    rules = file_rules(schema, ui)
    assert set(rules) == {"photo", "plan", "letter", "owner.id_card"}
    assert rules["photo"].kinds == ("png", "jpeg") and rules["photo"].max_bytes == 2 * 1024 * 1024
    assert "pdf" in rules["plan"].kinds


def test_files_are_recognised_by_their_content_not_their_name() -> None:
    assert sniff(b"%PDF-1.4 ...") == "pdf"
    assert sniff(b"\xff\xd8\xff\xe0....") == "jpeg"
    assert sniff(b"GIF89a....") == "gif"
    assert sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "webp"
    assert sniff(DOCX) == "docx"
    assert sniff("Bonjour, voilà.\n".encode()) == "txt"
    assert sniff(b"MZ\x90\x00\x03\x00\x00\x00") is None  # a Windows program
    rule = file_rules({"type": "object", "properties": {"f": {"type": "string", "format": "data-url"}}}, {})["f"]
    kind, problem = check_file(rule, "invoice.pdf", b"MZ\x90\x00\x03\x00")
    assert kind is None and problem and "not an accepted kind" in problem


def test_upload_submit_and_authorised_download_in_memory() -> None:
    fake = FakeUnitOfWork(groups={"Road inspectors": ["roads", "roads2"], "Events office": ["events"],
                                  "Public safety": ["safety"]}, departments={"public-works", "events"})
    run_journey(lambda: fake)
