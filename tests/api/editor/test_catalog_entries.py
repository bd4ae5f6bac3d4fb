"""Saving one catalog entry: Babel round trip, fuzzy flag, version check, lock, atomic replace, reload."""

from __future__ import annotations

import os
import threading
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from api.editor.catalog_entries import AWAITING_REVIEW_COMMENT, EntryError, read_entry, save_entry
from api.nlg.catalogs import CatalogStore, catalog_path
from api.nlg.render import render_from_snapshot
from api.nlg.source import load_specs

KEY = "utter_language_changed"
WOLOF = "Waaw, léegi dinaa la tontu ci wolof."


def po(locales: Path, language: str = "wo") -> Path:
    return catalog_path(locales, language)


def test_marking_reviewed_writes_the_text_clears_fuzzy_and_changes_only_that_entry(locales: Path) -> None:
    before = po(locales).read_bytes()
    entry = read_entry(locales, "wo", KEY)
    assert entry.fuzzy and AWAITING_REVIEW_COMMENT in entry.translator_comments

    saved = save_entry(locales, "wo", KEY, WOLOF + "\r\n", entry.version, reviewed=True, spec=None)

    assert saved.text == WOLOF and not saved.fuzzy and saved.version != entry.version
    after = po(locales).read_bytes()
    old, new = read_po(BytesIO(before)), read_po(BytesIO(after))
    assert not new[KEY].fuzzy and new[KEY].string == WOLOF and AWAITING_REVIEW_COMMENT not in new[KEY].user_comments
    others = [m.id for m in old if m.id and m.id != KEY]
    assert all((old[i].string, old[i].fuzzy, old[i].auto_comments) == (new[i].string, new[i].fuzzy,
               new[i].auto_comments) for i in others)
    # Written as `make locales-update` writes (Poedit/Weblate round trips): only the entry's lines changed.
    removed = set(before.splitlines()) - set(after.splitlines())
    assert removed <= {b"#, fuzzy", f"# {AWAITING_REVIEW_COMMENT}".encode(),
                       b'msgstr "Waaw, l\xc3\xa9egi dinaa la tontu ci wolof. (Yenn tontu yi ngi ci faranse ba l\xc3\xa9egi.)"'}
    # The header is the file's own, whichever Babel wrote it last.
    generated_by = next(line for line in before.splitlines() if line.startswith(b'"Generated-By: Babel '))
    assert generated_by in after.splitlines()


def test_a_draft_save_keeps_the_entry_fuzzy(locales: Path) -> None:
    entry = read_entry(locales, "fr", KEY)
    assert not entry.fuzzy
    saved = save_entry(locales, "fr", KEY, "D'accord.", entry.version, reviewed=False, spec=None)
    assert saved.fuzzy and read_entry(locales, "fr", KEY).fuzzy


def test_a_save_from_an_old_version_is_refused_and_the_file_is_left_alone(locales: Path) -> None:
    opened = read_entry(locales, "wo", KEY)
    save_entry(locales, "wo", KEY, WOLOF, opened.version, reviewed=True, spec=None)
    after_first = po(locales).read_bytes()
    with pytest.raises(EntryError) as refused:
        save_entry(locales, "wo", KEY, "Another text", opened.version, reviewed=True, spec=None)
    assert refused.value.code == "stale_entry"
    assert po(locales).read_bytes() == after_first


def test_placeholders_must_be_those_of_the_source_list(locales: Path) -> None:
    specs = load_specs(locales)
    key = next(k for k, s in specs.items() if s.placeholders)
    entry = read_entry(locales, "wo", key)
    with pytest.raises(EntryError) as refused:
        save_entry(locales, "wo", key, "No placeholder here", entry.version, reviewed=True, spec=specs[key])
    assert refused.value.code == "placeholders_differ"
    with pytest.raises(EntryError) as empty:
        save_entry(locales, "wo", KEY, "  \r\n ", read_entry(locales, "wo", KEY).version, True, None)
    assert empty.value.code == "text_empty"
    with pytest.raises(EntryError) as long:
        save_entry(locales, "wo", KEY, "Waaw. " * 300, read_entry(locales, "wo", KEY).version, True, None)
    assert long.value.code == "text_too_long"


def test_emoji_right_to_left_and_braces_that_are_no_placeholder_are_kept_as_typed(locales: Path) -> None:
    text = "Waaw \N{THUMBS UP SIGN} مرحبا {not a placeholder} \"quoted\"\nline two"
    save_entry(locales, "wo", KEY, text, read_entry(locales, "wo", KEY).version, reviewed=True, spec=None)
    assert read_entry(locales, "wo", KEY).text == text


def test_the_file_is_replaced_by_rename_and_the_next_render_uses_it(locales: Path) -> None:
    store = CatalogStore(locales)
    key, text = "utter_thank", "Ñoo ko bokk."  # a draft the renderer does not serve until it is reviewed
    assert render_from_snapshot(store.snapshot(), key, "wo").language == "fr"  # fuzzy: served in French
    inode = os.stat(po(locales)).st_ino
    save_entry(locales, "wo", key, text, read_entry(locales, "wo", key).version, reviewed=True, spec=None)
    assert os.stat(po(locales)).st_ino != inode
    assert not list(po(locales).parent.glob(".*.tmp"))
    rendered = render_from_snapshot(store.snapshot(), key, "wo")
    assert rendered.text == text and rendered.language == "wo"


def test_of_twenty_editors_saving_the_same_version_at_once_exactly_one_wins(locales: Path) -> None:
    version = read_entry(locales, "wo", KEY).version
    start = threading.Barrier(20)
    outcomes: dict[int, str] = {}

    def editor(number: int) -> None:
        start.wait()
        try:
            save_entry(locales, "wo", KEY, f"{WOLOF} ({number})", version, reviewed=True, spec=None)
            outcomes[number] = "saved"
        except EntryError as error:
            outcomes[number] = error.code

    threads = [threading.Thread(target=editor, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [n for n, outcome in outcomes.items() if outcome == "saved"]
    assert len(winners) == 1 and sorted(set(outcomes.values())) == ["saved", "stale_entry"]
    assert read_entry(locales, "wo", KEY).text == f"{WOLOF} ({winners[0]})"
