"""The new-folder dialog keeps a refused name and says why; the picker marks the prediction."""

from __future__ import annotations

import pytest

from tests.tui.conftest import rendered, wait_for
from vidsort_tui.core.library import Library
from vidsort_tui.tui.folder_picker import FolderPicker
from vidsort_tui.tui.main_screen import MainScreen
from vidsort_tui.tui.new_folder import RULE, NewFolderScreen

SIZE = (100, 30)


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("../x", "cannot contain / or \\"),
        ("a/b", "cannot contain / or \\"),
        (".hidden", "starting with a dot are hidden"),
        ("sea", "already exists"),
    ],
)
async def test_a_refused_name_keeps_the_dialog_open_with_the_reason(
    make_app, tui_library, name, why
):
    data = tui_library.data_dir
    first = Library(tui_library).unsorted()[0]
    before = {p.name for p in data.iterdir()}
    async with make_app().run_test(size=SIZE) as pilot:
        await pilot.press("n")
        dialog = pilot.app.screen
        assert isinstance(dialog, NewFolderScreen)
        assert RULE.split(":")[0] in " ".join(str(s.render()) for s in dialog.query("Static"))
        await pilot.press(*name, "enter")
        await wait_for(pilot, lambda: why in dialog.error)
        assert pilot.app.screen is dialog  # still open
        assert dialog.query_one("Input").value == name  # what was typed is kept
        await pilot.press("ctrl+a", "ctrl+k", *"beach", "enter")  # fix it in place
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, MainScreen))
        await wait_for(pilot, lambda: (data / "beach" / first).exists())
    assert {p.name for p in data.iterdir()} == before - {first} | {"beach"}  # nothing else made
    assert not (data.parent / "x").exists()


async def test_the_picker_explains_its_keys_and_marks_the_predicted_folder(make_app, tui_library):
    names = Library(tui_library).unsorted()  # names[0] is predicted "sea" at 93%
    async with make_app().run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        picker = pilot.app.screen
        assert isinstance(picker, FolderPicker)
        hint = rendered(pilot.app, "#picker-hint")
        assert "Enter files" in hint and "Esc cancels" in hint
        options = picker.query_one("OptionList")
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert prompts == ["fire", "sea  ← predicted 93%", "snow"]
        assert options.highlighted == 1  # Enter alone accepts the prediction
        await pilot.press("enter")
        await wait_for(pilot, lambda: (tui_library.data_dir / "sea" / names[0]).exists())
