"""The process's one catalog store per locales folder, found without touching the disk once known."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from api.nlg.catalogs import catalog_store
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
