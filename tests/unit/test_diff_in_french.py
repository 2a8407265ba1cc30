"""The Versions section's "what changed" in the designer's language (issue 9): every kind of sentence the diff
can say, in French, with the designer's own labels, options and names left as typed."""

from __future__ import annotations

import copy
import string
from collections.abc import Callable
from dataclasses import replace

import pytest

from builder import editing as ed
from builder import translations as tr
from builder.conditions import OPERATOR_WORDS, Condition
from builder.definition import STEP_ACTIONS
from builder.diff import describe_changes
from builder.diff_messages import MESSAGES
from tests.unit.test_builder_editing import _form

STEP = "Étape d’approbation « Check by the events office »"


def _placeholders(text: str) -> set[str]:
    """The parameters a sentence uses; a language may be named inside it or at its start, as the grammar wants."""
    names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    return {"language" if name == "language_title" else name for name in names}


def test_every_locale_has_every_sentence_with_the_same_placeholders() -> None:
    for locale, table in MESSAGES.items():
        assert sorted(MESSAGES["en"].keys() - table.keys()) == [], f"missing in {locale}"
        assert sorted(table.keys() - MESSAGES["en"].keys()) == [], f"unknown in {locale}"
        for key, text in table.items():
            assert _placeholders(text) == _placeholders(MESSAGES["en"][key]), (locale, key)


def test_every_operator_kind_preset_and_action_has_its_words() -> None:
    english = MESSAGES["en"]
    assert {f"condition.{o}" for o in OPERATOR_WORDS} <= english.keys()
    assert {f"kind.{k}" for k in ed.FIELD_KINDS} <= english.keys()
    assert {f"preset.{p}" for p in ed.PATTERN_PRESETS} <= english.keys()
    assert {f"action.{a}" for a in STEP_ACTIONS} <= english.keys()


def _in_french(old: dict, new: dict) -> list[str]:
    return describe_changes(old, new, "fr")


def _changes_of(edit: Callable[[dict], dict], start: Callable[[], dict] = _form) -> list[str]:
    old = start()
    return _in_french(old, edit(copy.deepcopy(old)))


def _edit_field(name: str, **changes: object) -> Callable[[dict], dict]:
    return lambda document: ed.put_field(document, replace(ed.read_field(document, name), **changes))


def _with(kind: str, label: str) -> Callable[[], dict]:
    return lambda: ed.add_field(_form(), kind, label)[0]


def test_the_forms_texts_and_fields_added_removed_renamed_and_reordered() -> None:
    old = _form()
    new = copy.deepcopy(old)
    new["title"], new["description"] = "Stand de marché", "Pour les marchés du samedi"
    new = ed.put_field(new, replace(ed.read_field(new, "kind_of_stall"), label="Type d’étal"))
    new = ed.delete_field(new, "expected_turnover")
    new, _name = ed.add_field(new, "email", "Courriel")
    new = ed.move_field(new, "what_else", -1)
    assert _in_french(old, new) == [
        "Titre : était « Market stall », devient « Stand de marché ».",
        "Description : était rien, devient « Pour les marchés du samedi ».",
        "Champ « Courriel » ajouté.",
        "Champ « Expected turnover » supprimé.",
        "Champ « Kind of stall » renommé en « Type d’étal ».",
        "L’ordre des champs a changé."]


