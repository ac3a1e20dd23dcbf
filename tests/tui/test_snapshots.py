"""Snapshots of the main screen at three sizes, and of the help screen (player off so
frames are deterministic)."""

from __future__ import annotations

from pathlib import Path

from vidsort_tui.graphics.detect import TerminalGraphics
from vidsort_tui.tui.app import VidsortApp

# The help screen names the config file: a fixed one, so the snapshot is the same anywhere.
CONFIG = Path("/etc/vidsort-example/config.toml")


def test_main_screen(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(100, 30))


def test_main_screen_at_80x24(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(80, 24))


def test_main_screen_at_60x15(snap_compare, six_folder_app):
    assert snap_compare(six_folder_app, terminal_size=(60, 15))


def test_help_screen(snap_compare, make_app):
    app = make_app(config_file=CONFIG)
    assert snap_compare(app, terminal_size=(100, 34), press=["question_mark"])


def test_help_screen_at_80x24(snap_compare, make_app):
    app = make_app(config_file=CONFIG)
    assert snap_compare(app, terminal_size=(80, 24), press=["question_mark"])


def test_help_screen_wraps_a_long_video_line_at_160x45(snap_compare, make_app):
    app = make_app(config_file=CONFIG)
    app.graphics = TerminalGraphics(
        terminal="XTerm(390)",
        reason="inside tmux: Kitty images do not pass through its panes, and it has no Sixel",
    )
    assert snap_compare(app, terminal_size=(160, 45), press=["question_mark"])


def test_near_duplicate_flag_at_80x24(snap_compare, similar_library):
    settings, _, _ = similar_library
    assert snap_compare(VidsortApp(settings), terminal_size=(80, 24), press=["j", "j"])


def test_group_screen_at_80x24(snap_compare, similar_library):
    settings, _, _ = similar_library
    assert snap_compare(VidsortApp(settings), terminal_size=(80, 24), press=["g"])
