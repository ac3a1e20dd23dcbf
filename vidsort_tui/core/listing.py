"""The unsorted videos with their predictions: the documented /api/videos body.

Listing is on every client's hot path (the page polls, the TUI rescans), so the encoded body
is reused, per order, while neither the root folder nor predictions.json (nor, for the
look-alike order, similarity.json) has changed. A folder whose
mtime is within RACY_SECONDS of now is never trusted (a second change in the same clock
tick would keep the same mtime), the same rule git uses for its index.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass

from vidsort_tui.core.library import Library
from vidsort_tui.core.ordering import DEFAULT_ORDER, order_videos
from vidsort_tui.core.predictions import NO_PREDICTION, Prediction, PredictionStore
from vidsort_tui.core.similarity import EMPTY, SimilarityStore

RACY_SECONDS = 2.0


@dataclass(frozen=True)
class VideoEntry:
    filename: str
    prediction: Prediction

    def to_json(self) -> dict[str, object]:
        return {"filename": self.filename, **self.prediction.to_json()}


class VideoListing:
    def __init__(
        self,
        library: Library,
        predictions: PredictionStore,
        similarity: SimilarityStore | None = None,
    ) -> None:
        self.library = library
        self.predictions = predictions
        self.similarity = similarity or SimilarityStore(library)
        self._lock = threading.Lock()
        self._bodies: dict[str, tuple[tuple[object, ...], bytes]] = {}  # order -> (stamp, body)

    def entries(
        self, unsorted: list[str] | None = None, order: str = DEFAULT_ORDER
    ) -> list[VideoEntry]:
        """The unsorted videos (from a fresh listing unless given) with their predictions,
        in ``order`` (core.ordering; ValueError for an unknown one)."""
        names = self.library.unsorted() if unsorted is None else unsorted
        predicted = self.predictions.snapshot()
        if order != DEFAULT_ORDER:
            raw = self.similarity.raw() if order == "similar" else EMPTY
            names = order_videos(names, order, predicted, raw)
        return [VideoEntry(n, predicted.get(n, NO_PREDICTION)) for n in names]

    def payload(self, order: str = DEFAULT_ORDER) -> dict[str, object]:
        videos = [e.to_json() for e in self.entries(order=order)]
        return {"videos": videos, "total": len(videos)}

    def _stamp_now(self, order: str) -> tuple[object, ...] | None:
        try:
            st = os.stat(self.library.root)
        except OSError:
            return None
        if time.time() - st.st_mtime < RACY_SECONDS:
            return None
        self.predictions.snapshot()  # reload if the file changed
        similar = self.similarity.version if order == "similar" else None
        return (st.st_mtime_ns, st.st_ino, st.st_size, self.predictions.version, similar)

    def json_bytes(self, order: str = DEFAULT_ORDER) -> bytes:
        """The /api/videos body in ``order``, reused while nothing it depends on changed."""
        stamp = self._stamp_now(order)
        with self._lock:
            cached = self._bodies.get(order)
            if stamp is not None and cached is not None and cached[0] == stamp:
                return cached[1]
        body = json.dumps(self.payload(order), ensure_ascii=False, separators=(",", ":")).encode()
        if stamp is not None:
            with self._lock:
                self._bodies[order] = (stamp, body)
        return body
