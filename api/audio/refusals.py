"""What an editor is told when an upload is refused: the HTTP status and the console text of each refusal."""

from __future__ import annotations

# Refusals of an upload: HTTP status and the console text (English msgid of the `console` domain).
REFUSALS: dict[str, tuple[int, str]] = {
    "audio.error_type": (415, "Not an audio recording we can send. Accepted: Ogg/Opus, MP3, M4A/AAC, WAV, "
                              "WebM/Opus."),
    "audio.error_too_long": (422, "The recording is too long: at most {max_seconds} s."),
    "audio.error_too_big": (413, "The file is too big: {max_megabytes} MB at most."),
    "audio.error_unreadable": (422, "The recording could not be read, or is empty. Record it again or export "
                                    "it again."),
}
UNKNOWN_MESSAGE = "No such message or language."
# Every text of the upload API, for the console catalog (api/console/catalog.py).
AUDIO_TEXTS: tuple[str, ...] = (*(message for _status, message in REFUSALS.values()), UNKNOWN_MESSAGE)
