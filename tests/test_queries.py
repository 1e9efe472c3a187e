"""The read side (lists, filters, search, dashboard, facets, one incident in full) over our
fixture reports run through the real pipeline into a real SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from childwatch import review
from childwatch.errors import InputError, PermissionDenied, ReviewError
from childwatch.read.incident import incident_detail
from childwatch.read.queries import IncidentFilters, dashboard, facets, list_incidents
from childwatch.review.users import User, add_user
from childwatch.run.pipeline import run_pipeline
from childwatch.run.resolution import resolve
from childwatch.store import Store, open_store
from childwatch.store.review import EVENTS
from pgtest import BACKENDS, database_url

REPORTS = Path(__file__).parent / "fixtures" / "review" / "reports"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with open_store(tmp_path_factory.mktemp("queries") / "q.sqlite") as opened:
        run_pipeline([REPORTS], opened)
        resolve(opened)
        for role in ("viewer", "analyst", "admin"):
            add_user(opened, role, "a long passphrase", role)
        yield opened


@pytest.fixture(scope="module")
def users(store: Store) -> dict[str, User]:
    from childwatch.review.users import list_users

    return {u.name: u for u in list_users(store)}


def ids(store: Store, **filters: str) -> set[str]:
    return {i["id"] for i in list_incidents(store, IncidentFilters.from_mapping(filters), per_page=500).items}


def incident_of(store: Store, doc_id: str, violation: str) -> str:
    (found,) = [c.claim.incident_id for c in store.iter_claims(doc_id=doc_id, violation=violation)]
    assert found is not None
    return found


def test_each_filter_narrows_the_list(store: Store) -> None:
    everything = ids(store)
    kharkiv = incident_of(store, "rv-001", "killing_maiming")
    kankara = incident_of(store, "rv-003", "abduction")
    school = incident_of(store, "rv-003", "attack_school_hospital")
    assert ids(store, violation="abduction") >= {kankara} and kharkiv not in ids(store, violation="abduction")
    assert ids(store, country="NG") == {kankara, school}
    assert ids(store, country="Nigeria") == {kankara, school}  # a name works too
    assert ids(store, perpetrator="nigerian_bandits") == {kankara, school}  # codebook id
    assert ids(store, perpetrator="bandits") == {kankara, school}  # part of the name
    assert ids(store, kind="aggregate") == {incident_of(store, "rv-005", "recruitment_use")}
    assert ids(store, status="corroborated") >= {kharkiv, kankara}
    assert ids(store, status="verified") == set()
    assert ids(store, country="NG", violation="abduction") == {kankara}
    assert ids(store, violation="detention_torture") == set()
    assert ids(store, q="") == everything  # empty means any


def test_dates_select_incidents_whose_period_overlaps_even_with_partial_dates(store: Store) -> None:
    kharkiv = incident_of(store, "rv-001", "killing_maiming")  # 2024-05-19
    kankara = incident_of(store, "rv-003", "abduction")  # 2024-02-06
    recruitment = incident_of(store, "rv-005", "recruitment_use")  # 2024-01-01 .. 2024-04-01
    assert kharkiv in ids(store, date_from="2024-05") and kankara not in ids(store, date_from="2024-05")
    assert ids(store, date_from="2024-02", date_to="2024-02") >= {kankara, recruitment}
    assert kharkiv not in ids(store, date_from="2024-02", date_to="2024-02")
    assert recruitment in ids(store, date_from="2024-03-15", date_to="2024-03-20")  # inside its period
    assert kankara in ids(store, date_to="2024-02-06") and kankara not in ids(store, date_to="2024-02-05")
    assert kharkiv in ids(store, date_from="2024") and not ids(store, date_to="2023")


def test_full_text_search_covers_evidence_and_document_text_without_wildcards(store: Store) -> None:
    kankara = incident_of(store, "rv-003", "abduction")
    assert kankara in ids(store, q="MOTORCYCLES")  # only in the document text, any case
    assert kankara in ids(store, q="primary school in Kankara")  # evidence
    assert ids(store, q="%") == set() and ids(store, q="_") == set()  # LIKE wildcards are literal
    assert ids(store, q="no such words anywhere") == set()


@pytest.mark.parametrize(
    ("values", "where", "message"),
    [
        ({"violation": "murder"}, "violation", "choose one of recruitment_use"),
        ({"date_from": "2024-13"}, "date_from", "not a date"),
        ({"date_from": "17/10/2024"}, "date_from", "YYYY-MM-DD"),
        ({"date_from": "2024-05", "date_to": "2024-02"}, "date_to", "before"),
        ({"country": "Atlantis"}, "country", "ISO 3166"),
        ({"status": "done"}, "status", "verified"),
        ({"kind": "story"}, "kind", "aggregate"),
    ],
)
def test_bad_filters_name_the_filter_and_what_to_give(values: dict[str, str], where: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        IncidentFilters.from_mapping(values)
    assert caught.value.where == where


def test_pages_are_ordered_newest_first_and_counted(store: Store) -> None:
    total = len(ids(store))
    first = list_incidents(store, IncidentFilters(), page=1, per_page=3)
    second = list_incidents(store, IncidentFilters(), page=2, per_page=3)
    assert first.total == total and first.pages == -(-total // 3)
    assert not {i["id"] for i in first.items} & {i["id"] for i in second.items}
    dates = [i["date_start"] or i["date_end"] for i in first.items + second.items]
    assert dates == sorted(dates, reverse=True)
    with pytest.raises(InputError, match="pages start at 1"):
        list_incidents(store, IncidentFilters(), page=0)
    with pytest.raises(InputError, match="give 1 to 500"):
        list_incidents(store, IncidentFilters(), per_page=10_000)


def test_a_page_is_three_queries_however_many_incidents(store: Store) -> None:
    """The count, the page, and the children's names of the page's reports (their ids are
    shown pseudonymised): never one query per incident."""
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        list_incidents(store, IncidentFilters.from_mapping({"country": "NG", "q": "school"}), per_page=2)
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 3 and "LIMIT" in selects[1] and "child_names" in selects[2]


def test_dashboard_counts_incidents_children_and_report_volume(store: Store) -> None:
    board = dashboard(store)
    totals = board["totals"]
    assert totals["incidents"] == len(ids(store))
    assert [r["key"] for r in board["by_violation"]][:2] == ["recruitment_use", "killing_maiming"]
    assert sum(r["incidents"] for r in board["by_violation"]) == totals["incidents"]
    assert sum(r["children_best"] for r in board["by_country"]) == totals["children_best"]
    assert totals["children_low"] <= totals["children_best"] <= totals["children_high"]
    nigeria = next(r for r in board["by_country"] if r["key"] == "NG")
    assert nigeria["label"] == "Nigeria" and nigeria["incidents"] == 2 and nigeria["documents"] == 2
    assert board["report_volume"]["documents"] == 7
    assert {r["key"]: r["documents"] for r in board["report_volume"]["by_month"]} == {
        "2024-02": 2, "2024-03": 1, "2024-04": 1, "2024-05": 3,
    }  # fmt: skip
    may = next(r for r in board["by_month"] if r["key"] == "2024-05")
    assert may["documents"] == 3  # reports published that month, beside the incidents of that month
    only_ng = dashboard(store, IncidentFilters(country="NG"))
    assert only_ng["totals"]["incidents"] == 2 and only_ng["report_volume"]["documents"] == 2


def test_facets_list_the_values_filters_can_take(store: Store) -> None:
    found = facets(store)
    assert {c["key"] for c in found["countries"]} >= {"NG", "UA", "SO"}
    assert any(p["key"] == "nigerian_bandits" and p["incidents"] == 2 for p in found["perpetrators"])
    assert [s["key"] for s in found["statuses"]] == ["reported", "corroborated", "verified", "rejected"]
    assert found["dates"]["first"] <= found["dates"]["last"]


# --- one incident in full -----------------------------------------------------------------


def test_incident_detail_pseudonymises_names_and_its_spans_index_the_text_shown(
    store: Store, users: dict[str, User]
) -> None:
    kharkiv = incident_of(store, "rv-001", "killing_maiming")
    detail = incident_detail(store, kharkiv, viewer=users["viewer"])
    assert detail is not None and detail["pseudonymised"] and not detail["can_review"]
    first = next(c for c in detail["claims"] if c["doc_id"] == "rv-001")
    text = first["document"]["text"]
    assert "Dmytro" not in text and "Olena" not in text and "14 Sadova Street" not in text
    assert "Oleh Syniehubov" in text  # adults stay
    # ... but not the surname a parent shares with the child: it would name the child too.
    assert "Iryna [child " in text and "Kovalenko" not in text
    assert first["document"]["protected_names"] == 2
    for claim in detail["claims"]:
        shown = claim["document"]["text"]
        for span in claim["spans"]:
            assert shown[span["start"] : span["end"]] == span["text"]
        assert shown[claim["evidence"]["start"] : claim["evidence"]["end"]] == claim["evidence"]["text"]
    assert {s["field"] for s in first["spans"]} >= {"evidence", "victims.count", "location", "date"}
    assert [o["name"] for o in detail["outlets"]] == ["Eastern Herald", "Steppe Daily"]
    assert len(detail["sources"]) == detail["incident"]["n_sources"]


def test_spans_after_a_pseudonym_are_moved_so_that_highlighting_stays_exact(
    store: Store, users: dict[str, User]
) -> None:
    kankara = incident_of(store, "rv-003", "abduction")
    detail = incident_detail(store, kankara, viewer=users["analyst"])
    assert detail is not None
    claim = next(c for c in detail["claims"] if c["doc_id"] == "rv-003")
    shown = claim["document"]["text"]
    assert "Aisha" not in shown and "10-year-old [child " in claim["evidence"]["text"]
    location = next(s for s in claim["spans"] if s["field"] == "location")
    assert location["text"] == "Kankara" and shown[location["start"] : location["end"]] == "Kankara"
    original = store.document("rv-003")
    assert original is not None and original.text.index("Kankara") != location["start"]  # it did move
    for span in claim["spans"]:
        assert shown[span["start"] : span["end"]] == span["text"]


def test_only_an_admin_can_reveal_and_a_reveal_is_logged_with_its_reason(store: Store, users: dict[str, User]) -> None:
    kharkiv = incident_of(store, "rv-001", "killing_maiming")
    with pytest.raises(PermissionDenied, match="may not reveal"):
        incident_detail(store, kharkiv, viewer=users["analyst"], reveal=True, reason="curious")
    with pytest.raises(ReviewError, match="reason is required"):
        incident_detail(store, kharkiv, viewer=users["admin"], reveal=True, reason="")
    with store.engine.connect() as conn:
        assert conn.execute(select(EVENTS).where(EVENTS.c.action == "reveal")).all() == []
    detail = incident_detail(store, kharkiv, viewer=users["admin"], reveal=True, reason="family tracing request 12")
    assert detail is not None and not detail["pseudonymised"]
    assert any("Dmytro Kovalenko" in c["document"]["text"] for c in detail["claims"])
    reveal = [e for e in review.history(store, kharkiv) if e.action == "reveal"]
    assert [(e.user, e.reason, e.target) for e in reveal] == [
        ("admin", "family tracing request 12", f"incident {kharkiv}")
    ]


def test_unknown_incident_is_none_and_a_viewer_needs_an_account(store: Store) -> None:
    assert incident_detail(store, "inc-nope", viewer=User(0, "v", "viewer")) is None
    with pytest.raises(PermissionDenied):
        incident_detail(store, "inc-nope", viewer=None)  # type: ignore[arg-type]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_read_side_works_alike_on_sqlite_and_postgresql(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    with open_store(database_url(request, backend, tmp_path)) as other:
        run_pipeline([REPORTS], other)
        resolve(other)
        viewer = add_user(other, "viewer", "a long passphrase", "viewer")
        filters = IncidentFilters.from_mapping(
            {"country": "NG", "date_from": "2024-02", "q": "MOTORCYCLES", "violation": "abduction"}
        )
        page = list_incidents(other, filters)
        assert page.total == 1 and page.items[0]["updated_at"].endswith("+00:00")
        assert ids(other, perpetrator="Bandits") == ids(other, country="NG")
        board = dashboard(other)
        assert board["totals"]["incidents"] == len(ids(other))
        assert {r["key"]: r["documents"] for r in board["report_volume"]["by_month"]}["2024-05"] == 3
        assert facets(other)["dates"]["first"] is not None
        detail = incident_detail(other, page.items[0]["id"], viewer=viewer)
        assert detail is not None and all("Aisha" not in c["document"]["text"] for c in detail["claims"])


# (date_start, date_end, first_published): days, months and years, periods (one running into
# the next year, one over three years, one written backwards, one ending in a year that
# sorts before its start month), a start that is a prefix of a filter date, an empty and a
# malformed date, and undated incidents (one with a report date).
PERIODS = [
    ("2019-03-04", None, None), ("2019-03", None, None), ("2019", None, None), ("2019-12-31", None, None),
    ("2020-01-01", None, None), ("2018-12-31", None, None), ("2018", None, None), (None, "2019-03-05", None),
    ("2018-06", "2019-02", None), ("2017", "2019", None), ("2019-03-01", "2019-03-31", None),
    ("2019-03-04", "2019-03-04", None), ("2020-05", "2019-01", None), ("201", None, None), ("", None, None),
    ("2019-03", "2019", None), ("2019-03-0", None, None), (None, None, "2019-05-01"), (None, None, None),
]  # fmt: skip
DATE_BOUNDS = (None, "2019", "2019-03", "2019-03-04", "2019-03-05", "2019-05", "2018-12-31", "2020")


def _overlaps(start: str | None, end: str | None, date_from: str | None, date_to: str | None) -> bool:
    """The date filter's meaning, in Python: the period [start, end] (partial dates reach to
    their last day, as strings with '~') overlaps [date_from, date_to]."""
    first, last = (start if start is not None else end), (end if end is not None else start)
    if date_from is not None and (last is None or last + "~" < date_from):
        return False
    return date_to is None or (first is not None and first <= date_to + "~")


@pytest.mark.parametrize("backend", BACKENDS)
def test_date_filter_matches_its_meaning_for_every_bound_period_and_partial_date(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    # Guards the index-friendly rewrite of the date filter (migration 0007): the same
    # incidents, count and order as the plain overlap, even for bounds the form refuses.
    from childwatch.read.queries import iter_filtered
    from childwatch.store.models import IncidentRow

    rows = [
        {"id": f"inc-{n:02d}", "violation": ("abduction", "killing_maiming")[n % 2], "kind": "incident",
         "status": "reported", "date_start": start, "date_end": end, "first_published": published,
         "n_claims": 1, "n_documents": 1, "n_outlets": 1, "n_sources": 1, "outlets": [], "sources": [],
         "counts": [], "updated_at": datetime(2024, 1, 1, tzinfo=UTC)}
        for n, (start, end, published) in enumerate(PERIODS)
    ]  # fmt: skip
    with open_store(database_url(request, backend, tmp_path)) as other:
        with other.engine.begin() as conn:
            conn.execute(IncidentRow.__table__.insert(), rows)
        for date_from in DATE_BOUNDS:
            for date_to in DATE_BOUNDS:
                for violation in (None, "abduction"):
                    filters = IncidentFilters(violation=violation, date_from=date_from, date_to=date_to)
                    chosen = [r for r in rows if violation in (None, r["violation"])
                              and _overlaps(r["date_start"], r["date_end"], date_from, date_to)]  # fmt: skip
                    expected = _newest_first(chosen)
                    page = list_incidents(other, filters, per_page=500)
                    assert [i["id"] for i in page.items] == expected, filters
                    assert page.total == len(expected), filters
                    assert [i["id"] for i in iter_filtered(other, filters)] == expected, filters
                    assert dashboard(other, filters)["totals"]["incidents"] == len(expected), filters
                    oldest_first = list_incidents(other, filters, per_page=500, sort="-date")
                    assert sorted(i["id"] for i in oldest_first.items) == sorted(expected), filters


def _newest_first(rows: list[dict[str, Any]]) -> list[str]:
    def when(r: dict[str, Any]) -> str | None:
        for key in ("date_start", "date_end", "first_published"):
            if r[key] is not None:
                return str(r[key])
        return None

    ordered = sorted(rows, key=lambda r: r["id"])
    ordered.sort(key=lambda r: when(r) or "", reverse=True)
    ordered.sort(key=lambda r: when(r) is None)
    return [r["id"] for r in ordered]


def test_a_date_filtered_page_is_read_in_index_order_not_sorted(store: Store) -> None:
    # SQLite sorted every match of a date range again (a temporary B-tree) while the
    # order still had its undated-last term; the count reads the covering index (0007).
    statements: list[tuple[str, Any]] = []

    def grab(*args: Any) -> None:
        statements.append((str(args[2]), args[3]))

    event.listen(store.engine, "before_cursor_execute", grab)
    try:
        list_incidents(store, IncidentFilters.from_mapping({"date_from": "2024-02", "date_to": "2024-05"}))
    finally:
        event.remove(store.engine, "before_cursor_execute", grab)
    count, page, _names = [(s, p) for s, p in statements if s.lstrip().upper().startswith("SELECT")]
    with store.engine.connect() as conn:
        plans = [" / ".join(r[3] for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {s}", p)) for s, p in (count, page)]
    assert "ix_incidents_period_covering" in plans[0], plans[0]
    assert "ix_incidents_list_date" in plans[1] and "TEMP B-TREE" not in plans[1], plans[1]