@pytest.mark.parametrize(("edit", "start", "sentence"), [
    (_edit_field("what_else", kind="short_text"), _form,
     "Champ « What else » : type — était « Texte long », devient « Texte court »."),
    (_edit_field("kind_of_stall", help="Ce que vous vendez"), _form,
     "Champ « Kind of stall » : texte d’aide — était rien, devient « Ce que vous vendez »."),
    (_edit_field("kind_of_stall", placeholder="Food"), _form,
     "Champ « Kind of stall » : exemple dans la case vide — était rien, devient « Food »."),
    (_edit_field("kind_of_stall", required=True), _form,
     "Champ « Kind of stall » : obligatoire — était non, devient oui."),
    (_edit_field("kind_of_stall", options=("Food", "Toys")), _form,
     "Champ « Kind of stall » : options — était « Food », « Crafts », « Other », devient « Food », « Toys »."),
    (_edit_field("kind_of_stall", dropdown=True), _form,
     "Champ « Kind of stall » : affichage — était des boutons, devient une liste déroulante."),
    (_edit_field("expected_turnover", min_value=10), _form,
     "Champ « Expected turnover » : minimum autorisé — était « 0 », devient « 10 »."),
    (_edit_field("expected_turnover", max_value=5000), _form,
     "Champ « Expected turnover » : maximum autorisé — était rien, devient « 5000 »."),
    (_edit_field("what_else", min_length=2), _form,
     "Champ « What else » : nombre minimal de caractères — était rien, devient « 2 »."),
    (_edit_field("what_else", max_length=50), _form,
     "Champ « What else » : nombre maximal de caractères — était « 4000 », devient « 50 »."),
    (_edit_field("your_full_name", pattern="nl_postcode"), _form,
     "Champ « Your full name » : format autorisé — était rien, devient « Code postal néerlandais (1234 AB) »."),
    (_edit_field("your_full_name", pattern="^[A-Z]+$"), _form,
     "Champ « Your full name » : format autorisé — était rien, devient « ^[A-Z]+$ »."),
    (_edit_field("market_day", earliest_date="today+14"), _with("date", "Market day"),
     "Champ « Market day » : date au plus tôt — était aucune limite, devient 14 jours après aujourd’hui."),
    (_edit_field("market_day", earliest_date="today+1"), _with("date", "Market day"),
     "Champ « Market day » : date au plus tôt — était aucune limite, devient 1 jour après aujourd’hui."),
    (_edit_field("market_day", latest_date="today"), _with("date", "Market day"),
     "Champ « Market day » : date au plus tard — était aucune limite, devient aujourd’hui."),
    (_edit_field("market_day", latest_date="today-3"), _with("date", "Market day"),
     "Champ « Market day » : date au plus tard — était aucune limite, devient 3 jours avant aujourd’hui."),
    (_edit_field("market_day", latest_date="2027-06-30"), _with("date", "Market day"),
     "Champ « Market day » : date au plus tard — était aucune limite, devient « 2027-06-30 »."),
    (_edit_field("photo", file_types=("image/heic", "text/plain")), _with("file", "Photo"),
     "Champ « Photo » : types de fichiers autorisés — était « PDF », « photo JPEG », « image PNG », devient "
     "« photo iPhone (HEIC) », « texte brut »."),
    (_edit_field("photo", max_size_mb=2), _with("file", "Photo"),
     "Champ « Photo » : taille maximale du fichier (Mo) — était rien, devient « 2 »."),
    (_edit_field("what_else", error_message="Dites-nous en plus."), _form,
     "Champ « What else » : message quand une règle n’est pas respectée — était rien, devient « Dites-nous en "
     "plus. »."),
    (_edit_field("equipment", min_items=1), _with("several_choices", "Equipment"),
     "Champ « Equipment » : nombre minimal de choix — était rien, devient « 1 »."),
    (_edit_field("equipment", max_items=2), _with("several_choices", "Equipment"),
     "Champ « Equipment » : nombre maximal de choix — était rien, devient « 2 »."),
    (_edit_field("helpers", min_items=1), _with("repeating_group", "Helpers"),
     "Champ « Helpers » : nombre minimal d’entrées — était rien, devient « 1 »."),
    (_edit_field("helpers", max_items=4), _with("repeating_group", "Helpers"),
     "Champ « Helpers » : nombre maximal d’entrées — était rien, devient « 4 »."),
    (_edit_field("kind_of_stall", rule_messages={"enum": "Choisissez un type."}), _form,
     "Champ « Kind of stall » : ses messages propres à chaque règle ont changé."),
    (_edit_field("kind_of_stall", advanced={"$comment": "revu"}), _form,
     "Champ « Kind of stall » : ses réglages avancés (écrits en JSON) ont changé."),
])
def test_each_field_attribute_reads_in_french(edit: Callable[[dict], dict], start: Callable[[], dict],
                                              sentence: str) -> None:
    assert _changes_of(edit, start) == [sentence]


