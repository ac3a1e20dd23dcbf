"""features.sqlite: descriptors keyed by (file name, size, mtime_ns, version).

The classical parts (table ``features``, FEATURE_VERSION), the content embedding (table
``embeddings``, EMBEDDING_VERSION) and the perceptual signature for near-duplicates (table
``signatures``, SIGNATURE_VERSION) are versioned apart: bumping one never throws the others
away, and a cache made before a part existed stays valid for the others.

Keyed by name rather than path, so sorting a video (a rename keeps size and mtime) never
forces it to be decoded again. Failures are cached too: an unchanged broken file is not
retried on every run. WAL mode lets the TUI refit read while a retrain writes.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Literal

import numpy as np

from pipeline.embedder import EMBEDDING_VERSION, EMBEDDING_WIDTH
from pipeline.features import FEATURE_VERSION, VideoFeatures
from pipeline.signature import SIGNATURE_VERSION, is_signature

Key = tuple[str, int, int]  # name, size, mtime_ns
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


class FeatureCache:
    def __init__(self, path: Path) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
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
            "error FROM features WHERE version = ?",
            (FEATURE_VERSION,),
        )
        for name, size, mtime_ns, glob, loc, loc_rows, error in rows:
            key = (name, size, mtime_ns)
            if key not in wanted:
                continue
            if error is not None:
                out[key] = error
            else:
                patches = (
                    np.frombuffer(loc, np.float16).reshape(loc_rows, -1)
                    if loc is not None
                    else np.zeros((0, 8), np.float16)
                )
                out[key] = VideoFeatures(np.frombuffer(glob, np.float32), patches)
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
        return {
            (n, s, m): np.frombuffer(v, np.float16).reshape(r, -1)
            for n, s, m, v, r in rows
            if (n, s, m) in wanted
        }

    def embeddings(self, keys: Iterable[Key]) -> dict[Key, np.ndarray]:
        """Cached embeddings; a damaged one (wrong size, not finite) reads as missing, so the
        video is described again rather than poisoning a model."""
        return self._vectors("embeddings", EMBEDDING_VERSION, keys, np.float32, _usable_embedding)

    def signatures(self, keys: Iterable[Key]) -> dict[Key, np.ndarray]:
        """Cached perceptual signatures (pipeline.signature); a damaged one reads as missing."""
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
        out = {}
        width = np.dtype(dtype).itemsize
        for n, s, m, blob in rows:
            if (n, s, m) in wanted and isinstance(blob, bytes) and len(blob) % width == 0:
                vector = np.frombuffer(blob, dtype)
                if usable(vector):
                    out[(n, s, m)] = vector
        return out

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

    def encoded(self, keys: Iterable[Key], vocabulary: str) -> dict[Key, np.ndarray]:
        """Fisher vectors already computed with this vocabulary (refits reuse them)."""
        wanted = set(keys)
        rows = self.db.execute(
            "SELECT name, size, mtime_ns, vector FROM encoded WHERE version = ? AND vocabulary = ?",
            (FEATURE_VERSION, vocabulary),
        )
        return {
            (n, s, m): np.frombuffer(v, np.float32) for n, s, m, v in rows if (n, s, m) in wanted
        }

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
