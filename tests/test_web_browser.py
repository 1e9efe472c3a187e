"""The UI in a real browser: Debian's chromium driven by Playwright, against the real
`childwatch serve` command in a subprocess, over a database made by the real pipeline.

Chromium is never downloaded (`playwright install` is not used): these tests need
/usr/bin/chromium (`apt-get install chromium`; `.ci/run` installs it). Without it they
skip locally, and fail in CI (CI=true), where a skip would hide a broken UI.

`CHILDWATCH_SCREENSHOTS=DIR` keeps the screenshots of the dashboard, an incident page, the
list, a search and my queue in DIR (`make screenshots` writes docs/screenshots/).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import HOSTILE_IMG, HOSTILE_SCRIPT, PASSWORD, ROLES, Server
from test_web_api import OWN_ACCOUNT, write_routes

CHROMIUM = Path(os.environ.get("CHILDWATCH_CHROMIUM", "/usr/bin/chromium"))
# As the machine notes say: without the background-networking flags chromium keeps
# trying to reach Google's hosts, which this closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip
SAMPLES = Path(__file__).resolve().parents[1] / "src" / "childwatch" / "samples"
IN_CI = os.environ.get("CI", "").lower() in ("true", "1")
# Decided at collection, so that nothing is built for tests that cannot run; in CI they
# run regardless and the `browser` fixture fails with the reason.
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not IN_CI,
    reason=f"no chromium at {CHROMIUM} (install it with `apt-get install chromium` to run the browser tests)",
)


def unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason}; in CI the browser tests must run (.ci/run installs chromium)")
    pytest.skip(f"{reason} (install it with `apt-get install chromium` to run the browser tests)")


def chromium() -> Iterator[Any]:
    """Debian's chromium driven by Playwright, for a module's `browser` fixture."""
    if not CHROMIUM.exists():
        unavailable(f"no chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


def served_copy(template: Path, tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[Server]:
    """`childwatch serve` over a copy of the web test store, for a module's `server` fixture."""
    db = tmp_path_factory.mktemp(name) / "web.sqlite"
    shutil.copyfile(template, db)
    running = Server(db)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from chromium()


