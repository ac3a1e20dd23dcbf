"""Small terminals keep what a user needs: the confidence column, every folder with its key,
and Help and Quit in the footer."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from tests.tui.conftest import SIX_SCENES, rendered
from vidsort_tui.tui.video_list import VideoList, abbreviate


def test_names_that_do_not_fit_keep_their_start_and_end():
    assert abbreviate("7101573478047732.mp4", 20) == "7101573478047732.mp4"
    assert abbreviate("7101573478047732.mp4", 16) == "7101573478047732"  # extension first
    assert abbreviate("7101573478047732.mp4", 13) == "710157…047732"
    wide = abbreviate("日本語の動画ファイル.mp4", 10)  # two cells a character
    assert cell_len(wide) <= 10 and wide.startswith("日本") and "…" in wide


@pytest.mark.parametrize("size", [(80, 24), (60, 15), (160, 45)])
async def test_small_terminals_keep_confidence_folders_and_quit(six_folder_app, size):
    width, _ = size
    async with six_folder_app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = pilot.app.screen
        table = screen.query_one(VideoList)
        header = "".join(s.text for s in table.render_line(0))
        assert "Conf" in header
        first_row = "".join(s.text for s in table.render_line(1))
        assert first_row.rstrip().endswith("91%")
        folders = rendered(pilot.app, "#folders")
        for key, name in zip("123456", SIX_SCENES, strict=True):
            assert f"{key} {name[:3]}" in folders, (key, folders)  # every folder, with its key
        keys = {k.key: k for k in screen.query_one(Footer).query(FooterKey)}
        for key in ("question_mark", "q"):
            assert keys[key].region.right <= width, key  # Help and Quit never fall off
        video = screen.query_one("#video")
        assert video.size.width >= width // 2 and video.size.height >= 6
