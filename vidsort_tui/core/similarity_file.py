"""similarity.json, the file: look-alike order, look-alike groups and near-duplicates.

The pipeline (``pipeline.similarity``) computes them from the cached embeddings at every
retrain and refit and writes the file atomically (``write_similarity``); every interface reads
it as hostile input (``read_similarity``): entries whose names break the library's name policy
are dropped and counted, and a file that cannot be read at all is an empty result with a
warning -- never an error. Matching the file against the library as it is now, and caching
that, is similarity_store.py's. Format (``version`` 1)::

    {"version": 1,
     "lookalike_order": [filename, ...],          unsorted videos, look-alikes side by side
     "groups": [{"videos": [filename, ...],        tight clusters of unsorted videos
                 "suggested_folder": str | null,   the current model's folder for most of them
                 "similarity": float,              mean pairwise cosine, in [0, 1]
                 "new_kind": bool}],               optional: no folder fits most of them
     "duplicates": [{"videos": [{"filename": str, "folder": str | null}],   null: unsorted
                     "similarity": float}]}
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, NotRequired

from pydantic import Field, StrictBool, StrictStr, TypeAdapter, ValidationError
from typing_extensions import TypedDict

from vidsort_tui.core import artifacts
from vidsort_tui.core.atomic import read_regular, write_json_atomic
from vidsort_tui.core.names import RESERVED_FOLDERS, NamePolicy

log = logging.getLogger(__name__)

SIMILARITY_VERSION = 1
MAX_BYTES = 64 << 20


@dataclass(frozen=True)
class LookalikeGroup:
    """Unsorted videos that look alike; ``suggested_folder`` is None without a model."""

    videos: tuple[str, ...]
    suggested_folder: str | None
    similarity: float
    #: no folder fits these videos (most of them are new kinds): offer a new folder first
    new_kind: bool = False

    def to_json(self) -> dict[str, object]:
        return {"videos": list(self.videos), "suggested_folder": self.suggested_folder,
                "similarity": self.similarity, "new_kind": self.new_kind}  # fmt: skip


@dataclass(frozen=True)
class Copy:
    """One copy of a near-duplicate: its name and folder (None: unsorted, in the root)."""

    filename: str
    folder: str | None

    def to_json(self) -> dict[str, object]:
        return {"filename": self.filename, "folder": self.folder}


@dataclass(frozen=True)
class DuplicateGroup:
    """Copies of the same content (re-encoded, resized, trimmed, letterboxed, mirrored...)."""

    videos: tuple[Copy, ...]
    similarity: float

    def to_json(self) -> dict[str, object]:
        return {"videos": [c.to_json() for c in self.videos], "similarity": self.similarity}


@dataclass(frozen=True)
class Similarity:
    """What similarity.json says (or, after ``current``, what of it still holds)."""

    lookalike_order: tuple[str, ...] = ()
    groups: tuple[LookalikeGroup, ...] = ()
    duplicates: tuple[DuplicateGroup, ...] = ()
    #: why (part of) the file was not usable, for a status line; None when all was well
    warning: str | None = None

    def to_json(self) -> dict[str, object]:
        return {"version": SIMILARITY_VERSION, "lookalike_order": list(self.lookalike_order),
                "groups": [g.to_json() for g in self.groups],
                "duplicates": [d.to_json() for d in self.duplicates]}  # fmt: skip

    def copies_of(self, filename: str, folder: str | None = None) -> list[Copy]:
        """The other copies of the video ``filename`` in ``folder`` (for "same as X in Y")."""
        for group in self.duplicates:
            if Copy(filename, folder) in group.videos:
                return [c for c in group.videos if c != Copy(filename, folder)]
        return []

    def group_of(self, filename: str) -> LookalikeGroup | None:
        """The look-alike group an unsorted video belongs to, if any."""
        return next((g for g in self.groups if filename in g.videos), None)


EMPTY = Similarity()

# ----- parsing -------------------------------------------------------------------------------
_Score = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]


class _Group(TypedDict):
    videos: list[StrictStr]
    suggested_folder: StrictStr | None
    similarity: _Score
    new_kind: NotRequired[StrictBool]


class _Copy(TypedDict):
    filename: StrictStr
    folder: StrictStr | None


class _Duplicate(TypedDict):
    videos: list[_Copy]
    similarity: _Score


class _File(TypedDict):
    version: int
    lookalike_order: list[Any]
    groups: list[Any]
    duplicates: list[Any]


_FILE, _GROUP, _DUPLICATE = TypeAdapter(_File), TypeAdapter(_Group), TypeAdapter(_Duplicate)


def parse_similarity(data: bytes, names: NamePolicy) -> Similarity:
    """The file's content, every entry checked; bad entries are skipped and counted."""
    try:
        raw = _FILE.validate_python(json.loads(data.decode("utf-8")))
    except (ValueError, RecursionError) as exc:  # ValidationError is a ValueError
        reason = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
        return Similarity(warning=f"similarity file is unusable ({reason[:200]})")
    if raw["version"] != SIMILARITY_VERSION:
        return Similarity(warning=f"similarity file has version {raw['version']}; retrain")
    skipped = 0
    order = [n for n in raw["lookalike_order"] if isinstance(n, str) and names.is_valid(n)]
    skipped += len(raw["lookalike_order"]) - len(order)
    groups: list[LookalikeGroup] = []
    for item in raw["groups"]:
        if (group := _parse_group(item, names)) is None:
            skipped += 1
        else:
            groups.append(group)
    duplicates: list[DuplicateGroup] = []
    for item in raw["duplicates"]:
        if (duplicate := _parse_duplicate(item, names)) is None:
            skipped += 1
        else:
            duplicates.append(duplicate)
    warning = f"similarity file: skipped {skipped} entries that are not valid" if skipped else None
    return Similarity(tuple(dict.fromkeys(order)), tuple(groups), tuple(duplicates), warning)


