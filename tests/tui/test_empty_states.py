"""Empty libraries, finished libraries and failures are told to a person: what happened and
what to do, never a black pane or a message about internals."""

from __future__ import annotations

from tests.tui.conftest import notified, predict_all, rendered, wait_for
from vidsort_tui.core.library import Library
from vidsort_tui.tui.app import VidsortApp
from vidsort_tui.tui.new_folder import NewFolderScreen
from vidsort_tui.tui.retrain_text import failure_text

SIZE = (100, 30)


def app_for(settings) -> VidsortApp:
    return VidsortApp(settings.with_changes(player={"mode": "none", "audio": False}))


async def test_an_empty_library_says_where_videos_go(library_factory):
    settings = library_factory({}, unsorted=0)
    async with app_for(settings).run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = rendered(pilot.app, "#nothing")
        assert "No videos yet" in shown and str(settings.data_dir) in shown
        assert "Nothing left to sort" not in shown and "All sorted" not in shown
        assert not pilot.app.screen.query_one("#video").display  # no black pane
        await pilot.press("A")
        await wait_for(
            pilot, lambda: notified(pilot.app, "Nothing to accept: there are no unsorted videos")
        )
        assert not notified(pilot.app, "confidence")
        await pilot.press("n")
        dialog = pilot.app.screen
        assert isinstance(dialog, NewFolderScreen)
        said = " ".join(str(s.render()) for s in dialog.query("Static"))
        assert "no video to file" in said and "current video is filed" not in said
        await pilot.press(*"sea", "enter")
        await wait_for(pilot, lambda: (settings.data_dir / "sea").is_dir())
        await wait_for(pilot, lambda: "Created folder sea" in rendered(pilot.app, "#status"))
        assert "sea" in rendered(pilot.app, "#folders")


async def test_a_finished_library_says_so_with_the_counts(library_factory):
    settings = library_factory({"fire": 2, "sea": 3}, unsorted=0)
    async with app_for(settings).run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = rendered(pilot.app, "#nothing")
        assert "All sorted" in shown and "5 videos in 2 folders" in shown
        assert "fire  2" in shown and "sea  3" in shown
        await pilot.press("enter", "s", "slash")  # keys with nothing to act on say so
        await wait_for(pilot, lambda: notified(pilot.app, "there are no unsorted videos"))


async def test_accept_all_says_why_nothing_qualifies(make_app, tui_library):
    names = Library(tui_library).unsorted()
    predict_all(tui_library, {names[0]: ("sea", 0.62), names[1]: ("fire", 0.4)})
    async with make_app().run_test(size=SIZE) as pilot:
        await pilot.press("A")
        await wait_for(
            pilot, lambda: notified(pilot.app, "No prediction reaches 80% (the best is 62%)")
        )
        assert notified(pilot.app, "lower accept_threshold ([model]) in")  # README's name
    (tui_library.artifacts_dir / "predictions.json").unlink()
    async with make_app().run_test(size=SIZE) as pilot:
        await pilot.press("A")
        await wait_for(pilot, lambda: notified(pilot.app, "No predictions yet: press r to train"))


def test_retrain_failures_are_told_in_words(tmp_path):
    said = failure_text("Failed at train.py: need at least two folders (now a has 1)", tmp_path)
    assert said.startswith("Retrain failed while training: need at least two folders")
    assert "there is no model yet" in said and str(tmp_path / "retrain.log") in said
    (tmp_path / "model.npz").write_bytes(b"")
    said = failure_text("Failed at extract_features.py: the retrain process stopped", tmp_path)
    assert said.startswith("Retrain failed while extracting features: the retrain process stopped")
    assert "the previous model stays in use" in said
    assert failure_text(None, tmp_path).startswith("Retrain failed: no reason was recorded")


async def test_a_retrain_that_cannot_learn_says_what_to_do(library_factory):
    settings = library_factory({"desert": 1, "snow": 1}, unsorted=1)
    async with app_for(settings).run_test(size=SIZE) as pilot:
        await pilot.press("r")
        await wait_for(pilot, lambda: notified(pilot.app, "Retrain failed while training"), 90)
        message = next(n.message for n in pilot.app._notifications if "Retrain failed" in n.message)
        assert "(now desert has 1, snow has 1): add videos to your folders" in message
        assert "Failed at" not in message and "{" not in message and "train.py" not in message
        assert rendered(pilot.app, "#status").count("retrain failed") == 1