@pytest.fixture(scope="module")
def server(web_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from served_copy(web_db_template, tmp_path_factory, "browser")


def new_page(browser: Any, server: Server, user: str | None) -> Any:
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    if user is not None:
        page.goto(f"{server.url}/login")
        page.fill("#name", user)
        page.fill("#password", PASSWORD)
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_url(f"{server.url}/")
    return page


def open_incident(page: Any, server: Server, **filters: str) -> str:
    """Open the first incident of a filtered list through the API (in the browser's session)."""
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    data = page.evaluate(f"fetch('/api/incidents?{query}').then(r => r.json())")
    incident_id: str = data["items"][0]["id"]
    page.goto(f"{server.url}/incidents/{incident_id}")
    return incident_id


def test_analyst_filters_opens_an_incident_sees_evidence_corrects_and_sees_history(
    browser: Any, server: Server
) -> None:
    page = new_page(browser, server, "analyst")
    assert page.locator("svg.worldmap path.land").count() > 5  # the offline map drew
    page.click("nav >> text=Incidents")
    page.select_option("#f-country", "SO")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/incidents?*country=SO*")
    rows = page.locator("table.incidents tbody tr")
    assert rows.count() == 1 and "SO" in rows.first.inner_text()

    rows.first.locator("a").first.click()
    page.wait_for_url("**/incidents/inc-*")
    doc = page.locator(".doc").first
    assert "Al-Shabaab" in doc.locator("mark.hl-perpetrator").first.inner_text()
    assert doc.locator("mark.hl-victims").first.inner_text().startswith("40")
    assert doc.locator("mark.hl-location").count() >= 1 and doc.locator("mark.hl-source").count() >= 1
    legend = page.locator("ul.legend").first.inner_text()
    assert "perpetrator" in legend and "place" in legend

    page.click("details.claim-review > summary")
    page.click("details.other-field > summary")  # any field by its name, beside the form of the common ones
    form = page.locator("form[action$='/correct']").first
    form.locator("select[name=field]").select_option("victims.count")
    form.locator("input[name=value]").fill("41")
    form.locator("input[name=reason]").fill("HRW annex lists 41 names")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "corrected" in page.locator(".flash-ok").inner_text()
    assert "children: 41" in page.locator(".claim-fields").first.inner_text()
    history = page.locator("ol.history").inner_text()
    assert "correct" in history and "victims.count" in history and "HRW annex lists 41 names" in history
    assert "analyst" in history
    page.context.close()


def test_csv_export_downloads(browser: Any, server: Server, tmp_path: Path) -> None:
    page = new_page(browser, server, "viewer")
    page.goto(f"{server.url}/incidents?country=NG")
    with page.expect_download() as info:
        page.click("a.export >> text=CSV")
    target = tmp_path / "view.csv"
    info.value.save_as(target)
    lines = target.read_text(encoding="utf-8").splitlines()
    assert len(lines) >= 3 and info.value.suggested_filename.endswith(".csv")
    assert all(",NG," in line or "NG" in line for line in lines[1:])
    page.context.close()


def test_a_viewer_gets_no_forms_and_every_api_write_is_refused(browser: Any, server: Server) -> None:
    page = new_page(browser, server, "viewer")
    incident_id = open_incident(page, server, country="NG")
    assert page.locator("form[method=post]").count() == 1  # only "Log out"
    assert page.locator("form[action='/logout']").count() == 1
    assert page.locator("#review").count() == 0 and page.locator("details.claim-review").count() == 0
    claim = page.evaluate(f"fetch('/api/incidents/{incident_id}').then(r => r.json())")["claims"][0]["id"]
    calls = [
        (method, path.replace("{incident_id}", incident_id).replace("{claim_id}", str(claim)))
        for method, path in write_routes()
        if path.startswith("/api/") and (method, path) not in OWN_ACCOUNT
    ]
    statuses = page.evaluate(
        """async (calls) => {
            const token = document.querySelector('meta[name="csrf-token"]').content;
            const out = [];
            for (const [method, url] of calls) {
                const headers = {'Content-Type': 'application/json', 'X-CSRF-Token': token};
                const r = await fetch(url, {method, headers,
                    body: JSON.stringify({reason: 'x', other_id: 'inc-x', claim_ids: [1], field: 'kind',
                                          value: 'pattern', incident_id: 'inc-x'})});
                out.push([method, url, r.status]);
            }
            return out;
        }""",
        calls,
    )
    assert len(statuses) >= 10
    assert [s for s in statuses if s[2] != 403] == []
    page.context.close()


def test_hostile_report_text_is_shown_literally_and_never_runs(browser: Any, server: Server) -> None:
    page = new_page(browser, server, "analyst")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_incident(page, server, q="written%20on%20the%20wall")
    page.wait_for_load_state("load")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    text = page.locator(".doc").first.inner_text()
    assert HOSTILE_SCRIPT in text and HOSTILE_IMG in text  # shown as text
    assert HOSTILE_SCRIPT in page.locator(".claim-head").first.inner_text()  # the title too
    assert page.locator(".doc script, .doc img, .claim-head script").count() == 0
    # the report that went through the pipeline's cleaner: remaining markup-like text is literal
    open_incident(page, server, q="Rutshuru")
    assert "5 < 6 & 7 > 3" in page.locator(".doc").first.inner_text()
    assert page.evaluate("typeof window.__pwned") == "undefined" and dialogs == []
    page.context.close()


def test_graphic_passages_are_blurred_until_clicked_and_the_setting_turns_it_off(browser: Any, server: Server) -> None:
    page = new_page(browser, server, "viewer")
    open_incident(page, server, country="YE")
    wrap = page.locator(".graphic-wrap").first
    assert "blurred" in (wrap.get_attribute("class") or "")
    page.click("button.reveal-graphic")
    assert "blurred" not in (wrap.get_attribute("class") or "")
    page.goto(f"{server.url}/settings")
    page.uncheck("input[name=blur_graphic]")
    page.click("form[action='/settings'] button[type=submit]")
    page.wait_for_load_state()
    open_incident(page, server, country="YE")
    assert page.locator(".graphic-wrap.blurred").count() == 0
    page.context.close()


def test_names_are_pseudonymised_and_an_admin_reveal_is_recorded(browser: Any, server: Server) -> None:
    page = new_page(browser, server, "analyst")
    open_incident(page, server, q="Konduga", violation="abduction")
    body = page.locator("main").inner_text()
    assert "Amina" not in body and "[child" in body
    assert page.locator("form[action$='/reveal']").count() == 0
    page.context.close()

    page = new_page(browser, server, "admin")
    open_incident(page, server, q="Konduga", violation="abduction")
    page.fill("#reveal-reason", "tracing request from the family")
    page.click("form[action$='/reveal'] button[type=submit]")
    page.wait_for_load_state()
    assert "Amina Musa" in page.locator("main").inner_text()
    assert "tracing request from the family" in page.locator("ol.history").inner_text()
    page.context.close()


def test_api_docs_render_offline_under_the_csp(browser: Any, server: Server) -> None:
    page = new_page(browser, server, "viewer")
    # The dashboard's own requests (its favicon, say) would be cancelled by the navigation
    # below and reported as failed: let them finish, then watch only the docs page.
    page.wait_for_load_state("networkidle")
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(f"{request.url} {request.failure}"))
    page.goto(f"{server.url}/docs")
    page.wait_for_selector(".swagger-ui .info")
    assert "/api/incidents" in page.locator(".swagger-ui").inner_text()
    assert failed == [] and page.evaluate("window.__csrf") is not None
    page.context.close()


