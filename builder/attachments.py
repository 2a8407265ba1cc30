"""File fields of a form: which types and sizes each allows, and checking a file by its content.

A file field is a string property with ``"format": "data-url"`` or a ``contentEncoding``, or any
property whose uiSchema says ``"ui:widget": "file"``. Its ``ui:options`` may set ``accept`` (a list or a
comma-separated string of kinds: ``pdf``, ``png``, ``jpeg``/``jpg``, ``gif``, ``webp``, ``heic``/``heif``,
``txt``, ``docx``, or their MIME types or extensions) and ``maxSizeMb``. No ``accept`` allows every kind;
an ``accept`` naming only kinds Formwork cannot recognise allows none (it never widens to every kind). The file's name is never trusted: its kind is read from its first bytes
(magic numbers) and it is stored under a random id with its SHA-256.

A form's ``settings.attachments`` gives the defaults of its file fields (``allowed_types`` for a field without
``accept``, ``max_size_mb`` for one without ``maxSizeMb``) and ``max_files``, the most files one request may
carry in all (``form_file_rules``, ``too_many_files``).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from builder import validation_messages
from builder.definition import AttachmentSettings, FormDefinition
from builder.errors import DefinitionInvalid, FieldError
from builder.schema_view import resolve_ref

DEFAULT_MAX_MB = 10.0
ALL_KINDS = ("pdf", "png", "jpeg", "gif", "webp", "heic", "txt", "docx")
_ALIASES = {"jpg": "jpeg", "text": "txt", "application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpeg",
            "image/gif": "gif", "image/webp": "webp", "text/plain": "txt", ".pdf": "pdf", ".png": "png",
            ".jpg": "jpeg", ".jpeg": "jpeg", ".gif": "gif", ".webp": "webp", ".txt": "txt", ".docx": "docx",
            "heif": "heic", "image/heic": "heic", "image/heif": "heic", ".heic": "heic", ".heif": "heic",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx"}
MIME_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg", "gif": "image/gif",
              "webp": "image/webp", "heic": "image/heic", "txt": "text/plain",
              "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
KIND_NAMES = {"pdf": "PDF", "png": "PNG image", "jpeg": "JPEG photo", "gif": "GIF image", "webp": "WebP image",
              "heic": "iPhone photo (HEIC)", "txt": "plain text", "docx": "Word document (.docx)"}


@dataclass(frozen=True)
class FileRule:
    """What one file field accepts."""

    kinds: tuple[str, ...]
    max_bytes: int


@dataclass(frozen=True)
class AttachmentRef:
    """A stored file as the answers and the case page know it."""

    id: str
    name: str
    size: int
    sha256: str
    type: str

    def to_answer(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "size": self.size, "sha256": self.sha256, "type": self.type}


def is_file_field(schema: dict[str, Any], ui: dict[str, Any]) -> bool:
    if ui.get("ui:widget") == "file":
        return True
    return schema.get("type") == "string" and (schema.get("format") == "data-url" or "contentEncoding" in schema)


#: Stands for "any entry" in the dotted path of a field inside a repeating group (``children.*.certificate``).
ANY_ENTRY = "*"


def file_rules(schema: dict[str, Any], ui_schema: dict[str, Any],
               defaults: FileRule | None = None) -> dict[str, FileRule]:
    """The file fields of a form's top level, of nested groups and of repeating groups' entries, by dotted
    path (``owner.id_card``, ``children.*.certificate``), with their rules; ``defaults`` for what a field
    does not set itself (none: every kind, 10 MB)."""
    rules: dict[str, FileRule] = {}
    _collect(schema, schema, ui_schema or {}, "", rules, defaults or _NO_DEFAULTS)
    return rules


def form_defaults(settings: AttachmentSettings) -> FileRule:
    """The rule of a file field that sets nothing itself, from the form's ``settings.attachments``.

    Like a field's ``accept``, types Formwork cannot recognise allow nothing rather than everything."""
    kinds = tuple(dict.fromkeys(k for k in map(kind_of_type, settings.allowed_types) if k))
    return FileRule(kinds=kinds, max_bytes=int(settings.max_size_mb * 1024 * 1024))


def form_file_rules(definition: FormDefinition) -> dict[str, FileRule]:
    """The file fields of a form with their rules, the form's own defaults included."""
    return file_rules(definition.schema_, definition.ui_schema, form_defaults(definition.settings.attachments))


