"""The builder's lint messages, per locale: what a designer reads under "Check and publish".

Plain data, so the core stays free of the interface's gettext catalogues (like
``builder.validation_messages`` and ``builder.mail_templates``). A ``Finding`` carries a key of
``MESSAGES`` and its parameters; ``render`` fills them in the designer's language. Every locale has
every key (a unit test checks it); a locale without a table uses English.

Parameters are filled by kind: whole numbers are written the locale's way (100,000 / 100 000),
``language`` / ``default`` are language codes named in the reader's language (with ``language_title``
capitalised for the start of a sentence), and ``condition`` is a ``(field label, operator, value)``
triple said in words.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from babel.numbers import format_decimal

from builder.translations import language_name

FALLBACK = "en"

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "no_fields": "The form has no fields yet. Add at least one.",
        "unplaced": "“{label}” is on no page, so residents never see it.",
        "duplicate_label": "Two fields are called “{label}”; residents and reviewers cannot tell them apart.",
        "no_options": "“{label}” is a choice with no options to choose from.",
        "field_pattern": "“{label}”: the pattern cannot be used ({detail}); backreferences like \\1 and "
                         "look-arounds like (?=...) are not supported.",
        "shown_when_missing": "“{label}” is shown when “{source}” …, but there is no such field any more.",
        "required_when_missing": "“{label}” is required when “{source}” …, but there is no such field any more.",
        "never_shown_required": "“{label}” is a required field that can never be shown: no answer to “{source}” "
                                "makes {condition} true.",
        "never_applies": "“{label}” is a rule that can never apply: no answer to “{source}” makes {condition} true.",
        "no_steps": "The form has no approval steps: every request is approved at once.",
        "step_no_group": "Step {number} “{name}”: there is no group called “{group}”.",
        "step_empty_group": "Step {number} “{name}”: the group “{group}” has no members, so nobody could decide.",
        "step_too_few": "Step {number} “{name}” needs {needed} approvals but “{group}” has only {size} members.",
        "step_missing_field": "Step {number} “{name}” applies only when “{source}” …, but there is no such field "
                              "any more.",
        "step_never": "Step {number} “{name}” can never apply: no answer makes {condition} true.",
        "step_no_approve": "Step {number} “{name}” does not offer “approve”, so requests can never get past it.",
        "missing_translations.one": "{language_title}: 1 text has no translation; residents who choose {language} "
                                    "read it in {default}.",
        "missing_translations.many": "{language_title}: {count} texts have no translation; residents who choose "
                                     "{language} read them in {default}.",
        "stale_translations.one": "{language_title}: 1 translation was made for an earlier version of the text; "
                                  "check them.",
        "stale_translations.many": "{language_title}: {count} translations were made for an earlier version of the "
                                   "text; check them.",
        "attachment_types": "The form's attachment settings name file types that cannot be recognised, so they are "
                            "not accepted in file fields without types of their own: {names}.",
        "uneditable.one": "The builder cannot show or edit the field {names}: it is written with JSON Schema "
                          "keywords the builder does not use (dependentSchemas, oneOf, a top-level if/then…). "
                          "Edit it under Advanced (JSON).",
        "uneditable.many": "The builder cannot show or edit the fields {names}: they are written with JSON Schema "
                           "keywords the builder does not use (dependentSchemas, oneOf, a top-level if/then…). "
                           "Edit them under Advanced (JSON).",
        "renderer": "{detail}",
        "limit_too_large": "The form is too large ({size} kB); the limit is {limit} kB. Split it into several forms.",
        "limit_too_deep": "The form is nested more than {limit} levels deep. Flatten its groups.",
        "limit_too_many_fields": "The form has {count} fields; the limit is {limit}.",
        "limit_max_length": "{where}A maximum length over {limit} characters is not allowed.",
        "limit_max_items": "{where}A list may not allow more than {limit} entries.",
        "limit_unique_items": "{where}“Each entry must be different” (uniqueItems) works only on lists of simple "
                              "values, not of groups.",
        "unsafe_pattern": "{where}The pattern {pattern} cannot be used ({detail}); backreferences like \\1 and "
                          "look-arounds like (?=...) are not supported.",
        "outside_reference": "{where}Only references inside the form (#/$defs/…) are allowed, not {ref}.",
        "invalid_schema": "{where}This is not valid JSON Schema: {detail}",
        "schema_too_deep": "The schema is nested too deeply.",
        "not_an_object": "The answers of a form must be an object (type: object).",
        "where": "“{label}”: ",
        "publishing_check": "{detail}",
        "condition.is": "is",
        "condition.is_not": "is not",
        "condition.one_of": "is one of",
        "condition.greater_than": "is greater than",
        "condition.less_than": "is less than",
        "condition.answered": "is filled in",
        "yes": "yes",
        "no": "no",
        "list_separator": ", ",
        "quoted": "“{text}”",
        "orphaned_translations.one": "{language_title}: this translation is for a text that no longer exists: "
                                     "{names}. Residents never read it; remove it under Advanced (JSON).",
        "orphaned_translations.many": "{language_title}: {count} translations are for texts that no longer exist: "
                                      "{names}. Residents never read them; remove them under Advanced (JSON).",
    },
    "fr": {
        "no_fields": "Le formulaire n’a encore aucun champ. Ajoutez-en au moins un.",
        "unplaced": "« {label} » ne figure sur aucune page : les usagers ne le voient jamais.",
        "duplicate_label": "Deux champs s’appellent « {label} » ; les usagers et les agents ne peuvent pas les "
                           "distinguer.",
        "no_options": "« {label} » est un choix sans aucune option.",
        "field_pattern": "« {label} » : le modèle ne peut pas être utilisé ({detail}) ; les références arrière "
                         "comme \\1 et les assertions comme (?=...) ne sont pas prises en charge.",
        "shown_when_missing": "« {label} » est affiché quand « {source} » …, mais ce champ n’existe plus.",
        "required_when_missing": "« {label} » est obligatoire quand « {source} » …, mais ce champ n’existe plus.",
        "never_shown_required": "« {label} » est un champ obligatoire qui ne peut jamais s’afficher : aucune "
                                "réponse à « {source} » ne rend vrai {condition}.",
        "never_applies": "« {label} » a une règle qui ne peut jamais s’appliquer : aucune réponse à « {source} » "
                         "ne rend vrai {condition}.",
        "no_steps": "Le formulaire n’a aucune étape d’approbation : chaque demande est acceptée aussitôt.",
        "step_no_group": "Étape {number} « {name} » : il n’existe pas de groupe « {group} ».",
        "step_empty_group": "Étape {number} « {name} » : le groupe « {group} » n’a aucun membre, personne ne "
                            "pourrait donc décider.",
        "step_too_few": "L’étape {number} « {name} » demande {needed} approbations, mais « {group} » n’a que "
                        "{size} membres.",
        "step_missing_field": "L’étape {number} « {name} » ne s’applique que quand « {source} » …, mais ce champ "
                              "n’existe plus.",
        "step_never": "L’étape {number} « {name} » ne peut jamais s’appliquer : aucune réponse ne rend vrai "
                      "{condition}.",
        "step_no_approve": "L’étape {number} « {name} » ne propose pas « accepter » : les demandes ne peuvent "
                           "jamais la franchir.",
        "missing_translations.one": "{language_title} : 1 texte n’est pas traduit ; les usagers qui choisissent "
                                    "le {language} le lisent en {default}.",
        "missing_translations.many": "{language_title} : {count} textes ne sont pas traduits ; les usagers qui "
                                     "choisissent le {language} les lisent en {default}.",
        "stale_translations.one": "{language_title} : 1 traduction a été faite pour une version antérieure du "
                                  "texte ; vérifiez-la.",
        "stale_translations.many": "{language_title} : {count} traductions ont été faites pour une version "
                                   "antérieure du texte ; vérifiez-les.",
        "attachment_types": "Les réglages des pièces jointes du formulaire nomment des types de fichier qui ne "
                            "peuvent pas être reconnus ; ils ne sont donc pas acceptés dans les champs de fichier "
                            "sans types propres : {names}.",
        "uneditable.one": "Le concepteur ne peut pas afficher ni modifier le champ {names} : il est écrit avec des "
                          "mots-clés JSON Schema que le concepteur n’utilise pas (dependentSchemas, oneOf, un if/then "
                          "au premier niveau…). Modifiez-le sous Avancé (JSON).",
        "uneditable.many": "Le concepteur ne peut pas afficher ni modifier les champs {names} : ils sont écrits avec "
                           "des mots-clés JSON Schema que le concepteur n’utilise pas (dependentSchemas, oneOf, un "
                           "if/then au premier niveau…). Modifiez-les sous Avancé (JSON).",
        "renderer": "{detail}",
        "limit_too_large": "Le formulaire est trop volumineux ({size} ko) ; la limite est de {limit} ko. "
                           "Répartissez-le en plusieurs formulaires.",
        "limit_too_deep": "Le formulaire est imbriqué sur plus de {limit} niveaux. Aplatissez ses groupes.",
        "limit_too_many_fields": "Le formulaire a {count} champs ; la limite est de {limit}.",
        "limit_max_length": "{where}Une longueur maximale de plus de {limit} caractères n’est pas permise.",
        "limit_max_items": "{where}Une liste ne peut pas accepter plus de {limit} entrées.",
        "limit_unique_items": "{where}« Chaque entrée doit être différente » (uniqueItems) ne fonctionne que sur "
                              "des listes de valeurs simples, pas de groupes.",
        "unsafe_pattern": "{where}Le modèle {pattern} ne peut pas être utilisé ({detail}) ; les références "
                          "arrière comme \\1 et les assertions comme (?=...) ne sont pas prises en charge.",
        "outside_reference": "{where}Seules les références internes au formulaire (#/$defs/…) sont permises, "
                             "pas {ref}.",
        "invalid_schema": "{where}Ce n’est pas un JSON Schema valide : {detail}",
        "schema_too_deep": "Le schéma est trop imbriqué.",
        "not_an_object": "Les réponses d’un formulaire doivent former un objet (type: object).",
        "where": "« {label} » : ",
        "publishing_check": "{detail}",
        "condition.is": "est",
        "condition.is_not": "n’est pas",
        "condition.one_of": "est l’un de",
        "condition.greater_than": "est supérieur à",
        "condition.less_than": "est inférieur à",
        "condition.answered": "est rempli",
        "yes": "oui",
        "no": "non",
        "list_separator": ", ",
        "quoted": "« {text} »",
        "orphaned_translations.one": "{language_title} : cette traduction concerne un texte qui n’existe plus : "
                                     "{names}. Les usagers ne la lisent jamais ; supprimez-la sous Avancé (JSON).",
        "orphaned_translations.many": "{language_title} : {count} traductions concernent des textes qui n’existent "
                                      "plus : {names}. Les usagers ne les lisent jamais ; supprimez-les sous Avancé "
                                      "(JSON).",
    },
}

_LANGUAGE_PARAMS = frozenset({"language", "default"})


def resolve(locale: str) -> str:
    """The table to use for ``locale``: itself, its language ("fr-BE" → "fr"), or English."""
    for candidate in (locale, locale.split("-")[0].split("_")[0]):
        if candidate in MESSAGES:
            return candidate
    return FALLBACK


def render(key: str, params: Mapping[str, Any], locale: str) -> str:
    """The message ``key`` in ``locale`` with its parameters filled in."""
    code = resolve(locale)
    texts = MESSAGES[code]
    values: dict[str, Any] = {}
    for name, value in params.items():
        if name in _LANGUAGE_PARAMS:
            values[name] = language_name(str(value), code)
        elif name == "condition":
            values[name] = condition_words(value, code)
        elif name == "names":
            values[name] = texts["list_separator"].join(texts["quoted"].format(text=n) for n in value)
        elif name == "where":
            values[name] = texts["where"].format(label=value) if value else ""
        elif isinstance(value, int) and not isinstance(value, bool):
            values[name] = format_decimal(value, locale=code)
        else:
            values[name] = value
    if "language" in values:
        values["language_title"] = values["language"][:1].upper() + values["language"][1:]
    return texts[key].format(**values)


def condition_words(condition: tuple[str, str, Any], locale: str) -> str:
    """``("Type", "is", "Other")`` → ``“Type” is “Other”`` in ``locale``."""
    texts = MESSAGES[resolve(locale)]
    label, operator, value = condition
    name = texts["quoted"].format(text=label)
    words = texts.get(f"condition.{operator}", operator)
    if operator == "answered":
        return f"{name} {words}"
    values = value if operator == "one_of" and isinstance(value, list | tuple) else [value]
    shown = texts["list_separator"].join(_shown(v, texts) for v in values)
    return f"{name} {words} {shown}"


def _shown(value: Any, texts: dict[str, str]) -> str:
    if value is True:
        return texts["yes"]
    if value is False:
        return texts["no"]
    return texts["quoted"].format(text=value) if isinstance(value, str) else str(value)
