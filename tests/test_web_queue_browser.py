"""Comments, assignment and "my queue" in the real browser (issue 17): Debian's chromium
driven by Playwright against the real `childwatch serve`, over a copy of the web tests'
database. An analyst adds a comment (a child's name in it comes back pseudonymised),
assigns the incident to themself with the keyboard, and finds it in My queue."""

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
    yield from served_copy(web_db_template, tmp_path_factory, "queue-browser")


def test_comment_assign_to_self_and_find_it_in_my_queue(browser: Any, server: Server) -> None:
    page = new_page(browser, server, "analyst")
    inc = next(r for r in incidents(page) if r["location_name"] == "Rutshuru")["id"]
    page.goto(f"{server.url}/queue")
    assert "Nothing is assigned to you" in page.locator("main").inner_text()

    page.goto(f"{server.url}/incidents/{inc}")
    assert "Assigned to nobody" in page.locator("#assigned-to").inner_text()
    page.fill("#comment-text", "Daniel Okoro's family says he came home; check with the UN annex")
    with page.expect_navigation():
        page.click("form.comment-form button[type=submit]")
    assert "Comment added" in page.locator(".flash-ok").inner_text()
    said = page.locator("ol.comments li").last.inner_text()
    assert "analyst" in said and "UTC" in said and "check with the UN annex" in said
    assert "Daniel" not in said and "Okoro" not in said and "[child " in said

    page.focus("#assign-me")
    with page.expect_navigation():  # back to the same page, at #discussion
        page.keyboard.press("Enter")
    assert "Assigned to analyst" in page.locator(".flash-ok").inner_text()
    assert "Assigned to analyst" in page.locator("#assigned-to").inner_text()

    page.click("nav a[href='/queue']")
    page.wait_for_url(f"{server.url}/queue")
    rows = page.locator("table.queue tbody tr")
    assert rows.count() == 1 and inc in rows.first.inner_text()
    rows.first.locator(f"a[href='/incidents/{inc}']").click()
    page.wait_for_url(f"{server.url}/incidents/{inc}")
    page.context.close()

    viewer = new_page(browser, server, "viewer")
    viewer.goto(f"{server.url}/incidents/{inc}")
    assert "check with the UN annex" in viewer.locator("ol.comments").inner_text()  # viewers read comments
    assert viewer.locator("form.comment-form, form.assign-form").count() == 0
    assert viewer.locator("nav a[href='/queue']").count() == 0
    viewer.context.close()
