"""Comments and assignments follow an incident through a full re-resolution, and through
an analyst's merge (issue 17).

A full run (`childwatch resolve --full`) regroups every claim; an incident keeps its id only
when it holds most of that id's claims, so an incident split apart, or merged into
another, loses its id. Its comments and assignments must go with its claims: to the
incident that holds most of them now, the rows themselves unchanged (they are append-only
and say where they were written), the carrying recorded.

Real stores (an SQLite file and a PostgreSQL database), the resolution fixtures run
through the real pipeline, and real resolution settings: strict ones (nothing merges)
split the incidents apart, the shipped ones put them together again.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from childwatch import review
from childwatch.codebook.resolution import load_settings
from childwatch.errors import StoreError
from childwatch.read import discussion as shown
from childwatch.review import discussion
from childwatch.review.users import User, add_user, list_users
from childwatch.run.pipeline import run_pipeline
from childwatch.run.resolution import resolve
from childwatch.serve import create_app
from childwatch.store import Store, open_store
from childwatch.store import discussion as stored
from childwatch.store import resolution as db
from conftest import PASSWORD
from pgtest import BACKENDS, database_url

FIXTURES = Path(__file__).parent / "fixtures" / "resolution"
STRICT = dataclasses.replace(load_settings(), merge_at=1000.0)  # no pair of claims reaches it


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with open_store(database_url(request, request.param, tmp_path)) as opened:
        run_pipeline([FIXTURES / "batch1"], opened)
        resolve(opened)
        yield opened


def where(store: Store) -> dict[int, str]:
    """{claim id: its incident id} now."""
    with store.reading() as conn:
        return {int(c): str(i) for c, i in conn.execute(select(db.CLAIMS.c.id, db.CLAIMS.c.incident_id))}


def holder(store: Store, claims: set[int]) -> str:
    """The incident holding most of `claims` now (the lowest claim id breaks a tie)."""
    now = where(store)
    held = Counter(now[c] for c in claims)
    return max(held, key=lambda i: (held[i], -min(c for c in claims if now[c] == i)))


def largest(store: Store) -> tuple[str, set[int]]:
    groups: dict[str, set[int]] = {}
    for claim, incident in where(store).items():
        groups.setdefault(incident, set()).add(claim)
    incident = max(groups, key=lambda i: (len(groups[i]), i))
    assert len(groups[incident]) >= 3  # three reports of one event, so a split leaves no majority
    return incident, groups[incident]


def texts(store: Store, incident_id: str) -> list[str]:
    return [c["text"] for c in shown.thread(store, incident_id)["comments"]]


def every_comment_is_shown_once(store: Store) -> None:
    """Nothing lost: each comment row is in the thread of exactly one incident there is."""
    with store.reading() as conn:
        rows = list(conn.execute(select(stored.COMMENTS.c.text)).scalars())
        live = list(conn.execute(select(db.INCIDENTS.c.id)).scalars())
    seen = Counter(text for incident in live for text in texts(store, incident))
    assert seen == Counter(rows)


def test_comments_and_the_assignment_follow_the_claims_through_a_split_and_a_merge(store: Store) -> None:
    analyst: User = add_user(store, "amina", PASSWORD, "analyst")
    add_user(store, "omar", PASSWORD, "analyst")
    first, claims = largest(store)
    discussion.comment(store, analyst, first, "The three reports are one attack.")
    discussion.assign(store, analyst, first, "omar", "check the dates")

    # Split apart: no piece holds most of the incident's claims, so none keeps its id.
    resolve(store, full=True, settings=STRICT)
    pieces = {where(store)[c] for c in claims}
    assert len(pieces) == len(claims) and first not in pieces  # the id the comments name is gone
    heir = holder(store, claims)
    assert texts(store, heir) == ["The three reports are one attack."]
    assert shown.thread(store, heir)["assigned_to"] == "omar"
    omar = next(u for u in list_users(store) if u.name == "omar")
    assert [i["id"] for i in shown.my_queue(store, omar)] == [heir]
    every_comment_is_shown_once(store)

    # Each piece gets a comment of its own, then the shipped settings merge them again.
    others = sorted(pieces - {heir})
    for n, piece in enumerate(others):
        discussion.comment(store, analyst, piece, f"piece {n}")
    discussion.assign(store, analyst, others[0], "amina")  # the latest assignment of the three
    resolve(store, full=True)
    (merged,) = {where(store)[c] for c in claims}
    assert texts(store, merged) == ["The three reports are one attack.", "piece 0", "piece 1"]
    assert shown.thread(store, merged)["assigned_to"] == "amina"
    assert [i["id"] for i in shown.my_queue(store, analyst)] == [merged]
    assert shown.my_queue(store, omar) == []  # his assignment was overtaken by the later one
    every_comment_is_shown_once(store)
    # The rows are as written (append-only): each still names the incident it was written on.
    with store.reading() as conn:
        written = set(conn.execute(select(stored.COMMENTS.c.incident_id)).scalars())
    assert written == {first, *others}
    assert [c["incident_id"] for c in shown.thread(store, merged)["comments"]] == [first, *others]
    # Where they went is recorded (an append-only row per incident taken apart or merged
    # away, with how many of its claims the successor holds).
    with store.reading() as conn:
        recorded = [(r.incident_id, r.successor_id, r.claims, r.held, r.run) for r in conn.execute(
            select(stored.SUCCESSORS).order_by(stored.SUCCESSORS.c.id))]  # fmt: skip
    assert recorded[0] == (first, heir, len(claims), 1, "full")
    assert {(old, new) for old, new, *_ in recorded[1:]} == {(p, merged) for p in pieces if p != merged}
    # The incident page says where a carried comment was written.
    with TestClient(create_app(store, secret_key="successors-test")) as web:
        assert web.post("/api/session", json={"name": "amina", "password": PASSWORD}).status_code == 200
        page = web.get(f"/incidents/{merged}").text
    assert "piece 1" in page and f"written on {first}, whose claims a resolution run gave to this incident" in page
    for statement in ("UPDATE incident_successors SET successor_id = 'x'", "DELETE FROM incident_successors"):
        with pytest.raises(StoreError, match="append-only"), store.writing() as conn:
            conn.execute(text(statement))


def test_a_run_that_keeps_the_ids_carries_nothing(store: Store) -> None:
    analyst = add_user(store, "amina", PASSWORD, "analyst")
    first, _ = largest(store)
    discussion.comment(store, analyst, first, "Keep this one.")
    resolve(store, full=True)
    assert texts(store, first) == ["Keep this one."]
    with store.reading() as conn:
        assert conn.execute(select(stored.SUCCESSORS)).all() == []


def test_comments_follow_an_incident_an_analyst_merges_into_another(store: Store) -> None:
    """The same for a merge in the review UI: the incident merged in loses its id."""
    analyst = add_user(store, "amina", PASSWORD, "analyst")
    items = sorted(where(store).items())
    first, _ = largest(store)
    other = next(i for _, i in items if i != first and same_violation(store, i, first))
    discussion.comment(store, analyst, other, "Written on the one merged in.")
    discussion.assign(store, analyst, other, "amina")
    review.merge_incidents(store, analyst, first, other, "Same event, reported twice")
    assert other not in set(where(store).values())
    assert texts(store, first) == ["Written on the one merged in."]
    assert [i["id"] for i in shown.my_queue(store, analyst)] == [first]


def same_violation(store: Store, a: str, b: str) -> bool:
    with store.reading() as conn:
        found = conn.execute(select(db.INCIDENTS.c.violation).where(db.INCIDENTS.c.id.in_([a, b]))).scalars().all()
    return len(found) == 2 and found[0] == found[1]
