"""features.sqlite: descriptors keyed by (file name, size, mtime_ns, version).

The classical parts (table ``features``, FEATURE_VERSION), the content embedding (table
``embeddings``, EMBEDDING_VERSION) and the perceptual signature for near-duplicates (table
``signatures``, SIGNATURE_VERSION) are versioned apart: bumping one never throws the others
away, and a cache made before a part existed stays valid for the others.

Keyed by name rather than path, so sorting a video (a rename keeps size and mtime) never
forces it to be decoded again. Failures are cached too: an unchanged broken file is not
retried on every run. WAL mode lets the TUI refit read while a retrain writes.

Every row is checked as it is read (sizes against the blobs, lengths, finite values): one
that fails is deleted and counted in ``damaged``, so the video is extracted (or encoded)
again instead of one bad row failing every retrain. The file and its -wal/-shm must be
regular files: a FIFO there would hang SQLite's first read.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Literal

import numpy as np

from pipeline.features.descriptor import (
    FEATURE_VERSION,
    GLOBAL_WIDTH,
    LOCAL_WIDTH,
    PATCHES_PER_FRAME,
    VideoFeatures,
)
from pipeline.features.embedder import EMBEDDING_VERSION, EMBEDDING_WIDTH
from pipeline.features.signature import SIGNATURE_VERSION, is_signature

Key = tuple[str, int, int]  # name, size, mtime_ns
#: far more local descriptors than sampling makes (PATCHES_PER_FRAME for each of 8 frames)
MAX_LOCAL_ROWS = PATCHES_PER_FRAME * 64
#: a cached skip reason longer than this is not one vidsort wrote
MAX_ERROR_CHARS = 2000
#: a row of the features table: key, version, global, local, local_rows, error
_FeaturesRow = tuple[str, int, int, int, bytes | None, bytes | None, int | None, str | None]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS features (
    name TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, version INTEGER NOT NULL,
    global BLOB, local BLOB, local_rows INTEGER, error TEXT,
    PRIMARY KEY (name, size, mtime_ns, version)
);
CREATE TABLE IF NOT EXISTS encoded (
    name TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, version INTEGER NOT NULL,
    vocabulary TEXT NOT NULL, vector BLOB NOT NULL,
    PRIMARY KEY (name, size, mtime_ns, version, vocabulary)
);
CREATE TABLE IF NOT EXISTS embeddings (
    name TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, version INTEGER NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (name, size, mtime_ns, version)
);
CREATE TABLE IF NOT EXISTS signatures (
    name TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, version INTEGER NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (name, size, mtime_ns, version)
)
"""


def key_of(path: Path) -> Key | str:
    """The cache key of a file, or why it cannot be had (the file is gone, or unreadable)."""
    try:
        st = os.stat(path)
    except OSError as exc:
        return f"cannot stat: {exc.strerror}"
    return (path.name, st.st_size, st.st_mtime_ns)


def _refuse_special_files(path: Path) -> None:
    """OSError when the database or its -wal/-shm is anything but a regular file."""
    for name in (path.name, f"{path.name}-wal", f"{path.name}-shm"):
        try:
            mode = os.lstat(path.with_name(name)).st_mode
        except FileNotFoundError:
            continue
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, f"{name} in the artifacts folder is not a regular file "
                          "(remove it: the feature cache is made again)", str(path))  # fmt: skip


