"""The sentences of "what changed between two versions", per locale: what a designer reads under "Versions".

Plain data, so the core stays free of the interface's gettext catalogues (like ``builder.lint_messages``).
``builder.diff`` picks a key of ``MESSAGES`` and its parameters; ``Words`` fills them in the designer's
language. Every locale has every key (a unit test checks it); a locale without a table uses English.

What the designer typed (labels, options, step and page names, texts) is quoted but never translated:
those are the form's own words. Counted sentences have a ``.one`` and an ``.other`` key, chosen by the
locale's plural rule (French says "1 jour" and "0 jour").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from babel import Locale
from babel.numbers import format_decimal

from builder import validation_messages
from builder.attachments import KIND_NAMES
from builder.conditions import Condition, operator_messages
from builder.editing import FIELD_KINDS, PATTERN_PRESETS
from builder.translations import language_name

FALLBACK = "en"

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        # The form's own texts.
        "title": "Title",
        "description": "Description",
        "form_text_changed": "{what} changed from {before} to {after}.",
        # Fields and the questions of a repeating group.
        "field": "Field “{label}”",
        "field_added": "Field “{label}” added.",
        "field_removed": "Field “{label}” removed.",
        "field_renamed": "Field “{old}” renamed to “{new}”.",
        "changed": "{who}: {what} changed from {before} to {after}.",
        "now_shown": "{who}: now shown {now} (was {was}).",
        "now_required": "{who}: now required {now} (was {was}).",
        "rule_messages_changed": "{who}: its messages for single rules changed.",
        "advanced_changed": "{who}: its advanced settings (written in JSON) changed.",
        "fields_order": "The order of the fields changed.",
        "question": "{who}, question “{label}”",
        "question_added": "{who}: question “{label}” added to each entry.",
        "question_removed": "{who}: question “{label}” removed from each entry.",
        "question_renamed": "{who}: question “{old}” renamed to “{new}”.",
        "questions_order": "{who}: the order of the questions for each entry changed.",
        "aspect.kind": "type",
        "aspect.help": "help text",
        "aspect.placeholder": "example in the empty box",
        "aspect.required": "required",
        "aspect.options": "options",
        "aspect.dropdown": "shown as",
        "aspect.min_value": "lowest allowed",
        "aspect.max_value": "highest allowed",
        "aspect.min_length": "fewest characters",
        "aspect.max_length": "most characters",
        "aspect.pattern": "allowed format",
        "aspect.earliest_date": "earliest date",
        "aspect.latest_date": "latest date",
        "aspect.file_types": "allowed file types",
        "aspect.max_size_mb": "largest file (MB)",
        "aspect.error_message": "message when a rule is broken",
        "aspect.min_items.choices": "fewest choices",
        "aspect.max_items.choices": "most choices",
        "aspect.min_items.entries": "fewest entries",
        "aspect.max_items.entries": "most entries",
        "dropdown": "a dropdown list",
        "buttons": "buttons",
        "no_limit": "no limit",
        "today": "today",
        "days_after.one": "{count} day after today",
        "days_after.other": "{count} days after today",
        "days_before.one": "{count} day before today",
        "days_before.other": "{count} days before today",
        # Conditions: "shown when …", "this step applies when …".
        "when": "when {condition}",
        "always": "always",
        "advanced_rule": "an advanced rule",
        **operator_messages("en"),
        # Pages.
        "pages_changed": "Pages changed from {before} to {after}.",
        "field_moved": "Field “{label}” moved to page “{page}”.",
        # Approval steps.
        "step": "Approval step “{name}”",
        "step_added": "Approval step “{name}” added.",
        "step_removed": "Approval step “{name}” removed.",
        "step_renamed": "Approval step “{old}” renamed to “{new}”.",
        "steps_order": "The order of the approval steps changed.",
        "step_aspect.group": "group",
        "step_aspect.policy": "who must approve",
        "step_aspect.approvals_needed": "approvals needed",
        "step_aspect.sla_days": "working days allowed",
        "step_aspect.actions": "what reviewers can do",
        "step_aspect.comments_visible_to_resident": "resident sees comments",
        "step_aspect.condition": "when it applies",
        "policy.any": "any one member",
        "policy.all": "all members",
        "policy.n": "a number of members",
        "action.approve": "approve",
        "action.reject": "reject",
        "action.return": "return to the resident for more information",
        "action.comment": "comment",
        "action.reassign": "pass to another group",
        # Settings.
        "setting_changed": "Setting “{what}” changed from {before} to {after}.",
        "setting.submission": "who may submit",
        "setting.confirmation_text": "text after submitting",
        "setting.reference_prefix": "reference prefix",
        "setting.retention_days": "days approved or rejected requests are kept",
        "setting.retention_withdrawn_days": "days withdrawn requests are kept",
        "setting.retention_abandoned_days": "days before a request the resident never answered is closed and removed",
        "setting.personal_data": "fields holding personal data",
        "setting.open_data": "fields that may be published as open data",
        "setting.contact_email_field": "send updates to the address in",
        "setting.default_locale": "language the form is written in",
        "submission.anonymous": "anyone, without an account",
        "submission.signed_in": "only residents who have signed in",
        "same_period": "as long as approved or rejected requests",
        "no_field": "no field",
        "attachments_changed": "The default rules for attachments changed.",
        # Translations.
        "translation_added": "{language_title} translation added.",
        "translation_removed": "{language_title} translation removed.",
        "translations_changed.one": "{language_title}: {count} translated text changed.",
        "translations_changed.other": "{language_title}: {count} translated texts changed.",
        # How values read.
        "nothing": "nothing",
        "yes": "yes",
        "no": "no",
        "quoted": "“{text}”",
        "list_separator": ", ",
        **{f"kind.{kind}": words for kind, words in FIELD_KINDS.items()},
        **{f"preset.{key}": words for key, (words, _pattern) in PATTERN_PRESETS.items()},
    },
    "fr": {
        "title": "Titre",
        "description": "Description",
        "form_text_changed": "{what} : était {before}, devient {after}.",
        "field": "Champ « {label} »",
        "field_added": "Champ « {label} » ajouté.",
        "field_removed": "Champ « {label} » supprimé.",
        "field_renamed": "Champ « {old} » renommé en « {new} ».",
        "changed": "{who} : {what} — était {before}, devient {after}.",
        "now_shown": "{who} : désormais affiché {now} (auparavant {was}).",
        "now_required": "{who} : désormais obligatoire {now} (auparavant {was}).",
        "rule_messages_changed": "{who} : ses messages propres à chaque règle ont changé.",
        "advanced_changed": "{who} : ses réglages avancés (écrits en JSON) ont changé.",
        "fields_order": "L’ordre des champs a changé.",
        "question": "{who}, question « {label} »",
        "question_added": "{who} : question « {label} » ajoutée à chaque entrée.",
        "question_removed": "{who} : question « {label} » retirée de chaque entrée.",
        "question_renamed": "{who} : question « {old} » renommée en « {new} ».",
        "questions_order": "{who} : l’ordre des questions de chaque entrée a changé.",
        "aspect.kind": "type",
        "aspect.help": "texte d’aide",
        "aspect.placeholder": "exemple dans la case vide",
        "aspect.required": "obligatoire",
        "aspect.options": "options",
        "aspect.dropdown": "affichage",
        "aspect.min_value": "minimum autorisé",
        "aspect.max_value": "maximum autorisé",
        "aspect.min_length": "nombre minimal de caractères",
        "aspect.max_length": "nombre maximal de caractères",
        "aspect.pattern": "format autorisé",
        "aspect.earliest_date": "date au plus tôt",
        "aspect.latest_date": "date au plus tard",
        "aspect.file_types": "types de fichiers autorisés",
        "aspect.max_size_mb": "taille maximale du fichier (Mo)",
        "aspect.error_message": "message quand une règle n’est pas respectée",
        "aspect.min_items.choices": "nombre minimal de choix",
        "aspect.max_items.choices": "nombre maximal de choix",
        "aspect.min_items.entries": "nombre minimal d’entrées",
        "aspect.max_items.entries": "nombre maximal d’entrées",
        "dropdown": "une liste déroulante",
        "buttons": "des boutons",
        "no_limit": "aucune limite",
        "today": "aujourd’hui",
        "days_after.one": "{count} jour après aujourd’hui",
        "days_after.other": "{count} jours après aujourd’hui",
        "days_before.one": "{count} jour avant aujourd’hui",
        "days_before.other": "{count} jours avant aujourd’hui",
        "when": "quand {condition}",
        "always": "toujours",
        "advanced_rule": "une règle avancée",
        **operator_messages("fr"),
        "pages_changed": "Pages : étaient {before}, deviennent {after}.",
        "field_moved": "Champ « {label} » déplacé sur la page « {page} ».",
        "step": "Étape d’approbation « {name} »",
        "step_added": "Étape d’approbation « {name} » ajoutée.",
        "step_removed": "Étape d’approbation « {name} » supprimée.",
        "step_renamed": "Étape d’approbation « {old} » renommée en « {new} ».",
        "steps_order": "L’ordre des étapes d’approbation a changé.",
        "step_aspect.group": "groupe",
        "step_aspect.policy": "qui doit accepter",
        "step_aspect.approvals_needed": "acceptations nécessaires",
        "step_aspect.sla_days": "jours ouvrés accordés",
        "step_aspect.actions": "ce que les instructeurs peuvent faire",
        "step_aspect.comments_visible_to_resident": "l’habitant voit les commentaires",
        "step_aspect.condition": "quand elle s’applique",
        "policy.any": "un seul membre",
        "policy.all": "tous les membres",
        "policy.n": "un nombre donné de membres",
        "action.approve": "accepter",
        "action.reject": "refuser",
        "action.return": "renvoyer à l’habitant pour complément d’information",
        "action.comment": "commenter",
        "action.reassign": "transmettre à un autre groupe",
        "setting_changed": "Réglage « {what} » : était {before}, devient {after}.",
        "setting.submission": "qui peut envoyer",
        "setting.confirmation_text": "texte après l’envoi",
        "setting.reference_prefix": "préfixe des références",
        "setting.retention_days": "jours de conservation des demandes acceptées ou refusées",
        "setting.retention_withdrawn_days": "jours de conservation des demandes retirées",
        "setting.retention_abandoned_days": "jours avant qu’une demande à laquelle l’habitant n’a jamais répondu "
                                            "soit close et supprimée",
        "setting.personal_data": "champs contenant des données personnelles",
        "setting.open_data": "champs publiables en données ouvertes",
        "setting.contact_email_field": "envoyer les nouvelles à l’adresse saisie dans",
        "setting.default_locale": "langue dans laquelle le formulaire est rédigé",
        "submission.anonymous": "tout le monde, sans compte",
        "submission.signed_in": "seulement les habitants connectés",
        "same_period": "aussi longtemps que les demandes acceptées ou refusées",
        "no_field": "aucun champ",
        "attachments_changed": "Les règles par défaut des pièces jointes ont changé.",
        "translation_added": "Traduction en {language} ajoutée.",
        "translation_removed": "Traduction en {language} supprimée.",
        "translations_changed.one": "{language_title} : {count} texte traduit a changé.",
        "translations_changed.other": "{language_title} : {count} textes traduits ont changé.",
        "nothing": "rien",
        "yes": "oui",
        "no": "non",
        "quoted": "« {text} »",
        "list_separator": ", ",
        "kind.short_text": "Texte court",
        "kind.long_text": "Texte long",
        "kind.number": "Nombre",
        "kind.money": "Montant",
        "kind.date": "Date",
        "kind.time": "Heure",
        "kind.yes_no": "Oui / non",
        "kind.one_choice": "Choix unique",
        "kind.several_choices": "Choix multiples",
        "kind.email": "Adresse e-mail",
        "kind.phone": "Numéro de téléphone",
        "kind.address": "Adresse",
        "kind.file": "Envoi de fichier",
        "kind.text_block": "Titre de section / texte explicatif",
        "kind.repeating_group": "Groupe répétable (« ajouter un autre »)",
        "preset.postcode": "Code postal (lettres, chiffres, espaces)",
        "preset.uk_postcode": "Code postal britannique",
        "preset.nl_postcode": "Code postal néerlandais (1234 AB)",
        "preset.zip_code": "Code ZIP américain",
        "preset.digits": "Chiffres uniquement",
        "preset.letters": "Lettres et espaces uniquement",
        "preset.licence_plate": "Immatriculation",
        "preset.iban": "Compte bancaire IBAN",
    },
}


def resolve(locale: str) -> str:
    """The table to use for ``locale``: itself, its language ("fr-BE" → "fr"), or English."""
    for candidate in (locale, locale.split("-")[0].split("_")[0]):
        if candidate in MESSAGES:
            return candidate
    return FALLBACK


@dataclass(frozen=True)
class Words:
    """The diff's sentences and values in one locale."""

    code: str

    @classmethod
    def of(cls, locale: str) -> Words:
        return cls(resolve(locale))

    def say(self, key: str, /, **params: Any) -> str:
        return MESSAGES[self.code][key].format(**params)

    def counted(self, key: str, count: int, /, **params: Any) -> str:
        """``key.one`` or ``key.other`` as the locale's plural rule wants for ``count``, which fills ``{count}``."""
        form = "one" if Locale.parse(self.code).plural_form(abs(count)) == "one" else "other"
        return self.say(f"{key}.{form}", count=format_decimal(count, locale=self.code), **params)

    def word(self, key: str, default: str) -> str:
        """A value's words; ``default`` (the stored value) for one without a key, e.g. an imported kind."""
        return MESSAGES[self.code].get(key, default)

    def quoted(self, text: Any) -> str:
        return self.say("quoted", text=text)

    def shown(self, value: Any) -> str:
        """A value as typed: quoted, a list of them, yes / no, or nothing."""
        if value in (None, "", (), []):
            return self.say("nothing")
        if isinstance(value, bool):
            return self.say("yes" if value else "no")
        if isinstance(value, (tuple, list)):
            return self.listed(self.quoted(v) for v in value)
        return self.quoted(value)

    def listed(self, items: Iterable[str]) -> str:
        return self.say("list_separator").join(items)

    def language(self, code: str) -> str:
        """A language named in this locale, as inside a sentence (``French`` / ``français``)."""
        return language_name(code, self.code)

    def language_title(self, code: str) -> str:
        name = self.language(code)
        return name[:1].upper() + name[1:]

    def file_kind(self, kind: str | None, stored: str) -> str:
        """A kind of file builder.attachments recognises; a type it does not know stays as stored."""
        names = validation_messages.table(self.code)
        return names.get(f"kind.{kind}", KIND_NAMES.get(kind or "", stored)) if kind else stored

    def condition(self, condition: Condition, label: str | None) -> str:
        """``“Type” is “Other”``: the field by its label, the operator in words, the values as typed."""
        name = self.quoted(label or condition.field)
        operator = self.say(f"condition.{condition.operator}")
        if condition.operator in ("answered", "not_answered"):
            return f"{name} {operator}"
        values = condition.value if condition.operator == "one_of" else [condition.value]
        return f"{name} {operator} {self.listed(self._condition_value(v) for v in values)}"

    def _condition_value(self, value: Any) -> str:
        if isinstance(value, bool):
            return self.say("yes" if value else "no")
        return self.quoted(value) if isinstance(value, str) else str(value)
