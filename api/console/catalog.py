"""Extract the console's labels (the gettext domain `console`) and merge them into its fr/en/ar catalogs.

`python -m api.console.catalog update` (run by `make locales-update`) reads every `_("...")` and
`ngettext(...)` of the console templates with Babel's Jinja2 extractor, plus
the codes the pages translate at run time (levels, statuses, roles, outcomes, triage flags,
the labels the page script needs), and merges them into
`locales/{fr,en,ar}/LC_MESSAGES/console.po`, keeping existing translations.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.pofile import read_po, write_po

from api.audio.refusals import AUDIO_TEXTS
from api.cases.schemas import TriageIn
from api.console import CONSOLE_DIR
from api.console.i18n import CONSOLE_LANGUAGES, DOMAIN
from api.console.script_texts import SCRIPT_TEXT_KEYS
from api.core.codes import CaseStatus, Outcome, Role, TriageLevel
from api.core.config import get_settings
from api.directory.classify import KINDS
from api.directory.console_texts import SERVICE_TOPICS
from sante_contract.topics import REFERRAL_TOPICS

# What Babel's Jinja2 extractor reads as translatable calls; `ngettext` takes singular and plural.
TEMPLATE_KEYWORDS: dict[str, tuple[int, ...] | None] = {"_": None, "gettext": None, "ngettext": (1, 2)}
MessageId = str | tuple[str, str]
CONTACT_MODES: tuple[str, ...] = ("chat", "callback")


def template_messages(templates_dir: Path) -> dict[MessageId, str]:
    """Every literal `_("...")` and `ngettext("...", "...", n)` of the templates, with the template it is in.

    Babel's Jinja2 extractor (jinja2.ext.babel_extract, with jinja2.ext.i18n) parses the templates,
    so `{% trans %}` blocks count too and a call split over lines is not missed.
    """
    found: dict[MessageId, str] = {}
    for path in sorted(templates_dir.glob("*.html")):
        with path.open("rb") as handle:
            for _line, message, _comments, _context in extract(
                    "jinja2.ext:babel_extract", handle, keywords=TEMPLATE_KEYWORDS,
                    options={"extensions": "jinja2.ext.i18n", "trimmed": "true"}):
                key = message if isinstance(message, str) else (message[0], message[1])
                found.setdefault(key, f"console page {path.name}")
    return found


def runtime_messages() -> dict[MessageId, str]:
    """Codes shown translated (`_(case.status)` and the like) and the page script's labels."""
    found: dict[MessageId, str] = {}
    groups = {"triage level code": tuple(TriageLevel), "case status code": tuple(CaseStatus),
              "operator role code": tuple(Role), "outcome code": tuple(Outcome), "contact mode code": CONTACT_MODES,
              "triage flag code": tuple(TriageIn.model_fields), "directory place kind code": KINDS,
              "need (intent) code": SERVICE_TOPICS, "referral topic code (the need the case is about)": REFERRAL_TOPICS}
    for where, codes in groups.items():
        for code in codes:
            found.setdefault(code, where)
    for key in SCRIPT_TEXT_KEYS:
        found.setdefault(key, "console page script (queue, live alerts)")
    for key in AUDIO_TEXTS:
        found.setdefault(key, "audio clip upload, refused (console audio page)")
    return found


def template_catalog() -> Catalog:
    """The console's messages as an untranslated catalog."""
    catalog = Catalog(domain=DOMAIN, project="sante-migrants console")
    for message_id, where in {**template_messages(CONSOLE_DIR / "templates"), **runtime_messages()}.items():
        catalog.add(message_id, auto_comments=[f"where: {where}"])
    return catalog


def update_catalogs(locales_dir: Path) -> list[Path]:
    """Merge the extracted messages into every console language's .po (new ones untranslated)."""
    template = template_catalog()
    written = []
    for language in CONSOLE_LANGUAGES:
        path = locales_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        if path.exists():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=language, domain=DOMAIN)
            catalog.update(template, no_fuzzy_matching=True)
        else:
            catalog = Catalog(locale=language, domain=DOMAIN, project="sante-migrants console")
            catalog.update(template, no_fuzzy_matching=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, omit_header=False, ignore_obsolete=True)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """`update`: merge the console's messages into its catalogs."""
    parser = argparse.ArgumentParser(prog="python -m api.console.catalog", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("update",))
    parser.parse_args(argv)
    for path in update_catalogs(get_settings().locales_dir):
        print(f"updated {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
