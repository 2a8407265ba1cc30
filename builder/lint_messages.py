"""The builder's lint messages, per locale: what a designer reads under "Check and publish".

Plain data, so the core stays free of the interface's gettext catalogues (like
``builder.validation_messages`` and ``builder.mail_templates``). A ``Finding`` carries a key of
``MESSAGES`` and its parameters; ``render`` fills them in the designer's language. Every locale has
every key (a unit test checks it); a locale without a table uses English.

Parameters are filled by kind: whole numbers are written the locale's way (100,000 / 100 000),
``language`` / ``default`` are language codes named in the reader's language (with ``language_title``
capitalised for the start of a sentence), and ``condition`` is a ``(field label, operator, value)``
triple said in words.

The refusals of publishing and what the renderer cannot honour are ``KeyedFieldError``s: a
``FieldError`` whose ``message`` stays English (logs, ``DefinitionInvalid``'s summary) and which also
carries its key and parameters, so ``localized(error, locale)`` says it in the designer's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from babel.numbers import format_decimal

from builder.conditions import operator_messages
from builder.errors import FieldError
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
        **operator_messages("en"),
        "yes": "yes",
        "no": "no",
        "list_separator": ", ",
        "quoted": "“{text}”",
        "orphaned_translations.one": "{language_title}: this translation is for a text that no longer exists: "
                                     "{names}. Residents never read it; remove it under Advanced (JSON).",
        "orphaned_translations.many": "{language_title}: {count} translations are for texts that no longer exist: "
                                      "{names}. Residents never read them; remove them under Advanced (JSON).",
        # The refusals of publishing (``builder.publishing_checks``); the English is the log's text, unchanged.
        "publish_step_no_group": "Step “{name}”: there is no group called “{group}”.",
        "publish_invalid_schema": "{detail}",  # jsonschema's own words: only English exists
        "publish_open_form": "This form would accept and store answers to questions it does not ask (for example a "
                             "made-up “status”). Close it: set “unevaluatedProperties” to false at the top of the "
                             "schema.",
        "publish_pattern": "The pattern {pattern}: this pattern cannot be used ({detail}); backreferences like \\1 "
                           "and look-arounds like (?=...) are not supported.",
        "unsafe_text.script": "The text “{text}” contains a script link (javascript:). Write plain text instead.",
        "unsafe_text.data": "The text “{text}” contains an embedded data: link. Write plain text instead.",
        "unsafe_text.image": "The text “{text}” contains an image; images from other sites are not allowed. Write "
                             "plain text instead.",
        "unsafe_text.html": "The text “{text}” contains HTML tags. Write plain text instead.",
        "unsafe_text.control": "The text “{text}” contains invisible control characters. Write plain text instead.",
        # What the form renderer cannot honour (``builder.renderer_support``).
        "renderer.label_hidden": "Hiding the label works only for a checkbox: every other question keeps its label, "
                                 "so that residents (and screen readers) know what it asks.",
        "renderer.page_unknown_field": "Page {number} lists “{name}”, which is not a question of this form.",
        "renderer.unplaced": "The question “{name}” is on no page, so residents could never answer it.",
        "renderer.unknown_keyword": "“{key}” is not a JSON Schema keyword; it would be ignored, so the rule it meant "
                                    "would not be checked.",
        "renderer.unknown_keyword_suggested": "“{key}” is not a JSON Schema keyword (did you mean “{known}”?); it "
                                              "would be ignored, so the rule it meant would not be checked.",
        "renderer.not_shown.prefixItems": "“prefixItems”: a list whose entries each have their own type cannot be "
                                          "shown as a form; use items.",
        "renderer.not_shown.patternProperties": "“patternProperties”: fields with names chosen by the resident "
                                                "cannot be shown; list the properties.",
        "renderer.not_shown.contains": "“contains”: “at least one entry like …” cannot be shown as a form; use "
                                       "minItems on an enum list.",
        "renderer.unknown_widget": "The widget “{widget}” is not available. Available widgets: {known}.",
        "renderer.unknown_option": "The display option “{option}” is not supported.",
        "renderer.not_honoured.ui:autofocus": "“ui:autofocus” is not honoured: the form cannot put the cursor in a "
                                              "question when it opens. Remove it.",
        "renderer.not_honoured.ui:classNames": "“ui:classNames” is not honoured: the form has no style classes to "
                                               "apply. Remove it.",
        "renderer.unknown_ui_key": "“{key}” is not a display setting the form understands.",
        # Issue 3: groups left open, references the form cannot follow, formats that check nothing.
        "publish_open_group": "{where}This group is written to accept answers to questions it does not ask "
                              "(“{keyword}: true”), so a crafted answer could slip made-up values into it. Remove "
                              "“{keyword}” or set it to false.",
        "reference.anchor": "{where}The reference {ref} names an anchor; the form can only follow paths like "
                            "“#/$defs/address”. Point it at the definition itself.",
        "reference.whole": "{where}The reference {ref} puts the whole form inside itself, so the form would never "
                           "end. Point it at one definition under $defs instead.",
        "reference.nowhere": "{where}The reference {ref} points to nothing in the form. Check its spelling against "
                             "the names under $defs.",
        "reference.loop": "{where}The reference {ref} leads back to itself (directly or through other references), so "
                          "the form would never end. Break the loop.",
        "renderer.unchecked_format": "{where}The format “{format}” is not checked, so any text would be accepted. "
                                     "Use one of {known}, or a pattern.",
        "renderer.widget_wrong_kind": "{where}The widget “{widget}” cannot show {kind}, so the usual field is "
                                      "shown instead. Widgets for {kind}: {known}.",
        "renderer.range_without_bounds": "{where}A slider (“range”) needs a minimum and a maximum; without both, a "
                                         "number box is shown instead.",
        "kind.text": "a text question",
        "kind.choice": "a question with one choice",
        "kind.number": "a number question",
        "kind.boolean": "a yes/no question",
        "kind.choices": "a question with several choices",
        "kind.file": "a file question",
        "kind.list": "a list",
        "kind.group": "a group of questions",
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
        **operator_messages("fr"),
        "yes": "oui",
        "no": "non",
        "list_separator": ", ",
        "quoted": "« {text} »",
        "orphaned_translations.one": "{language_title} : cette traduction concerne un texte qui n’existe plus : "
                                     "{names}. Les usagers ne la lisent jamais ; supprimez-la sous Avancé (JSON).",
        "orphaned_translations.many": "{language_title} : {count} traductions concernent des textes qui n’existent "
                                      "plus : {names}. Les usagers ne les lisent jamais ; supprimez-les sous Avancé "
                                      "(JSON).",
        "publish_step_no_group": "Étape « {name} » : il n’existe pas de groupe « {group} ».",
        "publish_invalid_schema": "Ce n’est pas un JSON Schema valide : {detail}",
        "publish_open_form": "Ce formulaire accepterait et enregistrerait des réponses à des questions qu’il ne pose "
                             "pas (par exemple un « status » inventé). Fermez-le : mettez « unevaluatedProperties » "
                             "à false au premier niveau du schéma.",
        "publish_pattern": "Le modèle {pattern} ne peut pas être utilisé ({detail}) ; les références arrière comme "
                           "\\1 et les assertions comme (?=...) ne sont pas prises en charge.",
        "unsafe_text.script": "Le texte « {text} » contient un lien de script (javascript:). Écrivez du texte "
                              "simple.",
        "unsafe_text.data": "Le texte « {text} » contient un lien data: intégré. Écrivez du texte simple.",
        "unsafe_text.image": "Le texte « {text} » contient une image ; les images d’autres sites ne sont pas "
                             "permises. Écrivez du texte simple.",
        "unsafe_text.html": "Le texte « {text} » contient des balises HTML. Écrivez du texte simple.",
        "unsafe_text.control": "Le texte « {text} » contient des caractères de contrôle invisibles. Écrivez du "
                               "texte simple.",
        "renderer.label_hidden": "Masquer le libellé n’est possible que pour une case à cocher : toute autre "
                                 "question garde son libellé, pour que les usagers (et les lecteurs d’écran) sachent "
                                 "ce qu’elle demande.",
        "renderer.page_unknown_field": "La page {number} cite « {name} », qui n’est pas une question de ce "
                                       "formulaire.",
        "renderer.unplaced": "La question « {name} » ne figure sur aucune page : les usagers ne pourraient jamais y "
                             "répondre.",
        "renderer.unknown_keyword": "« {key} » n’est pas un mot-clé JSON Schema ; il serait ignoré et la règle "
                                    "voulue ne serait pas vérifiée.",
        "renderer.unknown_keyword_suggested": "« {key} » n’est pas un mot-clé JSON Schema (vouliez-vous dire "
                                              "« {known} » ?) ; il serait ignoré et la règle voulue ne serait pas "
                                              "vérifiée.",
        "renderer.not_shown.prefixItems": "« prefixItems » : une liste dont chaque entrée a son propre type ne peut "
                                          "pas s’afficher dans un formulaire ; utilisez items.",
        "renderer.not_shown.patternProperties": "« patternProperties » : des champs dont l’usager choisit le nom ne "
                                                "peuvent pas s’afficher ; énumérez les propriétés.",
        "renderer.not_shown.contains": "« contains » : « au moins une entrée comme … » ne peut pas s’afficher dans "
                                       "un formulaire ; utilisez minItems sur une liste à choix (enum).",
        "renderer.unknown_widget": "Le widget « {widget} » n’est pas disponible. Widgets disponibles : {known}.",
        "renderer.unknown_option": "L’option d’affichage « {option} » n’est pas prise en charge.",
        "renderer.not_honoured.ui:autofocus": "« ui:autofocus » n’est pas pris en compte : le formulaire ne peut pas "
                                              "placer le curseur dans une question à l’ouverture. Retirez-le.",
        "renderer.not_honoured.ui:classNames": "« ui:classNames » n’est pas pris en compte : le formulaire n’a pas "
                                               "de classes de style à appliquer. Retirez-le.",
        "renderer.unknown_ui_key": "« {key} » n’est pas un réglage d’affichage que le formulaire comprend.",
        "publish_open_group": "{where}Ce groupe est écrit pour accepter des réponses à des questions qu’il ne pose "
                              "pas (« {keyword}: true ») : une réponse forgée pourrait y glisser des valeurs "
                              "inventées. Retirez « {keyword} » ou mettez-le à false.",
        "reference.anchor": "{where}La référence {ref} désigne une ancre ; le formulaire ne suit que des chemins "
                            "comme « #/$defs/adresse ». Faites-la pointer vers la définition elle-même.",
        "reference.whole": "{where}La référence {ref} place le formulaire entier à l’intérieur de lui-même : il ne "
                           "finirait jamais. Faites-la pointer vers une définition sous $defs.",
        "reference.nowhere": "{where}La référence {ref} ne pointe vers rien dans le formulaire. Vérifiez son "
                             "orthographe par rapport aux noms sous $defs.",
        "reference.loop": "{where}La référence {ref} ramène à elle-même (directement ou par d’autres références) : "
                          "le formulaire ne finirait jamais. Rompez la boucle.",
        "renderer.unchecked_format": "{where}Le format « {format} » n’est pas vérifié : n’importe quel texte serait "
                                     "accepté. Utilisez l’un de {known}, ou un modèle.",
        "renderer.widget_wrong_kind": "{where}Le widget « {widget} » ne peut pas afficher {kind} : le champ "
                                      "habituel est affiché à la place. Widgets pour {kind} : {known}.",
        "renderer.range_without_bounds": "{where}Un curseur (« range ») a besoin d’un minimum et d’un maximum ; sans "
                                         "les deux, une case de nombre est affichée à la place.",
        "kind.text": "une question de texte",
        "kind.choice": "une question à choix unique",
        "kind.number": "une question de nombre",
        "kind.boolean": "une question oui/non",
        "kind.choices": "une question à choix multiples",
        "kind.file": "une question de fichier",
        "kind.list": "une liste",
        "kind.group": "un groupe de questions",
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
        elif name == "kind":  # a kind of question (``kind.text``…), said in the reader's language
            values[name] = texts.get(str(value), str(value))
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
    if operator in ("answered", "not_answered"):
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


@dataclass(frozen=True)
class KeyedFieldError(FieldError):
    """A ``FieldError`` that can be said in any locale: ``key`` of ``MESSAGES`` and its parameters as
    ``(name, value)`` pairs. ``message`` is the English text, as for every other ``FieldError``."""

    key: str = "publishing_check"
    params: tuple[tuple[str, Any], ...] = ()

    def text(self, locale: str) -> str:
        return render(self.key, dict(self.params), locale)


def keyed_error(path: tuple[str | int, ...], key: str, /, *, message: str | None = None,
                **params: Any) -> KeyedFieldError:
    """The error ``key`` at ``path``; its ``message`` is the English text unless given (kept word for word)."""
    frozen = tuple((name, tuple(value) if isinstance(value, list) else value) for name, value in params.items())
    return KeyedFieldError(path, message if message is not None else render(key, dict(frozen), FALLBACK), key,
                           frozen)


def localized(error: FieldError, locale: str) -> str:
    """An error's words in ``locale``: keyed errors are translated, any other keeps its (English) message."""
    return error.text(locale) if isinstance(error, KeyedFieldError) else error.message
