"""The catalogs of locales/ in memory: read from the .po files, reloaded when an editor saves one.

Their command line for editors and the build is api/nlg/commands.py.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.pofile import read_po

from api.core.languages import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES
from api.core.logging import log_event
from api.nlg.source import SOURCE_FILE, MessageSpec, SourceListError, load_specs

logger = logging.getLogger(__name__)

DOMAIN = "messages"
# Where a language looks when a message is missing (or unreviewed) in its own catalog.
FALLBACKS: dict[str, tuple[str, ...]] = {"ary": ("ar", "fr"), "ar": ("fr",), "fr": ()}


def language_chain(language: str) -> tuple[str, ...]:
    """The person's language first, then its fallbacks: ary → ar → fr; every other language → fr."""
    if language not in SUPPORTED_LANGUAGES:
        language = DEFAULT_LANGUAGE
    return (language, *FALLBACKS.get(language, (DEFAULT_LANGUAGE,)))


@dataclass(frozen=True)
class Entry:
    """One translated text and whether an editor has reviewed it (not `#, fuzzy`)."""

    text: str
    fuzzy: bool


@dataclass(frozen=True)
class Resolved:
    """The text chosen for a message and the language it is written in."""

    text: str
    language: str
    fuzzy: bool


@dataclass(frozen=True)
class CatalogSnapshot:
    """Every catalog as loaded at one moment; never changes once built (safe to share between threads)."""

    specs: dict[str, MessageSpec]
    entries: dict[str, dict[str, Entry]]

    def entry(self, key: str, language: str) -> Entry | None:
        """The non-empty entry of `key` in one catalog, reviewed or not."""
        entry = self.entries.get(language, {}).get(key)
        return entry if entry is not None and entry.text else None

    def resolve(self, key: str, language: str) -> Resolved | None:
        """The first reviewed text along the language chain; an unreviewed one only when none is reviewed."""
        chain = language_chain(language)
        for want_fuzzy in (False, True):
            for lang in chain:
                entry = self.entry(key, lang)
                if entry is not None and entry.fuzzy == want_fuzzy:
                    return Resolved(entry.text, lang, entry.fuzzy)
        return None


def catalog_path(locales_dir: Path, language: str) -> Path:
    """Where the catalog of a language lives."""
    return locales_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(path: Path) -> dict[str, Entry]:
    """The entries of one .po file (the header and obsolete entries left out)."""
    with path.open("rb") as handle:
        catalog = read_po(handle, ignore_obsolete=True)
    return {str(m.id): Entry(str(m.string or ""), m.fuzzy) for m in catalog if m.id and isinstance(m.id, str)}


# (path, inode, mtime in ns, size) of every file the snapshot was read from.
Signature = tuple[tuple[str, int, int, int], ...]


class CatalogStore:
    """Holds the latest snapshot of a locales folder; reloads it when a file's mtime or size changes.

    Each process checks the files itself on every request (a dozen `stat` calls), so every worker
    of a multi-process server sees an editor's change on its next message without any signalling.
    """

    def __init__(self, locales_dir: Path) -> None:
        self.locales_dir = locales_dir
        self._lock = threading.Lock()
        # One attribute for both, swapped in one assignment: a reader never pairs a new signature
        # with an old snapshot.
        self._state: tuple[Signature, CatalogSnapshot] | None = None
        # The files a snapshot is read from, as strings made once: the check runs on every render.
        self._paths: tuple[str, ...] = tuple(str(path) for path in self._files())

    def _files(self) -> list[Path]:
        files = [self.locales_dir / SOURCE_FILE]
        files += [catalog_path(self.locales_dir, lang) for lang in SUPPORTED_LANGUAGES]
        return files

    def _current_signature(self) -> Signature:
        # The inode too: editors (Poedit, git, Weblate) save by writing a new file and renaming it,
        # which a same-size edit within the filesystem's timestamp granularity would otherwise hide.
        signature = []
        for path in self._paths:
            try:
                stat = os.stat(path)
            except FileNotFoundError:
                continue
            signature.append((path, stat.st_ino, stat.st_mtime_ns, stat.st_size))
        return tuple(signature)

    def snapshot(self) -> CatalogSnapshot:
        """The catalogs as they are on disk now (reloaded only if a file changed).

        Inside `one_version_per_message` the files are checked at the message's first render only.
        """
        taken = _this_message.get()
        if taken is not None and (snapshot := taken.get(self.locales_dir)) is not None:
            return snapshot
        snapshot = self._snapshot_now()
        if taken is not None:
            taken[self.locales_dir] = snapshot
        return snapshot

    def _snapshot_now(self) -> CatalogSnapshot:
        signature = self._current_signature()
        state = self._state
        if state is not None and state[0] == signature:
            return state[1]
        with self._lock:
            state = self._state
            if state is None or state[0] != signature:
                state = (signature, self._load(state[1] if state else None))
                self._state = state
            return state[1]

    def _load(self, previous: CatalogSnapshot | None) -> CatalogSnapshot:
        try:
            specs = load_specs(self.locales_dir)
        except (OSError, SourceListError) as error:  # a half-saved source.yml must not take the assistant down
            if previous is None:
                raise
            log_event(logger, "nlg_source_unreadable", level=logging.ERROR, error=str(error)[:200])
            specs = previous.specs
        entries: dict[str, dict[str, Entry]] = {}
        for lang in SUPPORTED_LANGUAGES:
            path = catalog_path(self.locales_dir, lang)
            if not path.exists():
                continue
            try:
                entries[lang] = read_catalog(path)
            except Exception:  # keep serving the last good version of a catalog an editor broke
                log_event(logger, "nlg_catalog_unreadable", level=logging.ERROR, language=lang)
                if previous is not None and lang in previous.entries:
                    entries[lang] = previous.entries[lang]
        log_event(logger, "nlg_catalogs_loaded", languages=len(entries), messages=len(specs))
        return CatalogSnapshot(specs=specs, entries=entries)


# The snapshots taken for the message being answered, per locales folder (`one_version_per_message`).
# The dict is shared by the threads the message's work runs on: they get a copy of the context.
_this_message: contextvars.ContextVar[dict[Path, CatalogSnapshot] | None] = contextvars.ContextVar(
    "catalogs_of_this_message", default=None)


@contextlib.contextmanager
def one_version_per_message() -> Iterator[None]:
    """Every text of one message's answer comes from the catalogs as they were at its first render.

    A turn renders several texts (the replies, their buttons, "Was this helpful?", a typed title
    compared): the files are checked once for all of them, not a dozen `stat` calls each, and
    an editor's save lands between two messages, never inside one answer.
    """
    token = _this_message.set({})
    try:
        yield
    finally:
        _this_message.reset(token)


_stores: dict[Path, CatalogStore] = {}
_stores_lock = threading.Lock()


def catalog_store(locales_dir: Path) -> CatalogStore:
    """The one store of a locales folder in this process."""
    given = Path(locales_dir)
    if given.is_absolute() and (store := _stores.get(given)) is not None:
        return store  # asked on every render: no `resolve()` (a realpath walk) once known
    key = given.resolve()
    with _stores_lock:
        if key not in _stores:
            _stores[key] = CatalogStore(key)
        if given.is_absolute():
            _stores[given] = _stores[key]
        return _stores[key]
