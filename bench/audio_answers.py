"""Audio answers: time to check and convert an upload, and the look-up every rendered message makes.

First table, one line per case: format, seconds of audio, input kB, output kB, milliseconds (the
upload request waits for this). Then the microseconds of `audio_available` on a throw-away SQLite
database, with and without a clip (every message the NLG renders asks it once).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.audio.encoding import encode_clip  # noqa: E402
from tests.api.audio.recordings import FORMATS, tone  # noqa: E402

LENGTHS = (10.0, 60.0, 120.0)
LOOKUPS = 2000


def lookup_bench() -> None:
    """Microseconds per `audio_available` call on a fresh SQLite database holding one clip."""
    folder = Path(tempfile.mkdtemp(prefix="audio-bench-"))
    os.environ.update(DATABASE_URL=f"sqlite:///{folder / 'app.db'}", AUDIO_DIR=str(folder / "audio"),
                      APP_ENV="development")
    from api.audio.clips import save_clip
    from api.audio.index import audio_available
    from api.core.config import get_settings
    from api.db import get_sessionmaker
    from tests.support.app_db import migrate, reset_caches

    reset_caches()
    migrate(os.environ["DATABASE_URL"])
    with get_sessionmaker()() as session:
        save_clip(session, get_settings(), "utter_greet", "fr", tone("ogg"), None, known_msgids={"utter_greet"})
    print("lookup              found  us_per_call")
    for language in ("fr", "wo"):
        found = audio_available("utter_greet", language)
        start = time.perf_counter()
        for _ in range(LOOKUPS):
            audio_available("utter_greet", language)
        print(f"utter_greet/{language:6}  {found!s:5}  {(time.perf_counter() - start) / LOOKUPS * 1e6:11.0f}")


def main() -> None:
    print("format  seconds  input_kB  output_kB  ms")
    for kind in sorted(FORMATS):
        for seconds in LENGTHS:
            data = tone(kind, seconds)
            start = time.perf_counter()
            clip = encode_clip(data, max_seconds=seconds + 1)
            elapsed = (time.perf_counter() - start) * 1000
            print(f"{kind:6}  {seconds:7.0f}  {len(data) / 1024:8.0f}  {len(clip.data) / 1024:9.0f}  {elapsed:6.0f}")
    lookup_bench()


if __name__ == "__main__":
    main()
