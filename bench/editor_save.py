"""An editor's save: how long a locked, version-checked, atomic .po write takes, and the first render after it.

Usage: .venv-app/bin/python bench/editor_save.py [--saves 50] [--editors 4]
Works on a throw-away copy of locales/. Each save is what one "Save and mark reviewed" does to
the file (api/editor/catalog_entries.py: flock, read_po, version check, write_po to a temporary
file, fsync, rename); the render is the next reply's catalog reload in a worker
(api/nlg/catalogs.py: stat, then read every .po again). With `--editors N`, N threads save
different entries of the same catalog at once: the lock serialises them.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.editor.catalog_entries import read_entry, save_entry  # noqa: E402
from api.nlg.catalogs import CatalogStore  # noqa: E402
from api.nlg.render import render_from_snapshot  # noqa: E402
from api.nlg.source import all_msgids, load_specs  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=50)
    parser.add_argument("--editors", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        locales = Path(folder) / "locales"
        shutil.copytree(ROOT / "locales", locales, ignore=shutil.ignore_patterns("*.mo", "audio"))
        store = CatalogStore(locales)
        store.snapshot()
        keys = [k for k in all_msgids(load_specs(locales)) if not k.endswith(tuple(f".{n}" for n in range(10)))]
        saves, renders = [], []
        for number in range(args.saves):
            key = keys[number % len(keys)]
            entry = read_entry(locales, "wo", key)
            started = time.perf_counter()
            save_entry(locales, "wo", key, f"{entry.text or 'Waaw'} ", entry.version, reviewed=True, spec=None)
            saves.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            render_from_snapshot(store.snapshot(), "utter_language_changed", "wo")
            renders.append((time.perf_counter() - started) * 1000)
        print(f"save (one editor):    n={len(saves)} median={statistics.median(saves):.1f} ms "
              f"p95={percentile(saves, .95):.1f} ms")
        print(f"first render after:   median={statistics.median(renders):.1f} ms p95={percentile(renders, .95):.1f} ms")
        timings: list[float] = []
        lock = threading.Lock()

        def editor(offset: int) -> None:
            for number in range(args.saves // args.editors):
                key = keys[(offset * 37 + number) % len(keys)]
                while True:
                    entry = read_entry(locales, "wo", key)
                    started = time.perf_counter()
                    try:
                        save_entry(locales, "wo", key, f"{entry.text or 'Waaw'} ", entry.version, True, None)
                    except ValueError:
                        continue  # someone saved this entry in between: read it again, as an editor would
                    with lock:
                        timings.append((time.perf_counter() - started) * 1000)
                    break

        threads = [threading.Thread(target=editor, args=(n,)) for n in range(args.editors)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        print(f"save ({args.editors} editors at once): n={len(timings)} median={statistics.median(timings):.1f} ms "
              f"p95={percentile(timings, .95):.1f} ms, {len(timings) / elapsed:.0f} saves/s")


if __name__ == "__main__":
    main()
