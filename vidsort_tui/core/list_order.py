"""The order of the unsorted list the user last chose (`o` in the TUI, the page's selector).

A choice made with a key is state, not configuration: it lives in ARTIFACTS_DIR, beside the
journal, and not in the user's config file (which vidsort never rewrites). One small file is
shared by the TUI and every API worker, so the page and the terminal show the same order.
Read back as hostile input: anything but a known order reads as "found".
"""

from __future__ import annotations

import json
from pathlib import Path

from vidsort_tui.core import artifacts
from vidsort_tui.core.atomic import read_regular, write_json_atomic
from vidsort_tui.core.errors import ArtifactsUnavailable, LibraryError
from vidsort_tui.core.ordering import DEFAULT_ORDER, ORDER_MODES, next_order

__all__ = ["ORDER_LABELS", "UnknownOrder", "check_order", "next_order", "read_order",
           "write_order"]  # fmt: skip

#: how each order is named on screen (the list's title, the page's selector)
ORDER_LABELS = {
    "found": "as found",
    "confident": "most confident first",
    "uncertain": "most uncertain first",
    "similar": "look-alikes together",
}


#: the file holds one short word; anything bigger is not ours
MAX_BYTES = 4096


class UnknownOrder(LibraryError):
    status = 422


def check_order(order: object) -> str:
    if not isinstance(order, str) or order not in ORDER_MODES:
        raise UnknownOrder(f"order must be one of {', '.join(ORDER_MODES)}, not {order!r}")
    return order


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
