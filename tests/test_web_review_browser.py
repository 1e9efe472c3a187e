"""Fast review in the real browser (issue 17): Debian's chromium driven by Playwright
against the real `childwatch serve`, over a copy of the web tests' database.

Each flow is walked as an analyst would, with the keyboard where the page offers it:
a place typed by name and picked from the gazetteer lands the incident on the map there;
choice lists in words and the perpetrator's type-ahead correct several fields with one
save; five incidents set aside at once leave five review events, and undo restores
them; the merge picker finds an incident by its place. A viewer gets none of the forms.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import Server
from test_web_browser import CHROMIUM, IN_CI, chromium, new_page, served_copy

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not IN_CI, reason=f"no chromium at {CHROMIUM} (apt-get install chromium)"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from chromium()


@pytest.fixture(scope="module")
def server(web_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from served_copy(web_db_template, tmp_path_factory, "review-browser")


def api(page: Any, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """A call of the REST API in the browser's own session (with its CSRF token)."""
    return page.evaluate(
        """async ([method, path, body]) => {
            const token = document.querySelector('meta[name="csrf-token"]').content;
            const r = await fetch(path, {method, headers: {'Content-Type': 'application/json', 'X-CSRF-Token': token},
                                          body: body ? JSON.stringify(body) : undefined});
            return {status: r.status, body: await r.json()};
        }""",
        [method, path, body],
    )


def incidents(page: Any, **filters: str) -> list[dict[str, Any]]:
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    items: list[dict[str, Any]] = api(page, "GET", f"/api/incidents?per_page=100&{query}")["body"]["items"]
    return items


def map_dot(page: Any, server: Server, incident_id: str) -> Any:
    page.goto(f"{server.url}/")
    return page.locator(f"svg.worldmap a.point[href='/incidents/{incident_id}'] circle")


def test_a_place_typed_by_name_and_picked_puts_the_incident_on_the_map_there(browser: Any, server: Server) -> None:
    page = new_page(browser, server, "analyst")
    (inc,) = incidents(page, country="SO")
    claim = api(page, "GET", f"/api/incidents/{inc['id']}")["body"]["claims"][0]["id"]
    # No place known: the incident is off the map.
    cleared = api(page, "POST", f"/api/claims/{claim}/fields", {"changes": {"location": ""}, "reason": "test set-up"})
    assert cleared["status"] == 200, cleared
    assert map_dot(page, server, inc["id"]).count() == 0

    page.goto(f"{server.url}/incidents/{inc['id']}")
    page.click("details.claim-review > summary")
    place = page.locator(f"#place-{claim}")
    place.fill("")
    place.press_sequentially("Marka", delay=30)
    option = page.locator(f"#place-{claim}-list li[role=option]").first
    option.wait_for()
    assert option.inner_text() == "Marka, Lower Shabeelle, Somalia"  # province and country shown
    place.press("Enter")  # chooses the highlighted place; does not send the form
    assert place.input_value() == "Marka, Lower Shabeelle, Somalia"
    assert page.locator(f"#location-{claim}").input_value() == "gn:54225"
    page.fill(f"#qreason-{claim}", "The report names Marka")
    page.press(f"#qreason-{claim}", "Enter")
    page.wait_for_load_state()
    assert "location corrected" in page.locator(".flash-ok").inner_text()
    assert "place: Marka, Lower Shabeelle, SO" in page.locator(".claim-fields").first.inner_text()
    assert "known to the place" in page.locator("dl.facts").inner_text()

    dot = map_dot(page, server, inc["id"])
    assert dot.count() == 1
    assert "Marka" in (dot.locator("title").text_content() or "")
    assert float(dot.get_attribute("cy") or "nan") == pytest.approx(-1.71594 * 100, abs=0.1)  # drawn at Marka
    page.context.close()


def test_choice_lists_speak_in_words_and_one_save_corrects_several_fields(browser: Any, server: Server) -> None:
    page = new_page(browser, server, "analyst")
    inc = incidents(page, country="YE")[0]
    claim = api(page, "GET", f"/api/incidents/{inc['id']}")["body"]["claims"][0]["id"]
    page.goto(f"{server.url}/incidents/{inc['id']}")
    page.click("details.claim-review > summary")
    violation = page.locator(f"#violation-{claim}")
    assert "Killing and maiming" in violation.inner_text() and "killing_maiming" not in violation.inner_text()
    assert violation.locator("option:checked").inner_text() == "Killing and maiming"
    assert "Boys and girls" in page.locator(f"#sex-{claim}").inner_text()
    # The perpetrator's type-ahead offers the codebook's groups.
    assert page.locator("datalist#actor-names option[value='Houthis']").count() == 1

    page.fill(f"#perpetrator-{claim}", "Houthis")
    page.select_option(f"#sex-{claim}", label="Girls")
    page.fill(f"#qreason-{claim}", "The report names the Houthis and girls")
    page.click(f"form[action='/claims/{claim}/fields'] button[type=submit]")
    page.wait_for_load_state()
    assert "perpetrator, victims.sex corrected" in page.locator(".flash-ok").inner_text()
    history = page.locator("ol.history").inner_text()
    assert history.count("The report names the Houthis and girls") == 2  # one event per field
    detail = api(page, "GET", f"/api/incidents/{inc['id']}")["body"]
    assert detail["claims"][0]["perpetrator_id"] == "houthis" and detail["claims"][0]["victims"]["sex"] == "female"
    assert detail["incident"]["perpetrator"] == "Houthis"
    page.context.close()


