"""The page's order selector, look-alike groups view and duplicates view, in Chromium against
a real server and real files (similar_library: tests/conftest.py)."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import needs_chromium
from tests.conftest import wait_until
from vidsort_tui.core.list_order import read_order
from vidsort_tui.core.similarity_file import Copy, DuplicateGroup, Similarity, write_similarity

pytestmark = needs_chromium

ROWS = "[...document.querySelectorAll('#videos li')].map(li => li.dataset.filename).join(',')"


def open_page(browser, server, phone: bool = False):
    if phone:
        context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    else:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(server.url + "/")
    page.wait_for_selector("#videos li")
    return page, errors


def wait_rows(page, names: list[str]) -> None:
    page.wait_for_function(f"{ROWS} === {','.join(names)!r}")


def test_order_selector_orders_the_list_and_is_remembered(browser, serve, similar_library):
    settings, u, _ = similar_library
    server = serve(settings)
    page, errors = open_page(browser, server)
    assert page.locator("#order").input_value() == "found"
    wait_rows(page, u)
    page.keyboard.press("j")  # watching u1: a new order keeps it selected (it went to the top)
    page.select_option("#order", "uncertain")
    wait_rows(page, [u[2], u[1], u[0], u[3]])
    assert page.locator("#videos li.selected").get_attribute("data-filename") == u[1]
    assert page.locator("#now-name").text_content() == u[1]
    wait_until(lambda: read_order(settings.artifacts_dir) == "uncertain", 5)  # the TUI's too
    page.reload()
    page.wait_for_selector("#videos li")
    assert page.locator("#order").input_value() == "uncertain"
    wait_rows(page, [u[2], u[1], u[0], u[3]])
    page.keyboard.press("o")  # the terminal's key: look-alikes next
    wait_rows(page, [u[3], u[0], u[2], u[1]])
    assert page.locator("#order").input_value() == "similar"
    assert page.locator("#videos li.selected").get_attribute("data-filename") == u[2]
    wait_until(lambda: read_order(settings.artifacts_dir) == "similar", 5)
    page.select_option("#order", "confident")
    wait_rows(page, [u[0], u[1], u[2], u[3]])
    assert errors == []


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_group_view_files_a_group_and_undo_brings_it_back(browser, serve, similar_library, phone):
    settings, u, _ = similar_library
    data = settings.data_dir
    page, errors = open_page(browser, serve(settings), phone)
    click = page.tap if phone else page.click
    click("#groups")
    page.wait_for_selector("#groups-view:not([hidden])")
    title = page.locator("#group-title")
    expect(title).to_have_text("Group 1 of 2 · 2 videos · similarity 0.91 · → fire")
    members = page.locator("#group-members li")
    assert members.all_text_contents() == [u[0], u[3]]
    assert page.locator("#group-player").get_attribute("src") == f"/videos/{u[0]}"
    click(f'#group-members li[data-filename="{u[3]}"]')
    assert page.locator("#group-player").get_attribute("src") == f"/videos/{u[3]}"
    click("#group-file")
    page.wait_for_selector("#dialog[open]")
    assert (
        "File all 2 videos of this group into fire?" in page.locator("#confirm-text").text_content()
    )
    click("#confirm-yes")
    wait_until(lambda: (data / "fire" / u[0]).exists() and (data / "fire" / u[3]).exists(), 10)
    page.wait_for_function(
        "document.querySelector('#group-title').textContent.startsWith('Group 1 of 1')"
    )
    click("#group-undo")  # one undo: the whole group
    wait_until(lambda: (data / u[0]).exists() and (data / u[3]).exists(), 10)
    assert not (data / "fire" / u[0]).exists() and not (data / "fire" / u[3]).exists()
    page.wait_for_function("document.querySelector('#group-title').textContent.includes('→ fire')")
    if phone:
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        box = page.locator("#group-file").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    click("#groups-close")
    page.wait_for_selector("main:not([hidden])")
    wait_rows(page, u)
    assert errors == []


def test_group_view_new_folder_and_next_group_by_keys(browser, serve, similar_library):
    settings, u, _ = similar_library
    data = settings.data_dir
    page, errors = open_page(browser, serve(settings))
    page.keyboard.press("g")
    expect(page.locator("#group-title")).to_contain_text("Group 1 of 2")
    page.keyboard.press("g")  # the next group: no suggestion
    page.wait_for_function(
        "document.querySelector('#group-title').textContent.startsWith('Group 2 of 2')"
    )
    expect(page.locator("#group-file")).to_contain_text("New folder for these 2…")
    page.keyboard.press("n")
    page.wait_for_selector("#new-folder-input")
    page.fill("#new-folder-input", "pets")
    page.keyboard.press("Enter")
    page.wait_for_selector("#confirm-text")
    assert "into the new folder pets" in page.locator("#confirm-text").text_content()
    assert not (data / "pets").exists()  # created once confirmed
    page.keyboard.press("y")
    wait_until(lambda: (data / "pets" / u[1]).exists() and (data / "pets" / u[2]).exists(), 10)
    page.keyboard.press("Escape")
    page.wait_for_selector("main:not([hidden])")
    assert errors == []


def test_group_view_leaves_a_look_alike_out_and_files_the_rest(browser, serve, similar_library):
    settings, u, _ = similar_library
    data = settings.data_dir
    page, errors = open_page(browser, serve(settings))
    page.keyboard.press("g")
    title = page.locator("#group-title")
    expect(title).to_contain_text("Group 1 of 2 · 2 videos")
    members = page.locator("#group-members li")
    page.keyboard.press("j")  # the second member does not belong
    page.keyboard.press("s")
    expect(page.locator("#toast")).to_contain_text(f"Left {u[3]} out of the group")
    expect(title).to_contain_text("Group 1 of 2 · 1 video ·")
    assert members.all_text_contents() == [u[0]]
    page.keyboard.press("s")  # the last one is not left out: the group would be empty
    expect(page.locator("#toast")).to_contain_text("The last video of a group")
    assert members.all_text_contents() == [u[0]]
    page.keyboard.press("Enter")
    page.wait_for_selector("#dialog[open]")
    assert "into fire" in page.locator("#confirm-text").text_content()
    page.keyboard.press("y")
    wait_until(lambda: (data / "fire" / u[0]).exists(), 10)
    assert (data / u[3]).exists() and not (data / "fire" / u[3]).exists()
    assert errors == []


def test_group_view_says_why_it_is_empty(browser, serve, library_factory):
    settings = library_factory({"fire": 1, "sea": 1}, unsorted=2)
    page, errors = open_page(browser, serve(settings))
    page.click("#groups")
    expect(page.locator("#group-empty")).to_contain_text("No look-alike groups yet")
    assert errors == []


def test_duplicates_flag_jump_move_and_undo(browser, serve, similar_library):
    settings, u, original = similar_library
    data = settings.data_dir
    page, errors = open_page(browser, serve(settings))
    flagged = page.locator("#videos li .copy")
    page.wait_for_function("document.querySelectorAll('#videos li .copy').length === 1")
    assert flagged.locator("xpath=../..").get_attribute("data-filename") == u[2]
    expect(page.locator("#to-duplicates")).to_be_hidden()  # the first video has no copy
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(page.locator("#to-duplicates")).to_be_visible()  # a button for a phone, too
    now = page.locator("#now-copy").text_content()
    assert now == f"≈ same as {original.name[:4]}….mp4 in sea"
    page.keyboard.press("c")  # the other copy is filed: it plays here
    page.wait_for_function(
        f"document.querySelector('#player').getAttribute('src') === '/videos/{original.name}'"
    )
    page.keyboard.press("c")
    page.wait_for_function(
        f"document.querySelector('#player').getAttribute('src') === '/videos/{u[2]}'"
    )
    page.keyboard.press("d")
    wait_until(lambda: (data / "duplicates" / u[2]).exists(), 10)
    page.wait_for_function(f"!document.querySelector('[data-filename=\"{u[2]}\"]')")
    page.keyboard.press("u")
    wait_until(lambda: (data / u[2]).exists(), 10)
    # The duplicates view: the same move with a button, and its undo
    page.click("#duplicates")
    page.wait_for_selector("#duplicates-view:not([hidden])")
    expect(page.locator(".dup-group li")).to_have_count(2)
    assert page.locator(".dup-group .dup-move").count() == 1  # only the unsorted copy moves
    page.click(f'.dup-group li[data-filename="{original.name}"] .dup-play')
    assert page.locator("#dup-player").get_attribute("src") == f"/videos/{original.name}"
    page.click(".dup-group .dup-move")
    expect(page.locator("#toast")).to_contain_text("→ duplicates/")  # the answer came back
    assert (data / "duplicates" / u[2]).exists()
    assert (data / "sea" / original.name).exists()  # the filed copy is never touched
    page.click("#dups-undo")
    wait_until(lambda: (data / u[2]).exists(), 10)
    page.click("#dups-close")
    page.wait_for_selector("main:not([hidden])")
    assert errors == []


def test_c_steps_through_three_copies_and_the_title_names_the_one_playing(
    browser, serve, similar_library
):
    """Three copies, one filed: c plays the filed one (named in the title line, not the
    selected video), then selects the third, then comes back; it once flipped between two."""
    settings, u, original = similar_library
    data = settings.data_dir
    shutil.copyfile(data / u[2], data / u[3])  # a second real copy, unsorted
    copies = (Copy(original.name, "sea"), Copy(u[2], None), Copy(u[3], None))
    write_similarity(settings.artifacts_dir, Similarity(duplicates=(DuplicateGroup(copies, 0.99),)))
    page, errors = open_page(browser, serve(settings))
    page.wait_for_function("document.querySelectorAll('#videos li .copy').length === 2")
    page.click(f'#videos li[data-filename="{u[2]}"]')
    page.keyboard.press("c")
    src = f"/videos/{original.name}"
    page.wait_for_function(f"document.querySelector('#player').getAttribute('src') === {src!r}")
    expect(page.locator("#now-name")).to_have_text(original.name)
    expect(page.locator("#now-prediction")).to_contain_text("≈ copy 2 of 3, in sea")
    assert page.locator("#videos li.selected").get_attribute("data-filename") == u[2]
    page.keyboard.press("c")  # the third copy, unsorted: selected
    page.wait_for_function(
        f"document.querySelector('#videos li.selected').dataset.filename === {u[3]!r}"
    )
    expect(page.locator("#now-name")).to_have_text(u[3])
    page.keyboard.press("c")  # and back to where it began
    page.wait_for_function(
        f"document.querySelector('#videos li.selected').dataset.filename === {u[2]!r}"
    )
    expect(page.locator("#now-name")).to_have_text(u[2])
    assert page.locator("#player").get_attribute("src") == f"/videos/{u[2]}"
    assert errors == []
