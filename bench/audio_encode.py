"""Time to check and convert an editor's upload to the MP3 every channel plays, per format and length.

Prints one line per case: format, seconds of audio, input kB, output kB, milliseconds. The upload
request waits for this, so it bounds how long an editor waits after "Upload".
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.audio.encoding import encode_clip  # noqa: E402
from tests.api.audio.recordings import FORMATS, tone  # noqa: E402

LENGTHS = (10.0, 60.0, 120.0)


def main() -> None:
    print("format  seconds  input_kB  output_kB  ms")
    for kind in sorted(FORMATS):
        for seconds in LENGTHS:
            data = tone(kind, seconds)
            start = time.perf_counter()
            clip = encode_clip(data, max_seconds=seconds + 1)
            elapsed = (time.perf_counter() - start) * 1000
            print(f"{kind:6}  {seconds:7.0f}  {len(data) / 1024:8.0f}  {len(clip.data) / 1024:9.0f}  {elapsed:6.0f}")


if __name__ == "__main__":
    main()
