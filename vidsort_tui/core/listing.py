"""The unsorted videos with their predictions: the documented /api/videos body.

Listing is on every client's hot path (the page polls, the TUI rescans), so the encoded body
is reused while neither the root folder nor predictions.json has changed. A folder whose
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
from vidsort_tui.core.predictions import NO_PREDICTION, Prediction, PredictionStore

RACY_SECONDS = 2.0


@dataclass(frozen=True)
class VideoEntry:
    filename: str
    prediction: Prediction

    def to_json(self) -> dict[str, object]:
        return {"filename": self.filename, **self.prediction.to_json()}


class VideoListing:
    def __init__(self, library: Library, predictions: PredictionStore) -> None:
        self.library = library
        self.predictions = predictions
        self._lock = threading.Lock()
        self._stamp: tuple[object, ...] | None = None
        self._body: bytes = b""

    def entries(self, unsorted: list[str] | None = None) -> list[VideoEntry]:
        """The unsorted videos (from a fresh listing unless given) with their predictions."""
        names = self.library.unsorted() if unsorted is None else unsorted
        predicted = self.predictions.snapshot()
        return [VideoEntry(n, predicted.get(n, NO_PREDICTION)) for n in names]

    def payload(self) -> dict[str, object]:
        videos = [e.to_json() for e in self.entries()]
        return {"videos": videos, "total": len(videos)}

    def _stamp_now(self) -> tuple[object, ...] | None:
        try:
            st = os.stat(self.library.root)
        except OSError:
            return None
        if time.time() - st.st_mtime < RACY_SECONDS:
            return None
        self.predictions.snapshot()  # reload if the file changed
        return (st.st_mtime_ns, st.st_ino, st.st_size, self.predictions.version)

    def json_bytes(self) -> bytes:
        stamp = self._stamp_now()
        with self._lock:
            if stamp is not None and stamp == self._stamp:
                return self._body
        body = json.dumps(self.payload(), ensure_ascii=False, separators=(",", ":")).encode()
        with self._lock:
            self._stamp, self._body = stamp, body
        return body
