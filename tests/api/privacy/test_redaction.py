"""Redaction at intake: what is a phone number, an identity document or an email, and what is left alone."""

from __future__ import annotations

import pytest

from api.privacy.redaction import DOCUMENT_PLACEHOLDER, EMAIL_PLACEHOLDER, PHONE_PLACEHOLDER, redact, round_coordinate


@pytest.mark.parametrize("typed, number", [
    ("0612345678", "+212612345678"),
    ("06 12 34 56 78", "+212612345678"),
    ("06-12-34-56-78", "+212612345678"),
    ("+212 6 12 34 56 78", "+212612345678"),
    ("00212612345678", "+212612345678"),
    ("mon numéro c'est 0612345678 appelez moi", "+212612345678"),
    ("رقمي 0612345678", "+212612345678"),
    ("0٦١٢٣٤٥٦٧٨", "+212612345678"),  # Arabic-Indic digits
    ("+234 803 123 4567", "+2348031234567"),  # Nigeria
    ("+33 6 12 34 56 78", "+33612345678"),
    ("08031234567", "08031234567"),  # a foreign number without its country code: kept as typed
    ("tel: 0536 68 12 34", "+212536681234"),
])
def test_phone_numbers_are_replaced_and_the_callable_one_is_kept_aside(typed: str, number: str) -> None:
    redacted = redact(typed)
    assert PHONE_PLACEHOLDER in redacted.text and redacted.phones == 1
    assert redacted.callback_number == number
    assert not any(ch.isdigit() for ch in redacted.text.replace(PHONE_PLACEHOLDER, "").replace("0536", "")), redacted


@pytest.mark.parametrize("typed", ["ma CIN AB123456", "CIN: K12345", "passeport A01234567 expiré", "BE 123456",
                                   "carte ab123456 perdue"])
def test_identity_document_numbers_are_replaced(typed: str) -> None:
    redacted = redact(typed)
    assert DOCUMENT_PLACEHOLDER in redacted.text and redacted.documents == 1
    assert redacted.callback_number is None
    assert not any(ch.isdigit() for ch in redacted.text)


def test_emails_are_replaced() -> None:
    redacted = redact("écrivez-moi à fatou.diallo+sante@gmail.com merci")
    assert redacted.text == f"écrivez-moi à {EMAIL_PLACEHOLDER} merci" and redacted.emails == 1


@pytest.mark.parametrize("typed", [
    "l'hôpital me demande de payer 2000 dirhams", "on m'a demandé 2 000 000 dh", "20000dh", "appelez le 15 ou le 112",
    "je suis à Oujda depuis le 12.03.2024", "le 12/03/2024 à 10:30", "ma référence est MS-7K3Q9P", "ms-234679",
    "3ndi sa7a 9lbi", "ana f tanja 3ndi 2 wlad", "j'ai 25 ans et 3 enfants", "covid19", "0612", "1", "Laâyoune",
    "je suis à Beni Ansar", "/share_location{\"latitude\": 34.68, \"longitude\": -1.91}",
    '/choose_contact_mode{"contact_mode": "callback"}', "🙏", "",
])
def test_amounts_dates_references_arabizi_towns_and_payloads_are_left_alone(typed: str) -> None:
    redacted = redact(typed)
    assert redacted.text == typed and not redacted.changed and redacted.callback_number is None


def test_a_long_run_of_digits_is_redacted_even_when_nobody_could_call_it() -> None:
    redacted = redact("12345678901234567890")
    assert redacted.text == PHONE_PLACEHOLDER and redacted.callback_number is None


def test_positions_are_rounded_to_about_one_kilometre() -> None:
    assert (round_coordinate(34.681449), round_coordinate(-1.908612)) == (34.68, -1.91)