# --- screenshots ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def samples_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The bundled sample reports, for screenshots that look like real use."""
    db = tmp_path_factory.mktemp("samples") / "samples.sqlite"
    done = subprocess.run([sys.executable, "-m", "childwatch.cli", "run", str(SAMPLES), "--db", str(db)],
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    from childwatch.review.users import add_user
    from childwatch.store import open_store

    with open_store(db) as store:
        for name, role in ROLES.items():
            add_user(store, name, PASSWORD, role)
    running = Server(db)
    yield running
    running.stop()


def test_screenshots_of_the_dashboard_an_incident_the_list_and_my_queue(
    browser: Any, samples_server: Server, tmp_path: Path
) -> None:
    out = Path(os.environ.get("CHILDWATCH_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    page = new_page(browser, samples_server, "analyst")
    page.screenshot(path=str(out / "dashboard.png"), full_page=True)
    data = page.evaluate("fetch('/api/incidents?sort=reports&per_page=5').then(r => r.json())")
    busiest = data["items"][0]["id"]
    page.goto(f"{samples_server.url}/incidents/{busiest}")
    # One review action, so that the screenshot shows the history too.
    page.fill("#status-reason", "Two independent sources (rescue group, UNICEF) agree on place and date.")
    page.click("#status-form button[value=confirm]")
    page.wait_for_load_state()
    page.click("details.claim-review > summary")  # the first claim's correction form, open
    page.screenshot(path=str(out / "incident.png"), full_page=True)
    page.goto(f"{samples_server.url}/incidents")  # the list with its ticks and bulk bar
    for i in range(3):
        page.locator("input.pick-incident").nth(i).check()
    page.screenshot(path=str(out / "incidents.png"), full_page=True)
    page.goto(f"{samples_server.url}/incidents?q=school")  # search: each hit's passage, and "Save this search"
    assert page.locator("p.passage mark.hit").count() > 1
    page.screenshot(path=str(out / "search.png"), full_page=True)
    # My queue: the confirmed incident and four more given to the analyst (one by its
    # page's "Assign to me", the others through the API as a lead would).
    page.goto(f"{samples_server.url}/incidents/{busiest}")
    page.click("#assign-me")
    page.wait_for_load_state()
    others = [i["id"] for i in data["items"][1:5]]
    for incident_id in others:
        sent = page.evaluate(
            """async (id) => {
                const token = document.querySelector('meta[name="csrf-token"]').content;
                const r = await fetch(`/api/incidents/${id}/assign`, {method: 'POST',
                    headers: {'Content-Type': 'application/json', 'X-CSRF-Token': token},
                    body: JSON.stringify({assignee: 'analyst', note: 'second reading'})});
                return r.status;
            }""",
            incident_id,
        )
        assert sent == 200, incident_id
    page.click("nav >> text=My queue")
    page.wait_for_url("**/queue")
    rows = page.locator("table.queue tbody tr")
    assert rows.count() == 5
    assert busiest in rows.last.inner_text()  # confirmed: after the ones still to review
    page.screenshot(path=str(out / "queue.png"), full_page=True)
    for name in ("dashboard.png", "incident.png", "incidents.png", "search.png", "queue.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads(json.dumps(data))["total"] > 10
    page.context.close()
