"""Map clusters (issue 17) in the real browser: Debian's chromium driven by Playwright
against the real `childwatch serve`, over a copy of the web tests' database. Rutshuru and
Goma (about 60 km apart, in North Kivu) are one cluster at the dashboard's first zoom;
choosing it with the keyboard lists the two incidents; zooming in splits it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import Server
from test_web_browser import CHROMIUM, IN_CI, chromium, new_page, served_copy
from test_web_review_browser import incidents

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not IN_CI, reason=f"no chromium at {CHROMIUM} (apt-get install chromium)"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from chromium()


@pytest.fixture(scope="module")
def server(web_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from served_copy(web_db_template, tmp_path_factory, "map-browser")


def kivu(page: Any) -> set[str]:
    """The hrefs of the two North Kivu incidents (Rutshuru, Goma)."""
    found = {f"/incidents/{r['id']}" for r in incidents(page, country="CD") if r.get("location_lat") is not None}
    assert len(found) == 2, found
    return found


def cluster_of(page: Any, hrefs: set[str]) -> Any:
    """The cluster holding these incidents, or None."""
    for k in range(page.locator("svg.worldmap g.cluster").count()):
        g = page.locator("svg.worldmap g.cluster").nth(k)
        if hrefs <= set((g.get_attribute("data-ids") or "").split()):
            return g
    return None


def test_close_dots_are_one_cluster_that_lists_them_and_zooming_in_splits_it(browser: Any, server: Server) -> None:
    page = new_page(browser, server, "viewer")
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto(f"{server.url}/")
    hrefs = kivu(page)
    cluster = cluster_of(page, hrefs)
    assert cluster is not None, "Rutshuru and Goma overlap at the first zoom"
    n = len((cluster.get_attribute("data-ids") or "").split())
    assert cluster.locator("text").text_content() == str(n)
    for href in hrefs:  # their own dots give way to the cluster
        assert not page.locator(f"svg.worldmap a.point[href='{href}']").is_visible()
    assert page.locator("svg.worldmap a.point:visible").count() >= 1  # lone dots stay dots

    cluster.focus()
    page.keyboard.press("Enter")
    panel = page.locator(".cluster-list")
    assert panel.is_visible()
    assert panel.locator("h3").inner_text() == f"{n} incidents close together"
    assert {a.get_attribute("href") for a in panel.locator("a").all()} >= hrefs
    assert page.evaluate("document.activeElement.tagName") == "H3"  # the list has the focus
    page.keyboard.press("Escape")
    assert not panel.is_visible()
    assert page.evaluate("document.activeElement.getAttribute('class')") == "cluster"  # back where it was

    cluster.click()  # the mouse too, and a link of the list opens the incident
    first = panel.locator("a").first
    target = first.get_attribute("href")
    with page.expect_navigation():
        first.click()
    assert page.url == f"{server.url}{target}"

    page.goto(f"{server.url}/")
    page.focus("svg.worldmap")
    for _ in range(6):  # zoom in: the dots keep their size on screen and come apart
        page.keyboard.press("+")
        if cluster_of(page, hrefs) is None:
            break
    assert cluster_of(page, hrefs) is None, page.get_attribute("svg.worldmap", "data-zoom")
    for href in hrefs:  # drawn again as dots (wherever the view is now)
        assert page.locator(f"svg.worldmap a.point[href='{href}']").evaluate("a => a.style.display") == ""
    page.keyboard.press("0")  # back to the whole map: one cluster again
    assert cluster_of(page, hrefs) is not None
    assert failed == []  # nothing fetched: clusters are drawn in the page
    page.context.close()