def test_bulk_set_aside_of_five_incidents_is_audited_per_incident_and_undone(browser: Any, server: Server) -> None:
    page = new_page(browser, server, "analyst")
    page.goto(f"{server.url}/incidents?sort=-date")
    ticks = page.locator("input.pick-incident")
    assert ticks.count() >= 5
    chosen = [ticks.nth(i).get_attribute("value") for i in range(5)]
    before = {i["id"]: i["status"] for i in incidents(page)}
    for i in range(5):
        ticks.nth(i).check()
    assert page.locator("#bulk-count").inner_text() == "5 chosen"
    page.select_option("#bulk-action", "reject")
    page.fill("#bulk-reason", "Not about children")
    page.click("#bulk-form button[type=submit]")
    page.wait_for_load_state()
    assert "5 incidents set aside." in page.locator(".flash-ok").inner_text()
    assert page.url.endswith("/incidents?sort=-date")  # back to the same view
    after = {i["id"]: i["status"] for i in incidents(page)}
    assert all(after[i] == "rejected" for i in chosen)
    assert all(after[i] == before[i] for i in before if i not in chosen)

    batches = set()
    for incident_id in chosen:  # one review event on each incident, with the reason
        events = api(page, "GET", f"/api/incidents/{incident_id}/history")["body"]["history"]
        (event,) = [e for e in events if e["action"] == "reject"]
        assert event["reason"] == "Not about children" and event["user"] == "analyst"
        batches.add(event["after"]["batch"])
    assert len(batches) == 1

    page.click("form.undo-bar button[type=submit]")  # the reason is filled in already
    page.wait_for_load_state()
    assert "5 incidents put back." in page.locator(".flash-ok").inner_text()
    assert {i["id"]: i["status"] for i in incidents(page)} == before
    assert page.locator("form.undo-bar").count() == 0
    for incident_id in chosen:
        actions = [e["action"] for e in api(page, "GET", f"/api/incidents/{incident_id}/history")["body"]["history"]]
        assert actions[-2:] == ["reject", "reopen"]
    page.context.close()


def test_merge_finds_the_other_incident_by_place_with_the_keyboard(browser: Any, server: Server) -> None:
    page = new_page(browser, server, "analyst")
    attacks = incidents(page, violation="attack_school_hospital")
    keep = next(i for i in attacks if i["location_country"] == "NG")
    other = next(i for i in attacks if i["location_country"] == "AF")
    page.goto(f"{server.url}/incidents/{keep['id']}")
    page.locator("#merge-other").press_sequentially("Kabul", delay=30)
    option = page.locator("#merge-other-list li[role=option]").first
    option.wait_for()
    # The place is isolated in its own direction (U+2068 … U+2069), for names in Arabic script.
    shown = option.inner_text().replace("\u2068", "").replace("\u2069", "")
    assert shown.startswith(f"{other['id']} · attack school hospital · Kabul")
    page.press("#merge-other", "Enter")
    assert page.input_value("#merge-other") == other["id"]
    page.fill("#merge-reason", "Same event, reported twice")
    page.press("#merge-reason", "Enter")
    page.wait_for_load_state()
    assert f"Incident {other['id']} merged into this one." in page.locator(".flash-ok").inner_text()
    assert other["id"] not in {i["id"] for i in incidents(page)}
    page.context.close()


def test_a_viewer_gets_no_bulk_bar_no_ticks_and_no_correction_forms(browser: Any, server: Server) -> None:
    page = new_page(browser, server, "viewer")
    page.goto(f"{server.url}/incidents")
    assert page.locator("table.incidents tbody tr").count() >= 5
    assert page.locator("#bulk-form, input.pick-incident, #select-all, form.undo-bar").count() == 0
    first = page.locator("table.incidents tbody tr a").first.get_attribute("href")
    page.goto(f"{server.url}{first}")
    assert page.locator("form[method=post]").count() == 1  # only "Log out"
    assert page.locator("input[data-picker], datalist#reasons, datalist#actor-names").count() == 0
    refused = api(page, "POST", "/api/bulk", {"incident_ids": ["inc-x"], "action": "reject", "reason": "x"})
    assert refused["status"] == 403
    page.context.close()


