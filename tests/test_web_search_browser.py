"""Search with the matching passage, and saved searches shared by link (issue 17), in the
real browser: Debian's chromium driven by Playwright against the real `childwatch serve`,
over a copy of the web tests' database. Everything is done with the keyboard."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import Server
from test_web_browser import CHROMIUM, IN_CI, chromium, new_page, served_copy

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not IN_CI, reason=f"no chromium at {CHROMIUM} (apt-get install chromium)"
)
LEAK = re.compile(r"daniel|okoro|amina|musa", re.IGNORECASE)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from chromium()


@pytest.fixture(scope="module")
def server(web_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from served_copy(web_db_template, tmp_path_factory, "search-browser")


def test_search_shows_the_passage_and_a_saved_search_is_shared_by_its_link(browser: Any, server: Server) -> None:
    page = new_page(browser, server, "analyst")
    page.goto(f"{server.url}/incidents")
    page.focus("#f-q")
    page.keyboard.type("ESCAPED")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    rows = page.locator("table.incidents tbody tr")
    assert rows.count() == 1
    passage = rows.first.locator("p.passage")
    assert passage.locator("mark.hit").inner_text() == "escaped"
    shown = passage.inner_text()
    assert "14-year-old named [child " in shown and not LEAK.search(page.content())

    page.focus("#save-search-name")
    page.keyboard.type("Boys who escaped")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Saved as “Boys who escaped”" in page.locator(".flash-ok").inner_text()
    assert page.url == f"{server.url}/incidents?q=ESCAPED"

    page.focus("nav a[href='/searches']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    link = page.locator("table.saved-searches a", has_text="Boys who escaped")
    shared = f"{server.url}{link.get_attribute('href')}"
    page.context.close()

    # Another user opens the link: the same search, pseudonymised for a viewer too; the
    # saved search itself stays the analyst's.
    viewer = new_page(browser, server, "viewer")
    viewer.goto(shared)
    assert viewer.locator("#f-q").input_value() == "ESCAPED"
    assert viewer.locator("table.incidents p.passage mark.hit").inner_text() == "escaped"
    assert not LEAK.search(viewer.content())
    viewer.goto(f"{server.url}/searches")
    assert "You have no saved searches yet" in viewer.locator("main").inner_text()
    viewer.context.close()

    page = new_page(browser, server, "analyst")
    page.goto(f"{server.url}/searches")
    page.focus("button[aria-label='Delete the saved search Boys who escaped']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Deleted “Boys who escaped”" in page.locator(".flash-ok").inner_text()
    assert page.locator("table.saved-searches").count() == 0
    page.context.close()


def test_a_childs_name_finds_nothing_and_shows_no_passage(browser: Any, server: Server) -> None:
    page = new_page(browser, server, "analyst")
    for name in ("Daniel Okoro", "okoro", "AMINA"):
        page.goto(f"{server.url}/incidents?q={name}")
        assert page.locator("table.incidents").count() == 0
        assert "No incidents match" in page.locator("main").inner_text()
    page.context.close()
