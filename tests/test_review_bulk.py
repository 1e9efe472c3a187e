"""Fast review in the library and the REST API (issue 17), over a real SQLite copy of the
web tests' database: places by gazetteer id, several fields in one save, bulk status
actions audited per incident and undone, and the pickers' look-ups."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from childwatch import review
from childwatch.codebook.gazetteer import Gazetteer
from childwatch.errors import NotFound, PermissionDenied, ReviewError
from childwatch.read import picking
from childwatch.read.incident import incident_detail
from childwatch.read.queries import list_incidents
from childwatch.review import bulk
from childwatch.review.corrections import gazetteer
from childwatch.review.users import User, get_user_by_name
from childwatch.serve import create_app
from childwatch.store import Store, open_store
from childwatch.store import review as db
from conftest import PASSWORD


@pytest.fixture()
def store(web_db: Path) -> Iterator[Store]:
    with open_store(web_db) as opened:
        yield opened


def user(store: Store, name: str) -> User:
    found = get_user_by_name(store, name)
    assert found is not None
    return found


def statuses(store: Store) -> dict[str, str]:
    return {r["id"]: r["status"] for r in list_incidents(store, None, 1, 100).items}


def incident(store: Store, **match: Any) -> dict[str, Any]:
    rows = [r for r in list_incidents(store, None, 1, 100).items if all(r[k] == v for k, v in match.items())]
    assert rows, match
    return rows[0]


def claim_of(store: Store, incident_id: str) -> int:
    with store.reading() as conn:
        return db.claim_keys(conn, incident_ids=[incident_id])[0].id


# --- the gazetteer's search and the pickers ---------------------------------------------------


def test_gazetteer_search_finds_names_by_their_start_exact_names_first() -> None:
    gaz = Gazetteer.open()
    assert gaz.search("Marka", 3)[0].name == "Marka"
    assert gaz.search("maidu")[0].name == "Maiduguri" and gaz.search("maidu")[0].admin1 == "Borno"
    assert gaz.search("al raqq")[0].country == "SY"  # normalised as lookups are
    assert gaz.search("k") == [] and gaz.search("") == []  # one letter would match everything
    assert len(gaz.search("ka", 7)) == 7


def test_place_picks_say_province_and_country_in_words() -> None:
    (marka, *_) = picking.places(gazetteer(), "Marka")
    assert marka["label"] == "Marka, Lower Shabeelle, Somalia" and marka["id"] == "gn:54225"
    assert picking.places(gazetteer(), "Mark")[0]["country"] != "SO"
    assert picking.places(gazetteer(), "Mark", country="so")[0]["label"] == "Marka, Lower Shabeelle, Somalia"
    province = picking.places(gazetteer(), "Kandahar")[0]
    assert province["label"] == "Kandahar (province), Afghanistan" and province["kind"] == "admin1"


def test_incident_picks_match_every_word_and_keep_to_one_violation(store: Store) -> None:
    found = picking.incidents(store, "Konduga Boko")
    assert {r["violation"] for r in found} == {"attack_school_hospital", "abduction"}
    only = picking.incidents(store, "konduga", violation="abduction")
    assert [r["violation"] for r in only] == ["abduction"]
    assert picking.incidents(store, "konduga", exclude=only[0]["id"], violation="abduction") == []
    assert picking.incidents(store, "   ") == [] and picking.incidents(store, "100%_") == []


# --- corrections of several fields, and places ------------------------------------------------


def test_a_place_picked_by_id_sets_every_location_column_and_reads_as_words(store: Store) -> None:
    inc = incident(store, location_country="SO")
    claim = claim_of(store, inc["id"])
    (event,) = bulk.correct_fields(store, user(store, "analyst"), claim, {"location": "gn:54225"}, "named in para 2")
    assert event.field == "location" and event.after["value"] == "Marka, Lower Shabeelle, SO"
    assert event.before["value"] == "Lower Shabelle, SO"
    moved = incident(store, id=inc["id"])
    assert (moved["location_name"], moved["location_precision"]) == ("Marka", "place")
    assert moved["location_lat"] == pytest.approx(1.71594) and moved["location_lon"] == pytest.approx(44.77166)
    # A province has no name of its own, a country neither province nor name.
    bulk.correct_fields(store, user(store, "analyst"), claim, {"location": "cc:SO"}, "only the country is sure")
    country = incident(store, id=inc["id"])
    assert (country["location_name"], country["location_admin1"], country["location_precision"]) == (
        None, None, "country",
    )  # fmt: skip


def test_an_unknown_place_id_is_refused_with_what_to_do(store: Store) -> None:
    claim = claim_of(store, incident(store, location_country="SO")["id"])
    with pytest.raises(ReviewError, match="search it by name and pick it"):
        bulk.correct_fields(store, user(store, "analyst"), claim, {"location": "gn:nowhere"}, "x")


def test_several_fields_in_one_save_are_one_event_each_and_unchanged_ones_are_left(store: Store) -> None:
    inc = incident(store, location_country="YE")
    claim = claim_of(store, inc["id"])
    changes = {"violation": inc["violation"], "kind": inc["kind"], "perpetrator": "Houthis", "victims.sex": "female"}
    events = bulk.correct_fields(store, user(store, "analyst"), claim, changes, "para 3")
    assert sorted(e.field or "" for e in events) == ["perpetrator", "victims.sex"]
    assert {e.reason for e in events} == {"para 3"}
    assert bulk.correct_fields(store, user(store, "analyst"), claim, changes, "again") == []
    # All or nothing: one bad value and none of the others is recorded.
    with pytest.raises(ReviewError, match=r"victims\.count"):
        bulk.correct_fields(store, user(store, "analyst"), claim, {"kind": "pattern", "victims.count": "many"}, "x")
    assert incident(store, id=inc["id"])["kind"] == inc["kind"]
    with pytest.raises(PermissionDenied):
        bulk.correct_fields(store, user(store, "viewer"), claim, {"kind": "pattern"}, "x")


# --- bulk actions and undo --------------------------------------------------------------------


def test_bulk_set_aside_is_one_event_per_incident_and_undo_restores_each_status(store: Store) -> None:
    analyst = user(store, "analyst")
    before = statuses(store)
    chosen = sorted(before)[:5]
    history_before = {i: len(review.history(store, i)) for i in chosen}
    bulk.set_status(store, analyst, [chosen[0]], "confirm", "two sources")  # verified before the bulk action
    done = bulk.set_status(store, analyst, chosen, "reject", "not about children")
    assert sorted(done.done) == chosen and done.skipped == ()
    assert all(statuses(store)[i] == "rejected" for i in chosen)
    for i in chosen:
        (event,) = [e for e in review.history(store, i) if e.action == "reject"]
        assert event.after["batch"] == done.batch and event.reason == "not about children"
    again = bulk.set_status(store, analyst, chosen[:2], "reject", "twice")
    assert again.done == () and len(again.skipped) == 2 and "rejected already" in again.skipped[0][1]

    undone = bulk.undo(store, analyst, done.batch, "chosen by mistake")
    assert sorted(undone.done) == chosen and undone.action == "undo"
    after = statuses(store)
    assert after[chosen[0]] == "verified"  # back to what it was, not merely reopened
    assert {i: after[i] for i in chosen[1:]} == {i: before[i] for i in chosen[1:]}
    assert all(len(review.history(store, i)) > history_before[i] for i in chosen)  # nothing deleted


def test_bulk_actions_refuse_clearly(store: Store) -> None:
    analyst = user(store, "analyst")
    with pytest.raises(ReviewError, match="choose at least one incident"):
        bulk.set_status(store, analyst, [], "reject", "x")
    with pytest.raises(ReviewError, match=f"at most {bulk.MAX_BULK}"):
        bulk.set_status(store, analyst, [f"inc-{i}" for i in range(bulk.MAX_BULK + 1)], "reject", "x")
    with pytest.raises(ReviewError, match="unknown bulk action"):
        bulk.set_status(store, analyst, ["inc-x"], "delete", "x")
    with pytest.raises(ReviewError, match="reason is required"):
        bulk.set_status(store, analyst, sorted(statuses(store))[:1], "reject", " ")
    with pytest.raises(PermissionDenied):
        bulk.set_status(store, user(store, "viewer"), sorted(statuses(store))[:1], "reject", "x")
    with pytest.raises(NotFound, match="nothing to undo"):
        bulk.undo(store, analyst, "b-000000000000", "x")
    gone = bulk.set_status(store, analyst, ["inc-gone", sorted(statuses(store))[0]], "reject", "x")
    assert len(gone.done) == 1 and gone.skipped[0][0] == "inc-gone" and "no incident" in gone.skipped[0][1]


# --- the REST API -----------------------------------------------------------------------------


def logged_in(app: TestClient, name: str) -> dict[str, str]:
    r = app.post("/api/session", json={"name": name, "password": PASSWORD})
    assert r.status_code == 200
    return {"X-CSRF-Token": r.json()["csrf_token"]}


def test_the_api_picks_places_and_incidents_and_acts_in_bulk(web_db: Path) -> None:
    with TestClient(create_app(web_db)) as app:
        headers = logged_in(app, "analyst")
        places = app.get("/api/places", params={"q": "Marka", "limit": 2}).json()["places"]
        assert places[0]["id"] == "gn:54225" and len(places) == 2
        picked = app.get("/api/pick/incidents", params={"q": "Goma"}).json()["incidents"]
        assert picked and all("Goma" in (r["location_name"] or "") for r in picked)
        ids = [r["id"] for r in app.get("/api/incidents").json()["items"][:3]]
        r = app.post("/api/bulk", json={"incident_ids": ids, "action": "reject", "reason": "x"}, headers=headers)
        assert r.status_code == 200 and sorted(r.json()["done"]) == sorted(ids)
        undo = app.post("/api/bulk/undo", json={"reason": "back"}, headers=headers)  # the last one
        assert undo.status_code == 200 and len(undo.json()["done"]) == 3
        again = app.post("/api/bulk/undo", json={"reason": "back", "batch": r.json()["batch"]}, headers=headers)
        assert again.status_code == 400 and "undone already" in again.json()["error"]["message"]
        none = app.post("/api/bulk/undo", json={"reason": "back"}, headers=headers)
        assert none.status_code == 404 and "no bulk action left" in none.json()["error"]["message"]
        bad = app.post("/api/bulk", json={"incident_ids": ids, "action": "remove", "reason": "x"}, headers=headers)
        assert bad.status_code == 400 and "unknown bulk action" in bad.json()["error"]["message"]
        claim = app.get(f"/api/incidents/{ids[0]}").json()["claims"][0]["id"]
        fields = {"changes": {"kind": "pattern", "location": "gn:54225"}, "reason": "checked"}
        r = app.post(f"/api/claims/{claim}/fields", json=fields, headers=headers)
        assert r.status_code == 200 and sorted(e["field"] for e in r.json()["events"]) == ["kind", "location"]
        app.delete("/api/session", headers=headers)
        viewer = logged_in(app, "viewer")
        refused = app.post(f"/api/claims/{claim}/fields", json=fields, headers=viewer)
        assert refused.status_code == 403
        assert app.get("/api/places", params={"q": "Go"}).status_code == 200  # reading is for everyone


def test_a_claim_is_confirmed_on_its_own_and_set_aside_undoes_it(store: Store) -> None:
    analyst = user(store, "analyst")
    inc = incident(store, location_country="SO")
    claim = claim_of(store, inc["id"])
    event = review.confirm_claim(store, analyst, claim, "checked against the report")
    assert (event.action, event.target_type, event.after) == ("confirm", "claim", {"confirmed": True})
    assert incident(store, id=inc["id"])["status"] == inc["status"]  # the incident is not confirmed
    shown = incident_detail(store, inc["id"], viewer=analyst)
    assert shown is not None and shown["claims"][0]["confirmed"] is True
    with pytest.raises(ReviewError, match="confirmed already"):
        review.confirm_claim(store, analyst, claim, "again")
    review.reject_claim(store, analyst, claim, "misread after all")
    with pytest.raises(ReviewError, match="restore it before confirming"):
        review.confirm_claim(store, analyst, claim, "again")
    shown = incident_detail(store, inc["id"], viewer=analyst)
    assert shown is not None and shown["claims"][0]["confirmed"] is False and shown["claims"][0]["rejected"]
    review.reapply(store)  # as after a resolution run: still set aside, not confirmed
    shown = incident_detail(store, inc["id"], viewer=analyst)
    assert shown is not None and shown["claims"][0]["confirmed"] is False
    with pytest.raises(PermissionDenied):
        review.confirm_claim(store, user(store, "viewer"), claim, "x")


def test_the_correction_form_writes_only_what_was_changed_in_it(web_db: Path) -> None:
    """A form left open shows old values: sent back unchanged, they must not undo what
    another analyst saved meanwhile."""
    with TestClient(create_app(web_db)) as app:
        headers = logged_in(app, "analyst")
        inc = app.get("/api/incidents", params={"country": "YE"}).json()["items"][0]
        claim = app.get(f"/api/incidents/{inc['id']}").json()["claims"][0]
        page = app.get(f"/incidents/{inc['id']}").text
        token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        # Meanwhile, someone else sets the kind.
        r = app.post(f"/api/claims/{claim['id']}/fields", json={"changes": {"kind": "pattern"}, "reason": "x"},
                     headers=headers)  # fmt: skip
        assert r.status_code == 200
        form = {"csrf_token": token, "back": inc["id"], "reason": "the report says girls",
                "violation": claim["violation"], "was.violation": claim["violation"],
                "kind": claim["kind"], "was.kind": claim["kind"],  # the old value, unchanged in the form
                "victims.sex": "female", "was.victims.sex": claim["victims"]["sex"] or ""}  # fmt: skip
        r = app.post(f"/claims/{claim['id']}/fields", data=form, follow_redirects=False)
        assert r.status_code == 303
        after = app.get(f"/api/incidents/{inc['id']}").json()["claims"][0]
        assert after["kind"] == "pattern" and after["victims"]["sex"] == "female"
