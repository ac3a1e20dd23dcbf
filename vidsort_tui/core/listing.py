"""The unsorted videos with their predictions: the documented /api/videos body, as data.

Listing is on every client's hot path (the page polls, the TUI rescans), so ``version`` says
what a listing in an order depends on -- the root folder, predictions.json and, for the
look-alike order, similarity.json -- and a caller may reuse what it built from the last one
while the version is the same (the API keeps the encoded body: api_compat/bodies.py). A
folder whose mtime is within RACY_SECONDS of now has no version (a second change in the same
clock tick would keep the same mtime), the same rule git uses for its index.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from vidsort_tui.core.library import Library
from vidsort_tui.core.list_order import DEFAULT_ORDER, order_videos
from vidsort_tui.core.predictions import NO_PREDICTION, Prediction, PredictionStore
from vidsort_tui.core.similarity_file import EMPTY
from vidsort_tui.core.similarity_store import SimilarityStore

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
        similarity: SimilarityStore,
    ) -> None:
        self.library = library
        self.predictions = predictions
        self.similarity = similarity  # shared: the look-alike order and the groups agree

    def entries(
        self, unsorted: list[str] | None = None, order: str = DEFAULT_ORDER
    ) -> list[VideoEntry]:
        """The unsorted videos (from a fresh listing unless given) with their predictions,
        in ``order`` (core.list_order; ValueError for an unknown one)."""
        names = self.library.unsorted() if unsorted is None else unsorted
        predicted = self.predictions.snapshot()
        if order != DEFAULT_ORDER:
            raw = self.similarity.raw() if order == "similar" else EMPTY
            names = order_videos(names, order, predicted, raw)
        return [VideoEntry(n, predicted.get(n, NO_PREDICTION)) for n in names]

    def payload(self, order: str = DEFAULT_ORDER) -> dict[str, object]:
        videos = [e.to_json() for e in self.entries(order=order)]
        return {"videos": videos, "total": len(videos)}

    def version(self, order: str = DEFAULT_ORDER) -> tuple[object, ...] | None:
        """What a listing in ``order`` depends on, now; equal versions, equal listings. None
        when it cannot be told (a root changed within RACY_SECONDS, or gone): build afresh."""
        try:
            st = os.stat(self.library.root)
        except OSError:
            return None
        if time.time() - st.st_mtime < RACY_SECONDS:
            return None
        self.predictions.snapshot()  # reload if the file changed
        similar = self.similarity.version if order == "similar" else None
        return (st.st_mtime_ns, st.st_ino, st.st_size, self.predictions.version, similar)
