"""The messages of answer validation, per locale: what a resident reads under a field.

Plain data, so the core stays free of the interface's gettext catalogues. Every locale has every
key (a unit test checks it); a locale without a table uses English. Placeholders in braces are
filled by ``builder.validation``: numbers already written the locale's way, names already quoted.
"""

from __future__ import annotations

from babel.numbers import format_decimal

FALLBACK = "en"

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "required": "This field is required.",
        "type": "Enter {types}.",
        "or": " or ",
        "type.string": "text",
        "type.integer": "a whole number",
        "type.number": "a number",
        "type.boolean": "yes or no",
        "type.array": "a list",
        "type.object": "a group of answers",
        "type.null": "nothing",
        "choose": "Choose one of: {choices}.",
        "const": "This must be {value}.",
        "no_option": "This answer does not fit any of the allowed options.",
        "format.date": "Enter a date like 2026-03-14.",
        "format.date-time": "Enter a date and time like 2026-03-14 09:30.",
        "format.time": "Enter a time like 09:30.",
        "format.email": "Enter an email address like name@example.org.",
        "format.uri": "Enter a web address starting with https://.",
        "format.phone": "Enter a phone number using digits, spaces and an optional leading +.",
        "format.other": "Enter a valid {format}.",
        "format.ipv4": "Enter an IPv4 address like 192.0.2.10.",
        "format.ipv6": "Enter an IPv6 address like 2001:db8::10.",
        "format.uuid": "Enter an identifier like 123e4567-e89b-12d3-a456-426614174000.",
        "format.hostname": "Enter a host name like www.example.org.",
        "date.min": "Enter a date on or after {date}.",
        "date.max": "Enter a date on or before {date}.",
        "minLength": "Enter at least {limit} characters.",
        "maxLength": "Enter at most {limit} characters.",
        "pattern": "This answer is not in the expected format.",
        "minimum": "Enter a value of at least {limit}.",
        "maximum": "Enter a value of at most {limit}.",
        "exclusiveMinimum": "Enter a value greater than {limit}.",
        "exclusiveMaximum": "Enter a value less than {limit}.",
        "multipleOf": "Enter a multiple of {limit}.",
        "minItems": "Add at least {limit}.",
        "maxItems": "Add at most {limit}.",
        "uniqueItems": "Each entry must be different.",
        "extra.one": "This form does not accept the extra answer {names}.",
        "extra.many": "This form does not accept the extra answers {names}.",
        "generic": "This answer is not valid.",
        "too_deep": "The answers are nested too deeply to be accepted.",
        "not_a_number": "Enter a number written with digits.",
        "unreadable_text": "This text contains a character that cannot be stored. Type it again or remove it.",
        "too_large": "The answers are too large (over 1 MB). Shorten long texts or attach them as files.",
        "form_too_deep": "The answers could not be checked because the form is nested too deeply.",
        "outside_reference": "This form refers to a definition outside itself, which is not allowed. "
                              "Its designer must correct it.",
        "file.empty": "The file “{name}” is empty. Choose the file again, or another one.",
        "file.too_large": "The file “{name}” is too large: the limit is {size}. Send a smaller file (for a photo, "
                          "a lower resolution).",
        "file.kind": "The file “{name}” is not an accepted kind of file. Accepted: {kinds}.",
        "file.not_a_file_field": "This question does not take a file.",
        "file.refused": "This file cannot be accepted. Choose another file.",
        "file.no_kinds": "This question cannot take files: its form names no kind of file that can be checked. "
                         "Please tell the office that published the form.",
        "file.missing": "A file in your answers could not be found. Attach it again.",
        "file.too_many": "Send at most {limit} files with one answer.",
        "file.form_limit.none": "This form takes no files. Remove this file to send your request.",
        "file.form_limit.one": "This form takes only one file in all. Remove this file (or the other one) to send "
                               "your request.",
        "file.form_limit.many": "This form takes at most {limit} files in all. Remove this file (or another one) to "
                                "send your request.",
        "file.megabytes": "{size} MB",
        "kind.pdf": "PDF",
        "kind.png": "PNG image",
        "kind.jpeg": "JPEG photo",
        "kind.gif": "GIF image",
        "kind.webp": "WebP image",
        "kind.heic": "iPhone photo (HEIC)",
        "kind.txt": "plain text",
        "kind.docx": "Word document (.docx)",
        "quoted": "“{text}”",
        "value.true": "yes",
        "value.false": "no",
        "value.null": "empty",
    },
    "fr": {
        "required": "Ce champ est obligatoire.",
        "type": "Saisissez {types}.",
        "or": " ou ",
        "type.string": "un texte",
        "type.integer": "un nombre entier",
        "type.number": "un nombre",
        "type.boolean": "oui ou non",
        "type.array": "une liste",
        "type.object": "un groupe de réponses",
        "type.null": "rien",
        "choose": "Choisissez l’une des options : {choices}.",
        "const": "La valeur doit être {value}.",
        "no_option": "Cette réponse ne correspond à aucune des options permises.",
        "format.date": "Saisissez une date au format 2026-03-14 (année-mois-jour).",
        "format.date-time": "Saisissez une date et une heure au format 2026-03-14 09:30.",
        "format.time": "Saisissez une heure comme 09:30.",
        "format.email": "Saisissez une adresse e-mail comme nom@exemple.fr.",
        "format.uri": "Saisissez une adresse web commençant par https://.",
        "format.phone": "Saisissez un numéro de téléphone avec des chiffres, des espaces et éventuellement un + "
                        "au début.",
        "format.other": "Saisissez une valeur valide ({format}).",
        "format.ipv4": "Saisissez une adresse IPv4 comme 192.0.2.10.",
        "format.ipv6": "Saisissez une adresse IPv6 comme 2001:db8::10.",
        "format.uuid": "Saisissez un identifiant comme 123e4567-e89b-12d3-a456-426614174000.",
        "format.hostname": "Saisissez un nom d’hôte comme www.exemple.fr.",
        "date.min": "Saisissez une date égale ou postérieure au {date}.",
        "date.max": "Saisissez une date égale ou antérieure au {date}.",
        "minLength": "Saisissez au moins {limit} caractères.",
        "maxLength": "Saisissez au plus {limit} caractères.",
        "pattern": "Cette réponse n’a pas le format attendu.",
        "minimum": "Saisissez une valeur d’au moins {limit}.",
        "maximum": "Saisissez une valeur d’au plus {limit}.",
        "exclusiveMinimum": "Saisissez une valeur supérieure à {limit}.",
        "exclusiveMaximum": "Saisissez une valeur inférieure à {limit}.",
        "multipleOf": "Saisissez un multiple de {limit}.",
        "minItems": "Ajoutez-en au moins {limit}.",
        "maxItems": "Ajoutez-en au plus {limit}.",
        "uniqueItems": "Chaque entrée doit être différente.",
        "extra.one": "Ce formulaire n’accepte pas la réponse supplémentaire {names}.",
        "extra.many": "Ce formulaire n’accepte pas les réponses supplémentaires {names}.",
        "generic": "Cette réponse n’est pas valide.",
        "too_deep": "Les réponses sont trop imbriquées pour être acceptées.",
        "not_a_number": "Saisissez un nombre écrit en chiffres.",
        "unreadable_text": "Ce texte contient un caractère qui ne peut pas être enregistré. Saisissez-le à nouveau ou supprimez-le.",
        "too_large": "Les réponses sont trop volumineuses (plus de 1 Mo). Raccourcissez les textes longs ou "
                     "joignez-les en fichiers.",
        "form_too_deep": "Les réponses n’ont pas pu être vérifiées car le formulaire est trop imbriqué.",
        "outside_reference": "Ce formulaire renvoie à une définition extérieure, ce qui n’est pas permis. "
                              "Son concepteur doit le corriger.",
        "file.empty": "Le fichier « {name} » est vide. Choisissez-le à nouveau, ou un autre fichier.",
        "file.too_large": "Le fichier « {name} » est trop volumineux : la limite est de {size}. Envoyez un fichier "
                          "plus petit (pour une photo, une résolution plus basse).",
        "file.kind": "Le fichier « {name} » n’est pas d’un type accepté. Types acceptés : {kinds}.",
        "file.not_a_file_field": "Cette question n’accepte pas de fichier.",
        "file.refused": "Ce fichier ne peut pas être accepté. Choisissez un autre fichier.",
        "file.no_kinds": "Cette question ne peut pas recevoir de fichier : son formulaire n’indique aucun type de "
                         "fichier vérifiable. Signalez-le au service qui a publié le formulaire.",
        "file.missing": "Un fichier de vos réponses est introuvable. Joignez-le à nouveau.",
        "file.too_many": "Envoyez au plus {limit} fichiers avec une réponse.",
        "file.form_limit.none": "Ce formulaire n’accepte aucun fichier. Retirez ce fichier pour envoyer votre demande.",
        "file.form_limit.one": "Ce formulaire n’accepte qu’un seul fichier au total. Retirez ce fichier (ou l’autre) "
                               "pour envoyer votre demande.",
        "file.form_limit.many": "Ce formulaire accepte au plus {limit} fichiers au total. Retirez ce fichier (ou un "
                                "autre) pour envoyer votre demande.",
        "file.megabytes": "{size} Mo",
        "kind.pdf": "PDF",
        "kind.png": "image PNG",
        "kind.jpeg": "photo JPEG",
        "kind.gif": "image GIF",
        "kind.webp": "image WebP",
        "kind.heic": "photo iPhone (HEIC)",
        "kind.txt": "texte brut",
        "kind.docx": "document Word (.docx)",
        "quoted": "« {text} »",
        "value.true": "oui",
        "value.false": "non",
        "value.null": "vide",
    },
}


def resolve(locale: str) -> str:
    """The table to use for ``locale``: itself, its language ("fr-BE" → "fr"), or English."""
    for candidate in (locale, locale.split("-")[0]):
        if candidate in MESSAGES:
            return candidate
    return FALLBACK


def table(locale: str) -> dict[str, str]:
    """The messages of ``locale``, or of its language, or English."""
    return MESSAGES[resolve(locale)]


def number(value: object, locale: str) -> str:
    """A limit with the locale's decimal mark (2.5 / 2,5); ungrouped, as people type it into the field."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_decimal(value, locale=resolve(locale), group_separator=False)
    return str(value)
