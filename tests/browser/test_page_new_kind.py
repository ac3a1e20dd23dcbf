"""The page and videos no folder fits ("new kind?", issue 18), in Chromium against a real
server and real files: never green, never filed by Enter or accept-all; Enter opens the new
folder dialog with the best guess one ↓ away; look-alike groups of a new kind, and every group
of a library with no folders yet, are offered a new folder first; duplicates/ is no target."""

from __future__ import annotations

import shutil

from playwright.sync_api import expect

from tests.browser.conftest import needs_chromium
from tests.browser.test_page_similarity import open_page
from tests.conftest import wait_until
from vidsort_tui.core.library import Library
from vidsort_tui.core.predictions import Prediction, write_predictions
from vidsort_tui.core.similarity_file import (
    Copy,
    DuplicateGroup,
    LookalikeGroup,
    Similarity,
    write_similarity,
)

pytestmark = needs_chromium


def row(page, name: str):
    return page.locator(f'#videos li[data-filename="{name}"]')


def test_a_new_kind_row_and_enter_opens_the_new_folder_dialog(browser, serve, new_kind_library):
    settings, u = new_kind_library
    data = settings.data_dir
    page, errors = open_page(browser, serve(settings))
    expect(row(page, u[1]).locator(".pred")).to_have_text("new kind?")
    assert row(page, u[1]).locator(".conf").text_content() == ""  # 95%, and not green
    assert row(page, u[1]).locator(".conf.sure").count() == 0
    assert row(page, u[0]).locator(".conf.sure").count() == 1  # 93% to sea: green
    page.keyboard.press("j")
    expect(page.locator("#now-prediction")).to_have_text(
        "new kind? no folder fits · Enter: new folder (guess fire 95%)"
    )
    expect(page.locator("#accept")).to_contain_text("New folder…")
    expect(page.locator("#new-folder")).to_be_hidden()  # not two buttons for one action
    assert page.locator('#folders button[data-folder="fire"].predicted').count() == 0
    page.keyboard.press("Enter")
    page.wait_for_selector("#new-kind-title")
    options = page.locator("#new-folder-existing li")
    assert options.first.text_content() == "fire← best guess 95%"
    assert sorted(options.evaluate_all("items => items.map(i => i.dataset.folder)")) == [
        "fire", "sea", "snow"
    ]  # fmt: skip
    assert (data / u[1]).exists()  # Enter on the row filed nothing
    page.fill("#new-folder-input", "gymnastics")
    page.keyboard.press("Enter")  # one key: the folder is made and the video filed
    wait_until(lambda: (data / "gymnastics" / u[1]).exists(), 10)
    expect(page.locator("#toast")).to_contain_text("→ gymnastics (new folder, key 4; u undoes)")
    assert errors == []


def test_the_best_guess_is_one_arrow_away(browser, serve, new_kind_library):
    settings, u = new_kind_library
    page, errors = open_page(browser, serve(settings))
    page.keyboard.press("j")
    page.click("#accept")  # the button does what Enter does
    page.wait_for_selector("#new-kind-title")
    page.keyboard.press("Enter")  # nothing typed or chosen: told, nothing moves
    expect(page.locator("#new-folder-error")).to_contain_text("or ↓ to choose a folder")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#new-folder-hint")).to_contain_text("Enter files it into fire")
    page.keyboard.press("Enter")
    wait_until(lambda: (settings.data_dir / "fire" / u[1]).exists(), 10)
    assert errors == []


def test_accept_all_leaves_new_kinds_and_near_duplicates(browser, serve, new_kind_library):
    settings, u = new_kind_library
    data = settings.data_dir
    original = sorted((data / "sea").iterdir())[0]
    shutil.copyfile(original, data / u[2])  # u2: a real copy of a clip filed in sea...
    write_predictions(
        settings.artifacts_dir,
        {
            u[0]: Prediction("sea", 0.93, (("sea", 0.93),)),
            u[1]: Prediction("fire", 0.95, (("fire", 0.95),), new_kind=True),
            u[2]: Prediction("sea", 0.97, (("sea", 0.97),)),  # ...and confident
        },
    )
    copies = DuplicateGroup((Copy(u[2], None), Copy(original.name, "sea")), 0.98)
    write_similarity(settings.artifacts_dir, Similarity(duplicates=(copies,)))
    page, errors = open_page(browser, serve(settings))
    page.wait_for_function("document.querySelectorAll('#videos li .copy').length === 1")
    # Green is what A files: the copy at 97% is not green.
    assert page.locator("#videos li .conf.sure").all_text_contents() == ["93%"]
    page.keyboard.press("A")
    page.wait_for_selector("#confirm-text")
    assert "File 1 video" in page.locator("#confirm-text").text_content()
    left = page.locator("#confirm-left").text_content()
    assert "1 new kind?" in left and "1 near-duplicate ≈" in left
    page.keyboard.press("y")
    wait_until(lambda: (data / "sea" / u[0]).exists(), 10)
    expect(page.locator("#toast")).to_contain_text("Filed 1 video")
    assert (data / u[1]).exists() and (data / u[2]).exists()  # left for a person
    assert errors == []