def rule_key(path: tuple[str | int, ...]) -> str:
    """The key of ``file_rules`` for an answer's path: an entry's number (``children``, 2, ``certificate``)
    stands for any entry, as every entry of a repeating group asks the same questions."""
    return ".".join(ANY_ENTRY if isinstance(part, int) else str(part) for part in path)


def _collect(root: dict[str, Any], node: dict[str, Any], ui: dict[str, Any], prefix: str,
             rules: dict[str, FileRule], defaults: FileRule) -> None:
    branches = [node, *[node[key] for key in ("then", "else") if isinstance(node.get(key), dict)],
                *[b for b in node.get("allOf", []) + node.get("oneOf", []) if isinstance(b, dict)],
                *[b for b in (node.get("dependentSchemas") or {}).values() if isinstance(b, dict)]]
    for branch in branches:
        for name, sub in (branch.get("properties") or {}).items():
            if not isinstance(sub, dict):
                continue
            sub, sub_ui = _resolved(root, sub), ui.get(name) if isinstance(ui.get(name), dict) else {}
            items = _resolved(root, sub.get("items")) if sub.get("type") == "array" else {}
            if is_file_field(sub, sub_ui):
                rules[prefix + name] = rule_for(sub_ui, defaults)
            elif sub.get("type") == "object":
                _collect(root, sub, sub_ui, f"{prefix}{name}.", rules, defaults)
            elif items.get("type") == "object" or "properties" in items:  # a repeating group, as the form shows it
                items_ui = sub_ui.get("items") if isinstance(sub_ui.get("items"), dict) else {}
                _collect(root, items, items_ui, f"{prefix}{name}.{ANY_ENTRY}.", rules, defaults)


def _resolved(root: dict[str, Any], node: Any) -> dict[str, Any]:
    """A field's schema with a reference inside the form followed, as the form renderer follows it; a broken
    reference is the publishing checks' to report, so here it only means no file field."""
    if not isinstance(node, dict):
        return {}
    try:
        return resolve_ref(root, node)
    except DefinitionInvalid:
        return {}


def kind_of_type(name: object) -> str | None:
    """The kind a name in ``accept`` stands for (``"image/jpeg"``, ``".jpg"``, ``"jpeg"`` → ``"jpeg"``), or None."""
    key = str(name).strip().lower()
    kind = _ALIASES.get(key, key)
    return kind if kind in ALL_KINDS else None


def _accepted(ui: dict[str, Any]) -> list[str]:
    options = ui.get("ui:options") if isinstance(ui.get("ui:options"), dict) else {}
    accept = options.get("accept")
    wanted = accept.split(",") if isinstance(accept, str) else accept if isinstance(accept, list) else []
    return [str(k).strip() for k in wanted if str(k).strip()]


def unknown_types(ui: dict[str, Any]) -> list[str]:
    """The names in a file field's ``accept`` that are no kind Formwork can recognise (for the designer)."""
    return [name for name in _accepted(ui) if kind_of_type(name) is None]


def rule_for(ui: dict[str, Any], defaults: FileRule | None = None) -> FileRule:
    """A file field's rule from its ``ui:options``; what it does not set comes from ``defaults``."""
    defaults = defaults or _NO_DEFAULTS
    options = ui.get("ui:options") if isinstance(ui.get("ui:options"), dict) else {}
    wanted = _accepted(ui)
    kinds = tuple(dict.fromkeys(k for k in map(kind_of_type, wanted) if k))
    size = options.get("maxSizeMb")
    max_bytes = int(size * 1024 * 1024) if isinstance(size, int | float) and size > 0 else defaults.max_bytes
    # Only no ``accept`` at all takes the defaults: unknown names alone must not open the field to everything.
    return FileRule(kinds=kinds if wanted else defaults.kinds, max_bytes=max_bytes)


