"""Which number key files into which folder, kept stable (ARTIFACTS_DIR/folder_keys.json).

Muscle memory: once `5` files into "sea", it keeps doing so when folders are added. A folder
keeps its key while it exists; a folder without a key (new, or beyond the first ten) takes
the lowest free one, in name order; a folder gone from disk frees its key. The reserved
``duplicates`` folder (near-duplicate copies) never gets a key. The TUI and every API worker
read the same file, so the terminal and the page number folders alike.

The file is input like any other: a file that does not fit (wrong shape, names outside the
rules, a key twice) is ignored with a warning and rebuilt. It is written atomically under a
lock, and only when the assignment changes; when it cannot be written (read-only or full
artifacts), the assignment still holds in memory and a warning says why.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from vidsort_tui.core import artifacts
from vidsort_tui.core.atomic import read_regular, write_json_atomic
from vidsort_tui.core.moves import file_lock
from vidsort_tui.core.names import NamePolicy

log = logging.getLogger(__name__)

#: keys 1–9 then 0: slot 10 is the key "0"
SLOTS = 10
#: the folder that holds near-duplicate copies: listed, never on a number key
DUPLICATES = "duplicates"
RESERVED = frozenset({DUPLICATES})


def key_text(slot: int | None) -> str | None:
    """The key a person presses for ``slot`` (1 -> "1", 10 -> "0")."""
    return None if slot is None else str(slot % 10)


class _KeysFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1]
    keys: dict[
        Annotated[StrictStr, Field(max_length=255)], Annotated[StrictInt, Field(ge=1, le=SLOTS)]
    ]


@dataclass(frozen=True)
class KeyAssignment:
    #: folder name -> slot 1..10, for the folders that have a key
    keys: dict[str, int]
    #: what the file said before this call changed it (None: unchanged, or no file before)
    before: dict[str, int] | None = None


def plan(saved: Mapping[str, int], folders: Iterable[str]) -> dict[str, int]:
    """Keep every saved key whose folder still exists; give free keys to the rest, in order."""
    present = [f for f in folders if f not in RESERVED]
    keys = {f: saved[f] for f in present if f in saved}
    free = iter(sorted(set(range(1, SLOTS + 1)) - set(keys.values())))
    for folder in present:
        if folder not in keys and (slot := next(free, None)) is not None:
            keys[folder] = slot
    return dict(sorted(keys.items(), key=lambda item: item[1]))


def describe_changes(before: Mapping[str, int], after: Mapping[str, int]) -> list[str]:
    """Each change of numbering in words, for the status line and the page."""
    said = []
    owner = {slot: folder for folder, slot in before.items()}
    for folder, slot in before.items():
        if folder not in after:
            said.append(f"{folder} is gone: key {key_text(slot)} is free")
    for folder, slot in after.items():
        old = before.get(folder)
        if old == slot:
            continue
        was = owner.get(slot)
        if old is not None:
            said.append(f"{folder} moved from key {key_text(old)} to {key_text(slot)}")
        elif was is not None and was != folder:
            said.append(f"key {key_text(slot)} now files into {folder} (was {was})")
        else:
            said.append(f"{folder} is on key {key_text(slot)}")
    return said


class FolderKeys:
    """The stable key assignment of one library (see the module's docstring)."""

    def __init__(self, artifacts_dir: Path, names: NamePolicy) -> None:
        self.path = Path(artifacts_dir) / artifacts.FOLDER_KEYS
        self.lock_path = Path(artifacts_dir) / artifacts.FOLDER_KEYS_LOCK
        self.names = names
        self.warning: str | None = None

    def assign(self, folders: Iterable[str]) -> KeyAssignment:
        """The keys for these folders (the library's, in name order), saved if they changed."""
        folders = list(folders)
        saved = self._read()
        keys = plan(saved or {}, folders)
        if keys == saved:
            return KeyAssignment(keys)
        try:
            with file_lock(self.lock_path):
                saved = self._read()  # another process may have written meanwhile
                keys = plan(saved or {}, folders)
                if keys != saved:
                    self._sweep_temporaries()
                    write_json_atomic(self.path, {"version": 1, "keys": keys})
        except OSError as exc:
            self._warn(f"cannot save the folder keys in {self.path} ({exc.strerror or exc}); "
                       "they hold until the app quits")  # fmt: skip
        return KeyAssignment(keys, saved if keys != saved else None)

    def _sweep_temporaries(self) -> None:
        """Temporary files of a writer killed mid-write (only called under the lock, so no
        writer is still using one)."""
        for leftover in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            with contextlib.suppress(OSError):
                leftover.unlink()

    def _read(self) -> dict[str, int] | None:
        """The saved keys, or None (no file, or one that does not fit: warned, rebuilt)."""
        try:
            parsed = _KeysFile.model_validate_json(read_regular(self.path, 1 << 20))
        except FileNotFoundError:
            return None
        except (OSError, ValidationError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not a valid key file"
            self._warn(f"{self.path}: {reason}; folder keys were numbered afresh")
            return None
        keys = parsed.keys
        bad = [f for f in keys if f in RESERVED or not self.names.is_valid_folder_name(f)]
        if bad or len(set(keys.values())) != len(keys):
            why = f"folder names outside the rules ({bad[0]!r})" if bad else "a key given twice"
            self._warn(f"{self.path}: {why}; folder keys were numbered afresh")
            return None
        return dict(keys)

    def _warn(self, message: str) -> None:
        if message != self.warning:
            log.warning(message)
        self.warning = message
