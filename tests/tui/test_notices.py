"""Notices never hide what they announce: after `n` the new folder's key is said in the status
line (with the sort) and marked on the folder itself, and a toast (Textual's notices) covers neither the
folder panel nor the status line, at 80x24 and at 160x45 (issue 21: a toast covered both)."""

from __future__ import annotations

import pytest
from textual.widgets._toast import Toast

from tests.tui.conftest import rendered, wait_for
from vidsort_tui.core.library import Library
from vidsort_tui.tui.folder_panel import FolderPanel


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
async def test_a_new_folder_and_a_notice_leave_the_folders_and_the_status_line_visible(
    make_app, tui_library, size
):
    first = Library(tui_library).unsorted()[0]
    data = tui_library.data_dir
    async with make_app().run_test(size=size, notifications=True) as pilot:
        app = pilot.app
        await pilot.press("n", *"formula1", "enter")
        await wait_for(pilot, lambda: (data / "formula1" / first).exists())
        said = "→ formula1 (new folder, key 4; u undoes)"
        await wait_for(pilot, lambda: said in rendered(app, "#status"))
        panel = app.screen.query_one(FolderPanel)
        assert "4 formula1" in rendered(app, "#folders") and panel.changed == {"formula1"}
        await pilot.press("9")  # no folder 9: a notice
        await wait_for(pilot, lambda: len(app.screen.query(Toast)) > 0)
        await pilot.pause(0.2)
        folders = panel.region
        status = app.screen.query_one("#status").region
        for toast in app.screen.query(Toast):
            assert not toast.region.overlaps(folders), (toast.region, folders)
            assert not toast.region.overlaps(status), (toast.region, status)
        assert said in rendered(app, "#status")  # still said
