"""Checking an uploaded recording and turning it into the one MP3 every channel can play, with PyAV (FFmpeg).

Accepted: Ogg (Opus, Vorbis), MP3, MP4/M4A (AAC), WAV (PCM) and WebM/Matroska (Opus, Vorbis: what
browsers' MediaRecorder produces). The container is recognised from the file's first bytes (never
its name or the browser's claim) and opened with that demuxer only, so FFmpeg never guesses among
its other formats (playlists, concat lists) for a file someone sent.

Every clip is stored as mono MP3: Telegram sends MP3 as a voice message, WhatsApp (Twilio) takes
audio/mpeg media, Twilio's <Play> plays MP3 (not Ogg or WebM), and every browser plays it. An MP3
upload is kept as it is. The length is counted from the decoded samples, since MediaRecorder's
WebM files carry no duration in their header; decoding stops as soon as the limit is passed.
"""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass

import av
from av.audio.stream import AudioStream

MP3 = "audio/mpeg"
OUTPUT_RATE = 44100
OUTPUT_BIT_RATE = 64000
# First bytes → (FFmpeg demuxer, type shown to editors).
CONTAINERS: tuple[tuple[str, str, str], ...] = (
    ("ogg", "ogg", "audio/ogg"),
    ("webm", "matroska", "audio/webm"),
    ("wav", "wav", "audio/wav"),
    ("mp4", "mp4", "audio/mp4"),
    ("mp3", "mp3", "audio/mpeg"),
)
ALLOWED_CODECS: dict[str, frozenset[str]] = {
    "ogg": frozenset({"opus", "vorbis"}),
    "webm": frozenset({"opus", "vorbis"}),
    "wav": frozenset({"pcm_s16le", "pcm_s24le", "pcm_s32le", "pcm_f32le", "pcm_u8", "pcm_alaw", "pcm_mulaw"}),
    "mp4": frozenset({"aac"}),
    "mp3": frozenset({"mp3", "mp3float"}),
}
MIN_SECONDS = 0.3


class AudioRejected(ValueError):
    """The file is not a clip the assistant can send; `code` names the catalog text that says why."""

    def __init__(self, code: str, **values: object) -> None:
        super().__init__(code)
        self.code = code
        self.values = values


@dataclass(frozen=True)
class EncodedClip:
    """A checked recording, ready to store."""

    data: bytes
    content_type: str
    source_type: str
    duration_seconds: float


def sniff_container(data: bytes) -> str | None:
    """The container of a file from its signature: ogg, webm, wav, mp4, mp3, or None."""
    if data[:4] == b"OggS":
        return "ogg"
    if data[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav"
    if data[4:8] == b"ftyp":
        return "mp4"
    if data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "mp3"
    return None


def _audio_stream(container: av.container.InputContainer, kind: str) -> AudioStream:
    audio = list(container.streams.audio)
    # Cover art in an MP3 or M4A is a still picture; any other picture stream makes it a video.
    moving = [s for s in container.streams.video if not s.disposition & av.stream.Disposition.attached_pic]
    if len(audio) != 1 or moving:
        raise AudioRejected("audio.error_type")
    stream = audio[0]
    if stream.codec_context.name not in ALLOWED_CODECS[kind]:
        raise AudioRejected("audio.error_type")
    return stream


def _too_long(samples: int, rate: int, max_seconds: float) -> None:
    if samples / rate > max_seconds:
        raise AudioRejected("audio.error_too_long", max_seconds=int(max_seconds))


def _count_samples(source: av.container.InputContainer, stream: AudioStream, max_seconds: float) -> int:
    """The clip's length in OUTPUT_RATE samples, decoding until the end or past the limit."""
    seconds = 0.0
    for frame in source.decode(stream):
        seconds += frame.samples / frame.sample_rate
        _too_long(int(seconds * OUTPUT_RATE), OUTPUT_RATE, max_seconds)
    return int(seconds * OUTPUT_RATE)


def _transcode(source: av.container.InputContainer, stream: AudioStream, target: av.container.OutputContainer,
               max_seconds: float) -> int:
    """Decode, resample to mono, encode as MP3; returns the number of samples written."""
    encoder = target.add_stream("libmp3lame", rate=OUTPUT_RATE, layout="mono")
    encoder.bit_rate = OUTPUT_BIT_RATE
    resampler = av.AudioResampler(format="fltp", layout="mono", rate=OUTPUT_RATE)
    samples = 0
    for frame in itertools.chain(source.decode(stream), [None]):  # None flushes the resampler
        for resampled in resampler.resample(frame):
            samples += resampled.samples
            target.mux(encoder.encode(resampled))
        _too_long(samples, OUTPUT_RATE, max_seconds)
    target.mux(encoder.encode(None))
    return samples


def encode_clip(data: bytes, max_seconds: float) -> EncodedClip:
    """Check `data` (type, length) and return it as mono MP3; raise AudioRejected with the reason."""
    kind = sniff_container(data)
    if kind is None:
        raise AudioRejected("audio.error_type")
    demuxer, source_type = next((d, t) for k, d, t in CONTAINERS if k == kind)
    output = io.BytesIO()
    try:
        with av.open(io.BytesIO(data), mode="r", format=demuxer) as source:
            stream = _audio_stream(source, kind)
            if kind == "mp3":  # already what every channel plays: only its length is needed
                samples = _count_samples(source, stream, max_seconds)
            else:
                with av.open(output, mode="w", format="mp3") as target:
                    samples = _transcode(source, stream, target, max_seconds)
    except av.FFmpegError as error:
        raise AudioRejected("audio.error_unreadable") from error
    seconds = samples / OUTPUT_RATE
    if seconds > max_seconds:
        raise AudioRejected("audio.error_too_long", max_seconds=int(max_seconds))
    if seconds < MIN_SECONDS:
        raise AudioRejected("audio.error_unreadable")
    encoded = data if kind == "mp3" else output.getvalue()
    return EncodedClip(data=encoded, content_type=MP3, source_type=source_type, duration_seconds=round(seconds, 2))
