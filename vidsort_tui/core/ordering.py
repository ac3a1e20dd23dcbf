"""The order the unsorted list is shown in: as found, most confident first, most uncertain
first, or look-alikes together.

Confident first makes runs of Enter (and `A`) fast; uncertain first teaches the model
fastest; look-alikes together make consecutive decisions repeat. One pure function, used by
the TUI (`o`), the page and ``GET /api/videos?order=``.
"""

from __future__ import annotations

from collections.abc import Mapping

from vidsort_tui.core.predictions import NO_PREDICTION, Prediction
from vidsort_tui.core.similarity_file import Similarity

ORDER_MODES = ("found", "confident", "uncertain", "similar")
DEFAULT_ORDER = "found"


def next_order(mode: str) -> str:
    """The mode after ``mode`` in ORDER_MODES (what `o` cycles to)."""
    index = ORDER_MODES.index(mode) if mode in ORDER_MODES else -1
    return ORDER_MODES[(index + 1) % len(ORDER_MODES)]


def order_videos(
    unsorted: list[str],
    mode: str,
    predictions: Mapping[str, Prediction],
    similarity: Similarity,
) -> list[str]:
    """``unsorted`` (as found, i.e. by name) in ``mode``'s order; ValueError for another mode.

    - found: unchanged.
    - confident / uncertain: by the prediction's confidence, highest / lowest first; videos
      without a prediction come last in both, and ties keep the found order.
    - similar: the look-alike order of ``similarity``; videos it does not know (new since the
      last retrain) follow in the found order.
    """
    if mode == "found":
        return list(unsorted)
    if mode in ("confident", "uncertain"):
        sign = -1.0 if mode == "confident" else 1.0

        def key(name: str) -> tuple[bool, float]:
            p = predictions.get(name, NO_PREDICTION)
            return (p.predicted_folder is None, sign * p.confidence)

        return sorted(unsorted, key=key)
    if mode == "similar":
        present = set(unsorted)
        ordered = [n for n in similarity.lookalike_order if n in present]
        known = set(ordered)
        return ordered + [n for n in unsorted if n not in known]
    raise ValueError(f"unknown order {mode!r}: expected one of {', '.join(ORDER_MODES)}")
