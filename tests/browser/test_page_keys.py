"""The page has the terminal app's keys and actions, and buttons for them, so a phone sorts,
accepts and undoes with taps alone (real server, Debian's Chromium)."""

from __future__ import annotations

import json
import shutil

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import needs_chromium
from tests.tui.conftest import predict_all
from vidsort_tui.core.config import Settings
from vidsort_tui.core.library import Library
from vidsort_tui.core.library_view import LibraryView
from vidsort_tui.tui import new_folder

pytestmark = needs_chromium


def gone(page, name: str) -> None:
    """Wait until ``name`` leaves the list; on a timeout, say what the page showed."""
    try:
        page.wait_for_function(f"!document.querySelector('#videos [data-filename=\"{name}\"]')")
    except PlaywrightError as exc:
        shown = page.evaluate(
            "({toast: document.querySelector('#toast').textContent,"
            " dialog: document.querySelector('dialog').open,"
            " focus: document.activeElement.outerHTML.slice(0, 80)})"
        )
        raise AssertionError(f"{name} still listed; page showed {shown}") from exc


@pytest.fixture
def library(library_factory):
    """fire, sea, snow (2 clips each); 4 unsorted predicted at 93%, 80%, 79.74% and 42%."""
    settings = library_factory({"fire": 2, "sea": 2, "snow": 2}, unsorted=4)
    names = Library(settings).unsorted()
    predict_all(
        settings,
        {names[0]: ("sea", 0.93), names[1]: ("fire", 0.8), names[2]: ("snow", 0.7974),
         names[3]: ("sea", 0.42)},
    )  # fmt: skip
    return settings, names


@pytest.fixture
def open_page(browser, library, serve):
    """The page at 1280x800; afterwards, no error in the console and every POST it sent
    carried a JSON body."""
    settings, names = library
    server = serve(settings)
    opened = []

    def open_(**context_options):
        context = browser.new_context(
            **({"viewport": {"width": 1280, "height": 800}} | context_options)
        )
        page = context.new_page()
        page.errors, page.posts = [], []
        page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.on("request", lambda r: page.posts.append(r) if r.method == "POST" else None)
        page.goto(server.url + "/")
        page.wait_for_selector("#videos li")
        opened.append(page)
        return page

    yield open_, settings, names
    for page in opened:
        assert [e for e in page.errors if "Failed to load resource" not in e] == []
        for request in page.posts:
            assert request.headers.get("content-type") == "application/json", request.url
            assert isinstance(json.loads(request.post_data or ""), dict), request.url


def test_accept_all_files_exactly_what_is_shown_at_or_above_80(open_page):
    open_, settings, names = open_page
    page = open_()
    confidences = page.locator("#videos li .conf").all_text_contents()
    assert confidences == ["93%", "80%", "79%", "42%"]  # 0.7974 is not shown as 80%
    sure = page.locator("#videos li .conf.sure").all_text_contents()
    assert sure == ["93%", "80%"]
    page.keyboard.press("A")
    dialog = page.locator("dialog[open]")
    assert "File 2 videos predicted with confidence ≥ 80%?" in dialog.text_content()
    page.keyboard.press("n")  # cancel: nothing moves
    page.wait_for_selector("dialog[open]", state="detached") if False else page.wait_for_function(
        "!document.querySelector('dialog').open"
    )
    assert all((settings.data_dir / n).exists() for n in names)
    page.keyboard.press("A")
    page.keyboard.press("y")
    gone(page, names[1])
    assert (settings.data_dir / "sea" / names[0]).exists() and (
        settings.data_dir / "fire" / names[1]
    ).exists()
    assert (settings.data_dir / names[2]).exists() and (settings.data_dir / names[3]).exists()
    page.wait_for_selector("#toast:not([hidden]) .toast-undo")
    assert "Filed 2 videos" in page.locator("#toast").text_content()