def sniff(data: bytes) -> str | None:
    """The kind of a file from its first bytes, or None when it is none we accept."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"PK\x03\x04") and b"word/" in data[:65536]:
        return "docx"
    if _is_heic(data):
        return "heic"
    return "txt" if _is_plain_text(data) else None


# ISO base media file: a box ``size, "ftyp", major brand, minor version, compatible brands…`` at the start.
_HEIC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"})
_HEIF_BRANDS = frozenset({b"mif1", b"msf1", b"heif"})  # generic HEIF: also the base of AVIF
_AVIF_BRANDS = frozenset({b"avif", b"avis"})


def _is_heic(data: bytes) -> bool:
    """An iPhone photo (HEIC/HEIF): ``ftyp`` at bytes 4..8 and a HEIF brand at 8..12 (AVIF, a different
    codec, shares the generic brands and is refused)."""
    if len(data) < 16 or data[4:8] != b"ftyp":
        return False
    major = data[8:12]
    size = int.from_bytes(data[:4], "big")
    box = data[16:min(max(size, 16), 4096)]
    compatible = {box[i:i + 4] for i in range(0, len(box) - 3, 4)}
    if major in _HEIC_BRANDS:
        return True
    return major in _HEIF_BRANDS and not compatible & _AVIF_BRANDS


def _is_plain_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(ch.isprintable() or ch in "\t\r\n\f" for ch in text[:65536])


def check_file(rule: FileRule, name: str, data: bytes, locale: str = "en") -> tuple[str | None, str | None]:
    """(kind, None) when the file is acceptable, else (None, a message for the resident in ``locale``).

    The message quotes the file's name as sent: whoever shows it escapes it (``ui.text.plain``).
    """
    words = validation_messages.table(locale)
    if not data:
        return None, words["file.empty"].format(name=name)
    if len(data) > rule.max_bytes:
        size = words["file.megabytes"].format(size=validation_messages.number(rule.max_bytes / 1024 / 1024, locale))
        return None, words["file.too_large"].format(name=name, size=size)
    if not rule.kinds:  # the designer named only kinds we cannot recognise: refuse rather than take anything
        return None, words["file.no_kinds"]
    kind = sniff(data)
    if kind not in rule.kinds:
        # A kind without a translated name (added later) falls back to its English name.
        allowed = ", ".join(words.get(f"kind.{k}", KIND_NAMES.get(k, k)) for k in rule.kinds)
        return None, words["file.kind"].format(name=name, kinds=allowed)
    return kind, None


def make_ref(name: str, data: bytes, kind: str) -> AttachmentRef:
    """A fresh random id (never derived from the name) and the content's SHA-256."""
    safe_name = "".join(ch for ch in name.replace("\\", "/").split("/")[-1] if ch.isprintable())[:200] or "file"
    return AttachmentRef(id=secrets.token_urlsafe(24), name=safe_name, size=len(data),
                         sha256=hashlib.sha256(data).hexdigest(), type=MIME_TYPES[kind])


ANSWER_PREFIX = "attachment:"
_NO_DEFAULTS = FileRule(kinds=ALL_KINDS, max_bytes=int(DEFAULT_MAX_MB * 1024 * 1024))

# Files a resident sends with an answer to "more information needed": not a form field, so one fixed
# rule; stored under this field name so the case page can tell them from the form's own files.
ANSWER_FILES_FIELD = "answer"
ANSWER_FILES_RULE = FileRule(kinds=ALL_KINDS, max_bytes=int(DEFAULT_MAX_MB * 1024 * 1024))
MAX_ANSWER_FILES = 5


def answer_value(ref: AttachmentRef) -> str:
    """What a file field holds in the answers: a string, so the field's ``type: string`` still validates."""
    return ANSWER_PREFIX + ref.id


def attachment_ids(answers: Any) -> list[str]:
    """Ids of every file referenced anywhere in the answers."""
    return [attachment_id for _path, attachment_id in attachment_places(answers)]


def attachment_places(answers: Any, at: tuple[str | int, ...] = ()) -> list[tuple[tuple[str | int, ...], str]]:
    """(path, id) of every file referenced in the answers, in the order the form asks for them."""
    if isinstance(answers, str):
        return [(at, answers[len(ANSWER_PREFIX):])] if answers.startswith(ANSWER_PREFIX) else []
    items = answers.items() if isinstance(answers, dict) else enumerate(answers) if isinstance(answers, list) else ()
    return [found for key, value in items for found in attachment_places(value, (*at, key))]


def too_many_files(answers: Any, limit: int, locale: str = "en") -> list[FieldError]:
    """The form's ``max_files``: a message at each file past the limit (the earlier files fit), or nothing."""
    first_place: dict[str, tuple[str | int, ...]] = {}
    for path, attachment_id in attachment_places(answers):
        first_place.setdefault(attachment_id, path)  # the same file named twice is one file
    places = list(first_place.items())
    if len(places) <= limit:
        return []
    words = validation_messages.table(locale)
    key = "file.form_limit." + ("none" if limit == 0 else "one" if limit == 1 else "many")
    message = words[key].format(limit=validation_messages.number(limit, locale))
    return [FieldError(path, message) for _id, path in places[limit:]]


def file_error(path: tuple[str | int, ...], message: str) -> FieldError:
    return FieldError(path, message)
