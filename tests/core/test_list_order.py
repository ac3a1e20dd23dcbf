"""The remembered list order: written atomically, read back as hostile input."""

from __future__ import annotations

import os

import pytest

from vidsort_tui.core import artifacts
from vidsort_tui.core.errors import ArtifactsUnavailable
from vidsort_tui.core.list_order import (
    ORDER_MODES,
    UnknownOrder,
    next_order,
    read_order,
    write_order,
)


def test_round_trip_and_cycle(tmp_path):
    assert read_order(tmp_path) == "found"  # nothing saved yet
    seen = []
    order = "found"
    for _ in ORDER_MODES:
        order = next_order(order)
        write_order(tmp_path, order)
        seen.append(read_order(tmp_path))
    assert seen == ["confident", "uncertain", "similar", "found"]


@pytest.mark.parametrize(
    "content", [b"", b"{", b'{"order": "random"}', b'["similar"]', b'{"order": 3}', b"\xff"]
)
def test_anything_we_did_not_write_reads_as_found(tmp_path, content):
    (tmp_path / artifacts.LIST_ORDER).write_bytes(content)
    assert read_order(tmp_path) == "found"


def test_a_fifo_or_link_is_not_read(tmp_path):
    os.mkfifo(tmp_path / artifacts.LIST_ORDER)
    assert read_order(tmp_path) == "found"  # and does not block


def test_unknown_order_is_refused(tmp_path):
    with pytest.raises(UnknownOrder):
        write_order(tmp_path, "random")
    assert not (tmp_path / artifacts.LIST_ORDER).exists()


def test_read_only_artifacts_says_so(tmp_path):
    target = tmp_path / "not-a-dir"
    target.write_text("a file where the folder should be")
    with pytest.raises(ArtifactsUnavailable, match="could not be saved"):
        write_order(target, "similar")