def test_per_claim_confirm_and_a_move_picked_by_place(browser: Any, server: Server) -> None:
    page = new_page(browser, server, "analyst")
    konduga = incidents(page, violation="abduction", country="NG")[0]
    goma = next(i for i in incidents(page, violation="abduction") if i["location_name"] == "Goma")
    claims = [c["id"] for c in api(page, "GET", f"/api/incidents/{konduga['id']}")["body"]["claims"]]
    assert len(claims) == 2
    page.goto(f"{server.url}/incidents/{konduga['id']}")
    first = page.locator(f"#claim-{claims[0]}")
    first.locator("details.claim-review > summary").click()
    page.fill(f"#creason-{claims[0]}", "Checked against the report text")
    page.press(f"#creason-{claims[0]}", "Enter")  # the first button: confirm
    page.wait_for_load_state()
    assert f"Claim {claims[0]} confirmed." in page.locator(".flash-ok").inner_text()
    assert "confirmed" in page.locator(f"#claim-{claims[0]}-title").inner_text()
    assert "Confirmed" not in page.locator("h1").inner_text()  # the incident itself is not

    page.locator(f"#claim-{claims[1]} details.claim-review > summary").click()
    target = page.locator(f"#target-{claims[1]}")
    target.press_sequentially("Goma", delay=30)
    page.locator(f"#target-{claims[1]}-list li[role=option]").first.wait_for()
    target.press("ArrowDown")
    target.press("Enter")
    assert target.input_value() == goma["id"]
    page.fill(f"#mreason-{claims[1]}", "Different events: place or date differ")
    page.press(f"#mreason-{claims[1]}", "Enter")
    page.wait_for_load_state()
    assert f"moved to incident {goma['id']}" in page.locator(".flash-ok").inner_text()
    moved = [c["id"] for c in api(page, "GET", f"/api/incidents/{goma['id']}")["body"]["claims"]]
    assert claims[1] in moved
    page.context.close()


