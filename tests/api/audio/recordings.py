"""Recordings made on the fly with PyAV for the audio tests: a tone in each format a person's phone or browser makes."""

from __future__ import annotations

import io
import math
from array import array

import av

RATE = 48000
FRAME = 960
# (container, codec) for each accepted kind of upload.
FORMATS = {"ogg": ("ogg", "libopus"), "webm": ("webm", "libopus"), "wav": ("wav", "pcm_s16le"),
           "m4a": ("ipod", "aac"), "mp3": ("mp3", "libmp3lame")}


def tone(kind: str = "ogg", seconds: float = 1.5) -> bytes:
    """A 440 Hz tone of `seconds` as a file of `kind` (a key of FORMATS)."""
    container, codec = FORMATS[kind]
    sample_format = "s16" if codec == "pcm_s16le" else "flt"
    out = io.BytesIO()
    with av.open(out, mode="w", format=container) as target:
        stream = target.add_stream(codec, rate=RATE, layout="mono")
        total = int(seconds * RATE)
        for start in range(0, total, FRAME):
            count = min(FRAME, total - start)
            values = [0.3 * math.sin(2 * math.pi * 440 * (start + i) / RATE) for i in range(count)]
            samples = array("h", (int(v * 32767) for v in values)) if sample_format == "s16" else array("f", values)
            frame = av.AudioFrame(format=sample_format, layout="mono", samples=count)
            frame.planes[0].update(samples.tobytes())
            frame.sample_rate = RATE
            frame.pts = start
            target.mux(stream.encode(frame))
        target.mux(stream.encode(None))
    return out.getvalue()
