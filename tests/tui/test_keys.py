"""Pilot tests for every binding and flow of the sorting screen, on real files."""

from __future__ import annotations

import shutil

from vidsort_tui.core.library import Library
from vidsort_tui.tui.confirm_accept import ConfirmAcceptAll
from vidsort_tui.tui.folder_picker import FolderPicker, rank
from vidsort_tui.tui.help_screen import HelpScreen
from vidsort_tui.tui.main_screen import MainScreen
from vidsort_tui.tui.video_list import VideoList

SIZE = (120, 36)


def screen(app) -> MainScreen:
    assert isinstance(app.screen, MainScreen)
    return app.screen


def selected(app) -> str:
    return screen(app).current.filename


def table_text(app) -> list[list[str]]:
    table = app.screen.query_one(VideoList)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def wait_for(pilot, condition, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not met in time")


async def test_list_shows_names_predicted_folders_and_confidence(make_app, tui_library):
    names = Library(tui_library).unsorted()
    async with make_app().run_test(size=SIZE) as pilot:
        await pilot.pause()
        rows = table_text(pilot.app)
        assert [r[0] for r in rows] == names
        assert rows[0][1:] == ["sea", " 93%"] and rows[1][1] == "fire" and rows[3][1] == "—"
        assert selected(pilot.app) == names[0]


async def test_enter_accepts_the_prediction_and_selects_the_next(make_app, tui_library):
    names = Library(tui_library).unsorted()
    async with make_app().run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await wait_for(pilot, lambda: (tui_library.data_dir / "sea" / names[0]).exists())
        assert not (tui_library.data_dir / names[0]).exists()
        await wait_for(pilot, lambda: selected(pilot.app) == names[1])
        counts = {f.name: f.count for f in screen(pilot.app).folders}
        assert counts["sea"] == 3
        assert "u undoes" in str(pilot.app.screen.query_one("#status").render())


async def test_digits_file_into_numbered_folders(make_app, tui_library):
    names = Library(tui_library).unsorted()
    async with make_app().run_test(size=SIZE) as pilot:
        await pilot.press("3")  # folders sorted: 1 fire, 2 sea, 3 snow
        await wait_for(pilot, lambda: (tui_library.data_dir / "snow" / names[0]).exists())
        await pilot.press("9")  # no ninth folder: nothing moves, the user is told
        await pilot.pause(0.2)
        assert (tui_library.data_dir / names[1]).exists()
        assert any("no folder 9" in n.message.lower() for n in pilot.app._notifications)


async def test_j_k_arrows_and_skip_move_the_selection(make_app, tui_library):
    names = Library(tui_library).unsorted()
    async with make_app().run_test(size=SIZE) as pilot:
        for key, expected in [("j", 1), ("down", 2), ("k", 1), ("up", 0), ("s", 1), ("s", 2)]:
            await pilot.press(key)
            assert selected(pilot.app) == names[expected], key
        assert sorted(p.name for p in tui_library.data_dir.iterdir() if p.is_file()) == names


async def test_home_and_end_select_the_first_and_the_last_video(make_app, tui_library):
    names = Library(tui_library).unsorted()
    async with make_app().run_test(size=SIZE) as pilot:
        await pilot.press("end")
        assert selected(pilot.app) == names[-1]
        await pilot.press("home")
        assert selected(pilot.app) == names[0]


async def test_undo_brings_the_last_sort_back_and_selects_it(make_app, tui_library):
    names = Library(tui_library).unsorted()
    async with make_app().run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await wait_for(pilot, lambda: (tui_library.data_dir / "sea" / names[0]).exists())
        await pilot.press("u")
        await wait_for(pilot, lambda: (tui_library.data_dir / names[0]).exists())
        await wait_for(pilot, lambda: selected(pilot.app) == names[0])
        await pilot.press("u")  # nothing left to undo: a warning, no crash
        await pilot.pause(0.2)
        assert any("nothing to undo" in n.message for n in pilot.app._notifications)


async def test_fuzzy_folder_picker(make_app, tui_library):
    assert rank("sw", ["fire", "sea", "snow"]) == ["snow"]
    assert rank("", ["b", "a"]) == ["b", "a"]
    # a case twin made on disk: the name typed exactly wins, whatever the folder order
    assert rank("pour", ["Pour", "pour"]) == ["pour", "Pour"]
    assert rank("Pour", ["pour", "Pour"]) == ["Pour", "pour"]
    assert rank("pou", ["pouring", "Pour"]) == ["Pour", "pouring"]
    names = Library(tui_library).unsorted()
    async with make_app().run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        assert isinstance(pilot.app.screen, FolderPicker)
        await pilot.press("f", "i", "enter")
        await wait_for(pilot, lambda: (tui_library.data_dir / "fire" / names[0]).exists())
        await pilot.press("slash", "escape")
        assert isinstance(pilot.app.screen, MainScreen)


async def test_new_folder_is_created_and_the_video_filed_there(make_app, tui_library):
    names = Library(tui_library).unsorted()
    async with make_app().run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.press(*"beach", "enter")
        await wait_for(pilot, lambda: (tui_library.data_dir / "beach" / names[0]).exists())
        await wait_for(pilot, lambda: "beach" in [f.name for f in screen(pilot.app).folders])
        await pilot.press("n")
        await pilot.press(*"../x", "enter")  # refused by the core, told in the dialog
        dialog = pilot.app.screen
        await wait_for(pilot, lambda: "invalid folder name" in dialog.error)
        assert not (tui_library.data_dir.parent / "x").exists()


async def test_accept_all_asks_first_with_the_count(make_app, tui_library):
    names = Library(tui_library).unsorted()
    async with make_app().run_test(size=SIZE) as pilot:
        await pilot.press("A")
        dialog = pilot.app.screen
        assert isinstance(dialog, ConfirmAcceptAll) and len(dialog.plan) == 2  # 93% and 85%
        await pilot.press("n")
        assert (tui_library.data_dir / names[0]).exists()
        await pilot.press("A", "y")
        await wait_for(pilot, lambda: (tui_library.data_dir / "fire" / names[1]).exists())
        assert (tui_library.data_dir / "sea" / names[0]).exists()
        assert (tui_library.data_dir / names[2]).exists()  # 42%: below the threshold


async def test_help_lists_every_binding_id(make_app):
    async with make_app().run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(pilot.app.screen, HelpScreen)
        text = " ".join(
            str(c)
            for row in pilot.app.screen.query_one("DataTable")._data.values()
            for c in row.values()
        )
        for key_id in (
            "accept",
            "folder_1",
            "pick_folder",
            "undo",
            "accept_all",
            "retrain",
            "quit",
        ):
            assert key_id in text
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, MainScreen)


