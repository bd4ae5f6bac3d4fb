"""Typed phone numbers are kept in E.164 whatever their spacing; what is no number is refused."""

from __future__ import annotations

import pytest

from api.cases.models import Case
from api.core.phones import to_e164
from api.crypto import decrypt
from tests.api.cases.fixtures import SERVICE_TOKEN, referral_body


@pytest.mark.parametrize(("typed", "stored"), [
    ("06 12 34 56 78", "+212612345678"),
    ("0612345678", "+212612345678"),
    ("+212 6-12-34-56-78", "+212612345678"),
    ("00212612345678", "+212612345678"),
    ("05 22 12 34 56", "+212522123456"),
    ("+212 5 36 12 34 56", "+212536123456"),   # a range libphonenumber does not list is still kept
    ("07 12 34 56 78", "+212712345678"),
    ("+221 77 123 45 67", "+221771234567"),
])
def test_a_typed_number_is_stored_in_e164_with_morocco_as_default(typed: str, stored: str) -> None:
    assert to_e164(typed) == stored


@pytest.mark.parametrize("typed", ["", "bonjour", "12", "06 12", "+212 12 34"])
def test_what_is_not_a_callable_number_is_refused_without_echoing_it(typed: str) -> None:
    with pytest.raises(ValueError) as refused:
        to_e164(typed)
    assert typed.strip() == "" or typed not in str(refused.value)


def test_a_referral_stores_the_typed_callback_number_in_e164(client, factory, seeded) -> None:
    headers = {"Authorization": f"Bearer {SERVICE_TOKEN}", "Idempotency-Key": "phone-e164"}
    created = client.post("/api/v1/referrals", headers=headers,
                          json=referral_body(contact="callback", callback_number="06 12 34 56 78"))
    assert created.status_code in (200, 201), created.text
    with factory() as session:
        case = session.get(Case, created.json()["case_id"])
        assert case is not None and decrypt(case.callback_number_encrypted) == "+212612345678"
    odd = client.post("/api/v1/referrals", headers={**headers, "Idempotency-Key": "phone-odd"},
                      json=referral_body(contact="callback", callback_number=" 06 12 "))
    assert odd.status_code in (200, 201), odd.text  # kept as typed for the operator, never refused
    with factory() as session:
        case = session.get(Case, odd.json()["case_id"])
        assert case is not None and decrypt(case.callback_number_encrypted) == "06 12"
