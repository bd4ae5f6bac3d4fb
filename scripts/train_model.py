"""Trains the Rasa model only when its inputs changed; prints the model path on the last line.

The model is cached as <cache>/<hash>.tar.gz, where the hash covers everything training reads
(config, domain, training data, the custom NLU components, the town gazetteer) and the Rasa
version. `bot/models/current.tar.gz` points at the model in use.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOT = ROOT / "bot"
INPUTS = [BOT / "config.yml", BOT / "domain.yml", BOT / "domain", BOT / "data", ROOT / "nlu", ROOT / "data" / "towns.yml"]
DEFAULT_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "sante-migrants" / "models"


def input_files() -> list[Path]:
    """Every file training reads, in a stable order."""
    files: list[Path] = []
    for path in INPUTS:
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files.extend(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                         and p.suffix in {".yml", ".yaml", ".py", ".json", ".txt"})
    return sorted(files)


def model_hash(rasa_version: str) -> str:
    """Hash of the training inputs and the Rasa version."""
    digest = hashlib.sha256(f"rasa={rasa_version}\n".encode())
    for path in input_files():
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:20]


def rasa_version(rasa: Path) -> str:
    """The installed Rasa version, from the bot environment's python."""
    python = rasa.parent / "python"
    out = subprocess.run([str(python), "-c", "import rasa; print(rasa.__version__)"],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def train(rasa: Path, target: Path) -> None:
    """Run `rasa train` into a temporary folder, then move the model atomically into the cache."""
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2")
    with tempfile.TemporaryDirectory(dir=target.parent) as out:
        started = time.monotonic()
        print("==> training the Rasa model (about 2-5 minutes); progress follows", flush=True)
        subprocess.run([str(rasa), "train", "--config", "config.yml", "--domain", _domain(), "--data", "data",
                        "--out", out, "--fixed-model-name", "model"], cwd=BOT, env=env, check=True)
        Path(out, "model.tar.gz").replace(target)
        print(f"==> model trained in {time.monotonic() - started:.0f} s", flush=True)


def _domain() -> str:
    return "domain" if (BOT / "domain").is_dir() else "domain.yml"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rasa", type=Path, default=ROOT / ".venv-bot" / "bin" / "rasa")
    parser.add_argument("--cache", type=Path, default=Path(os.environ.get("MODEL_CACHE", DEFAULT_CACHE)))
    parser.add_argument("--print-hash", action="store_true", help="print the inputs' hash and exit")
    args = parser.parse_args()
    key = model_hash(rasa_version(args.rasa))
    if args.print_hash:
        print(key)
        return 0
    args.cache.mkdir(parents=True, exist_ok=True)
    target = args.cache / f"{key}.tar.gz"
    with open(args.cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two runs never train the same model twice
        if target.exists():
            print(f"==> model up to date ({key}), nothing to train", flush=True)
        else:
            train(args.rasa, target)
    current = BOT / "models" / "current.tar.gz"
    current.parent.mkdir(exist_ok=True)
    tmp = current.with_suffix(".tmp")
    shutil.copyfile(target, tmp)
    tmp.replace(current)
    print(current)
    return 0


if __name__ == "__main__":
    sys.exit(main())