@pytest.mark.parametrize(("condition", "words"), [
    (Condition("kind_of_stall", "is", "Food"), "« Kind of stall » est « Food »"),
    (Condition("kind_of_stall", "is_not", "Food"), "« Kind of stall » n’est pas « Food »"),
    (Condition("kind_of_stall", "one_of", ["Food", "Crafts"]), "« Kind of stall » est l’un de « Food », « Crafts »"),
    (Condition("expected_turnover", "greater_than", 100), "« Expected turnover » est supérieur à 100"),
    (Condition("expected_turnover", "less_than", 5), "« Expected turnover » est inférieur à 5"),
    (Condition("kind_of_stall", "answered"), "« Kind of stall » est rempli"),
    (Condition("kind_of_stall", "not_answered"), "« Kind of stall » n’est pas rempli"),
    (Condition("equipment", "includes", "Tent"), "« Equipment » contient « Tent »"),
    (Condition("equipment", "does_not_include", "Tent"), "« Equipment » ne contient pas « Tent »"),
    (Condition("licensed", "is", True), "« Licensed » est oui"),
])
def test_each_condition_operator_reads_in_french(condition: Condition, words: str) -> None:
    def start() -> dict:
        document, _name = ed.add_field(_form(), "several_choices", "Equipment")
        return ed.add_field(document, "yes_no", "Licensed")[0]

    shown = _changes_of(_edit_field("what_else", show_when=condition), start)
    assert shown == [f"Champ « What else » : désormais affiché quand {words} (auparavant quand « Kind of stall » est "
                     "« Other »)."]
    required = _changes_of(_edit_field("what_else", required=False, required_when=condition), start)
    assert f"Champ « What else » : désormais obligatoire quand {words} (auparavant toujours)." in required


def test_the_questions_of_a_repeating_group_read_in_french() -> None:
    old, _name = ed.add_field(_form(), "repeating_group", "Helpers")
    helpers = ed.read_field(old, "helpers")
    name, age = replace(helpers.subfields[0], label="Name"), ed.FieldSpec("age", "number", "Age")
    old = ed.put_field(old, replace(helpers, subfields=(name, age)))
    phone = ed.FieldSpec("phone", "short_text", "Phone", required=True)
    new = ed.put_field(old, replace(ed.read_field(old, "helpers"),
                                    subfields=(phone, replace(name, label="Full name", required=False))))
    assert _in_french(old, new) == [
        "Champ « Helpers » : question « Phone » ajoutée à chaque entrée.",
        "Champ « Helpers » : question « Age » retirée de chaque entrée.",
        "Champ « Helpers » : question « Name » renommée en « Full name ».",
        "Champ « Helpers », question « Full name » : obligatoire — était oui, devient non."]
    swapped = ed.put_field(old, replace(ed.read_field(old, "helpers"), subfields=(age, name)))
    assert _in_french(old, swapped) == ["Champ « Helpers » : l’ordre des questions de chaque entrée a changé."]


def test_pages_renamed_and_fields_moved_read_in_french() -> None:
    old = ed.add_page(ed.split_into_pages(_form(), "About you"), "The stall")
    new = ed.move_to_page(ed.rename_page(old, 0, "You"), "expected_turnover", 1)
    assert _in_french(old, new) == [
        "Pages : étaient « About you », « The stall », deviennent « You », « The stall ».",
        "Champ « Expected turnover » déplacé sur la page « The stall »."]


def test_steps_added_removed_renamed_and_reordered_read_in_french() -> None:
    old = ed.add_step(_form(), "Safety check", "Public safety")
    new = ed.update_step(old, 0, name="Events check")
    new = ed.move_step(new, 0, 1)
    new = ed.add_step(new, "Final word", "Events office")
    assert _in_french(old, new) == [
        "Étape d’approbation « Final word » ajoutée.",
        "Étape d’approbation « Check by the events office » renommée en « Events check ».",
        "L’ordre des étapes d’approbation a changé."]
    fewer = copy.deepcopy(old)
    fewer["workflow"]["steps"] = fewer["workflow"]["steps"][:1]
    assert _in_french(old, fewer) == ["Étape d’approbation « Safety check » supprimée."]


