"""A first run on your own library: folders that can be learned and no model, so the app
trains one in the background by itself, says so, and shows the predictions when it is done,
without `r` and without a restart (a real retrain in a child process)."""

from __future__ import annotations

from tests.tui.conftest import rendered, wait_for
from vidsort_tui.services import job_status
from vidsort_tui.tui.app import VidsortApp


async def test_the_first_model_is_trained_without_pressing_r(library_factory):
    settings = library_factory({"fire": 2, "sea": 2}, unsorted=2)
    settings = settings.with_changes(
        player={"mode": "none", "audio": False}, model={"auto_train": True}
    )
    app = VidsortApp(settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(
            pilot, lambda: "training one from your 2 folders" in rendered(app, "#status")
        )
        assert job_status.read_status(settings.artifacts_dir).running
        entries = lambda: app.screen.entries  # noqa: E731
        assert [e.prediction.predicted_folder for e in entries()] == [None, None]
        await wait_for(pilot, lambda: all(e.prediction.predicted_folder for e in entries()), 180)
        assert (settings.artifacts_dir / "model.npz").exists()
        assert job_status.read_status(settings.artifacts_dir).last_result == "success"
        await wait_for(pilot, lambda: "top-1" in rendered(app, "#status"))
        assert "training one from" not in rendered(app, "#status")  # not left saying so


async def test_auto_train_off_leaves_it_to_r(library_factory):
    settings = library_factory({"fire": 2, "sea": 2}, unsorted=1)
    app = VidsortApp(
        settings.with_changes(player={"mode": "none", "audio": False}, model={"auto_train": False})
    )
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: "no model yet: press r" in rendered(app, "#status"))
        await pilot.pause(0.5)
        assert not job_status.read_status(settings.artifacts_dir).running
        assert not (settings.artifacts_dir / "retrain_status.json").exists()


async def test_a_flat_folder_with_no_folders_is_searched_for_look_alikes_unasked(
    library_factory,
):
    """The commonest first run: saved videos and no folder. Nothing can be trained, so the app
    reads them by itself and offers what looks alike as folders to make."""
    settings = library_factory({}, unsorted=18)  # 3 of each of 6 scenes
    settings = settings.with_changes(
        player={"mode": "none", "audio": False}, model={"auto_train": True}
    )
    app = VidsortApp(settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(
            pilot, lambda: "looking for look-alikes among your 18" in rendered(app, "#status")
        )
        offered = "6 groups of look-alikes (18 videos): g makes their folders"
        await wait_for(pilot, lambda: offered in rendered(app, "#status"), 180)
        status = job_status.read_status(settings.artifacts_dir)
        assert status.last_result == "success" and "look-alike group" in status.message
        assert not (settings.artifacts_dir / "model.npz").exists()
    again = VidsortApp(settings)  # the next start does not search again
    async with again.run_test(size=(120, 36)) as pilot:
        await pilot.pause(0.5)
        assert not job_status.read_status(settings.artifacts_dir).running
        assert "looking for look-alikes" not in rendered(again, "#status")
        # Then the user makes two folders and files two videos into each: the sort that
        # makes the second folder it can learn from starts the first model, unasked.
        (settings.data_dir / "fire").mkdir()
        (settings.data_dir / "sea").mkdir()
        await again.screen.reload()
        for key in "112":
            await pilot.press(key)
        await pilot.pause(0.3)
        assert not job_status.read_status(settings.artifacts_dir).running
        await pilot.press("2")
        await wait_for(
            pilot, lambda: "training one from your 2 folders" in rendered(again, "#status")
        )
        entries = lambda: again.screen.entries  # noqa: E731
        await wait_for(pilot, lambda: all(e.prediction.predicted_folder for e in entries()), 180)
        assert (settings.artifacts_dir / "model.npz").exists()
