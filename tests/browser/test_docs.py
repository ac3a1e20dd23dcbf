"""/docs and /redoc render in Chromium with every non-loopback request aborted, and do not
even try one (`tried` is what reached the network layer for another host)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import block_the_network, needs_chromium

pytestmark = needs_chromium


@pytest.fixture
def offline_page(browser, library_factory, serve):
    server = serve(library_factory({"sea": 1}, unsorted=0))
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    tried = block_the_network(page)
    failed: list[str] = []  # the server's own files that did not load
    page.on("requestfailed", lambda r: failed.append(r.url) if r.url.startswith(server.url) else 0)
    yield page, server, tried, failed


def test_swagger_ui_works_offline(offline_page):
    page, server, tried, failed = offline_page
    page.goto(server.url + "/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=20_000)
    assert "vidsort" in page.locator(".swagger-ui .info .title").text_content()
    page.get_by_text("/api/videos", exact=True).first.wait_for()
    page.locator(".opblock-summary", has_text="/api/folders").first.click()  # try it out
    page.locator("button.try-out__btn").first.click()
    page.locator("button.execute").first.click()
    page.wait_for_selector(".responses-table .response-col_status >> text=200", timeout=10_000)
    assert tried == [] and failed == []


def test_redoc_works_offline(offline_page):
    page, server, tried, failed = offline_page
    page.goto(server.url + "/redoc")
    page.wait_for_selector("h1:has-text('vidsort')", timeout=20_000)
    page.get_by_text("/api/sort").first.wait_for(timeout=10_000)
    assert tried == [] and failed == []