async def test_player_keys_without_a_player_do_nothing_harmful(make_app):
    async with make_app().run_test(size=SIZE) as pilot:
        await pilot.press("space", "left", "right", "m")
        assert isinstance(pilot.app.screen, MainScreen)


async def test_quit(make_app):
    async with make_app().run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert pilot.app._exit  # the app is exiting


async def test_changes_by_other_programs_show_up(make_app, tui_library, clip_factory):
    async with make_app().run_test(size=SIZE) as pilot:
        await pilot.pause()
        newcomer = "7999000000000001.mp4"
        shutil.copyfile(clip_factory("fire"), tui_library.data_dir / newcomer)
        other = Library(tui_library)
        gone = other.unsorted()[1]
        other.sort(gone, "snow")  # as the HTTP API would
        await wait_for(pilot, lambda: newcomer in [r[0] for r in table_text(pilot.app)], 4)
        assert gone not in [r[0] for r in table_text(pilot.app)]
        assert {f.name: f.count for f in screen(pilot.app).folders}["snow"] == 3


async def test_a_name_clash_is_reported_and_nothing_is_lost(make_app, tui_library):
    names = Library(tui_library).unsorted()
    clash = tui_library.data_dir / "sea" / names[0]
    clash.write_bytes(b"another video with the same name")
    before = (tui_library.data_dir / names[0]).read_bytes()
    async with make_app().run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: any("already exists" in n.message for n in pilot.app._notifications)
        )
        assert clash.read_bytes() == b"another video with the same name"
        assert (tui_library.data_dir / names[0]).read_bytes() == before
        await pilot.press("1")  # the app keeps working
        await wait_for(pilot, lambda: (tui_library.data_dir / "fire" / names[0]).exists())


async def test_a_vanished_file_is_reported(make_app, tui_library):
    names = Library(tui_library).unsorted()
    async with make_app().run_test(size=SIZE) as pilot:
        await pilot.pause()
        (tui_library.data_dir / names[0]).unlink()
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: any("not found" in n.message for n in pilot.app._notifications)
        )


