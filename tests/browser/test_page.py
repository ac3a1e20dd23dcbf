"""The browser page in a real headless Chromium (Debian's, driven by Playwright)."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import needs_chromium
from tests.tui.conftest import predict_all
from vidsort_tui.core.library import Library
from vidsort_tui.services import jobs

pytestmark = needs_chromium


@pytest.fixture
def page_on_library(browser, library_factory, serve):
    settings = library_factory({"fire": 3, "sea": 3}, unsorted=3)
    names = Library(settings).unsorted()
    predict_all(settings, {names[0]: ("sea", 0.9), names[1]: ("fire", 0.7)})
    server = serve(settings)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url + "/")
    page.wait_for_selector("#videos li")
    yield page, settings, names, errors, server


def test_lists_videos_and_plays_the_selected_one(page_on_library):
    page, _settings, names, errors, _ = page_on_library
    assert page.locator("#videos li .name").all_text_contents() == names
    assert "sea" in page.locator("#videos li").first.text_content()
    page.wait_for_function("document.querySelector('#player').currentTime > 0.3", timeout=10_000)
    assert page.locator("#folders button").count() == 2
    assert errors == []


def test_folder_key_sorts_and_u_undoes(page_on_library):
    page, settings, names, errors, _ = page_on_library
    page.keyboard.press("2")  # folder 2 = sea
    page.wait_for_function(f"!document.querySelector('[data-filename=\"{names[0]}\"]')")
    assert (settings.data_dir / "sea" / names[0]).exists()
    assert page.locator("#videos li.selected .name").text_content() == names[1]
    page.keyboard.press("Enter")  # accept "fire" for the next one
    page.wait_for_function(f"!document.querySelector('[data-filename=\"{names[1]}\"]')")
    assert (settings.data_dir / "fire" / names[1]).exists()
    page.keyboard.press("u")
    page.wait_for_selector(f'[data-filename="{names[1]}"]')
    assert (settings.data_dir / names[1]).exists()
    page.keyboard.press("j")
    page.keyboard.press("k")
    assert errors == []


def test_errors_are_shown_not_thrown(page_on_library):
    page, settings, names, errors, _ = page_on_library
    (settings.data_dir / names[0]).unlink()  # vanished behind the page's back
    page.keyboard.press("1")
    page.wait_for_selector("#toast.error:not([hidden])")
    assert "not found" in page.locator("#toast").text_content()
    assert [e for e in errors if "404" not in e] == []  # the failed request is logged, nothing else


def test_retrain_button_shows_live_status(page_on_library):
    page, _settings, _names, errors, _ = page_on_library
    page.click("#retrain")
    page.wait_for_function(
        "document.querySelector('#retrain-status').textContent.includes('last retrain: success')",
        timeout=60_000,
    )
    page.wait_for_function(
        "[...document.querySelectorAll('#videos li .pred')].every(e => e.textContent !== '—')"
    )
    assert errors == []


def test_a_retrain_that_could_not_read_a_file_says_which_and_why(page_on_library):
    page, settings, _names, errors, _ = page_on_library
    (settings.data_dir / "zz broken \u202e.mp4").write_bytes(b"not a video" * 100)  # not listed
    (settings.data_dir / "zz broken.mp4").write_bytes(b"not a video" * 100)
    page.click("#retrain")
    toast = page.locator("#toast")
    said = "2 files could not be read, so they have no prediction: "
    expect(toast).to_contain_text(said, timeout=60_000)
    names = ["zz broken \\u202e.mp4", "zz broken.mp4"]  # escaped as everywhere, each isolated
    expect(toast.locator("bdi")).to_have_text(names)
    assert "zz broken.mp4 (cannot open as a video" in toast.text_content()
    assert "\u202e" not in toast.text_content()
    assert errors == []


def test_a_retrain_started_elsewhere_shows_and_loads_its_predictions(page_on_library):
    """The terminal app's first-run training (or `r`, or --retrain) while the page is open:
    the page shows it and loads the new predictions when it ends, with no reload."""
    page, settings, _names, errors, _ = page_on_library
    (settings.artifacts_dir / "predictions.json").unlink()  # a first run: nothing predicted
    page.wait_for_function(
        "[...document.querySelectorAll('#videos li .pred')].every(e => e.textContent === '—')"
    )
    assert jobs.start_background(settings) == "started"  # as the terminal app does
    page.wait_for_function(
        "document.querySelector('#retrain-status').textContent.includes('last retrain: success')",
        timeout=120_000,
    )
    page.wait_for_function(
        "[...document.querySelectorAll('#videos li .pred')].every(e => e.textContent !== '—')"
    )
    assert errors == []


def test_phone_width_layout(browser, library_factory, serve):
    settings = library_factory({"fire": 1, "sea": 1}, unsorted=2)
    server = serve(settings)
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(server.url + "/")
    page.wait_for_selector("#videos li")
    time.sleep(0.3)
    player = page.locator("#player").bounding_box()
    folders = page.locator("#folders").bounding_box()
    assert player["width"] <= 390 and folders["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
