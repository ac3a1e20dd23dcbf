"""Folder keys stay put in the terminal app: a new folder does not renumber the others, the
numbers survive a restart, and a change of numbering is announced in the status line (and
marked on the folder panel, never in a toast over it)."""

from __future__ import annotations

import shutil

from tests.tui.conftest import notified, rendered, wait_for
from vidsort_tui.core.library import Library


async def test_new_folder_keeps_numbers_and_a_gone_folder_is_announced(make_app, tui_library):
    names = Library(tui_library).unsorted()
    data = tui_library.data_dir
    async with make_app().run_test(size=(80, 24)) as pilot:
        app = pilot.app
        assert "1 fire" in rendered(app, "#folders") and "2 sea" in rendered(app, "#folders")
        await pilot.press("n", *"beach", "enter")  # "beach" sorts first by name...
        await wait_for(pilot, lambda: (data / "beach" / names[0]).exists())
        await wait_for(pilot, lambda: "4 beach" in rendered(app, "#folders"))
        assert "1 fire" in rendered(app, "#folders")  # ...but takes the next free key
        assert "→ beach (new folder, key 4; u undoes)" in rendered(app, "#status")
        await pilot.press("2")  # still sea, as before the new folder
        await wait_for(pilot, lambda: (data / "sea" / names[1]).exists())
    async with make_app().run_test(size=(80, 24)) as pilot:  # a restart keeps them
        app = pilot.app
        await wait_for(pilot, lambda: "4 beach" in rendered(app, "#folders"))
        assert "2 sea" in rendered(app, "#folders")
        shutil.rmtree(data / "fire")  # deleted on disk while the app runs
        await wait_for(pilot, lambda: "fire is gone: key 1 is free" in rendered(app, "#status"))
        assert not notified(app, "Folder keys changed")  # no toast over the folders it is about
        await pilot.press("1")  # no folder on 1 now: nothing moves, the user is told
        await wait_for(pilot, lambda: notified(app, "No folder 1"))
        assert (data / names[2]).exists()
    shutil.rmtree(data / "snow")  # deleted while the app is closed: said at the next start
    async with make_app().run_test(size=(80, 24)) as pilot:
        await wait_for(
            pilot, lambda: "snow is gone: key 3 is free" in rendered(pilot.app, "#status")
        )