def test_a_new_kind_group_offers_a_new_folder_first(browser, serve, new_kind_library):
    settings, u = new_kind_library
    data = settings.data_dir
    (data / "duplicates").mkdir()  # set-aside copies: never a place to file into
    group = LookalikeGroup((u[1], u[3]), "fire", 0.9, new_kind=True)
    write_similarity(settings.artifacts_dir, Similarity(groups=(group,)))
    page, errors = open_page(browser, serve(settings))
    expect(page.locator("#groups-hint")).to_contain_text("2 videos look alike")
    assert page.locator('#folders button[data-folder="duplicates"]').count() == 0
    page.keyboard.press("g")
    expect(page.locator("#group-title")).to_have_text(
        "Group 1 of 1 · 2 videos · similarity 0.90 · new kind?"
    )
    expect(page.locator("#group-file")).to_contain_text("New folder for these 2…")
    expect(page.locator("#group-new")).to_be_hidden()
    expect(page.locator("#group-nearest")).to_contain_text("Nearest folder: fire")
    buttons = page.locator("#group-folders button")
    assert buttons.evaluate_all("bs => bs.map(b => b.dataset.folder)") == ["fire", "sea", "snow"]
    assert page.locator('#group-folders button[data-folder="fire"]').get_attribute("class") == (
        "nearest"
    )
    page.keyboard.press("Enter")
    page.wait_for_selector("#new-folder-input")
    page.fill("#new-folder-input", "gymnastics")
    page.keyboard.press("Enter")
    page.wait_for_selector("#confirm-text")
    assert "into the new folder gymnastics" in page.locator("#confirm-text").text_content()
    page.keyboard.press("y")
    wait_until(lambda: all((data / "gymnastics" / n).exists() for n in (u[1], u[3])), 10)
    assert errors == []


def test_a_library_with_no_folders_offers_its_look_alikes(browser, serve, library_factory):
    settings = library_factory({}, unsorted=5).with_changes(player={"mode": "none"})
    u = Library(settings).unsorted()
    group = LookalikeGroup((u[0], u[2], u[4]), None, 0.8)
    write_similarity(settings.artifacts_dir, Similarity(groups=(group,)))
    page, errors = open_page(browser, serve(settings))
    expect(page.locator("#groups-hint")).to_contain_text(
        "3 videos look alike: make a folder for them?"
    )
    expect(page.locator("#no-folders")).to_be_visible()
    page.click("#groups-hint-open")
    expect(page.locator("#group-title")).to_contain_text("Group 1 of 1 · 3 videos")
    expect(page.locator("#group-file")).to_contain_text("New folder for these 3…")
    page.keyboard.press("Enter")  # the first action: a new folder
    page.wait_for_selector("#new-folder-input")
    page.fill("#new-folder-input", "cats")
    page.keyboard.press("Enter")
    page.wait_for_selector("#confirm-text")
    page.keyboard.press("y")
    data = settings.data_dir
    wait_until(lambda: all((data / "cats" / n).exists() for n in u[0:5:2]), 10)
    assert errors == []


def test_the_picker_offers_no_duplicates_folder(browser, serve, similar_library):
    settings, u, _ = similar_library
    (settings.data_dir / "duplicates").mkdir()
    page, errors = open_page(browser, serve(settings))
    page.wait_for_selector('#folders button[data-folder="fire"]')
    assert page.locator('#folders button[data-folder="duplicates"]').count() == 0
    page.keyboard.press("/")
    page.wait_for_selector("#picker-options li")
    offered = page.locator("#picker-options li").evaluate_all("o => o.map(i => i.dataset.folder)")
    assert offered == ["fire", "sea", "snow"]
    assert errors == []