def test_accept_all_is_one_undo_step_on_the_page(open_page):
    open_, settings, names = open_page
    page = open_()
    page.keyboard.press("A")
    page.keyboard.press("y")
    gone(page, names[0])
    gone(page, names[1])
    page.wait_for_selector("#toast:not([hidden]) .toast-undo")
    assert "Filed 2 videos · u undoes all 2" in page.locator("#toast").text_content()
    assert page.locator("#toast .toast-undo").text_content() == "Undo all"
    page.keyboard.press("u")  # one undo: the whole batch comes back
    page.wait_for_selector(f'#videos [data-filename="{names[0]}"]')
    page.wait_for_selector(f'#videos [data-filename="{names[1]}"]')
    assert all((settings.data_dir / n).exists() for n in names)
    assert "2 videos are back" in page.locator("#toast").text_content()


def test_after_undoing_a_batch_the_predictions_show_at_once(open_page):
    """A refit after the batch rewrites predictions.json without the filed videos; the undo
    brings them back before the server has predicted them again. The list showed "—" for them
    until its next refresh; it shows their predictions at once, then the new ones as soon as
    the server has them."""
    open_, settings, names = open_page
    page = open_()
    page.keyboard.press("A")
    page.keyboard.press("y")
    gone(page, names[0])
    gone(page, names[1])
    predict_all(settings, {names[2]: ("snow", 0.7974), names[3]: ("sea", 0.42)})  # as a refit
    page.keyboard.press("u")
    page.wait_for_selector(f'#videos [data-filename="{names[0]}"]')
    page.wait_for_selector(f'#videos [data-filename="{names[1]}"]')
    shown = page.locator("#videos li .pred").all_text_contents()
    assert shown == ["sea", "fire", "snow", "sea"]  # at once: no "—"
    assert page.locator("#videos li .conf.sure").all_text_contents() == ["93%", "80%"]
    # The server's new predictions for them (predict_returned): shown without waiting 3 s
    predict_all(settings, {names[0]: ("snow", 0.91), names[1]: ("fire", 0.6),
                           names[2]: ("snow", 0.7974), names[3]: ("sea", 0.42)})  # fmt: skip
    page.wait_for_function(
        "document.querySelector('#videos li .pred').textContent === 'snow'", timeout=2_500
    )


def test_home_and_end_select_the_first_and_the_last_video(open_page):
    open_, _settings, names = open_page
    page = open_()
    page.keyboard.press("End")
    page.wait_for_function(f"document.querySelector('#now-name').textContent === {names[3]!r}")
    page.keyboard.press("Home")
    page.wait_for_function(f"document.querySelector('#now-name').textContent === {names[0]!r}")
    assert page.locator("#videos li.selected").get_attribute("data-filename") == names[0]


def test_folder_keys_stay_put_and_a_change_is_announced(open_page):
    open_, settings, names = open_page
    LibraryView(settings).folders()  # keys saved as they stand: fire 1, sea 2, snow 3
    (settings.data_dir / "beach").mkdir()  # first by name, yet the next free key
    page = open_()
    keys = dict(
        zip(
            page.locator("#folders button .label").all_text_contents(),
            page.locator("#folders button .key").all_text_contents(),
            strict=True,
        )
    )
    assert keys == {"fire": "1", "sea": "2", "snow": "3", "beach": "4"}
    page.keyboard.press("2")  # sea, as before beach existed
    gone(page, names[0])
    assert (settings.data_dir / "sea" / names[0]).exists()
    shutil.rmtree(settings.data_dir / "fire")  # deleted on disk while the page is open
    page.wait_for_selector("#keys-note:not([hidden])", timeout=10_000)
    assert "fire is gone: key 1 is free" in page.locator("#keys-note").text_content()
    page.keyboard.press("1")
    page.wait_for_function("document.querySelector('#toast').textContent.includes('No folder 1')")
    assert (settings.data_dir / names[1]).exists()


