"""The TUI's learning loop: an undone video has a prediction from the current model at once."""

from __future__ import annotations

import json

from tests.tui.conftest import wait_for
from vidsort_tui.core import artifacts
from vidsort_tui.core.library import Library
from vidsort_tui.services import retrain
from vidsort_tui.tui.video_list import VideoList

SIZE = (120, 36)
FOLDERS = {"fire", "sea", "snow"}


def row_of(app, name: str) -> list[str]:
    table = app.screen.query_one(VideoList)
    rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
    return next(r for r in rows if r[0] == name)


async def test_undo_after_a_background_refit_shows_a_prediction_and_enter_files(
    make_app, tui_library
):
    assert retrain.run(tui_library).ok
    name = Library(tui_library).unsorted()[0]
    predictions = tui_library.artifacts_dir / artifacts.PREDICTIONS
    async with make_app(model={"refit_every": 1}).run_test(size=SIZE) as pilot:
        await pilot.press("1")  # into fire; one sort is a refit here
        status = pilot.app.screen.query_one("#status")
        await wait_for(pilot, lambda: "refitted on" in str(status.render()), 60)
        assert name not in json.loads(predictions.read_text())  # the refit dropped it
        await pilot.press("u")
        await wait_for(pilot, lambda: (tui_library.data_dir / name).exists())
        await wait_for(pilot, lambda: row_of(pilot.app, name)[1] in FOLDERS, 60)
        assert pilot.app.screen.current.filename == name
        folder = pilot.app.screen.current.prediction.predicted_folder
        await pilot.press("enter")
        await wait_for(pilot, lambda: (tui_library.data_dir / folder / name).exists())
