"""Encoded JSON bodies of the hot GETs, reused while what they were built from is unchanged.

The page polls /api/videos, /api/groups and /api/duplicates every few seconds; with 10,000
videos, encoding the listing is most of an answer's cost. The core answers with data and says
what it depends on (``VideoListing.version``; a ``SimilarityStore`` returns the same object
while nothing changed); the bytes are HTTP's, so they are kept here, one cache per worker.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

from vidsort_tui.core.listing import VideoListing
from vidsort_tui.core.similarity_store import SimilarityStore


def encode(payload: object) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


class BodyCache:
    """The last body built for each key, with the version it was built from."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._bodies: dict[str, tuple[object, bytes]] = {}

    def body(self, key: str, version: object | None, build: Callable[[], object]) -> bytes:
        """``build()`` encoded, or the bytes built last for ``key`` if that was from this same
        ``version`` (None: unknown, never reused). Take the version before building, so a
        change while building makes the next version differ."""
        if version is not None:
            with self._lock:
                cached = self._bodies.get(key)
            if cached is not None and (cached[0] is version or cached[0] == version):
                return cached[1]
        body = encode(build())
        if version is not None:
            with self._lock:
                self._bodies[key] = (version, body)
        return body

    def clear(self) -> None:
        with self._lock:
            self._bodies.clear()

    def videos(self, listing: VideoListing, order: str) -> bytes:
        """The body of ``GET /api/videos?order=``."""
        return self.body(f"videos/{order}", listing.version(order), lambda: listing.payload(order))

    def similarity(self, store: SimilarityStore, part: str) -> bytes:
        """The body of ``GET /api/groups`` (part "groups") or ``/api/duplicates``: the store
        returns the same Similarity object while neither the file nor the library changed."""
        current = store.current()
        items = current.groups if part == "groups" else current.duplicates
        return self.body(part, current, lambda: {"groups": [i.to_json() for i in items]})
