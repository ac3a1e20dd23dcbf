"""Names on the page are isolated from the text around them: a right-to-left name, or a
direction override read back from a predictions file, cannot reorder the words and numbers
beside it (seen: "→ \u202eevil (90%)" shown as "→ )%09( live"). Judged by where Chromium
draws each piece of text, not by the markup."""

from __future__ import annotations

import json

import pytest

from tests.browser.conftest import needs_chromium
from vidsort_tui.core.library import Library

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
