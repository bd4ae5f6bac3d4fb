"""The process's one catalog store per locales folder, found without touching the disk once known."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from api.nlg.catalogs import CatalogStore, catalog_store, one_version_per_message
from api.nlg.render import render_from_snapshot
from tests.api.nlg.catalog_files import make_locales


def test_a_folder_named_again_is_the_same_store_with_no_path_resolved(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    folder = make_locales(tmp_path)
    store = catalog_store(folder)

    def no_resolving(self: Path, strict: bool = False) -> Path:
        raise AssertionError(f"{self} resolved again")

    monkeypatch.setattr(Path, "resolve", no_resolving)
    assert catalog_store(folder) is store  # every render asks for it: a realpath walk each time cost ~0.3 ms
    monkeypatch.undo()
    relative = Path(os.path.relpath(folder))
    assert catalog_store(relative) is store  # a relative name is resolved: it depends on the working folder


def test_the_check_for_changed_files_still_sees_a_new_file_on_the_next_render(tmp_path: Path) -> None:
    folder = make_locales(tmp_path)
    store = catalog_store(folder)
    before = render_from_snapshot(store.snapshot(), "utter_greet", "fr").text
    po = folder / "fr" / "LC_MESSAGES" / "messages.po"
    po.write_text(po.read_text(encoding="utf-8").replace(before.splitlines()[0], "Salut tout le monde"),
                  encoding="utf-8")
    assert render_from_snapshot(catalog_store(folder).snapshot(), "utter_greet", "fr").text.startswith("Salut")


def test_one_message_reads_one_version_and_the_next_message_the_edit(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    folder = make_locales(tmp_path)
    store = catalog_store(folder)
    checks = 0
    check_files = CatalogStore._current_signature

    def counted(self: CatalogStore) -> tuple:
        nonlocal checks
        checks += 1
        return check_files(self)

    monkeypatch.setattr(CatalogStore, "_current_signature", counted)
    po = folder / "fr" / "LC_MESSAGES" / "messages.po"
    with one_version_per_message():
        before = render_from_snapshot(store.snapshot(), "utter_greet", "fr").text
        po.write_text(po.read_text(encoding="utf-8").replace(before.splitlines()[0], "Salut tout le monde"),
                      encoding="utf-8")
        # Saved in the middle of the message's answer: its other texts still come from the version it began with.
        assert render_from_snapshot(store.snapshot(), "utter_greet", "fr").text == before
        assert checks == 1
    with one_version_per_message():
        assert render_from_snapshot(store.snapshot(), "utter_greet", "fr").text.startswith("Salut")
        assert render_from_snapshot(store.snapshot(), "utter_greet", "fr").text.startswith("Salut")
    assert checks == 2
