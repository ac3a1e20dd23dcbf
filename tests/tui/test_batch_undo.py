"""`A` files a batch and one `u` brings the whole batch back (the journal records the batch)."""

from __future__ import annotations

import shutil

from tests.tui.conftest import predict_all, rendered, wait_for
from vidsort_tui.core.library import Library
from vidsort_tui.tui.app import VidsortApp


def _library_of_29(library_factory):
    settings = library_factory({"fire": 1, "sea": 1}, unsorted=1)
    (first,) = Library(settings).unsorted()
    for k in range(1, 29):  # one clip, 29 names: lean, and as real as the first
        shutil.copyfile(settings.data_dir / first, settings.data_dir / f"{int(first[:-4]) + k}.mp4")
    names = Library(settings).unsorted()
    predict_all(settings, {n: ("sea" if i % 2 else "fire", 0.95) for i, n in enumerate(names)})
    return settings.with_changes(player={"mode": "none", "audio": False}), names


async def test_accept_all_then_one_undo_brings_back_all_29(library_factory):
    settings, names = _library_of_29(library_factory)
    app = VidsortApp(settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("A", "y")
        await wait_for(pilot, lambda: not Library(settings).unsorted(), 20)
        await wait_for(
            pilot, lambda: "Filed 29 videos · u undoes all 29" in rendered(app, "#status")
        )
        await pilot.press("u")
        await wait_for(pilot, lambda: len(Library(settings).unsorted()) == 29, 20)
        await wait_for(pilot, lambda: "29 videos are back" in rendered(app, "#status"))
        assert sorted(e.filename for e in app.screen.entries) == sorted(names)
        for folder in ("fire", "sea"):
            assert len(list((settings.data_dir / folder).iterdir())) == 1  # the examples only
