"""Saved searches (issue 17): each user's named searches of the incident list.

    from childwatch.read import saved_searches as searches
    saved = searches.save(store, user, "Abductions in Borno", "violation=abduction&q=borno")
    saved.link                        # "/incidents?q=borno&violation=abduction": share it
    searches.list_saved(store, user)  # the user's own, by name
    searches.delete(store, user, saved.id)

A search is the list's filters (and sort) as a query string, which is also the list's
address: a saved search is shared by its link, and whoever opens it sees the search with
their own role's view (names pseudonymised as everywhere). Every role may save searches;
each user lists and deletes only their own. Saving again under a name replaces that
search. The query is checked like the list's filters (a bad value is refused by name) and
kept in one order, without empty values or unknown keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy import delete as delete_rows

from childwatch.errors import InputError, NotFound
from childwatch.read.queries import SORTS, IncidentFilters
from childwatch.review.users import User, require
from childwatch.store import Store
from childwatch.store.models import SavedSearchRow, aware, utcnow

__all__ = ["KEYS", "MAX_NAME", "MAX_SAVED", "SavedSearch", "delete", "list_saved", "normalise", "save"]

SAVED = cast(Table, SavedSearchRow.__table__)
KEYS = ("violation", "perpetrator", "country", "date_from", "date_to", "status", "kind", "q", "language", "sort")
MAX_NAME = 100
MAX_SAVED = 200  # per user
MAX_QUERY = 2000


@dataclass(frozen=True, slots=True)
class SavedSearch:
    id: int
    name: str
    query: str
    created_at: datetime

    @property
    def link(self) -> str:
        return f"/incidents?{self.query}" if self.query else "/incidents"

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "query": self.query, "link": self.link,
                "created_at": self.created_at.isoformat()}  # fmt: skip


def _saved(row: Any) -> SavedSearch:
    return SavedSearch(row.id, row.name, row.query, aware(row.created_at))


def normalise(query: str) -> str:
    """The list's filters in `query` ("?q=school&page=2&violation=abduction", with or
    without the "?" or a path before it) as a query string in one order, empty values,
    pages and unknown keys left out; InputError for a filter the list would refuse."""
    text = (query or "").strip()
    if len(text) > MAX_QUERY:
        raise InputError("query", "the search is too long", f"use at most {MAX_QUERY} characters")
    text = text.split("?", 1)[1] if "?" in text else text
    given: dict[str, str] = {}
    for key, value in parse_qsl(text.split("#", 1)[0], keep_blank_values=False):
        if key in KEYS and value.strip():
            given[key] = value.strip()
    checked = IncidentFilters.from_mapping(given).as_dict()  # refuses what the list would
    given = {**checked, **({"sort": given["sort"]} if "sort" in given else {})}  # "ng" as "NG"
    if "sort" in given and given["sort"] not in SORTS:
        raise InputError("sort", f"unknown order {given['sort']!r}", f"choose one of {', '.join(SORTS)}")
    if given.get("sort") == "date":
        del given["sort"]  # the list's default
    return urlencode([(k, given[k]) for k in KEYS if k in given])


def _name(name: str | None) -> str:
    text = " ".join((name or "").split())
    if not text:
        raise InputError("name", "a saved search needs a name", "give it a few words, e.g. 'Abductions in Borno'")
    if len(text) > MAX_NAME:
        raise InputError("name", "the name is too long", f"use at most {MAX_NAME} characters")
    return text


def save(store: Store, user: User, name: str | None, query: str) -> SavedSearch:
    """Save the search `query` (see `normalise`) under `name` for `user`; an earlier
    search of theirs with that name is replaced."""
    require(user, "read")
    title, normal = _name(name), normalise(query)
    s = SAVED.c
    with store.writing() as conn:
        mine = s.user_id == user.id
        existing = conn.execute(select(s.id).where(mine, s.name == title)).scalar()
        if existing is not None:
            conn.execute(update(SAVED).where(s.id == existing).values(query=normal, created_at=utcnow()))
            new_id = existing
        else:
            count = conn.execute(select(func.count()).select_from(SAVED).where(mine)).scalar_one()
            if count >= MAX_SAVED:
                raise InputError("name", f"you have {count} saved searches", "delete some you no longer use")
            values = {"user_id": user.id, "name": title, "query": normal, "created_at": utcnow()}
            new_id = conn.execute(insert(SAVED).values(values).returning(s.id)).scalar_one()
        return _saved(conn.execute(select(SAVED).where(s.id == new_id)).one())


def list_saved(store: Store, user: User) -> list[SavedSearch]:
    """The user's own saved searches, by name."""
    require(user, "read")
    s = SAVED.c
    with store.reading() as conn:
        rows = conn.execute(select(SAVED).where(s.user_id == user.id).order_by(func.lower(s.name), s.id))
        return [_saved(r) for r in rows]


def delete(store: Store, user: User, search_id: int) -> SavedSearch:
    """Delete one of the user's own saved searches; NotFound for any other (someone
    else's is not theirs to see, so it is not found either)."""
    require(user, "read")
    s = SAVED.c
    with store.writing() as conn:
        row = conn.execute(select(SAVED).where(s.id == search_id, s.user_id == user.id)).first()
        if row is None:
            raise NotFound(f"no saved search {search_id} of yours")
        conn.execute(delete_rows(SAVED).where(s.id == search_id))
        return _saved(row)