def test_picker_new_folder_and_help_from_the_keyboard(open_page):
    open_, settings, names = open_page
    page = open_()
    page.keyboard.press("/")
    picker = page.locator("dialog[open]")
    assert "Enter files" in picker.text_content() and "Esc cancels" in picker.text_content()
    assert page.locator("#picker-options li.highlighted").text_content() == "sea← predicted 93%"
    page.keyboard.press("Escape")  # nothing filed
    page.wait_for_function("!document.querySelector('dialog').open")
    assert (settings.data_dir / names[0]).exists()
    page.keyboard.press("/")
    page.keyboard.type("sn")
    page.keyboard.press("Enter")
    gone(page, names[0])
    assert (settings.data_dir / "snow" / names[0]).exists()

    page.keyboard.press("n")
    assert new_folder.RULE in page.locator("dialog[open]").text_content()  # the terminal's rule
    page.keyboard.type("../x")
    page.keyboard.press("Enter")
    error = page.locator("#new-folder-error")
    error.filter(has_text="cannot contain / or \\").wait_for()
    assert page.locator("#new-folder-input").input_value() == "../x"  # kept, dialog open
    page.fill("#new-folder-input", "beach")
    page.keyboard.press("Enter")
    gone(page, names[1])
    assert (settings.data_dir / "beach" / names[1]).exists()
    assert not (settings.data_dir.parent / "x").exists()
    page.locator("#folders button[data-folder='beach']").wait_for()

    page.keyboard.press("?")
    help_text = page.locator("dialog[open]").text_content()
    assert "Pick a folder by typing its name" in help_text and "Back / forward 5 s" in help_text
    page.keyboard.press("Escape")
    page.wait_for_function("!document.querySelector('dialog').open")


def test_pause_seek_mute_skip_and_the_toast_undo_button(open_page):
    open_, settings, names = open_page
    page = open_()
    page.wait_for_function("document.querySelector('#player').currentTime > 0.2", timeout=10_000)
    page.keyboard.press(" ")
    page.wait_for_function(
        "document.querySelector('#now-clock').textContent.startsWith('paused 0:0')"
    )
    assert page.evaluate("document.querySelector('#player').paused")
    page.evaluate("document.querySelector('#player').currentTime = 0")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("document.querySelector('#player').currentTime > 0.9")  # clips are 1.5 s
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("document.querySelector('#player').currentTime === 0")
    page.keyboard.press(" ")
    page.wait_for_function("!document.querySelector('#player').paused")
    assert page.evaluate("document.querySelector('#player').muted")
    page.keyboard.press("m")
    assert not page.evaluate("document.querySelector('#player').muted")
    assert "Sound on" in page.locator("#toast").text_content()
    page.keyboard.press("s")
    assert f"Skipped {names[0]}" in page.locator("#toast").text_content()
    assert page.locator("#videos li.selected .name").text_content() == names[1]
    page.keyboard.press("Enter")  # fire for names[1]
    gone(page, names[1])
    assert "(u undoes)" in page.locator("#toast").text_content()
    page.click("#toast .toast-undo")
    page.wait_for_selector(f'#videos [data-filename="{names[1]}"]')
    assert (settings.data_dir / names[1]).exists()


