"""Names on the page are isolated from the text around them: a right-to-left name, or a
direction override read back from a predictions file, cannot reorder the words and numbers
beside it (seen: "→ \u202eevil (90%)" shown as "→ )%09( live"). Judged by where Chromium
draws each piece of text, not by the markup."""

from __future__ import annotations

import json
import shutil

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import needs_chromium
from vidsort_tui.core.library import Library
from vidsort_tui.core.similarity_file import (
    Copy,
    DuplicateGroup,
    LookalikeGroup,
    Similarity,
    write_similarity,
)

pytestmark = needs_chromium

RTL_FOLDER = "שלום"
OVERRIDE = "\u202eevil"  # a right-to-left override: everything after it is drawn reversed

#: the box (left, right) Chromium draws ``text`` in, within the element ``selector``
BOX = """([selector, text]) => {
  const root = document.querySelector(selector);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = [];
  let whole = "";
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    nodes.push([node, whole.length]);
    whole += node.data;
  }
  const start = whole.indexOf(text);
  if (start < 0) return null;
  const at = (offset) => {
    const [node, base] = nodes.filter(([, b]) => b <= offset).pop();
    return [node, Math.min(offset - base, node.data.length)];
  };
  const range = document.createRange();
  range.setStart(...at(start));
  range.setEnd(...at(start + text.length));
  const box = range.getBoundingClientRect();
  return [box.left, box.right];
}"""


@pytest.fixture
def page(browser, library_factory, serve):
    settings = library_factory({"sea": 2, RTL_FOLDER: 2}, unsorted=2)
    names = Library(settings).unsorted()
    predictions = {
        names[0]: {"predicted_folder": OVERRIDE, "confidence": 0.9,
                   "top_predictions": [{"folder": OVERRIDE, "confidence": 0.9}]},
        names[1]: {"predicted_folder": RTL_FOLDER, "confidence": 0.85,
                   "top_predictions": [{"folder": RTL_FOLDER, "confidence": 0.85}]},
    }  # fmt: skip
    (settings.artifacts_dir / "predictions.json").write_text(json.dumps(predictions))
    server = serve(settings)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(server.url + "/")
    page.wait_for_selector("#videos li")
    yield page, names


def box(page, selector: str, text: str) -> tuple[float, float]:
    found = page.evaluate(BOX, [selector, text])
    assert found is not None, f"{text!r} is not in {selector}"
    return tuple(found)


@pytest.mark.parametrize(("row", "name", "drawn", "percent"),
                         [(0, OVERRIDE, "evil", "90%"), (1, RTL_FOLDER, RTL_FOLDER, "85%")])  # fmt: skip
def test_a_name_cannot_reorder_the_words_around_it(page, row, name, drawn, percent):
    page, names = page
    page.locator("#videos li").nth(row).click()
    page.wait_for_function(
        f"document.querySelector('#now-prediction').textContent.includes({percent!r})"
    )
    assert page.locator("#now-prediction").text_content() == f"→ {name} ({percent})"
    arrow, shown, opening, number = (box(page, "#now-prediction", t)
                                     for t in ("→", drawn, "(", percent))  # fmt: skip
    # Left to right as written: the arrow, the name, then "(90%)" after it.
    assert arrow[1] <= shown[0] + 0.5, (arrow, shown)
    assert opening[0] >= shown[1] - 0.5, (shown, opening)
    assert number[0] >= opening[1] - 0.5, (opening, number)
    # The list row keeps its columns: the name, then the folder, then the confidence.
    selector = f"#videos li:nth-child({row + 1})"
    video, folder, confidence = (box(page, selector, t) for t in (names[row], drawn, percent))
    assert video[1] <= folder[0] and folder[1] <= confidence[0]


def bdis(page, selector: str) -> list[str]:
    """The texts of the <bdi> elements inside ``selector``: the names it isolates."""
    return page.locator(f"{selector} bdi").evaluate_all("els => els.map(e => e.textContent)")


def test_the_sentences_about_new_kinds_copies_and_groups_isolate_their_names(
    browser, library_factory, serve
):
    """Issue 18's and 21's sentences: a new kind's guess, a new folder named with its key, the
    copy `c` plays, a group's nearest folder. Each name is a <bdi>; an override in a guess
    read from predictions.json cannot draw the percentage before it."""
    settings = library_factory({"sea": 2, RTL_FOLDER: 2}, unsorted=4)
    u = Library(settings).unsorted()
    data = settings.data_dir
    original = sorted((data / RTL_FOLDER).iterdir())[0]
    shutil.copyfile(original, data / u[1])  # u1: a real copy of a clip filed in שלום
    predictions = {
        u[0]: {"predicted_folder": OVERRIDE, "confidence": 0.95, "new_kind": True,
               "top_predictions": [{"folder": OVERRIDE, "confidence": 0.95}]},
    }  # fmt: skip
    (settings.artifacts_dir / "predictions.json").write_text(json.dumps(predictions))
    write_similarity(
        settings.artifacts_dir,
        Similarity(
            groups=(LookalikeGroup((u[2], u[3]), RTL_FOLDER, 0.9, new_kind=True),),
            duplicates=(DuplicateGroup((Copy(u[1], None), Copy(original.name, RTL_FOLDER)), 0.97),),
        ),
    )
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(serve(settings).url + "/")
    page.wait_for_selector("#videos li")

    page.locator(f'#videos li[data-filename="{u[0]}"]').click()
    line = "#now-prediction"
    expect(page.locator(line)).to_have_text(
        f"new kind? no folder fits · Enter: new folder (guess {OVERRIDE} 95%)"
    )
    assert OVERRIDE in bdis(page, line)
    guess, drawn, number = (box(page, line, t) for t in ("(guess", "evil", "95%"))
    assert guess[1] <= drawn[0] + 0.5 and number[0] >= drawn[1] - 0.5, (guess, drawn, number)

    page.keyboard.press("Enter")  # a new kind: the new-folder dialog, then one more Enter
    page.wait_for_selector("#new-kind-title")
    page.fill("#new-folder-input", "gym")
    page.keyboard.press("Enter")
    expect(page.locator("#toast")).to_contain_text("→ gym (new folder, key 3; u undoes)")
    assert bdis(page, "#toast") == [u[0], "gym"]  # the key and the hint stay plain text

    page.locator(f'#videos li[data-filename="{u[1]}"]').click()
    page.keyboard.press("c")  # the copy filed in שלום plays, and the line names it
    expect(page.locator(line)).to_have_text(f"≈ copy 2 of 2, in {RTL_FOLDER} · c: next")
    assert bdis(page, line) == [RTL_FOLDER]
    assert page.locator("#now-name").text_content() == original.name
    assert bdis(page, "#toast") == [original.name, RTL_FOLDER, u[1]]

    page.keyboard.press("g")
    expect(page.locator("#group-nearest")).to_contain_text(f"Nearest folder: {RTL_FOLDER}")
    assert bdis(page, "#group-nearest") == [RTL_FOLDER]
