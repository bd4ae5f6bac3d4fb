"""Every label the console's page scripts need, handed to each page as `texts` (from the `console` catalog)."""

from __future__ import annotations

from api.console.queue_texts import QUEUE_SCRIPT_KEYS
from api.directory.console_texts import DIRECTORY_SCRIPT_KEYS
from sante_contract.topics import REFERRAL_TOPICS

# Labels the page scripts need; the texts come from the `console` catalog.
SCRIPT_TEXT_KEYS: tuple[str, ...] = (
    "Emergency", "Violence", "Vulnerable", "Other", "Claim", "Open", "waiting", "min",
    "New emergency case", "Emergency message from a person", "No case is waiting.", "Error", "You", "Person",
    "Operator", "An operator on duty speaks this language", "No operator on duty speaks this language",
    "Voice message", "Image sent by the person", "Video sent by the person", "attachment",
    "queued", "claimed", "waiting_person", "referred", "resolved", "closed",
) + REFERRAL_TOPICS + DIRECTORY_SCRIPT_KEYS + QUEUE_SCRIPT_KEYS