class FeatureCache:
    def __init__(self, path: Path) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        _refuse_special_files(Path(path))
        #: rows that failed their checks since this cache was opened (deleted as found)
        self.damaged = 0
        self.db = sqlite3.connect(str(path), timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def lookup(
        self, keys: Iterable[Key], embeddings: bool = True, local: bool = True
    ) -> dict[Key, VideoFeatures | str]:
        """Cached features (or the cached skip reason) for the keys that have them.

        With ``embeddings``, each VideoFeatures carries its cached embedding (or None), and
        always its cached signature (or None).
        Without ``local``, the local descriptors are left out (empty): a refit whose videos
        are all encoded already does not need them (``locals`` reads them on demand).
        """
        wanted = {k: None for k in keys}
        out: dict[Key, VideoFeatures | str] = {}
        rows = self.db.execute(
            f"SELECT name, size, mtime_ns, global, {'local' if local else 'NULL'}, local_rows, "
            "length(local), error FROM features WHERE version = ?",
            (FEATURE_VERSION,),
        )
        damaged = []
        for name, size, mtime_ns, glob, loc, loc_rows, loc_bytes, error in rows:
            key = (name, size, mtime_ns)
            if key not in wanted:
                continue
            value = _features_row(glob, loc if local else None, loc_rows, loc_bytes, error)
            if value is None:
                damaged.append(key)
            else:
                out[key] = value
        self._drop("features", FEATURE_VERSION, damaged)
        if embeddings:
            described = {k: v for k, v in out.items() if isinstance(v, VideoFeatures)}
            for key, vector in self.embeddings(described).items():
                described[key].embedding = vector
        signed = {k: v for k, v in out.items() if isinstance(v, VideoFeatures)}
        for key, signature in self.signatures(signed).items():
            signed[key].signature = signature
        return out

    def locals(self, keys: Iterable[Key]) -> dict[Key, np.ndarray]:
        """The local descriptors of these keys (for features looked up without them)."""
        wanted = set(keys)
        rows = self.db.execute(
            "SELECT name, size, mtime_ns, local, local_rows FROM features "
            "WHERE version = ? AND error IS NULL",
            (FEATURE_VERSION,),
        )
        out, damaged = {}, []
        for n, s, m, blob, count in rows:
            if (n, s, m) in wanted:
                patches = _local_rows(blob, count)
                if patches is None:
                    damaged.append((n, s, m))
                else:
                    out[(n, s, m)] = patches
        self._drop("features", FEATURE_VERSION, damaged)
        return out

    def embeddings(self, keys: Iterable[Key]) -> dict[Key, np.ndarray]:
        """Cached embeddings; a damaged one (wrong size, not finite) reads as missing, so the
        video is described again rather than poisoning a model."""
        return self._vectors("embeddings", EMBEDDING_VERSION, keys, np.float32, _usable_embedding)

    def signatures(self, keys: Iterable[Key]) -> dict[Key, np.ndarray]:
        """Cached perceptual signatures (``signature.py``); a damaged one reads as missing."""
        return self._vectors("signatures", SIGNATURE_VERSION, keys, np.uint64, is_signature)

    def _vectors(
        self,
        table: Literal["embeddings", "signatures"],
        version: int,
        keys: Iterable[Key],
        dtype: type[np.generic],
        usable: Callable[[np.ndarray], bool],
    ) -> dict[Key, np.ndarray]:
        """The vectors of ``keys`` in ``table`` at ``version`` that pass ``usable``."""
        wanted = set(keys)
        rows = self.db.execute(
            f"SELECT name, size, mtime_ns, vector FROM {table} WHERE version = ?", (version,)
        )
        out, damaged = {}, []
        width = np.dtype(dtype).itemsize
        for n, s, m, blob in rows:
            if (n, s, m) not in wanted:
                continue
            if isinstance(blob, bytes) and len(blob) % width == 0:
                vector = np.frombuffer(blob, dtype)
                if usable(vector):
                    out[(n, s, m)] = vector
                    continue
            damaged.append((n, s, m))
        self._drop(table, version, damaged)
        return out

    def _drop(self, table: str, version: int, keys: list[Key]) -> None:
        """Delete damaged rows (their videos are extracted again) and count them."""
        if not keys:
            return
        self.damaged += len(keys)
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany(
                f"DELETE FROM {table} WHERE name = ? AND size = ? AND mtime_ns = ? AND version = ?",
                [(*key, version) for key in keys],
            )

    def store(self, items: list[tuple[Key, VideoFeatures | str]]) -> None:
        """Store results: classical parts or skip reasons, and embeddings where present."""
        rows: list[_FeaturesRow] = []
        embedded: list[tuple[str, int, int, int, bytes]] = []
        signed: list[tuple[str, int, int, int, bytes]] = []
        for (name, size, mtime_ns), value in items:
            if not isinstance(value, str) and value.signature is not None:
                vector = np.ascontiguousarray(value.signature, np.uint64).tobytes()
                signed.append((name, size, mtime_ns, SIGNATURE_VERSION, vector))
            if not isinstance(value, str) and value.embedding is not None:
                vector = np.ascontiguousarray(value.embedding, np.float32).tobytes()
                embedded.append((name, size, mtime_ns, EMBEDDING_VERSION, vector))
            if isinstance(value, str):
                rows.append((name, size, mtime_ns, FEATURE_VERSION, None, None, None, value))
            else:
                local = np.ascontiguousarray(value.local, np.float16)
                rows.append(
                    (name, size, mtime_ns, FEATURE_VERSION,
                     np.ascontiguousarray(value.global_, np.float32).tobytes(),
                     local.tobytes(), local.shape[0], None)
                )  # fmt: skip
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany(
                "INSERT OR REPLACE INTO features VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows
            )
            self.db.executemany(
                "INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?, ?, ?)", embedded
            )
            self.db.executemany("INSERT OR REPLACE INTO signatures VALUES (?, ?, ?, ?, ?)", signed)

    def encoded(self, keys: Iterable[Key], vocabulary: str, width: int) -> dict[Key, np.ndarray]:
        """Fisher vectors already computed with this vocabulary (refits reuse them); one not
        ``width`` finite numbers is deleted (and encoded again by the caller)."""
        wanted = set(keys)
        rows = self.db.execute(
            "SELECT name, size, mtime_ns, vector FROM encoded WHERE version = ? AND vocabulary = ?",
            (FEATURE_VERSION, vocabulary),
        )
        out, damaged = {}, []
        for n, s, m, blob in rows:
            if (n, s, m) not in wanted:
                continue
            vector = _floats(blob, width, np.float32)
            if vector is None:
                damaged.append((n, s, m))
            else:
                out[(n, s, m)] = vector
        if damaged:
            self.damaged += len(damaged)
            with self.db:
                self.db.execute("BEGIN")
                self.db.executemany(
                    "DELETE FROM encoded WHERE name = ? AND size = ? AND mtime_ns = ? "
                    "AND version = ? AND vocabulary = ?",
                    [(*key, FEATURE_VERSION, vocabulary) for key in damaged],
                )
        return out

    def store_encoded(self, items: list[tuple[Key, np.ndarray]], vocabulary: str) -> None:
        rows = [
            (n, s, m, FEATURE_VERSION, vocabulary, np.ascontiguousarray(v, np.float32).tobytes())
            for (n, s, m), v in items
        ]
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute("DELETE FROM encoded WHERE vocabulary != ?", (vocabulary,))
            self.db.executemany("INSERT OR REPLACE INTO encoded VALUES (?, ?, ?, ?, ?, ?)", rows)


def _usable_embedding(vector: np.ndarray) -> bool:
    return len(vector) == EMBEDDING_WIDTH and bool(np.isfinite(vector).all())


def _floats(blob: object, count: int, dtype: type[np.floating]) -> np.ndarray | None:
    """``blob`` as ``count`` finite numbers of ``dtype``, or None."""
    if not isinstance(blob, bytes) or len(blob) != count * np.dtype(dtype).itemsize:
        return None
    vector = np.frombuffer(blob, dtype)
    return vector if bool(np.isfinite(vector).all()) else None


def _local_rows(blob: object, count: object) -> np.ndarray | None:
    """The local descriptors as stored (``count`` rows of LOCAL_WIDTH float16), or None."""
    if not isinstance(count, int) or not 0 < count <= MAX_LOCAL_ROWS:
        return None
    values = _floats(blob, count * LOCAL_WIDTH, np.float16)
    return None if values is None else values.reshape(count, LOCAL_WIDTH)


def _features_row(
    glob: object, loc: object, count: object, loc_bytes: object, error: object
) -> VideoFeatures | str | None:
    """A features row as read (``loc`` None: not read, only its size is checked), or None
    when it fails a check."""
    if error is not None:
        ok = isinstance(error, str) and 0 < len(error) <= MAX_ERROR_CHARS and glob is None
        return error if ok and isinstance(error, str) else None
    global_ = _floats(glob, GLOBAL_WIDTH, np.float32)
    if global_ is None or not isinstance(count, int) or not 0 < count <= MAX_LOCAL_ROWS:
        return None
    if loc_bytes != count * LOCAL_WIDTH * 2:
        return None
    if loc is None:
        return VideoFeatures(global_, np.zeros((0, LOCAL_WIDTH), np.float16))
    patches = _local_rows(loc, count)
    return None if patches is None else VideoFeatures(global_, patches)
