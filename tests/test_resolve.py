"""Resolution on our own fixture reports (tests/fixtures/resolution, answer key in its
README): syndicated copies, one source quoted by three outlets, independent sources, the
same-number trap, an incremental second batch, stable ids and explainable merges."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from childwatch.codebook.resolution import load_settings
from childwatch.resolve import near_dupes
from childwatch.resolve.compare import compare
from childwatch.resolve.facts import ClaimFacts, day_interval
from childwatch.run.pipeline import run_pipeline
from childwatch.run.resolution import resolve, sign
from childwatch.store import Store, open_store
from childwatch.store import resolution as db
from childwatch.store import signatures as copies_db

FIXTURES = Path(__file__).parent / "fixtures" / "resolution"


def childwatch(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "childwatch.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=300)  # fmt: skip


def incident_of(store: Store, doc_id: str, violation: str) -> str:
    ids = {c.claim.incident_id for c in store.iter_claims(doc_id=doc_id, violation=violation)}
    assert len(ids) == 1, f"{doc_id} {violation}: {ids}"
    (incident_id,) = ids
    assert incident_id is not None
    return incident_id


def assignments(store: Store) -> dict[tuple[str, int], str | None]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(db.CLAIMS.c.doc_id, db.CLAIMS.c.ordinal, db.CLAIMS.c.incident_id))
        return {(d, o): i for d, o, i in rows}


def log_size(store: Store) -> int:
    with store.engine.connect() as conn:
        return len(conn.execute(select(db.LOG.c.id)).all())


@pytest.fixture
def batch1(tmp_path: Path) -> Store:
    store = open_store(tmp_path / "res.sqlite")
    run_pipeline([FIXTURES / "batch1"], store)
    resolve(store)
    yield store
    store.close()


# --- near-duplicate documents -------------------------------------------------------------


def test_minhash_finds_a_reprint_and_not_a_different_story() -> None:
    original = json.loads((FIXTURES / "batch1" / "res-001.json").read_text())["text"]
    reprint = json.loads((FIXTURES / "batch1" / "res-002.json").read_text())["text"]
    other = json.loads((FIXTURES / "batch1" / "res-003.json").read_text())["text"]
    a, b, c = (near_dupes.signature(t) for t in (original, reprint, other))
    assert a and b and c
    assert near_dupes.similarity(a, b) >= near_dupes.THRESHOLD
    assert near_dupes.similarity(a, c) < 0.2
    arrival = {"res-001": 0, "res-003": 1, "res-002": 2}
    pairs = [("res-001", "res-003"), ("res-001", "res-002"), ("res-003", "res-002")]  # as if all shared a key
    known = {"res-001": (a, None), "res-003": (c, None), "res-002": (b, None)}
    copies = near_dupes.group_copies(pairs, arrival, known)
    assert [(x.doc_id, x.original) for x in copies] == [("res-002", "res-001")]


def test_a_copy_of_a_copy_joins_the_first_documents_group() -> None:
    text = " ".join(f"word{i}" for i in range(200))
    first, second, third = (near_dupes.signature(t) for t in (text, text + " extra", text + " extra more"))
    assert first and second and third
    # `first` was grouped in an earlier run as a copy of "origin"; the other two are new.
    known = {"first": (first, "origin"), "second": (second, None), "third": (third, None)}
    copies = near_dupes.group_copies([("first", "second"), ("second", "third")], {"second": 0, "third": 1}, known)
    assert [(x.doc_id, x.original) for x in copies] == [("second", "origin"), ("third", "origin")]


def test_signatures_are_stable_across_processes() -> None:
    text = "Shelling killed three children in the town on Sunday, the governor said."
    code = "from childwatch.resolve.near_dupes import signature; import sys; sys.stdout.write(signature(%r).hex())"
    runs = {
        subprocess.run([sys.executable, "-c", code % text], capture_output=True, text=True, check=True,
                       env={"PYTHONHASHSEED": seed, "PATH": ""}).stdout
        for seed in ("1", "2")
    }  # fmt: skip
    assert runs == {near_dupes.signature(text).hex()}  # type: ignore[union-attr]


def test_a_document_without_words_has_no_signature() -> None:
    assert near_dupes.signature("  \n ... ") is None


def test_a_huge_document_is_signed_in_bounded_chunks() -> None:
    text = " ".join(f"word{i}" for i in range(120_000))
    sig = near_dupes.signature(text)
    assert sig is not None and len(sig) == near_dupes.NUM_PERM * 4


def test_the_syndicated_copy_is_linked_to_its_original(batch1: Store) -> None:
    with batch1.engine.connect() as conn:
        rows = dict(conn.execute(select(db.DOCS.c.id, db.DOCS.c.near_dup_of)).all())
    assert rows["res-002"] == "res-001"
    assert [d for d, original in rows.items() if original] == ["res-002"]


def test_a_copy_signed_by_a_run_that_stopped_is_grouped_by_the_next(tmp_path: Path) -> None:
    # The original is resolved by a first run; the copy arrives later and is signed by a
    # run that stopped before grouping (its keys left staged). The next run groups it.
    for name in ("first", "later"):
        (tmp_path / name).mkdir()
    shutil.copy(FIXTURES / "batch1" / "res-001.json", tmp_path / "first")
    shutil.copy(FIXTURES / "batch1" / "res-002.json", tmp_path / "later")
    with open_store(tmp_path / "res.sqlite") as store:
        run_pipeline([tmp_path / "first"], store)
        resolve(store)
        run_pipeline([tmp_path / "later"], store)
        assert sign(store) == 1
        with store.engine.connect() as conn:
            staged = conn.execute(select(copies_db.STAGED.c.doc_id).distinct()).scalars().all()
            assert staged == ["res-002"]
        resolve(store)
        with store.engine.connect() as conn:
            rows = dict(conn.execute(select(db.DOCS.c.id, db.DOCS.c.near_dup_of)).all())
            assert conn.execute(select(copies_db.STAGED.c.seq)).all() == []
            bands = copies_db.BANDS
            filed = conn.execute(select(bands.c.doc_id, func.count()).group_by(bands.c.doc_id)).all()
    assert rows == {"res-001": None, "res-002": "res-001"}
    assert dict(filed) == {"res-001": near_dupes.BANDS, "res-002": near_dupes.BANDS}
    assert incident_of(store, "res-002", "killing_maiming") == incident_of(store, "res-001", "killing_maiming")


# --- incidents, sources and status ----------------------------------------------------------


def test_a_copy_adds_an_outlet_but_no_original_source(batch1: Store) -> None:
    incident_id = incident_of(batch1, "res-001", "killing_maiming")
    assert incident_of(batch1, "res-002", "killing_maiming") == incident_id
    row = db.incident(batch1, incident_id)
    assert row is not None
    assert row["status"] == "reported" and row["n_sources"] == 1
    assert row["n_outlets"] == 2 and row["n_documents"] == 2
    assert any(o["copies"] == ["res-002"] for o in row["outlets"])


def test_three_outlets_quoting_one_source_make_one_reported_incident(batch1: Store) -> None:
    for violation in ("abduction", "attack_school_hospital"):
        ids = {incident_of(batch1, doc, violation) for doc in ("res-003", "res-004", "res-005")}
        assert len(ids) == 1
        row = db.incident(batch1, ids.pop())
        assert row is not None
        assert (row["n_documents"], row["n_outlets"], row["n_sources"]) == (3, 3, 1)
        assert row["status"] == "reported"
    row = db.incident(batch1, incident_of(batch1, "res-003", "abduction"))
    assert row is not None
    # No double counting: 30, 30 and 32 are three reports of one group of children.
    assert (row["count_low"], row["count_high"], row["count_best"]) == (30, 32, 32)
    assert [c["count"] for c in row["counts"]] == [30, 32]
    assert (row["location_name"], row["date_start"]) == ("Dutsin-Ma", "2024-10-17")


def test_two_independent_sources_corroborate(batch1: Store) -> None:
    incident_id = incident_of(batch1, "res-006", "killing_maiming")
    assert incident_of(batch1, "res-007", "killing_maiming") == incident_id
    row = db.incident(batch1, incident_id)
    assert row is not None
    assert row["status"] == "corroborated" and row["n_sources"] == 2
    assert {s["name"] for s in row["sources"]} >= {"UNICEF"}


def test_the_same_number_is_not_the_same_incident(batch1: Store) -> None:
    first_quarter = incident_of(batch1, "res-008", "recruitment_use")
    assert incident_of(batch1, "res-009", "recruitment_use") == first_quarter  # same observatory, same period
    assert incident_of(batch1, "res-011", "recruitment_use") != first_quarter  # 400 again, but in 2017
    yazidi = incident_of(batch1, "res-010", "abduction")
    assert yazidi not in {first_quarter, incident_of(batch1, "res-011", "recruitment_use")}


def test_other_incidents_nearby_stay_apart(batch1: Store) -> None:
    assert incident_of(batch1, "res-015", "abduction") != incident_of(batch1, "res-003", "abduction")
    assert incident_of(batch1, "res-016", "killing_maiming") != incident_of(batch1, "res-001", "killing_maiming")


def test_every_merge_says_why(batch1: Store) -> None:
    with batch1.engine.connect() as conn:
        rows = conn.execute(select(db.CLAIMS.c.doc_id, db.CLAIMS.c.incident_score, db.CLAIMS.c.incident_why)).all()
    matched = [why for _, _, why in rows if why.get("matched_claim")]
    assert len(matched) >= 5
    for _doc_id, score, why in rows:
        if why.get("matched_claim"):
            assert score == why["score"] >= load_settings().merge_at
            assert sum(why["features"].values()) == pytest.approx(score, abs=0.01)
        else:
            assert why == {"started": True} and score is None
    copy_why = next(why for doc, _, why in rows if doc == "res-002")
    assert "same_story" in copy_why["features"]


# --- incremental, stable, reversible -------------------------------------------------------


def test_a_second_batch_attaches_to_existing_incidents(batch1: Store) -> None:
    before = assignments(batch1)
    logged = log_size(batch1)
    run_pipeline([FIXTURES / "batch2"], batch1)
    summary = resolve(batch1)
    assert summary.claims_resolved == len(assignments(batch1)) - len(before)
    after = assignments(batch1)
    assert {k: after[k] for k in before} == before  # batch 1 untouched
    assert log_size(batch1) == logged + summary.claims_resolved  # only the new claims were placed

    abduction = incident_of(batch1, "res-003", "abduction")
    assert incident_of(batch1, "res-012", "abduction") == abduction
    row = db.incident(batch1, abduction)
    assert row is not None and row["n_documents"] == 4 and row["status"] == "reported"
    assert (row["count_low"], row["count_high"]) == (30, 35)

    strike = incident_of(batch1, "res-006", "killing_maiming")
    assert incident_of(batch1, "res-014", "killing_maiming") == strike
    row = db.incident(batch1, strike)
    assert row is not None and row["n_sources"] == 3 and row["status"] == "corroborated"

    new = incident_of(batch1, "res-013", "killing_maiming")
    row = db.incident(batch1, new)
    assert row is not None and row["n_documents"] == 1


def test_resolving_again_changes_nothing(batch1: Store) -> None:
    before = assignments(batch1)
    logged = log_size(batch1)
    assert resolve(batch1).claims_resolved == 0
    full = resolve(batch1, full=True)
    assert full.reassigned == 0 and full.new_incidents == 0
    assert assignments(batch1) == before
    assert log_size(batch1) == logged


def test_a_full_run_regroups_from_scratch_the_same_way(batch1: Store, tmp_path: Path) -> None:
    """Incremental (batch1 then batch2) and one run over everything agree on the grouping."""
    run_pipeline([FIXTURES / "batch2"], batch1)
    resolve(batch1)
    incremental = assignments(batch1)
    with open_store(tmp_path / "once.sqlite") as once:
        run_pipeline([FIXTURES / "batch1", FIXTURES / "batch2"], once)
        resolve(once)
        at_once = assignments(once)
    assert _partition(incremental) == _partition(at_once)


def _partition(assigned: dict[tuple[str, int], str | None]) -> set[frozenset[tuple[str, int]]]:
    groups: dict[str | None, set[tuple[str, int]]] = {}
    for key, incident_id in assigned.items():
        groups.setdefault(incident_id, set()).add(key)
    return {frozenset(g) for g in groups.values()}


def test_a_wrong_merge_is_undone_by_a_later_run_without_losing_claims(batch1: Store) -> None:
    strike = incident_of(batch1, "res-006", "killing_maiming")
    nikopol = incident_of(batch1, "res-016", "killing_maiming")
    claims_before = len(assignments(batch1))
    # Someone (or an older version) put the Nikopol claim into the airstrike incident.
    with batch1.engine.begin() as conn:
        conn.execute(db.CLAIMS.update().where(db.CLAIMS.c.doc_id == "res-016").values(incident_id=strike))
    resolve(batch1, full=True)
    assert incident_of(batch1, "res-016", "killing_maiming") != strike
    assert incident_of(batch1, "res-006", "killing_maiming") == strike  # the incident keeps its id
    assert len(assignments(batch1)) == claims_before
    with batch1.engine.connect() as conn:
        moves = conn.execute(
            select(db.LOG.c.previous_incident_id, db.LOG.c.incident_id).where(db.LOG.c.doc_id == "res-016")
        ).all()
    assert (strike, incident_of(batch1, "res-016", "killing_maiming")) in moves
    assert nikopol  # it had its own incident before the tampering


def test_stale_incidents_go_when_their_claims_are_re_extracted(batch1: Store) -> None:
    yazidi = incident_of(batch1, "res-010", "abduction")
    batch1.replace_claims("res-010", [])
    resolve(batch1)
    assert db.incident(batch1, yazidi) is None


# --- comparison rules ------------------------------------------------------------------------


def facts(**fields: Any) -> ClaimFacts:
    base: dict[str, Any] = dict(
        claim_id=1, doc_id="a", ordinal=0, story="a", published="2015-03-25", outlet="A", story_outlet="A",
        violation="recruitment_use", kind="aggregate", perpetrator_id="islamic_state", perpetrator="Islamic State",
        count=400, count_low=None, count_high=None, age_min=None, age_max=None, sex=None, group=None,
        place_id=None, place=None, admin1=None, country="SY", lat=None, lon=None, precision="country",
        date_start="2015-01-01", date_end="2015-03-23", date_lo=None, date_hi=None, source=None,
        source_key="outlet:a", names=frozenset(), doc_names=frozenset(), place_stated=False,
        perpetrator_stated=True, words=frozenset({"recruited", "children", "syria"}), incident_id=None,
    )  # fmt: skip
    base.update(fields)
    base["date_lo"], base["date_hi"] = day_interval(base["date_start"], base["date_end"])
    return ClaimFacts(**base)


def test_an_equal_count_alone_never_merges() -> None:
    s = load_settings()
    a = facts()
    b = facts(claim_id=2, doc_id="b", story="b", date_start=None, date_end="2016-02-09", published="2016-02-09",
              words=frozenset({"militants", "abducted"}))  # fmt: skip
    assert compare(a, b, s).score < s.merge_at
    later = facts(claim_id=3, doc_id="c", story="c", date_start="2017", date_end="2017")
    assert compare(a, later, s).veto == "dates apart"


def test_an_event_cannot_start_after_the_report_about_it() -> None:
    s = load_settings()
    undated = facts(date_start=None, date_end="2015-03-25")  # "on or before the report"
    afterwards = facts(claim_id=2, doc_id="b", story="b", date_start="2015-06-01", date_end="2015-06-30")
    assert compare(undated, afterwards, s).veto == "dates apart"


def test_far_apart_places_stated_in_both_claims_are_a_veto_inferred_ones_a_penalty() -> None:
    s = load_settings()
    here = facts(place_id="1", place="A", precision="place", lat=36.2, lon=37.1, place_stated=True)
    there = facts(claim_id=2, doc_id="b", story="b", place_id="2", place="B", precision="place", lat=33.5,
                  lon=36.3, place_stated=True)  # fmt: skip
    assert compare(here, there, s).veto is not None and "km apart" in str(compare(here, there, s).veto)
    guessed = facts(claim_id=2, doc_id="b", story="b", place_id="2", place="B", precision="place", lat=33.5,
                    lon=36.3, place_stated=False)  # fmt: skip
    result = compare(here, guessed, s)
    assert result.veto is None and result.features["places_apart"] < 0


def test_a_vague_quantity_fits_a_figure_within_it() -> None:
    s = load_settings()
    exact = facts(kind="incident", count=276, sex="female")
    hundreds = facts(claim_id=2, doc_id="b", story="b", kind="incident", count=None, count_low=200, sex="female")
    dozens = facts(claim_id=3, doc_id="c", story="c", kind="incident", count=None, count_low=24, sex="female")
    assert compare(exact, hundreds, s).features.get("close_count") == s.weights["close_count"]
    assert compare(exact, hundreds, s).features.get("same_sex") == s.weights["same_sex"]
    assert "close_count" not in compare(exact, dozens, s).features


def test_a_province_inferred_from_the_report_counts_against_only_mildly() -> None:
    s = load_settings()
    stated = facts(admin1="Borno", place="Chibok", place_id="1", precision="place", place_stated=True)
    inferred = facts(claim_id=2, doc_id="b", story="b", admin1="Federal Capital Territory", place="Abuja",
                     place_id="2", precision="admin1", place_stated=False)  # fmt: skip
    both = facts(claim_id=3, doc_id="c", story="c", admin1="Federal Capital Territory", place="Abuja",
                 place_id="2", precision="admin1", place_stated=True)  # fmt: skip
    assert compare(stated, inferred, s).features.get("places_apart") == s.weights["places_apart"]
    assert "other_admin1" not in compare(stated, inferred, s).features
    assert compare(stated, both, s).features.get("other_admin1") == s.weights["other_admin1"]


def _abduction(n: int, **fields: Any) -> ClaimFacts:
    base: dict[str, Any] = dict(
        claim_id=n, doc_id=f"d{n}", story=f"d{n}", ordinal=0, published=f"2014-05-{n:02d}", violation="abduction",
        kind="incident", perpetrator_id="boko_haram", perpetrator="Boko Haram", sex="female", country="NG",
        date_start=None, date_end=f"2014-05-{n:02d}", words=frozenset({"girls", "abducted", "school"}),
        source_key=f"outlet:d{n}",
    )  # fmt: skip
    base.update(fields)
    return facts(**base)


def test_a_passing_reference_joins_a_well_reported_incident_only_on_a_particular() -> None:
    from childwatch.resolve.cluster import resolve_block

    s = load_settings()
    chibok = {"place": "Chibok", "place_id": "1", "admin1": "Borno", "precision": "place", "place_stated": True,
              "lat": 10.87, "lon": 12.85}  # fmt: skip
    reports = [_abduction(1, count=276, **chibok), _abduction(2, count=230, **chibok),
               _abduction(3, count=129, **chibok), _abduction(4, count=219, **chibok)]  # fmt: skip
    # "the hundreds of schoolgirls Boko Haram kidnapped": a figure that fits, nothing else.
    passing = _abduction(5, count=None, count_low=200, words=frozenset({"hundreds", "schoolgirls", "kidnapped"}))
    # "women and girls Boko Haram abducted": the same perpetrator and nothing particular.
    generic = _abduction(6, count=None, words=frozenset({"women", "girls", "abducted", "pregnancies"}))
    assignments, _ = resolve_block([], [*reports, passing, generic], s, set())
    incident = {a.claim_id: a.incident_id for a in assignments}
    assert len({incident[r.claim_id] for r in reports}) == 1
    assert incident[5] == incident[1]
    assert incident[6] != incident[1]


# --- the command line ------------------------------------------------------------------------


def test_incidents_stats_and_export_on_the_command_line(tmp_path: Path) -> None:
    database = tmp_path / "cli.sqlite"
    result = childwatch("run", FIXTURES / "batch1", "--db", database)
    assert result.returncode == 0, result.stderr
    assert "resolution:" in result.stdout and "near-duplicate" in result.stdout

    listing = childwatch("incidents", "--db", database, "--status", "corroborated")
    assert listing.returncode == 0, listing.stderr
    assert "CORROBORATED" in listing.stdout and "UNICEF" in listing.stdout and "REPORTED" not in listing.stdout

    as_json = childwatch("incidents", "--db", database, "--json", "--limit", "0")
    rows = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert len(rows) == 9 and all(r["status"] in {"reported", "corroborated"} for r in rows)
    detail = childwatch("incidents", "--db", database, "--id", rows[0]["id"])
    assert detail.returncode == 0 and "matched claim" in detail.stdout and "first report" in detail.stdout
    missing = childwatch("incidents", "--db", database, "--id", "inc-nope")
    assert missing.returncode == 2 and "no incident 'inc-nope'" in missing.stderr

    stats = childwatch("stats", "--db", database)
    assert stats.stdout.startswith("9 incidents in 13 documents")
    claims = childwatch("stats", "--db", database, "--claims")
    assert claims.stdout.startswith("16 claims in 13 documents")

    out = tmp_path / "claims.jsonl"
    assert childwatch("export", "--db", database, "--out", out).returncode == 0
    exported = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert exported and all(c["incident_id"] in {r["id"] for r in rows} for c in exported)


def test_run_without_resolution_then_resolve(tmp_path: Path) -> None:
    database = tmp_path / "later.sqlite"
    assert childwatch("run", FIXTURES / "batch1", "--db", database, "--no-resolve").returncode == 0
    stats = childwatch("stats", "--db", database)
    assert "16 claims not yet resolved" in stats.stdout
    result = childwatch("resolve", "--db", database)
    assert result.returncode == 0 and "16 claims resolved" in result.stdout
    again = childwatch("resolve", "--db", database, "--full")
    assert again.returncode == 0 and "0 new incidents" in again.stdout


def test_resolution_settings_problems_are_all_reported(tmp_path: Path) -> None:
    from childwatch.errors import CodebookError

    bad = tmp_path / "resolution.toml"
    bad.write_text('[thresholds]\nmerge_at = "high"\n[weights]\nsame_place = 2.0\nsame_colour = 1.0\n'
                   '[[outlet]]\nname = "A"\ndomains = ["a.org"]\n[[outlet]]\nname = "B"\ndomains = ["a.org"]\n',
                   encoding="utf-8")  # fmt: skip
    with pytest.raises(CodebookError) as caught:
        load_settings.__wrapped__(bad)
    text = str(caught.value)
    assert "merge_at must be a number" in text and "same_colour is not a known feature" in text
    assert "'a.org' already names 'A'" in text and "same_perpetrator must be a number" in text


def test_two_events_each_known_to_the_day_a_week_apart_are_two_incidents() -> None:
    """A child killed on Sunday the 26th and two killed on the 19th, in one city by one
    force: reports misdate by a day or two, not by a week."""
    s = load_settings()
    earlier = facts(date_start="2024-05-19", date_end="2024-05-19")
    later = facts(claim_id=2, doc_id="b", story="b", date_start="2024-05-26", date_end="2024-05-26")
    assert compare(earlier, later, s).veto == "dates apart"
    next_day = facts(claim_id=3, doc_id="c", story="c", date_start="2024-05-20", date_end="2024-05-20")
    assert compare(earlier, next_day, s).possible
    # A month-wide date still gets the wider grace.
    may = facts(claim_id=4, doc_id="d", story="d", date_start="2024-05", date_end="2024-05")
    assert compare(later, may, s).possible


def test_a_country_inferred_in_one_report_counts_against_two_stated_countries_are_a_veto() -> None:
    s = load_settings()
    stated = facts(country="UA", place_stated=True)
    # "as Russia pressed its offensive": the report's country came from a nationality word.
    inferred = facts(claim_id=2, doc_id="b", story="b", country="RU", place_stated=False)
    also_stated = facts(claim_id=3, doc_id="c", story="c", country="RU", place_stated=True)
    result = compare(stated, inferred, s)
    assert result.veto is None and result.features["other_country"] == s.weights["other_country"] < 0
    assert compare(stated, also_stated, s).veto == "different countries"


def test_a_misplaced_report_still_joins_its_story_across_countries() -> None:
    from childwatch.resolve.cluster import resolve_block

    s = load_settings()
    ward = {"kind": "incident", "count": 1, "age_min": 0, "age_max": 0, "date_start": "2022-11-23",
            "date_end": "2022-11-23", "perpetrator_id": "russian_forces", "perpetrator": "Russian forces",
            "violation": "killing_maiming",
            "words": frozenset({"newborn", "killed", "maternity", "ward", "rocket"})}  # fmt: skip
    first = facts(claim_id=1, doc_id="a", story="a", published="2022-11-23", country="UA", place="Vilniansk",
                  place_id="9", precision="place", place_stated=True, lat=47.94, lon=35.43, **ward)  # fmt: skip
    second = facts(claim_id=2, doc_id="b", story="b", published="2022-11-23", country="UA", place_stated=False,
                   **ward)  # fmt: skip
    misplaced = facts(claim_id=3, doc_id="c", story="c", published="2022-11-24", country="RU", place_stated=False,
                      doc_names=frozenset({"Vilniansk"}), **ward)  # fmt: skip
    assignments, _ = resolve_block([], [first, second, misplaced], s, set())
    assert len({a.incident_id for a in assignments}) == 1


def test_two_named_perpetrators_count_against_one_incident_but_do_not_forbid_it() -> None:
    s = load_settings()
    bandits = facts(kind="incident", perpetrator_id="nigerian_bandits", perpetrator="bandits", count=400,
                    date_start="2020-12-11", date_end="2020-12-11", admin1="Katsina",
                    perpetrator_stated=True)  # fmt: skip
    claimed = facts(claim_id=2, doc_id="b", story="b", kind="incident", perpetrator_id="boko_haram",
                    perpetrator="Boko Haram", count=333, date_start="2020-12-11", date_end="2020-12-11",
                    admin1="Katsina", perpetrator_stated=True)  # fmt: skip
    result = compare(bandits, claimed, s)
    assert result.veto is None
    assert result.features["other_perpetrator_stated"] == s.weights["other_perpetrator_stated"]
    inferred = facts(claim_id=3, doc_id="c", story="c", kind="incident", perpetrator_id="boko_haram",
                     perpetrator="Boko Haram", count=333, date_start="2020-12-11", date_end="2020-12-11",
                     admin1="Katsina", perpetrator_stated=False)  # fmt: skip
    both_inferred = facts(kind="incident", perpetrator_id="nigerian_bandits", perpetrator="bandits", count=400,
                          date_start="2020-12-11", date_end="2020-12-11", admin1="Katsina",
                          perpetrator_stated=False)  # fmt: skip
    assert (
        compare(both_inferred, inferred, s).features["other_perpetrator_inferred"]
        == s.weights["other_perpetrator_inferred"]
    )
    assert compare(bandits, claimed, s).score < compare(both_inferred, inferred, s).score


def test_agreeing_on_a_large_figure_says_more_than_on_a_small_one() -> None:
    s = load_settings()
    large = compare(facts(kind="incident", count=400), facts(claim_id=2, doc_id="b", story="b", kind="incident",
                                                              count=337), s)  # fmt: skip
    small = compare(facts(kind="incident", count=4), facts(claim_id=2, doc_id="b", story="b", kind="incident",
                                                            count=3), s)  # fmt: skip
    assert large.features.get("close_count_large") == s.weights["close_count_large"]
    assert small.features.get("close_count") == s.weights["close_count"] < s.weights["close_count_large"]


def assert_each_claim_in_one_block(store: Store, blocks: list[db.Block]) -> None:
    for violation, country in {(c.claim.violation, c.claim.location.country) for c in store.iter_claims()}:
        holding = [
            b for b in blocks
            if b.violation == violation and (country in b.countries or (country is None and b.region is None))
        ]  # fmt: skip
        assert len(holding) == 1, (violation, country)


def test_claims_are_resolved_by_violation_and_continent(batch1: Store) -> None:
    blocks = db.blocks(batch1, unresolved_only=False)
    assert all(b.countries or b.region is None for b in blocks)
    # Every claim is in exactly one block; a continent's countries are resolved together.
    assert_each_claim_in_one_block(batch1, blocks)
    africa = [b for b in blocks if b.region == "AF"]
    assert africa and all(set(b.countries) <= {"NG", "SO", "SD", "CD", "UG", "ML", "KE", "ET", "MZ"} for b in africa)


def test_a_state_body_named_in_other_words_is_one_source() -> None:
    from childwatch.resolve.facts import source_key

    s = load_settings()
    army = source_key("the Nigerian army", None, "a", None, s, "NG")
    assert army == source_key("the west African nation's military", None, "b", None, s, "NG")
    assert army == source_key("Nigeria's armed forces", None, "c", None, s, None)
    assert army != source_key("the Nigerian police", None, "d", None, s, "NG")
    assert army != source_key("the Cameroonian army", None, "e", None, s, "NG")  # a neighbour's army
    assert source_key("UN officials", None, "f", None, s, "NG").startswith("name:")  # not a state's body
    assert source_key("the health ministry", None, "g", None, s, "PS") == source_key(
        "Gaza's Ministry of Health", None, "h", None, s, "PS"
    )


def test_an_aggregators_unattributed_report_names_no_source_and_corroborates_nothing() -> None:
    from childwatch.resolve.facts import source_key
    from childwatch.resolve.incident_view import incident_view

    s = load_settings()
    assert source_key(None, None, "a", "Google News", s, "NG") == "unattributed:a"
    assert source_key(None, None, "b", "The Guardian", s, "NG") == "outlet:the guardian"
    own = facts(claim_id=1, doc_id="a", story="a", source_key="outlet:the guardian", story_outlet="The Guardian")
    carried = facts(claim_id=2, doc_id="b", story="b", source_key="unattributed:b", story_outlet="Google News",
                    outlet="Google News")  # fmt: skip
    view = incident_view("inc-x", [own, carried])
    assert view.status == "reported"
    assert any(entry["name"] == "unattributed (carried by Google News)" and not entry["attributed"]
               for entry in view.sources)  # fmt: skip


def test_a_continent_too_large_is_resolved_country_by_country(batch1: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db, "MAX_BLOCK_CLAIMS", 1)
    blocks = db.blocks(batch1, unresolved_only=False)
    assert all(len(b.countries) <= 1 for b in blocks)
    assert any(b.region and ":" in b.region for b in blocks)
    assert_each_claim_in_one_block(batch1, blocks)
    resolve(batch1, full=True)  # and resolving by those blocks works