def log_in_fails(browser: Any, server: Server, name: str, password: str) -> bool:
    page = browser.new_context().new_page()
    page.goto(f"{server.url}/login")
    page.fill("#name", name)
    page.fill("#password", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state()
    failed = "/login" in page.url
    page.context.close()
    return failed


def test_an_admin_adds_changes_resets_and_disables_accounts_with_the_cli_rules(browser: Any, server: Server) -> None:
    page = new_page(browser, server, "admin")
    page.click("nav >> text=Accounts")
    page.wait_for_url("**/admin/accounts")
    page.fill("#new-name", "newcomer")
    page.select_option("#new-role", "analyst")
    page.fill("#new-password", "password1234")  # a common password: refused as the CLI refuses it
    page.click("form[action='/admin/accounts'] button[type=submit]")
    page.wait_for_load_state()
    assert "Not done" in page.locator(".flash-error").inner_text()
    assert page.locator("#account-newcomer").count() == 0
    page.fill("#new-name", "newcomer")
    page.select_option("#new-role", "analyst")
    page.fill("#new-password", "orchard lantern thimble")
    page.click("form[action='/admin/accounts'] button[type=submit]")
    page.wait_for_load_state()
    assert "Account newcomer added (analyst)" in page.locator(".flash-ok").inner_text()
    row = page.locator("#account-newcomer")
    assert "analyst" in row.inner_text() and "active" in row.inner_text()
    assert not log_in_fails(browser, server, "newcomer", "orchard lantern thimble")

    row.locator("select[name=role]").select_option("viewer")
    row.locator("form[action$='/role'] button").click()
    page.wait_for_load_state()
    assert "newcomer is now viewer" in page.locator(".flash-ok").inner_text()
    row = page.locator("#account-newcomer")
    row.locator("input[name=password]").fill("copper meadow violin")
    row.locator("form[action$='/password'] button").click()
    page.wait_for_load_state()
    assert "Password of newcomer reset" in page.locator(".flash-ok").inner_text()
    assert log_in_fails(browser, server, "newcomer", "orchard lantern thimble")
    page.locator("#account-newcomer form[action$='/status'] button").click()
    page.wait_for_load_state()
    assert "disabled" in page.locator("#account-newcomer").inner_text()
    assert log_in_fails(browser, server, "newcomer", "copper meadow violin")
    # The last active admin stays an admin.
    admin_row = page.locator("#account-admin")
    admin_row.locator("select[name=role]").select_option("viewer")
    admin_row.locator("form[action$='/role'] button").click()
    page.wait_for_load_state()
    assert "Not done" in page.locator(".flash-error").inner_text()
    assert "admin" in page.locator("#account-admin td").first.inner_text()
    page.context.close()

    for name in ("analyst", "viewer"):
        page = new_page(browser, server, name)
        assert page.locator("nav >> text=Accounts").count() == 0
        response = page.goto(f"{server.url}/admin/accounts")
        assert response is not None and response.status == 403
        assert page.locator("form[action^='/admin/']").count() == 0
        page.context.close()


def test_an_admin_removes_an_account_with_the_keyboard_after_confirming_its_name(browser: Any, server: Server) -> None:
    page = new_page(browser, server, "admin")
    page.goto(f"{server.url}/admin/accounts")
    page.fill("#new-name", "leaver")
    page.fill("#new-password", "saffron kettle harbour")
    page.press("#new-password", "Enter")
    page.wait_for_load_state()
    assert "Account leaver added" in page.locator(".flash-ok").inner_text()
    assert not log_in_fails(browser, server, "leaver", "saffron kettle harbour")

    def open_removal(name: str) -> Any:
        """The row's 'Remove…' step opened from the keyboard; returns the name box, focused."""
        summary = page.locator(f"#account-{name} details.remove-account > summary")
        summary.focus()
        page.keyboard.press("Enter")
        box = page.locator(f"#account-{name} input[name=confirm]")
        box.wait_for(state="visible")
        page.keyboard.press("Tab")  # from the summary straight to the name box
        assert box.evaluate("el => el === document.activeElement")
        return box

    # The confirmation step: a wrong name changes nothing.
    assert not page.locator("#account-leaver input[name=confirm]").is_visible()  # closed until asked for
    open_removal("leaver")
    page.keyboard.type("leave")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "type leaver in the box to confirm" in page.locator(".flash-error").inner_text()
    assert "active" in page.locator("#account-leaver").inner_text()
    assert not log_in_fails(browser, server, "leaver", "saffron kettle harbour")

    open_removal("leaver")
    page.keyboard.type("leaver")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "leaver removed: password wiped, sessions ended" in page.locator(".flash-ok").inner_text()
    row = page.locator("#account-leaver")
    assert "removed" in row.inner_text() and row.locator("form").count() == 0  # the name stays, nothing to change
    assert log_in_fails(browser, server, "leaver", "saffron kettle harbour")
    # The last active admin is refused, as `childwatch users remove` refuses it.
    open_removal("admin")
    page.keyboard.type("admin")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "last active admin" in page.locator(".flash-error").inner_text()
    assert "active" in page.locator("#account-admin").inner_text()
    assert api(page, "GET", "/api/me")["status"] == 200  # still logged in
    page.context.close()


def view_box(page: Any) -> list[float]:
    return [float(v) for v in (page.get_attribute("svg.worldmap", "viewBox") or "").split()]


def test_the_map_zooms_and_pans_offline_and_dots_keep_their_size(browser: Any, server: Server) -> None:
    page = new_page(browser, server, "viewer")
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    start = view_box(page)
    dot = page.locator("svg.worldmap circle.dot").first
    r0 = float(dot.get_attribute("r") or "0")
    page.click("button[aria-label='Zoom in']")
    page.click("button[aria-label='Zoom in']")
    zoomed = view_box(page)
    assert zoomed[2] == pytest.approx(start[2] / 4, rel=0.01) and zoomed[3] == pytest.approx(start[3] / 4, rel=0.01)
    assert float(dot.get_attribute("r") or "0") == pytest.approx(r0 / 2, rel=0.02)  # same size on screen, about
    box = page.locator("svg.worldmap").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 200, box["y"] + 200)
    page.mouse.down()
    page.mouse.move(box["x"] + 300, box["y"] + 250, steps=5)
    page.mouse.up()
    panned = view_box(page)
    assert panned[0] < zoomed[0] and panned[1] < zoomed[1] and panned[2] == pytest.approx(zoomed[2])
    page.focus("svg.worldmap")  # the keyboard: arrows pan, - zooms out, 0 resets
    page.keyboard.press("ArrowRight")
    assert view_box(page)[0] > panned[0]
    page.keyboard.press("-")
    assert view_box(page)[2] == pytest.approx(start[2] / 2, rel=0.01)
    page.keyboard.press("0")
    assert view_box(page) == pytest.approx(start, abs=0.2)
    page.click("button[aria-label='Zoom out']")  # never past the whole map
    assert view_box(page)[2] == pytest.approx(start[2], rel=0.01)
    assert failed == []  # nothing fetched: the outlines are in the page
    page.context.close()
