"""Console labels of the directory pages: codes shown translated and the page script's words."""

from __future__ import annotations

from api.directory.classify import KINDS

# Needs (intents) a curated service can be listed for, as the "add a service" form offers them.
SERVICE_TOPICS: tuple[str, ...] = ("pregnancy_care", "family_planning", "child_vaccination", "hiv_sti",
                                   "tuberculosis", "mental_health", "violence_support", "care_refused",
                                   "rights_free_care", "rights_undocumented")
DIRECTORY_SCRIPT_KEYS: tuple[str, ...] = (
    "verified", "not verified", "town only: exact place unknown", "hidden", "withdrawn", "Edit", "Saved", "Added", "places found", "No place found.",
    "km", "Send to the person", "Sent", *KINDS)
