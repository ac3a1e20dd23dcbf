"""Snapshots of the main screen at three sizes, the help screen, notices, new kinds and the
look-alike groups (player off so frames are deterministic)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets._toast import Toast

from tests.tui.conftest import rendered, wait_for
from vidsort_tui.core.library import Library
from vidsort_tui.core.similarity_file import LookalikeGroup, Similarity, write_similarity
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


async def _new_folder_then_a_notice(pilot) -> None:
    """`n` formula1 Enter (the video is filed there, key 4), then a key with no folder: a
    notice. Neither may cover the folder panel or the status line."""
    await pilot.press("n", *"formula1", "enter")
    await wait_for(pilot, lambda: "(new folder, key 4" in rendered(pilot.app, "#status"))
    await pilot.press("9")
    await wait_for(pilot, lambda: len(pilot.app.screen.query(Toast)) > 0)


def test_new_folder_and_a_notice_at_80x24(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_new_folder_then_a_notice)


def test_new_folder_and_a_notice_at_160x45(snap_compare, make_app):
    app = make_app()
    assert snap_compare(app, terminal_size=(160, 45), run_before=_new_folder_then_a_notice)


def test_new_kind_row_at_80x24(snap_compare, new_kind_library):
    settings, _ = new_kind_library
    assert snap_compare(VidsortApp(settings), terminal_size=(80, 24), press=["j"])


def test_new_kind_dialog_at_80x24(snap_compare, new_kind_library):
    settings, _ = new_kind_library
    app = VidsortApp(settings)
    assert snap_compare(app, terminal_size=(80, 24), press=["j", "enter", "down"])


def test_no_folders_yet_offers_the_look_alikes_at_80x24(snap_compare, library_factory):
    settings = library_factory({}, unsorted=5).with_changes(player={"mode": "none", "audio": False})
    u = Library(settings).unsorted()
    groups = (LookalikeGroup((u[0], u[2], u[4]), None, 0.8),)
    write_similarity(settings.artifacts_dir, Similarity(groups=groups))
    assert snap_compare(VidsortApp(settings), terminal_size=(80, 24))


def test_new_kind_group_at_80x24(snap_compare, new_kind_library):
    settings, u = new_kind_library
    group = LookalikeGroup((u[1], u[3]), "fire", 0.9, new_kind=True)
    write_similarity(settings.artifacts_dir, Similarity(groups=(group,)))
    assert snap_compare(VidsortApp(settings), terminal_size=(80, 24), press=["g"])
