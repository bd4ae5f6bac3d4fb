"""Summarise a py-spy raw profile (`py-spy record -f raw`): where a process spends its CPU, by frame and by module.

    .venv-app/bin/py-spy record -p PID -d 25 -r 200 -f raw -o var/api.prof --nonblocking
    .venv-app/bin/python bench/hotspots.py var/api.prof --turns 141 --match api/ --match sqlalchemy

`--turns` (answered turns during the recording, as bench/conversations.py prints them) turns sample
counts into milliseconds per turn; `--match` keeps only frames whose file contains one of the strings.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>.*?)(?::(?P<line>\d+))?\)$")


def parse(path: Path) -> list[tuple[list[str], int]]:
    """(frames root first, sample count) for every stack of the file."""
    stacks = []
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks.append((stack.split(";"), int(count)))
    return stacks


def label(frame: str) -> str:
    """`function (file)` without the line number and the virtualenv prefix."""
    match = FRAME.match(frame)
    if not match:
        return frame
    file = re.sub(r"^.*/site-packages/", "", match.group("file"))
    file = re.sub(r"^.*/(api|nlu|actions|rasa_ext)/", r"\1/", file)
    return f"{match.group('function')} ({file})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile", type=Path)
    parser.add_argument("--rate", type=float, default=200.0, help="samples per second given to py-spy -r")
    parser.add_argument("--turns", type=int, default=0, help="turns answered while recording")
    parser.add_argument("--match", action="append", default=[], help="keep frames whose file contains this")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    stacks = parse(args.profile)
    total = sum(count for _, count in stacks)
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    for frames, count in stacks:
        labels = [label(f) for f in frames]
        for name in set(labels):
            inclusive[name] += count
        own[labels[-1]] += count

    def unit(count: int) -> str:
        ms = count * 1000 / args.rate
        return f"{ms / args.turns:7.1f} ms/turn" if args.turns else f"{ms:8.0f} ms"

    print(f"{total} samples = {unit(total)} of CPU")
    for title, counter in (("inclusive", inclusive), ("self", own)):
        print(f"\n--- {title}")
        shown = 0
        for name, count in counter.most_common():
            if args.match and not any(m in name for m in args.match):
                continue
            print(f"{unit(count)}  {100 * count / total:5.1f}%  {name}")
            shown += 1
            if shown >= args.top:
                break
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
