"""The name rules in the terminal app: `n` refuses a look-alike of an existing folder in the
dialog, naming it (also for a group's new folder); files and folders whose names break the
rules are not listed but reported, escaped; names from a hostile predictions file are shown
escaped in the list, the title line and the picker."""

from __future__ import annotations

import json
import shutil

from tests.tui.conftest import notified, rendered, wait_for
from vidsort_tui.core.library import Library
from vidsort_tui.core.predictions import Prediction, write_predictions
from vidsort_tui.core.similarity_file import LookalikeGroup, Similarity, write_similarity
from vidsort_tui.tui.app import VidsortApp
from vidsort_tui.tui.folder_picker import FolderPicker
from vidsort_tui.tui.group_screen import GroupScreen
from vidsort_tui.tui.main_screen import MainScreen
from vidsort_tui.tui.new_folder import NewFolderScreen
from vidsort_tui.tui.video_list import VideoList

SIZE = (120, 34)


async def test_n_refuses_a_look_alike_folder_in_the_dialog_naming_it(make_app, tui_library):
    data = tui_library.data_dir
    before = sorted(p.name for p in data.iterdir())
    async with make_app().run_test(size=SIZE) as pilot:
        await pilot.press("n")
        dialog = pilot.app.screen
        assert isinstance(dialog, NewFolderScreen)
        await pilot.press(*"SEA", "enter")
        await wait_for(pilot, lambda: "'sea' already exists and looks the same" in dialog.error)
        assert pilot.app.screen is dialog and dialog.query_one("Input").value == "SEA"
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, MainScreen))
    assert sorted(p.name for p in data.iterdir()) == before


async def test_twin_folders_made_on_disk_are_said_and_a_typed_name_files_into_itself(
    make_app, tui_library
):
    """``Sea`` made beside ``sea`` in a file manager: the app says they look the same (once),
    and typing "sea" in the picker files into sea, not the first of the two."""
    data = tui_library.data_dir
    (data / "Sea").mkdir()
    name = Library(tui_library).unsorted()[0]
    async with make_app().run_test(size=SIZE) as pilot:
        said = "Folders that look the same: Sea and sea"
        await wait_for(pilot, lambda: notified(pilot.app, said))
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FolderPicker))
        await pilot.press(*"sea", "enter")
        await wait_for(pilot, lambda: (data / "sea" / name).exists())
        assert not (data / "Sea" / name).exists()
        await pilot.app.screen.reload()
        assert sum(said in n.message for n in pilot.app._notifications) == 1


async def test_a_groups_new_folder_is_checked_for_look_alikes_before_the_confirmation(
    similar_library,
):
    settings, _u, _ = similar_library
    async with VidsortApp(settings).run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, GroupScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, NewFolderScreen))
        dialog = pilot.app.screen
        await pilot.press(*"Fire", "enter")
        await wait_for(pilot, lambda: "'fire' already exists and looks the same" in dialog.error)
        assert pilot.app.screen is dialog  # no confirmation offered for a twin


async def test_unlisted_names_are_reported_escaped_and_hostile_predictions_shown_escaped(
    tui_library,
):
    data = tui_library.data_dir
    names = Library(tui_library).unsorted()
    shutil.copyfile(data / names[0], data / "\u009d52;c;ZWNobyBQV05FRA==\u009cclip.mp4")
    (data / "\u009b31mred").mkdir()
    hostile = "\x1b]2;pwned\x07 [red]sea"
    predictions = {names[0]: {"predicted_folder": hostile, "confidence": 0.9,
                              "top_predictions": [{"folder": hostile, "confidence": 0.9}]}}  # fmt: skip
    (tui_library.artifacts_dir / "predictions.json").write_text(json.dumps(predictions))
    async with VidsortApp(tui_library).run_test(size=SIZE) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: notified(app, "Not listed:"))
        notice = next(n.message for n in app._notifications if "Not listed:" in n.message)
        assert "\\x9d52;c;ZWNobyBQV05FRA==\\x9cclip.mp4: a file whose name contains a " in notice
        assert "\\x9b31mred/: a folder whose name contains a control character" in notice
        assert not any(0x80 <= ord(c) < 0xA0 or ord(c) < 0x20 and c != "\n" for c in notice)
        listed = [e.filename for e in app.screen.entries]
        assert listed == names  # not listed: only the real videos
        row = "".join(s.text for s in app.screen.query_one(VideoList).render_line(1))
        assert "\\x1b]2;pwned\\x" in row and "\x1b" not in row  # cut to the column
        assert "→ \\x1b]2;pwned\\x07 [red]sea (90%)" in rendered(app, "#now")
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.screen, FolderPicker))
        options = app.screen.query_one("OptionList")
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(3)]
        assert all("\x1b" not in p for p in prompts)


async def test_a_new_kinds_guess_and_a_groups_suggestion_from_disk_are_shown_escaped(
    new_kind_library,
):
    """The lines issue 18 added name folders read back from predictions.json and
    similarity.json: the new kind's title line (its guess) is escaped; a group's title and
    first action show a suggestion as it is, never as markup (similarity.json's reader
    refuses a name the rules refuse, so none reaches them with a control character)."""
    settings, u = new_kind_library
    hostile = "\x1b]2;pwned\x07 [red]fire"
    shown = "\\x1b]2;pwned\\x07 [red]fire"
    write_predictions(
        settings.artifacts_dir,
        {u[1]: Prediction(hostile, 0.95, ((hostile, 0.95),), new_kind=True)},
    )
    group = LookalikeGroup((u[0], u[3]), "[red]fire", 0.9)
    write_similarity(settings.artifacts_dir, Similarity(groups=(group,)))
    async with VidsortApp(settings).run_test(size=(160, 34)) as pilot:
        app = pilot.app
        table = app.screen.query_one(VideoList)
        await wait_for(pilot, lambda: table.row_count == 4)
        await pilot.press("j")
        await wait_for(pilot, lambda: "new kind?" in rendered(app, "#now"))
        now = rendered(app, "#now")
        assert f"(guess {shown} 95%)" in now and "\x1b" not in now
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, GroupScreen))
        title, actions = rendered(app, "#group-title"), rendered(app, "#group-actions")
        assert title.endswith("· → [red]fire")
        assert "Enter: file all 2 into [red]fire" in actions
