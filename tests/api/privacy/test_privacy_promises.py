"""Every sentence of the privacy texts is a promise, and each one names the test that proves it.

`PROMISES` lists, for `utter_privacy`, `utter_forget_done` and `utter_ask_escalation_consent`,
each French sentence (one per line of the catalog text) and the tests that show the system does
what it says. Changing the French text without this list fails here; so does naming a test that
does not exist. The other languages must say as much: same number of lines, same numbers.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from api.core.config import PROJECT_ROOT, Settings
from api.crypto import decrypt, encrypt
from api.nlg.render import render_response

REVIEWED_LANGUAGES = ("en", "ar", "ary")
E2E = "tests/e2e/test_erasure.py::test_after_erasure_nothing_of_the_person_is_left_anywhere"
RETENTION = "tests/api/privacy/test_retention.py::test_the_retention_job_removes_what_is_due_and_only_that"

PROMISES: dict[str, list[tuple[str, list[str]]]] = {
    "utter_privacy": [
        ("Ce service ne transmet pas vos données à la police ni aux autorités : il n'a aucune fonction pour le faire.",
         ["tests/api/privacy/test_privacy_promises.py::test_no_code_sends_data_anywhere_but_its_own_channels"]),
        ("Mais l'association peut recevoir un ordre de la justice : personne ne peut vous promettre une protection "
         "totale.",
         ["tests/api/privacy/test_privacy_promises.py::test_what_is_encrypted_the_association_itself_can_decrypt"]),
        ("Ce qui est gardé, sur le serveur de l'association :",
         ["tests/api/privacy/test_privacy_promises.py::test_every_store_is_on_the_associations_own_server_by_default"]),
        ("- vos messages, pour vous répondre, effacés 30 jours après votre dernier message si aucune demande n'est en "
         "cours ;", [RETENTION]),
        ("- votre identifiant de chat ou votre numéro, chiffrés (codés) ;",
         ["tests/api/gateways/test_conversation.py::test_the_channel_address_is_stored_only_encrypted",
          "tests/api/cases/test_referrals.py::test_the_callback_number_is_stored_only_encrypted"]),
        ("- les numéros de téléphone, de pièce d'identité et les e-mails que vous écrivez sont remplacés par un signe ; "
         "une position partagée est arrondie à environ 1 km.",
         ["tests/api/privacy/test_intake.py::test_a_typed_number_reaches_neither_rasa_nor_any_row_and_goes_encrypted_"
          "to_the_callback_case",
          "tests/api/privacy/test_intake.py::test_documents_and_emails_are_replaced_before_rasa_and_the_inbound_row",
          "tests/api/privacy/test_intake.py::test_a_typed_location_is_rounded_like_a_shared_one",
          "tests/api/gateways/test_whatsapp.py::test_a_shared_location_reaches_rasa_as_share_location"]),
        ("Qui les voit : l'équipe de l'association, seulement si vous demandez à parler à une personne et dites oui ; "
         "votre numéro, seulement la personne qui traite votre demande.",
         ["tests/actions/test_escalation.py::test_a_declined_escalation_sends_nothing",
          "tests/api/cases/test_permissions.py::test_the_queue_lists_only_the_operators_association",
          "tests/api/cases/test_permissions.py::test_the_callback_number_is_revealed_only_to_the_operator_holding_"
          "the_case_and_each_reveal_is_audited"]),
        ("Une demande terminée est effacée 90 jours après, sauf des chiffres sans nom (jour, région, urgence, sujet).",
         [RETENTION]),
        ("WhatsApp (Meta), Telegram et Twilio (le téléphone) gardent leurs propres copies, selon leurs règles.",
         ["tests/api/privacy/test_privacy_promises.py::test_the_channel_providers_are_named_in_every_language"]),
        ("Pour tout effacer maintenant : « Effacer mes données » (au téléphone : touche 0 au menu des langues).",
         [E2E, "tests/api/gateways/test_voice.py::test_a_caller_erases_their_cases_and_recordings_with_the_keypad"]),
    ],
    "utter_forget_done": [
        ("C'est fait : vos messages, vos demandes à la permanence, leurs notes, votre numéro et vos messages vocaux "
         "sont effacés chez nous.",
         [E2E, "tests/api/cases/test_handoff.py::test_forgetting_a_person_leaves_their_case_only_as_anonymous_"
          "statistics"]),
        ("Votre identifiant de chat est effacé dès que ce message vous est envoyé, et la conversation recommence à zéro.",
         [E2E, "tests/api/gateways/test_bot_history.py::test_an_erasure_no_turn_picked_up_is_done_by_the_worker_later"]),
        ("Il reste seulement des chiffres sans nom (jour, région, urgence, sujet).",
         ["tests/api/cases/test_handoff.py::test_forgetting_a_person_leaves_their_case_only_as_anonymous_statistics"]),
        ("WhatsApp, Telegram et Twilio peuvent garder leurs propres copies, selon leurs règles.",
         ["tests/api/privacy/test_privacy_promises.py::test_the_channel_providers_are_named_in_every_language"]),
    ],
    "utter_ask_escalation_consent": [
        ("Je peux transmettre votre demande à la permanence de l'association. Une personne vous répondra ici ou vous "
         "appellera.", ["tests/api/cases/test_referrals.py::test_a_referral_creates_a_queued_case_with_a_short_"
                        "unambiguous_reference"]),
        ("Je vais poser quelques questions courtes. L'équipe verra : votre langue, le sujet, votre ville, vos réponses, "
         "vos derniers messages avec l'assistant et ses réponses, et les messages que vous lui écrirez ensuite.",
         ["tests/actions/test_escalation.py::test_the_referral_body_follows_the_backend_contract",
          "tests/api/cases/test_bot_context.py::test_the_case_shows_the_redacted_turns_before_the_escalation_only",
          "tests/api/cases/test_bot_context.py::test_without_consent_no_turn_is_shown"]),
        ("Si vous voulez être appelé, seule la personne qui prend votre demande verra votre numéro.",
         ["tests/api/cases/test_permissions.py::test_the_callback_number_is_revealed_only_to_the_operator_holding_"
          "the_case_and_each_reveal_is_audited"]),
        ("La demande est effacée 90 jours après sa fin, ou dès que vous demandez l'effacement.", [RETENTION, E2E]),
        ("Vous êtes d'accord ?", ["tests/actions/test_escalation.py::test_a_declined_escalation_sends_nothing"]),
    ],
}


def french_sentences(key: str) -> list[str]:
    return [line for line in render_response(key, "fr", {}).text.splitlines() if line.strip()]


@pytest.mark.parametrize("key", sorted(PROMISES))
def test_every_french_sentence_is_listed_with_its_proof(key: str) -> None:
    assert french_sentences(key) == [sentence for sentence, _tests in PROMISES[key]]


def defined_tests(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


@pytest.mark.parametrize("key", sorted(PROMISES))
def test_every_named_proof_exists(key: str) -> None:
    for sentence, tests in PROMISES[key]:
        assert tests, sentence
        for test in tests:
            path, name = test.split("::")
            assert name in defined_tests(PROJECT_ROOT / path), test


@pytest.mark.parametrize("language", REVIEWED_LANGUAGES)
@pytest.mark.parametrize("key", sorted(PROMISES))
def test_each_language_says_as_much_as_the_french(key: str, language: str) -> None:
    french = render_response(key, "fr", {}).text
    translated = render_response(key, language, {})
    assert translated.language == language
    assert len([line for line in translated.text.splitlines() if line.strip()]) == len(french_sentences(key))
    assert re.findall(r"\d+", translated.text) == re.findall(r"\d+", french)


@pytest.mark.parametrize("language", ("fr", *REVIEWED_LANGUAGES))
def test_the_channel_providers_are_named_in_every_language(language: str) -> None:
    providers = {"fr": ("WhatsApp", "Telegram", "Twilio"), "en": ("WhatsApp", "Telegram", "Twilio"),
                 "ar": ("واتساب", "تيليغرام", "تويليو"), "ary": ("واتساب", "تيليغرام", "تويليو")}[language]
    for key in ("utter_privacy", "utter_forget_done"):
        text = render_response(key, language, {}).text
        assert all(name in text for name in providers), (key, language)


# Hosts the code may talk to: its own processes, and the channels' own APIs. No other address exists in it.
ALLOWED_HOSTS = {"127.0.0.1", "localhost", "api.telegram.org", "api.twilio.com", "hotline.example.org",
                 # The developers' API page (/docs, /redoc) loads FastAPI's Swagger UI and favicon from
                 # these; it is opened by a developer's browser and carries nobody's data.
                 "cdn.jsdelivr.net", "fastapi.tiangolo.com"}


def test_no_code_sends_data_anywhere_but_its_own_channels() -> None:
    hosts = set()
    for folder in ("api", "actions", "nlu"):
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            for url in re.findall(r"https?://[^\s\"'<>)]+", path.read_text(encoding="utf-8")):
                hosts.add((urlsplit(url).hostname or "", path.relative_to(PROJECT_ROOT).as_posix()))
    strangers = {(host, path) for host, path in hosts
                 if host not in ALLOWED_HOSTS and not host.endswith((".wikipedia.org", "openstreetmap.org"))}
    assert strangers == set()


def test_what_is_encrypted_the_association_itself_can_decrypt() -> None:
    # Encryption protects against someone reading the files, not against the association's own key:
    # whoever can make the association open its server can read what it holds. Hence no absolute promise.
    token = encrypt("+212612345678")
    assert "612345678" not in token and decrypt(token) == "+212612345678"


def test_every_store_is_on_the_associations_own_server_by_default() -> None:
    settings = Settings(_env_file=None)
    assert settings.database_url.startswith("sqlite:///") and settings.rasa_tracker_db.startswith("/")
    for url in (settings.rasa_url, settings.action_server_url, settings.api_url):
        assert urlsplit(url).hostname == "127.0.0.1"
