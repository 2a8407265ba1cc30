"""File fields: rules from the definition, content sniffing, and the upload → submit → download journey."""

from __future__ import annotations

from builder.attachments import (ALL_KINDS, KIND_NAMES, MIME_TYPES, FileRule, check_file, file_rules, rule_for,
                                 rule_key, sniff, unknown_types)
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


def _brand_box(major: bytes, *compatible: bytes) -> bytes:
    """The start of an ISO base media file: ``size, "ftyp", major brand, minor version, compatible brands``."""
    body = b"ftyp" + major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return (len(body) + 4).to_bytes(4, "big") + body + b"\x00\x00\x00\x08mdat" + b"\x93\x01" * 40


IPHONE_PHOTO = _brand_box(b"heic", b"mif1", b"heic")


def test_iphone_photos_are_recognised_by_their_ftyp_box_and_avif_or_video_are_not() -> None:
    assert sniff(IPHONE_PHOTO) == "heic"
    for brand in (b"heix", b"mif1", b"msf1", b"heif"):
        assert sniff(_brand_box(brand, b"mif1")) == "heic", brand
    assert sniff(_brand_box(b"mif1", b"avif", b"mif1")) is None  # an AVIF picture shares the generic brand
    assert sniff(_brand_box(b"isom", b"mp41")) is None  # an MP4 video


def _rule(*accept: str):  # noqa: ANN202 - a FileRule
    return rule_for({"ui:options": {"accept": list(accept)}})


def test_a_field_for_pdf_and_iphone_photos_takes_both_and_nothing_else() -> None:
    rule = _rule("application/pdf", "image/heic")
    assert check_file(rule, "IMG_0042.HEIC", IPHONE_PHOTO) == ("heic", None)
    assert check_file(rule, "letter.pdf", b"%PDF-1.7 ...")[0] == "pdf"
    kind, problem = check_file(rule, "photo.png", b"\x89PNG\r\n\x1a\n....")
    assert kind is None and problem == ("The file “photo.png” is not an accepted kind of file. Accepted: PDF, "
                                        "iPhone photo (HEIC).")
    assert _rule("heic").kinds == ("heic",) and _rule(".HEIF").kinds == ("heic",)


def test_naming_only_unknown_kinds_refuses_every_file_instead_of_allowing_all() -> None:
    rule = _rule("image/x-raw-camera")
    assert rule.kinds == ()
    kind, problem = check_file(rule, "letter.pdf", b"%PDF-1.7 ...")
    assert kind is None and problem and "names no kind of file that can be checked" in problem
    assert unknown_types({"ui:options": {"accept": "pdf, image/x-raw-camera"}}) == ["image/x-raw-camera"]
    assert _rule("pdf", "image/x-raw-camera").kinds == ("pdf",)  # the known kinds still count
    assert rule_for({}).kinds == ALL_KINDS  # no accept at all: every kind


def test_every_kind_has_a_name_and_a_mime_type_that_maps_back_to_it() -> None:
    for kind in ALL_KINDS:
        assert KIND_NAMES[kind] and _rule(MIME_TYPES[kind]).kinds == (kind,)


def test_a_file_question_in_the_entries_of_a_repeating_group_is_found_by_any_entrys_path() -> None:
    schema = {"type": "object", "$defs": {"child": {"type": "object", "properties": {
        "name": {"type": "string"}, "birth_certificate": {"type": "string", "format": "data-url"}}}},
        "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/child"}}}}
    ui = {"children": {"items": {"birth_certificate": {"ui:options": {"accept": ["pdf"]}}}}}
    rules = file_rules(schema, ui)
    assert set(rules) == {"children.*.birth_certificate"}
    assert rules[rule_key(("children", 3, "birth_certificate"))].kinds == ("pdf",)


def test_a_field_without_its_own_rule_takes_the_given_defaults() -> None:
    defaults = FileRule(kinds=("pdf",), max_bytes=1024)
    assert rule_for({}, defaults) == defaults
    own = rule_for({"ui:options": {"accept": ["png"], "maxSizeMb": 1}}, defaults)
    assert own == FileRule(kinds=("png",), max_bytes=1024 * 1024)