@pytest.mark.parametrize(("changes", "sentence"), [
    ({"group": "Public safety"}, f"{STEP} : groupe — était « Events office », devient « Public safety »."),
    ({"policy": "all"}, f"{STEP} : qui doit accepter — était un seul membre, devient tous les membres."),
    ({"sla_days": 9}, f"{STEP} : jours ouvrés accordés — était « 5 », devient « 9 »."),
    ({"actions": ["approve", "comment"]},
     f"{STEP} : ce que les instructeurs peuvent faire — était « accepter », « refuser », « renvoyer à l’habitant pour "
     "complément d’information », « commenter », devient « accepter », « commenter »."),
    ({"comments_visible_to_resident": False}, f"{STEP} : l’habitant voit les commentaires — était oui, devient non."),
    ({"condition": Condition("kind_of_stall", "is", "Food")},
     f"{STEP} : quand elle s’applique — était toujours, devient quand « Kind of stall » est « Food »."),
    ({"condition": {"properties": {"kind_of_stall": {"minLength": 3}}, "required": ["kind_of_stall"]}},
     f"{STEP} : quand elle s’applique — était toujours, devient une règle avancée."),
])
def test_each_step_setting_reads_in_french(changes: dict, sentence: str) -> None:
    assert _changes_of(lambda document: ed.update_step(document, 0, **changes)) == [sentence]


def test_a_step_needing_a_number_of_approvals_reads_in_french() -> None:
    assert _changes_of(lambda document: ed.update_step(document, 0, policy="n", approvals_needed=3)) == [
        f"{STEP} : qui doit accepter — était un seul membre, devient un nombre donné de membres.",
        f"{STEP} : acceptations nécessaires — était rien, devient « 3 »."]


def test_every_setting_reads_in_french_with_fields_by_their_labels() -> None:
    old, _name = ed.add_field(_form(), "email", "Your email")
    new = copy.deepcopy(old)
    new["settings"] = {"submission": "signed_in", "confirmation_text": "Merci.", "reference_prefix": "MS",
                       "retention_days": 365, "retention_withdrawn_days": 30, "retention_abandoned_days": 60,
                       "personal_data": ["your_full_name", "your_email"], "open_data": ["kind_of_stall"],
                       "contact_email_field": "your_email", "default_locale": "fr",
                       "attachments": {"max_file_mb": 5}}
    assert _in_french(old, new) == [
        "Réglage « qui peut envoyer » : était tout le monde, sans compte, devient seulement les habitants connectés.",
        "Réglage « texte après l’envoi » : était « Thank you. Your request has been received. », devient "
        "« Merci. ».",
        "Réglage « préfixe des références » : était « FW », devient « MS ».",
        "Réglage « jours de conservation des demandes acceptées ou refusées » : était « 730 », devient « 365 ».",
        "Réglage « jours de conservation des demandes retirées » : était aussi longtemps que les demandes acceptées "
        "ou refusées, devient « 30 ».",
        "Réglage « jours avant qu’une demande à laquelle l’habitant n’a jamais répondu soit close et supprimée » : "
        "était aussi longtemps que les demandes acceptées ou refusées, devient « 60 ».",
        "Réglage « champs contenant des données personnelles » : était rien, devient « Your full name », "
        "« Your email ».",
        "Réglage « champs publiables en données ouvertes » : était rien, devient « Kind of stall ».",
        "Réglage « envoyer les nouvelles à l’adresse saisie dans » : était aucun champ, devient « Your email ».",
        "Réglage « langue dans laquelle le formulaire est rédigé » : était anglais, devient français.",
        "Les règles par défaut des pièces jointes ont changé."]


def test_translations_added_removed_and_changed_read_in_french() -> None:
    old = tr.set_translation(tr.add_language(_form(), "de"), "de", "/title", "Marktstand")
    new = tr.set_translation(tr.add_language(tr.remove_language(old, "de"), "nl"), "nl", "/title", "Marktkraam")
    assert _in_french(old, new) == ["Traduction en néerlandais ajoutée.", "Traduction en allemand supprimée."]
    one = tr.set_translation(old, "de", "/title", "Der Marktstand")
    assert _in_french(old, one) == ["Allemand : 1 texte traduit a changé."]
    two = tr.set_translation(one, "de", "/schema/properties/kind_of_stall/title", "Art des Standes")
    assert _in_french(old, two) == ["Allemand : 2 textes traduits ont changé."]


def test_a_regional_locale_reads_its_language_and_an_unknown_one_reads_english() -> None:
    old = _form()
    new = ed.put_field(old, replace(ed.read_field(old, "kind_of_stall"), required=True))
    assert describe_changes(old, new, "fr-BE") == describe_changes(old, new, "fr")
    assert describe_changes(old, new, "xx") == describe_changes(old, new) == [
        "Field “Kind of stall”: required changed from no to yes."]