async def test_keys_can_be_rebound_in_the_config_file(make_app, tui_library, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[keys]\nnext = "x"\n[accept_all]\nthreshold = 0.9\n')
    names = Library(tui_library).unsorted()
    async with make_app(config_file=config).run_test(size=SIZE) as pilot:
        await pilot.press("x")
        assert selected(pilot.app) == names[1]
        await pilot.press("A")
        assert len(pilot.app.screen.plan) == 1  # only the 93% one


async def test_retrain_key_trains_and_refreshes_predictions(make_app, tui_library):
    names = Library(tui_library).unsorted()
    async with make_app().run_test(size=SIZE) as pilot:
        await pilot.press("r")
        status = pilot.app.screen.query_one("#status")
        await wait_for(pilot, lambda: "retrain done" in str(status.render()), 60)
        # The list is reloaded just after the status says done: wait for it, do not race it.
        predicted = {"fire", "sea", "snow"}
        await wait_for(pilot, lambda: all(r[1] in predicted for r in table_text(pilot.app)))
        rows = table_text(pilot.app)
        assert "top-1" in str(status.render())
        assert [r[0] for r in rows] == names


async def test_a_retrain_that_could_not_read_a_file_says_which_and_why(make_app, tui_library):
    (tui_library.data_dir / "broken [b]clip.mp4").write_bytes(b"this is not a video" * 100)
    async with make_app().run_test(size=SIZE) as pilot:
        await pilot.press("r")
        said = "could not be read"
        await wait_for(pilot, lambda: any(said in n.message for n in pilot.app._notifications), 60)
        message = next(n.message for n in pilot.app._notifications if said in n.message)
        assert message.startswith("1 file could not be read, so it has no prediction:\n")
        assert message.split("\n")[1].startswith("broken [b]clip.mp4 (")  # with the reason
        polling = [w for w in pilot.app.workers if w.group == "retrain"]
        await pilot.app.workers.wait_for_complete(polling)  # its reload, before the app ends


async def test_refit_after_every_n_sorts(make_app, tui_library):
    from vidsort_tui.services import retrain

    assert retrain.run(tui_library).ok
    model = tui_library.artifacts_dir / "model.npz"
    before = model.stat().st_mtime_ns
    async with make_app(model={"refit_every": 2}).run_test(size=SIZE) as pilot:
        await pilot.press("1")
        await pilot.pause(0.3)
        assert model.stat().st_mtime_ns == before
        await pilot.press("2")
        await wait_for(pilot, lambda: model.stat().st_mtime_ns != before, 30)
        status = pilot.app.screen.query_one("#status")
        await wait_for(pilot, lambda: "refitted on" in str(status.render()), 10)


async def test_names_with_brackets_are_shown_not_parsed_as_markup(
    make_app, tui_library, clip_factory
):
    odd = tui_library.data_dir / "[b]clip [1] [i].mp4"
    shutil.copyfile(clip_factory("sea"), odd)
    (tui_library.data_dir / "[red]folder").mkdir()
    async with make_app().run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = screen(pilot.app).query_one(VideoList)
        table.move_cursor(row=table.row_count - 1)  # "[" sorts after digits
        await pilot.pause()
        assert selected(pilot.app) == odd.name
        assert odd.name in str(pilot.app.screen.query_one("#now").render())
        (tui_library.data_dir / "sea" / odd.name).write_bytes(b"clash")  # an error naming it
        await pilot.press("3")  # folders: [red]folder, fire, sea, snow: 3 = sea, a clash
        await wait_for(pilot, lambda: any(odd.name in n.message for n in pilot.app._notifications))
        await pilot.press("A")  # the confirmation lists folder names too
        assert isinstance(pilot.app.screen, ConfirmAcceptAll)


async def test_help_names_the_config_file_actually_used(make_app, tmp_path):
    config = tmp_path / "my-vidsort.toml"
    config.write_text('[keys]\nnext = "x"\n')
    async with make_app(config_file=config).run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(pilot.app.screen, HelpScreen)
        shown = " ".join(str(s.render()) for s in pilot.app.screen.query("Static"))
        assert str(config) in shown


async def test_a_damaged_predictions_file_is_reported(make_app, tui_library):
    (tui_library.artifacts_dir / "predictions.json").write_text("{not json")
    async with make_app().run_test(size=SIZE) as pilot:
        await wait_for(
            pilot,
            lambda: any("predictions file" in n.message for n in pilot.app._notifications),
        )
        assert table_text(pilot.app)[0][1] == "—"  # no predictions shown, none invented
