"""Reading and saving one entry of a .po catalog, safely for several editors and several API workers.

The .po files stay the source of truth (Poedit, Weblate and git read and write the same files).
A save:
- takes an exclusive `flock` on the catalog's folder, so two workers or threads never interleave
  their read-modify-write of one catalog;
- compares the version the editor's form was built from with the entry on disk now, and refuses
  the save when they differ (someone else saved in between: optimistic concurrency);
- writes with Babel's `write_po` (the same options as `make locales-update`, so a round trip leaves
  every other line as it was) to a temporary file in the same folder, then renames it over the
  catalog: a reader sees the old file or the new one, never half of one. The rename gives the file
  a new inode, which every worker's catalog store notices on its next message (api/nlg/catalogs.py).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po

from api.core.languages import SUPPORTED_LANGUAGES
from api.nlg.catalogs import catalog_path
from api.nlg.check import CHANNEL_LIMIT
from api.nlg.source import MessageSpec, placeholders_in

# The translator comment the drafts carry until a speaker has checked them; a review takes it away.
AWAITING_REVIEW_COMMENT = "awaiting native-speaker review"
_GENERATED_BY = re.compile(rb'"Generated-By: [^"\\]*\\n"')


class EntryError(ValueError):
    """A save was refused; `code` names why (the console shows the matching text from its catalog)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class CatalogEntry:
    """One entry of one catalog as an editor sees it."""

    language: str
    msgid: str
    text: str
    fuzzy: bool
    version: str
    translator_comments: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def missing(self) -> bool:
        return not self.text


def entry_version(text: str, fuzzy: bool) -> str:
    """A short hash of what an editor saw: the text and whether it was reviewed."""
    return hashlib.sha256(f"{int(fuzzy)}\x1f{text}".encode()).hexdigest()[:16]


def text_sha256(text: str) -> str:
    """The hash a review record keeps instead of the text."""
    return hashlib.sha256(text.encode()).hexdigest()


def _read_catalog(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _entry_of(language: str, msgid: str, message: Message | None) -> CatalogEntry:
    text = str(message.string or "") if message is not None else ""
    fuzzy = bool(message.fuzzy) if message is not None else False
    return CatalogEntry(language=language, msgid=msgid, text=text, fuzzy=fuzzy, version=entry_version(text, fuzzy),
                        translator_comments=tuple(message.user_comments) if message is not None else (),
                        notes=tuple(message.auto_comments) if message is not None else ())


def read_entry(locales_dir: Path, language: str, msgid: str) -> CatalogEntry:
    """The entry of `msgid` in the catalog of `language` as it is on disk now (empty when not translated)."""
    path = _existing_catalog(locales_dir, language)
    catalog = _read_catalog(path)
    return _entry_of(language, msgid, catalog.get(msgid))


def _existing_catalog(locales_dir: Path, language: str) -> Path:
    if language not in SUPPORTED_LANGUAGES:
        raise EntryError("unknown_language", f"{language!r} is not a language of the assistant.")
    path = catalog_path(locales_dir, language)
    if not path.is_file():
        raise EntryError("unknown_language", f"There is no catalog for {language!r}; run `make locales-update`.")
    return path


def clean_text(text: str) -> str:
    """The text as a browser sent it, with Windows line ends and surrounding blanks taken away."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def check_text(text: str, spec: MessageSpec | None) -> None:
    """Refuse a text the catalog check (`make locales-check`) would refuse: empty, wrong placeholders, too long."""
    if not text:
        raise EntryError("text_empty", "The text is empty.")
    expected = set(spec.placeholders) if spec is not None else set()
    used = placeholders_in(text)
    if used != expected:
        raise EntryError("placeholders_differ",
                         f"The text must hold exactly the placeholders {sorted(expected)}; it holds {sorted(used)}.")
    if len(text) > CHANNEL_LIMIT:
        raise EntryError("text_too_long", f"The text has {len(text)} characters; the limit is {CHANNEL_LIMIT}.")


@contextlib.contextmanager
def catalog_lock(path: Path) -> Iterator[None]:
    """An exclusive lock on the catalog's folder, held across processes (flock) until the block ends.

    The folder, not the file: the save replaces the file, and a lock on the old inode would not
    stop a writer that opened the new one.
    """
    descriptor = os.open(path.parent, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def serialise(catalog: Catalog, original: bytes) -> bytes:
    """The catalog as `make locales-update` writes it, keeping the original's Generated-By line."""
    buffer = BytesIO()
    write_po(buffer, catalog, width=0, include_previous=False)
    written = buffer.getvalue()
    kept = _GENERATED_BY.search(original)
    return _GENERATED_BY.sub(lambda _m: kept.group(0), written, count=1) if kept else written


def replace_atomically(path: Path, content: bytes) -> None:
    """Write `content` to a temporary file beside `path`, flush it to disk, rename it over `path`."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def save_entry(locales_dir: Path, language: str, msgid: str, text: str, expected_version: str,
               reviewed: bool, spec: MessageSpec | None) -> CatalogEntry:
    """Write `text` as the entry of `msgid`, fuzzy unless `reviewed`; refused if the entry changed since
    `expected_version` was read. Returns the entry as saved."""
    path = _existing_catalog(locales_dir, language)
    text = clean_text(text)
    check_text(text, spec)
    with catalog_lock(path):
        original = path.read_bytes()
        catalog = read_po(BytesIO(original))
        message = catalog.get(msgid)
        if message is None:
            raise EntryError("unknown_message", f"{msgid!r} is not in the {language} catalog; run `make locales-update`.")
        if _entry_of(language, msgid, message).version != expected_version:
            raise EntryError("stale_entry", "Someone else saved this text after you opened it; reload to see "
                                            "their version, then apply your change again.")
        message.string = text
        if reviewed:
            message.flags.discard("fuzzy")
            message.user_comments = [c for c in message.user_comments if c.strip() != AWAITING_REVIEW_COMMENT]
        else:
            message.flags.add("fuzzy")
        replace_atomically(path, serialise(catalog, original))
        return _entry_of(language, msgid, message)
