"""The order of the unsorted list: the four orders, and the one the user last chose.

As found, most confident first, most uncertain first, or look-alikes together: confident
first makes runs of Enter (and `A`) fast; uncertain first teaches the model fastest;
look-alikes together make consecutive decisions repeat. ``order_videos`` is the one function
behind the TUI's `o`, the page's selector and ``GET /api/videos?order=``.

The choice is state, not configuration: it lives in ARTIFACTS_DIR (``list_order.json``),
beside the journal, and not in the user's config file (which vidsort never rewrites). One
small file is shared by the TUI and every API worker, so the page and the terminal open in
the same order. Read back as hostile input: anything but a known order reads as "found".
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from vidsort_tui.core import artifacts
from vidsort_tui.core.atomic import read_regular, write_json_atomic
from vidsort_tui.core.errors import ArtifactsUnavailable, LibraryError
from vidsort_tui.core.predictions import NO_PREDICTION, Prediction
from vidsort_tui.core.similarity_file import Similarity

ORDER_MODES = ("found", "confident", "uncertain", "similar")
DEFAULT_ORDER = "found"
#: how each order is named on screen (the TUI's status line, the page's selector)
ORDER_LABELS = {
    "found": "as found",
    "confident": "most confident first",
    "uncertain": "most uncertain first",
    "similar": "look-alikes together",
}
#: the order as the TUI's list title names it (short: the list is 24-48 columns wide)
ORDER_TITLES = {"found": "as found", "confident": "confident first",
                "uncertain": "uncertain first", "similar": "look-alikes"}  # fmt: skip
#: the file holds one short word; anything bigger is not ours
MAX_BYTES = 4096


class UnknownOrder(LibraryError):
    status = 422


def next_order(mode: str) -> str:
    """The mode after ``mode`` in ORDER_MODES (what `o` cycles to)."""
    index = ORDER_MODES.index(mode) if mode in ORDER_MODES else -1
    return ORDER_MODES[(index + 1) % len(ORDER_MODES)]


def check_order(order: object) -> str:
    if not isinstance(order, str) or order not in ORDER_MODES:
        raise UnknownOrder(f"order must be one of {', '.join(ORDER_MODES)}, not {order!r}")
    return order


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


def read_order(artifacts_dir: Path) -> str:
    """The saved order; the default when there is none or the file is not one we wrote."""
    try:
        value = json.loads(read_regular(Path(artifacts_dir) / artifacts.LIST_ORDER, MAX_BYTES))
    except (OSError, ValueError):  # UnicodeDecodeError is a ValueError
        return DEFAULT_ORDER
    order = value.get("order") if isinstance(value, dict) else None
    return order if order in ORDER_MODES else DEFAULT_ORDER


def write_order(artifacts_dir: Path, order: str) -> str:
    """Save ``order`` for the next start (and the other interface); returns it."""
    check_order(order)
    try:
        write_json_atomic(Path(artifacts_dir) / artifacts.LIST_ORDER, {"order": order})
    except OSError as exc:
        raise ArtifactsUnavailable(
            f"the list order could not be saved in {artifacts_dir} ({exc.strerror or exc}); "
            "it applies until you quit"
        ) from None
    return order
