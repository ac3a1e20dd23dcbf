"""Snapshots of the main screen and the help screen (player off so frames are deterministic)."""

from __future__ import annotations

from vidsort_tui.tui.app import VidsortApp


def test_main_screen(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(100, 30))


def test_main_screen_at_80x24(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(80, 24))


def test_help_screen(snap_compare, make_app):
    app: VidsortApp = make_app()
    assert snap_compare(app, terminal_size=(100, 34), press=["question_mark"])
