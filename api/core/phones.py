"""Phone numbers as people and operators type them, kept in E.164 (`+212612345678`); Morocco is the default region.

Google's libphonenumber (`phonenumbers`) reads "06 12 34 56 78", "0612345678", "+212 6-12-34-56-78" or
"00221 77 123 45 67" alike, so a case's callback number has one form whoever typed it.
"""

from __future__ import annotations

from typing import Annotated

import phonenumbers
from pydantic import AfterValidator

DEFAULT_REGION = "MA"


def to_e164(typed: str, region: str = DEFAULT_REGION) -> str:
    """The E.164 form of a typed number; ValueError (without the number) when it cannot be one."""
    try:
        number = phonenumbers.parse(typed, region)
    except phonenumbers.NumberParseException as error:
        raise ValueError("not a phone number: give it with its area code (0612345678) or country code") from error
    # "Possible" (the right length for its country), not "valid": a caller id Twilio hands over must never
    # be refused because libphonenumber's list of assigned ranges is older than the number.
    if not phonenumbers.is_possible_number(number):
        raise ValueError("not a phone number: too few or too many digits for its country")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def e164_or_as_typed(typed: str) -> str:
    """E.164 when the text can be a number, else the text as typed (trimmed): a referral is never refused for
    its callback number (as for its reference, a 422 would drop the escalation); the operator reads it."""
    try:
        return to_e164(typed)
    except ValueError:
        return typed.strip()


# A request field holding a phone number: "06 12 34 56 78" is kept as +212612345678.
PhoneNumber = Annotated[str, AfterValidator(e164_or_as_typed)]
