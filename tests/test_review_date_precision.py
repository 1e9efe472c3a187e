"""Date precision in corrections (issue 17): a claim's dates are corrected as a range
(from, to) with how precisely they are known (day, month, year, or a period), checked
together; in the library over a real SQLite copy of the web tests' database, the REST API,
and the correction form in the real browser (keyboard only)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from childwatch import review
from childwatch.errors import ReviewError
from childwatch.read.incident import incident_detail
from childwatch.review import bulk
from childwatch.review.corrections import check_date_precision
from childwatch.serve import create_app
from childwatch.store import Store, open_store
from conftest import Server
from test_review_bulk import claim_of, incident, logged_in, user
from test_web_browser import CHROMIUM, IN_CI, chromium, new_page, served_copy
from test_web_review_browser import api, incidents

# web-003: "An airstrike hit a house in Saada province, Yemen, on 8 August 2020"


@pytest.fixture()
def store(web_db: Path) -> Iterator[Store]:
    with open_store(web_db) as opened:
        yield opened


def saada(store: Store) -> tuple[str, int]:
    inc = str(incident(store, location_country="YE")["id"])
    return inc, claim_of(store, inc)


def dates_of(store: Store, incident_id: str, claim_id: int) -> dict[str, Any]:
    detail = incident_detail(store, incident_id, viewer=user(store, "viewer"))
    assert detail is not None
    (claim,) = [c for c in detail["claims"] if c["id"] == claim_id]
    return dict(claim["date"])


def history(store: Store, incident_id: str) -> int:
    return len(review.history(store, incident_id))


def test_each_precision_needs_its_dates_written_so() -> None:
    check_date_precision({"date_precision": "day", "date_start": "2020-08-08", "date_end": "2020-08-08"})
    check_date_precision({"date_precision": "month", "date_start": "2020-08", "date_end": None})
    check_date_precision({"date_precision": "year", "date_start": "2020", "date_end": "2021"})
    check_date_precision({"date_precision": "range", "date_start": "2020", "date_end": "2020-08-15"})
    check_date_precision({"date_precision": None, "date_start": "2020-08", "date_end": "2020-08-08"})
    for precision, start, end in (("day", "2020-08", None), ("month", "2020-08-08", None), ("year", "2020", "2020-08")):
        with pytest.raises(ReviewError, match=f"not written to the {precision}"):
            check_date_precision({"date_precision": precision, "date_start": start, "date_end": end})


def test_a_range_and_a_precision_are_corrected_together(store: Store) -> None:
    inc, claim = saada(store)
    assert dates_of(store, inc, claim) == {"start": "2020-08-08", "end": "2020-08-08", "precision": "day"}
    analyst = user(store, "analyst")
    events = bulk.correct_fields(
        store, analyst, claim, {"date.precision": "month", "date.start": "2020-08", "date.end": "2020-08"}, "annex"
    )
    assert [e.field for e in events] == ["date.start", "date.end", "date.precision"]  # the dates first
    assert dates_of(store, inc, claim) == {"start": "2020-08", "end": "2020-08", "precision": "month"}

    bulk.correct_fields(
        store, analyst, claim, {"date.start": "2020-08-01", "date.end": "2020-08-15", "date.precision": "range"}, "UN"
    )
    assert dates_of(store, inc, claim) == {"start": "2020-08-01", "end": "2020-08-15", "precision": "range"}


def test_dates_that_do_not_fit_their_precision_are_refused_and_nothing_is_recorded(store: Store) -> None:
    inc, claim = saada(store)
    analyst = user(store, "analyst")
    before = history(store, inc)
    refused: list[dict[str, str]] = [
        {"date.start": "2020-08"},  # still "to the day"
        {"date.precision": "year"},  # 2020-08-08 is not a year
        {"date.precision": "month", "date.start": "2020-08"},  # the end is still a day
        {"date.precision": "week"},  # no such precision
    ]
    for changes in refused:
        with pytest.raises(ReviewError):
            bulk.correct_fields(store, analyst, claim, changes, "trying")
    with pytest.raises(ReviewError, match="not written to the year"):
        review.correct_claim(store, analyst, claim, "date.precision", "year", "one field alone")
    assert history(store, inc) == before
    assert dates_of(store, inc, claim)["precision"] == "day"
    event = review.correct_claim(store, analyst, claim, "date.precision", "range", "a period, one day long")
    assert event.field == "date.precision" and dates_of(store, inc, claim)["precision"] == "range"


def test_the_api_corrects_dates_with_their_precision(web_db: Path) -> None:
    with open_store(web_db) as opened:
        inc, claim = saada(opened)
    with TestClient(create_app(web_db)) as app:
        headers = logged_in(app, "analyst")
        r = app.post(f"/api/claims/{claim}/fields", headers=headers,
                     json={"changes": {"date.precision": "year", "date.start": "2020-08"}, "reason": "x"})  # fmt: skip
        assert r.status_code == 400 and "not written to the year" in r.text
        r = app.post(f"/api/claims/{claim}/fields", headers=headers,
                     json={"changes": {"date.precision": "year", "date.start": "2020", "date.end": "2020"},
                           "reason": "only the year is sure"})  # fmt: skip
        assert r.status_code == 200, r.text
        got = app.get(f"/api/incidents/{inc}").json()["claims"][0]["date"]
        assert got == {"start": "2020", "end": "2020", "precision": "year"}
        assert "date.precision" in app.get("/api/fields").json()["fields"]


# --- the correction form in the real browser --------------------------------------------------

browser_only = pytest.mark.skipif(
    not CHROMIUM.exists() and not IN_CI, reason=f"no chromium at {CHROMIUM} (apt-get install chromium)"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from chromium()


@pytest.fixture(scope="module")
def server(web_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from served_copy(web_db_template, tmp_path_factory, "date-precision-browser")


@browser_only
def test_the_form_takes_a_range_and_a_precision_with_the_keyboard(browser: Any, server: Server) -> None:
    page = new_page(browser, server, "analyst")
    inc = incidents(page, country="YE")[0]
    claim = api(page, "GET", f"/api/incidents/{inc['id']}")["body"]["claims"][0]["id"]
    page.goto(f"{server.url}/incidents/{inc['id']}")
    page.focus("details.claim-review > summary")
    page.keyboard.press("Enter")  # opens the correction form
    precision = page.locator(f"#precision-{claim}")
    assert precision.locator("option:checked").inner_text() == "the day (YYYY-MM-DD)"

    # A month's precision with a day still in "to": refused, and said why.
    page.focus(f"#from-{claim}")
    page.keyboard.press("Control+A")
    page.keyboard.type("2020-08")
    precision.select_option("month")
    page.focus(f"#qreason-{claim}")
    page.keyboard.type("The UN annex gives the month only")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "not written to the month" in page.locator(".flash-error").inner_text()

    page.focus("details.claim-review > summary")
    page.keyboard.press("Enter")
    for field in (f"#from-{claim}", f"#to-{claim}"):
        page.focus(field)
        page.keyboard.press("Control+A")
        page.keyboard.type("2020-08")
    page.focus(f"#precision-{claim}")
    page.keyboard.press("ArrowDown")  # day -> month
    assert precision.input_value() == "month"
    page.focus(f"#qreason-{claim}")
    page.keyboard.type("The UN annex gives the month only")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "date.start, date.end, date.precision corrected" in page.locator(".flash-ok").inner_text()
    got = api(page, "GET", f"/api/incidents/{inc['id']}")["body"]["claims"][0]["date"]
    assert got == {"start": "2020-08", "end": "2020-08", "precision": "month"}
    page.context.close()