def _parse_group(item: object, names: NamePolicy) -> LookalikeGroup | None:
    try:
        group = _GROUP.validate_python(item)
    except ValidationError:
        return None
    folder = group["suggested_folder"]
    if folder is not None and (
        folder in RESERVED_FOLDERS or not names.is_valid_folder_name(folder)
    ):
        return None
    if not group["videos"] or not all(map(names.is_valid, group["videos"])):
        return None
    return LookalikeGroup(
        tuple(dict.fromkeys(group["videos"])),
        folder,
        group["similarity"],
        group.get("new_kind", False),
    )


def _parse_duplicate(item: object, names: NamePolicy) -> DuplicateGroup | None:
    try:
        duplicate = _DUPLICATE.validate_python(item)
    except ValidationError:
        return None
    copies = [Copy(c["filename"], c["folder"]) for c in duplicate["videos"]]
    for c in copies:
        if not names.is_valid(c.filename) or not (
            c.folder is None or names.is_valid_folder_name(c.folder)
        ):
            return None
    return DuplicateGroup(tuple(dict.fromkeys(copies)), duplicate["similarity"])


def write_similarity(artifacts_dir: Path, similarity: Similarity) -> None:
    """Atomically replace similarity.json (the pipeline calls this)."""
    write_json_atomic(Path(artifacts_dir) / artifacts.SIMILARITY, similarity.to_json())


def read_similarity(path: Path, names: NamePolicy) -> Similarity:
    """The file at ``path`` as it says (EMPTY without one); a file that cannot be read or
    parsed gives what could be used, with the reason as ``warning`` (also logged)."""
    try:
        data = read_regular(path, MAX_BYTES)
    except FileNotFoundError:
        return EMPTY
    except OSError as exc:
        result = Similarity(warning=f"similarity file {path} is unreadable ({exc})")
    else:
        result = parse_similarity(data, names)
    if result.warning:
        log.warning("%s", result.warning)
    return result
