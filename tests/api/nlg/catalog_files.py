"""Small locales folders for the NLG tests: a source list and .po catalogs written as an editor's tool would."""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from api.nlg.catalogs import catalog_path

SOURCE_YML = """\
messages:
  utter_greet:
    where: greeting
    buttons: [/ask_help_menu, /change_language]
  utter_goodbye:
    where: goodbye
  utter_fallback_language_note:
    where: note before a French answer
  utter_fallback_language_note_ar:
    where: note before an Arabic answer
  utter_services_list:
    where: services near the town
    placeholders:
      city: the town
      services: the list
  utter_referral_created:
    where: case created
    placeholders:
      reference: the case reference
  utter_rights_card:
    where: introduces the card
    image: rights_card
  rights_card.title:
    where: card title
  rights_card.text:
    where: card text
  rights_card.show_at_reception:
    where: card header
  webchat.title:
    where: page title
"""

# A text, or (text, fuzzy).
Texts = dict[str, "str | tuple[str, bool]"]

FRENCH: Texts = {
    "utter_greet": "Bonjour, je réponds à vos questions de santé.",
    "utter_greet.button.1": "Menu",
    "utter_greet.button.2": "Langue",
    "utter_goodbye": "Au revoir.",
    "utter_fallback_language_note": "Ce message n'est pas encore traduit.",
    "utter_fallback_language_note_ar": "Note avant un texte arabe.",
    "utter_services_list": "Services près de {city} :\n{services}",
    "utter_referral_created": "Votre demande est enregistrée : {reference}.",
    "utter_rights_card": "Voici votre carte.",
    "rights_card.title": "Droit aux soins",
    "rights_card.text": "Circulaire de 2003, circulaire de 2008 et article 57 du règlement intérieur des hôpitaux "
                        "de 2011 : soins dans les mêmes conditions que les nationaux.",
    "rights_card.show_at_reception": "Montrez cette carte à l'accueil.",
    "webchat.title": "Discussion",
}
ARABIC: Texts = {
    "utter_greet": "مرحبا، أجيب عن أسئلتك الصحية.",
    "utter_greet.button.1": "القائمة",
    "utter_services_list": "الخدمات قرب {city}:\n{services}",
    "utter_referral_created": "تم تسجيل طلبك: {reference}.",
    "rights_card.title": "الحق في العلاج",
    "rights_card.text": "دورية 2003 ودورية 2008 والمادة 57 من النظام الداخلي للمستشفيات (2011): "
                        "العلاج بنفس شروط المواطنين.",
    "rights_card.show_at_reception": "أظهر هذه البطاقة في الاستقبال.",
}


def write_catalog(locales_dir: Path, language: str, texts: Texts) -> Path:
    """Write one messages.po with the given texts (fuzzy where asked)."""
    catalog = Catalog(locale=None, domain="messages", project="tests", fuzzy=False)
    for msgid, value in texts.items():
        text, fuzzy = (value, False) if isinstance(value, str) else value
        catalog.add(msgid, text, flags=("fuzzy",) if fuzzy else ())
    path = catalog_path(locales_dir, language)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=0)
    return path


def make_locales(root: Path, catalogs: dict[str, Texts] | None = None, source: str = SOURCE_YML) -> Path:
    """A locales folder with source.yml and the given catalogs (French and Arabic by default)."""
    locales_dir = root / "locales"
    locales_dir.mkdir(parents=True, exist_ok=True)
    (locales_dir / "source.yml").write_text(source, encoding="utf-8")
    for language, texts in (catalogs if catalogs is not None else {"fr": FRENCH, "ar": ARABIC}).items():
        write_catalog(locales_dir, language, texts)
    return locales_dir
