"""`python -m api.nlg.commands check`: coverage per language, and each reason it fails."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from api.core.config import get_settings
from api.nlg import commands
from api.nlg.catalogs import catalog_path
from api.nlg.check import CHANNEL_LIMIT, run_check
from tests.api.nlg.catalog_files import ARABIC, FRENCH, Texts, make_locales

ENGLISH: Texts = {**FRENCH, "utter_goodbye": "Goodbye.", "utter_referral_created": "Saved: {reference}."}
COMPLETE: dict[str, Texts] = {"fr": FRENCH, "en": ENGLISH, "ar": {**FRENCH, **ARABIC}}


def check(tmp_path: Path, catalogs_: dict[str, Texts], domain: str | None = None,
          source: str | None = None) -> tuple[int, str]:
    locales_dir = make_locales(tmp_path, catalogs_, **({"source": source} if source else {}))
    domain_path = tmp_path / "domain.yml"
    if domain is not None:
        domain_path.write_text(domain, encoding="utf-8")
    out = io.StringIO()
    return run_check(locales_dir, domain_path, out), out.getvalue()


def test_complete_catalogs_pass_and_print_coverage(tmp_path: Path) -> None:
    code, output = check(tmp_path, {**COMPLETE, "wo": {"utter_goodbye": "Ba beneen yoon"}})
    assert code == 0, output
    assert "catalogs OK" in output
    rows = {line.split()[0]: line.split()[1:] for line in output.splitlines()[2:12]}
    total = len(FRENCH)
    assert rows["fr"] == [str(total), "0", "0", "0"]
    # Wolof: one text of its own, the rest missing and served from French.
    assert rows["wo"] == ["1", "0", str(total - 1), str(total - 1)]


def test_a_message_missing_in_english_fails(tmp_path: Path) -> None:
    english = {k: v for k, v in ENGLISH.items() if k != "utter_goodbye"}
    code, output = check(tmp_path, {**COMPLETE, "en": english})
    assert code == 1 and "ERROR en: utter_goodbye is missing" in output


def test_a_missing_button_title_in_arabic_fails(tmp_path: Path) -> None:
    arabic = {k: v for k, v in COMPLETE["ar"].items() if k != "utter_greet.button.2"}
    code, output = check(tmp_path, {**COMPLETE, "ar": arabic})
    assert code == 1 and "ERROR ar: utter_greet.button.2 is missing" in output


def test_a_fuzzy_arabic_entry_fails_as_unreviewed(tmp_path: Path) -> None:
    arabic = {**COMPLETE["ar"], "utter_goodbye": ("مع السلامة", True)}
    code, output = check(tmp_path, {**COMPLETE, "ar": arabic})
    assert code == 1 and "ERROR ar: utter_goodbye is not reviewed (fuzzy)" in output


def test_a_fuzzy_community_entry_is_marked_but_does_not_fail(tmp_path: Path) -> None:
    code, output = check(tmp_path, {**COMPLETE, "ln": {"utter_goodbye": ("Tokomonana", True)}})
    assert code == 0, output
    assert "FUZZY ln (1): utter_goodbye" in output
    assert output.splitlines()[2:12][5].split()[1:3] == ["0", "1"]  # the ln row: 0 translated, 1 fuzzy


def test_a_renamed_placeholder_fails(tmp_path: Path) -> None:
    wolof = {"utter_referral_created": "Sa laaj bi bind nanu ko: {referans}."}
    code, output = check(tmp_path, {**COMPLETE, "wo": wolof})
    assert code == 1
    assert "ERROR wo: utter_referral_created placeholders ['referans'] differ from source.yml ['reference']" in output


def test_a_dropped_placeholder_fails(tmp_path: Path) -> None:
    english = {**ENGLISH, "utter_services_list": "Services near {city}."}
    code, output = check(tmp_path, {**COMPLETE, "en": english})
    assert code == 1 and "ERROR en: utter_services_list placeholders ['city']" in output


def test_a_text_over_the_whatsapp_limit_fails(tmp_path: Path) -> None:
    english = {**ENGLISH, "utter_goodbye": "Goodbye. " * 200}
    code, output = check(tmp_path, {**COMPLETE, "en": english})
    assert CHANNEL_LIMIT == 1600
    assert code == 1 and f"ERROR en: utter_goodbye has 1800 characters, over the channel limit {CHANNEL_LIMIT}" \
        in output


def test_a_fallback_text_that_overflows_with_its_note_fails(tmp_path: Path) -> None:
    french = {**FRENCH, "utter_goodbye": "a" * 1590}
    code, output = check(tmp_path, {**COMPLETE, "fr": french,
                                    "wo": {"utter_fallback_language_note": "Bataaxal bii amul wolof."}})
    assert code == 1 and "ERROR wo: utter_goodbye served from fr with its note" in output


def test_a_domain_response_absent_from_the_source_list_fails(tmp_path: Path) -> None:
    domain = "responses:\n  utter_greet:\n  - text: x\nactions:\n  - utter_unlisted\n  - action_x\n"
    code, output = check(tmp_path, COMPLETE, domain=domain)
    assert code == 1
    assert "ERROR bot/domain.yml: utter_unlisted is not in locales/source.yml" in output
    assert "utter_greet is not in" not in output and "action_x" not in output


@pytest.mark.parametrize(("po_text", "message"), [
    ('msgid "utter_goodbye"\nmsgstr "Ba beneen yoon"\nBa beneen yoon\n', "ERROR wo: messages.po cannot be read"),
    ('msgid "utter_goodbye"\nmsgstr "Ba beneen yoon\n', "ERROR wo: messages.po line 2: the string is not closed"),
])
def test_a_catalog_with_a_syntax_error_fails(tmp_path: Path, po_text: str, message: str) -> None:
    locales_dir = make_locales(tmp_path, COMPLETE)
    path = catalog_path(locales_dir, "wo")
    path.parent.mkdir(parents=True)
    path.write_text(po_text, encoding="utf-8")
    out = io.StringIO()
    assert run_check(locales_dir, tmp_path / "none.yml", out) == 1
    assert message in out.getvalue()


def test_an_invalid_source_list_fails_with_a_hint(tmp_path: Path) -> None:
    source = "messages:\n  utter_goodbye:\n    where: phone, no operator free: leave a message\n"
    code, output = check(tmp_path, COMPLETE, source=source)
    assert code == 1 and "is not valid YAML" in output and "quote" in output


def test_the_command_line_exits_1_on_a_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    locales_dir = make_locales(tmp_path, {"fr": FRENCH})
    monkeypatch.setenv("LOCALES_DIR", str(locales_dir))
    get_settings.cache_clear()
    try:
        assert commands.main(["check", "--domain", str(tmp_path / "none.yml")]) == 1
    finally:
        get_settings.cache_clear()
    assert "ERROR en: utter_goodbye is missing" in capsys.readouterr().out