def test_a_phone_sorts_accepts_and_undoes_with_taps_only(open_page):
    open_, settings, names = open_page
    page = open_(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for selector in ("#accept", "#skip", "#undo", "#accept-all"):
        box = page.locator(selector).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["height"] >= 36, selector
    page.tap("#accept")  # names[0] → sea (93%)
    gone(page, names[0])
    assert (settings.data_dir / "sea" / names[0]).exists()
    page.tap("#folders button[data-folder='snow']")  # names[1] → snow, by hand
    gone(page, names[1])
    assert (settings.data_dir / "snow" / names[1]).exists()
    page.tap("#undo")
    page.wait_for_selector(f'#videos [data-filename="{names[1]}"]')
    assert (settings.data_dir / names[1]).exists()
    page.tap("#accept-all")  # names[1] at 80% is the only one left at or above 80%
    page.tap("#confirm-yes")
    gone(page, names[1])
    assert (settings.data_dir / "fire" / names[1]).exists()
    page.tap("#toast .toast-undo")
    page.wait_for_selector(f'#videos [data-filename="{names[1]}"]')
    assert (settings.data_dir / names[1]).exists()
    assert (settings.data_dir / "sea" / names[0]).exists()  # only the last sort undone


def test_the_page_never_scrolls_itself(open_page):
    """On a phone the list is below the video: bringing the selected row into view used to
    scroll the whole page 187 px down at every 2-second refresh, hiding the buttons."""
    open_, _settings, names = open_page
    page = open_(viewport={"width": 390, "height": 520}, has_touch=True)  # the list below
    page.wait_for_timeout(2_500)  # one refresh
    assert page.evaluate("window.scrollY") == 0
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # down to the list...
    bottom = page.evaluate("window.scrollY")
    assert bottom > 0  # (the page is taller than a phone's screen)
    page.evaluate("window.scrollTo(0, 0)")  # ...and back up to the buttons
    for _ in range(3):  # a new selection is shown without moving the page
        page.keyboard.press("j")
    page.wait_for_timeout(2_500)  # nor does the next refresh
    assert page.evaluate("window.scrollY") == 0


def test_the_config_files_keys_and_threshold_apply_on_the_page(browser, library, serve, tmp_path):
    """One config file drives both interfaces: [keys] and accept_all.threshold, rebound for
    the terminal app, are what the page binds, shows and files by (GET /api/page-settings)."""
    made, names = library
    config = tmp_path / "config.toml"
    config.write_text('[keys]\nnext = "x"\nfolder_1 = "a"\n[accept_all]\nthreshold = 0.9\n')
    settings = Settings.load({"data_dir": made.data_dir, "artifacts_dir": made.artifacts_dir,
                              "config_file": config, "player": {"mode": "none"}}, environ={})  # fmt: skip
    LibraryView(settings).folders()  # fire 1, sea 2, snow 3
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(serve(settings).url + "/")
    page.wait_for_selector("#videos li")
    assert page.locator("#videos li .conf.sure").all_text_contents() == ["93%"]  # not 80%
    keys = page.locator("#folders button .key").all_text_contents()
    assert keys == ["a", "2", "3"]  # fire's slot is bound to a
    page.keyboard.press("j")  # no longer next: the selection stays
    page.keyboard.press("x")
    page.wait_for_function(f"document.querySelector('#now-name').textContent === {names[1]!r}")
    page.keyboard.press("a")  # files into fire
    gone(page, names[1])
    assert (settings.data_dir / "fire" / names[1]).exists()
    page.keyboard.press("A")
    assert "confidence ≥ 90%?" in page.locator("dialog[open]").text_content()
    page.keyboard.press("Escape")
    page.wait_for_function("!document.querySelector('dialog').open")
    page.keyboard.press("?")
    rows = page.locator("#help-table tr").all_text_contents()
    assert "x / k, ↑Next / previous video" in rows
    assert (
        "a, 2, 3, 4, 5, 6, 7, 8, 9, 0File into folder 1–10, as numbered (or tap the folder)" in rows
    )
    assert errors == []


def test_the_pickers_ranking_puts_the_name_typed_exactly_first(open_page):
    """A case twin made on disk (``Pour`` beside ``pour``): typing "pour" picks pour, as in
    the terminal app (tests/tui/test_keys.py), whatever the folders' order."""
    open_, _, _ = open_page
    page = open_()
    ranked = page.evaluate(
        """async () => {
             const { rank } = await import("/static/dialogs.js");
             return [rank("pour", ["Pour", "pour"]), rank("Pour", ["pour", "Pour"]),
                     rank("pou", ["pouring", "Pour"])];
           }"""
    )
    assert ranked == [["pour", "Pour"], ["Pour", "pour"], ["Pour", "pouring"]]


def test_the_undo_toast_hides_neither_the_key_hints_nor_the_title_line(open_page):
    """At the bottom of a 1280x640 window the toast covered the line of key hints."""
    open_, _, names = open_page
    page = open_(viewport={"width": 1280, "height": 640})
    page.keyboard.press("1")
    gone(page, names[0])
    page.wait_for_selector("#toast:not([hidden])")
    toast = page.locator("#toast").bounding_box()
    for other in (".hint", "#now-name", "#folders"):
        box = page.locator(other).bounding_box()
        apart = (toast["y"] >= box["y"] + box["height"] or box["y"] >= toast["y"] + toast["height"]
                 or toast["x"] >= box["x"] + box["width"] or box["x"] >= toast["x"] + toast["width"])  # fmt: skip
        assert apart, other
