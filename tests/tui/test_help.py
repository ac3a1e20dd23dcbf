"""The help screen tells the truth about the keys, and a key the config file takes from
another binding is reported at start."""

from __future__ import annotations

import pytest
from textual.geometry import Region

from tests.tui.conftest import notified, wait_for
from vidsort_tui.core.keymap import KEYS, checked_keymap, effective_keys
from vidsort_tui.core.library import Library
from vidsort_tui.graphics.detect import TerminalGraphics
from vidsort_tui.tui.help_screen import ROWS, HelpScreen
from vidsort_tui.tui.main_screen import MainScreen

SIZE = (80, 24)


def help_text(app) -> tuple[list[list[str]], str]:
    table = app.screen.query_one("DataTable")
    rows = [[str(c) for c in row.values()] for row in table._data.values()]
    statics = " ".join(str(s.render()) for s in app.screen.query("Static"))
    return rows, statics


def test_help_has_a_row_for_every_binding():
    assert sorted(i for ids, _ in ROWS for i in ids) == sorted(k.id for k in KEYS)


async def test_help_fits_80x24_and_says_what_the_ids_mean(make_app, tmp_path):
    config = tmp_path / "my [weird] vidsort.toml"
    config.write_text('[keys]\nnext = "x"\n')
    async with make_app(config_file=config).run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(pilot.app.screen, HelpScreen)
        rows, statics = help_text(pilot.app)
        # "[keys]" and a path with brackets are shown literally, not read as markup
        assert f"Rebind in {config}: [keys] by Id" in statics
        folders = next(r for r in rows if "folder_1" in r[2])
        assert folders == ["1–9, 0", "File into folder 1–10, as numbered", "folder_1 … folder_10"]
        assert ["x / k, ↑", "Next / previous video", "next / previous"] in rows  # keys in force
        assert ["ctrl+q", "Quit (always, whatever the keymap)", ""] in rows
        table = pilot.app.screen.query_one("DataTable")
        assert table.virtual_size.height <= table.size.height  # every row visible at 80x24
        assert table.virtual_size.width <= table.size.width  # and every column


#: a long but real description (graphics/detect.py says this inside tmux)
IN_TMUX = TerminalGraphics(
    terminal="XTerm(390)",
    reason="inside tmux: Kitty images do not pass through its panes, and it has no Sixel",
)


def shown_text(widget) -> str:
    """What a widget shows on screen, its lines joined by spaces."""
    region = Region(0, 0, widget.size.width, widget.size.height)
    return " ".join(strip.text.strip() for strip in widget.render_lines(region))


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
async def test_help_wraps_the_video_line_and_still_shows_every_row(make_app, size):
    app = make_app()
    app.graphics = IN_TMUX
    async with app.run_test(size=size) as pilot:
        await pilot.press("question_mark")
        title = pilot.app.screen.query_one("#help-title")
        text = shown_text(title)
        assert "…" not in text
        assert f"video: {IN_TMUX.describe()}; --graphics changes it" in text
        table = pilot.app.screen.query_one("DataTable")
        assert table.virtual_size.height <= table.size.height  # every row still visible


async def test_a_key_taken_from_another_binding_is_reported_at_start(
    make_app, tui_library, tmp_path
):
    config = tmp_path / "config.toml"
    config.write_text('[keys]\nquit = "j"\n')
    names = Library(tui_library).unsorted()
    async with make_app(config_file=config).run_test(size=SIZE) as pilot:
        await wait_for(
            pilot, lambda: notified(pilot.app, "j is bound to quit, so it no longer does next")
        )
        await pilot.press("down")  # next keeps its other key
        assert pilot.app.screen.current.filename == names[1]
        await pilot.press("question_mark")
        rows, _ = help_text(pilot.app)
        assert ["↓ / k, ↑", "Next / previous video", "next / previous"] in rows
        assert ["? / j", "This help / quit", "help / quit"] in rows
        await pilot.press("escape", "j")
        await pilot.pause()
        assert pilot.app._exit  # j quits, as the config file asked


async def test_two_ids_given_the_same_key_are_reported(make_app, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[keys]\nundo = "x"\nskip = "x"\n')
    async with make_app(config_file=config).run_test(size=SIZE) as pilot:
        await wait_for(
            pilot, lambda: notified(pilot.app, "x is bound to undo, so it no longer does skip")
        )
        await wait_for(pilot, lambda: notified(pilot.app, "skip has no key left"))
        first = pilot.app.screen.current.filename
        await pilot.press("x")  # undo, as reported: nothing to undo yet, nothing skipped
        await wait_for(pilot, lambda: notified(pilot.app, "nothing to undo"))
        assert isinstance(pilot.app.screen, MainScreen)
        assert pilot.app.screen.current.filename == first


def test_spaces_in_a_key_list_are_ignored():
    keymap, problems = checked_keymap({"next": "j, ctrl+n", "bogus": "z"})
    assert keymap == {"next": "j,ctrl+n"} and problems == ["config: unknown key id 'bogus'"]
    assert effective_keys(keymap)["next"] == ["j", "ctrl+n"]
