"""What must hold after anything: every video once, bytes intact, journal matching the disk."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from vidsort_tui.core.errors import LibraryError, NothingToUndo
from vidsort_tui.core.library import Library
from vidsort_tui.core.undo import undo_sorts


def fingerprint(root: Path) -> dict[str, list[tuple[str, str]]]:
    """video name -> [(folder or "", sha256)] for every regular file under root."""
    seen: dict[str, list[tuple[str, str]]] = {}
    for dirpath, _dirs, files in os.walk(root):
        folder = os.path.relpath(dirpath, root)
        for name in files:
            path = Path(dirpath) / name
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            seen.setdefault(name, []).append(("" if folder == "." else folder, digest))
    return seen


def assert_each_video_once(root: Path, originals: dict[str, str]) -> None:
    now = fingerprint(root)
    assert set(now) == set(originals), set(now) ^ set(originals)
    for name, places in now.items():
        assert len(places) == 1, f"{name} exists {len(places)} times: {places}"
        assert places[0][1] == originals[name], f"{name} changed"


def assert_journal_consistent(library: Library) -> None:
    """Undo everything that is pending: each step undoes or refuses cleanly, and it ends."""
    pending = len(library.journal.pending_sorts())
    for _ in range(pending + 1):
        try:
            undo_sorts(library)
        except NothingToUndo:
            return
        except LibraryError:
            continue  # refused cleanly (moved on / place taken); the entry is dropped or kept
    remaining = library.journal.pending_sorts()
    for entry in remaining:  # only sorts whose old place is taken may remain
        assert (library.root / entry.filename).exists()
