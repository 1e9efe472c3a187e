"""API list/filter latency over a million claims in PostgreSQL (run on demand).

    .venv/bin/python bench/pg_api_bench.py [--claims 1000000] [--pg URL | --keep DIR] [--repeat 20]
                                        [--without-indexes]

Fills a fresh PostgreSQL database (a private server started like the tests' one, with
PostgreSQL's default durability, unless --pg names an empty database) with synthetic
documents, claims and incidents (2.5 claims per incident, 2 per document, 7 violations,
40 countries skewed as real conflicts are, ten years of dates (a tenth undated, some only
to the month or the year, a tenth periods of one to twelve months), 200 perpetrators, a
quarter corroborated), then times `childwatch.read.queries.list_incidents` (what the REST
API's /api/incidents calls: the page and its total count) for each filter of QUERIES,
`--repeat` times each after one warm-up, and reports p50/p95 per query and over all.

`--keep DIR` keeps the private server's data folder in DIR (created if missing) and, when
DIR already holds a database filled by an earlier run with as many claims, times that one
instead of filling it again (the fill and its VACUUM ANALYZE take a few minutes); the
server is stopped at the end either way. Opening the store migrates it, so indexes added
since the earlier run are built on the kept data.

`--without-indexes` first drops the list indexes of migrations 0005 and 0007, to show
what they buy; they are put back at the end. Results go to bench/results/pg_api.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import pwd
import shutil
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the tests' private PostgreSQL server

from sqlalchemy import text  # noqa: E402

from childwatch.read.queries import IncidentFilters, list_incidents  # noqa: E402
from childwatch.store import Store, open_store  # noqa: E402
from pgtest import Databases, PostgresServer, _free_port, find_bindir  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "pg_api.json"
BENCH_DB = "childwatch_bench"  # the database a --keep folder holds
VIOLATIONS = ("recruitment_use", "killing_maiming", "sexual_violence", "attack_school_hospital", "abduction",
              "denial_humanitarian_access", "detention_torture")  # fmt: skip
COUNTRIES = ("SY", "AF", "YE", "SO", "CD", "IQ", "NG", "UA", "PS", "SS", "SD", "ML", "MM", "CF", "BF", "LY", "CO",
             "PH", "CM", "NE", "ET", "MZ", "HT", "LB", "IL", "PK", "TD", "IN", "TH", "KE", "UG", "BI", "VE", "MX",
             "LK", "NP", "DZ", "EG", "TR", "AZ")  # fmt: skip

# (name, filters, page, sort): what the list page and the API are asked most.
QUERIES: list[tuple[str, dict[str, str], int, str]] = [
    ("all, newest first", {}, 1, "date"),
    ("violation", {"violation": "abduction"}, 1, "date"),
    ("country (busy)", {"country": "SY"}, 1, "date"),
    ("country (rare)", {"country": "AZ"}, 1, "date"),
    ("violation + country", {"violation": "killing_maiming", "country": "YE"}, 1, "date"),
    ("status corroborated", {"status": "corroborated"}, 1, "date"),
    ("perpetrator id", {"perpetrator": "grp_17"}, 1, "date"),
    ("date range (a year)", {"date_from": "2019-01-01", "date_to": "2019-12-31"}, 1, "date"),
    ("violation + date range", {"violation": "recruitment_use", "date_from": "2021", "date_to": "2021"}, 1, "date"),
    ("all, most reported", {}, 1, "reports"),
    ("all, most children", {}, 1, "children"),
    ("violation, page 20", {"violation": "abduction"}, 20, "date"),
    # Harder date filters: few matches, open-ended ranges, wide ranges.
    ("violation + one day", {"violation": "abduction", "date_from": "2019-03-04", "date_to": "2019-03-04"}, 1, "date"),
    ("country (rare) + month", {"country": "AZ", "date_from": "2020-05", "date_to": "2020-05"}, 1, "date"),
    ("date from (recent)", {"date_from": "2024-06"}, 1, "date"),
    ("date to (old)", {"date_to": "2015-06"}, 1, "date"),
    ("date range (5 years)", {"date_from": "2016", "date_to": "2020"}, 1, "date"),
    ("perpetrator + year", {"perpetrator": "grp_17", "date_from": "2018", "date_to": "2018"}, 1, "date"),
]
# Full-text search scans evidence and report texts (LIKE, no index): timed, reported apart.
TEXT_QUERIES: list[tuple[str, dict[str, str], int, str]] = [
    ("full text q + country", {"q": "school", "country": "NG"}, 1, "date"),
]
LIST_INDEXES = ("ix_incidents_list_date", "ix_incidents_violation_list_date", "ix_incidents_country_list_date",
                "ix_incidents_n_documents", "ix_incidents_count_best", "ix_incidents_period_covering",
                "ix_incidents_straddling")  # fmt: skip


def populate(store: Store, claims: int) -> dict[str, int]:
    incidents = int(claims / 2.5)
    docs = claims // 2
    v = "ARRAY[" + ",".join(f"'{x}'" for x in VIOLATIONS) + "]"
    c = "ARRAY[" + ",".join(f"'{x}'" for x in COUNTRIES) + "]"
    # Deterministic "random" columns from the row number, so every run builds the same data.
    h = "((n::bigint * 2654435761) % 4294967296)"
    statements = [
        f"""INSERT INTO documents (id, sha256, origin, media_type, title, outlet, published, language, text, raw,
                metadata, captured_at)
            SELECT 'd' || n, md5(n::text) || md5((n + 1)::text), 'bench', 'application/json', 'Report ' || n,
                'outlet' || (n % 300), to_char(date '2015-01-01' + (n % 3650), 'YYYY-MM-DD'), 'en',
                'Synthetic report ' || n || ' on children in a school.', convert_to('x', 'UTF8'), '{{}}', now()
            FROM generate_series(0, {docs - 1}) n""",
        f"""INSERT INTO incidents (id, violation, kind, status, perpetrator, perpetrator_id, count_best,
                count_low, count_high, location_country, date_start, date_end, n_claims, n_documents,
                n_outlets, n_sources, outlets, sources, counts, first_published, last_published, updated_at)
            SELECT 'inc-' || n, ({v})[1 + n % 7], CASE WHEN period THEN 'aggregate' ELSE 'incident' END,
                CASE WHEN {h} % 4 = 0 THEN 'corroborated' ELSE 'reported' END,
                CASE WHEN {h} % 5 = 0 THEN NULL ELSE 'Group ' || ({h} % 200) END,
                CASE WHEN {h} % 5 = 0 THEN NULL ELSE 'grp_' || ({h} % 200) END,
                CASE WHEN {h} % 3 = 0 THEN NULL ELSE 1 + {h} % 400 END, NULL, NULL,
                ({c})[1 + floor(40 * power(({h} % 1000) / 1000.0, 2))::int],
                CASE WHEN {h} % 10 = 0 THEN NULL ELSE to_char(day, form) END,
                CASE WHEN {h} % 10 = 0 OR NOT period THEN NULL ELSE to_char(day + ({h} / 13 % 335 + 30)::int, form) END,
                2, 1 + {h} % 6, 1, 1 + {h} % 3, '[]', '[]', '[]',
                to_char(date '2015-01-01' + (n % 3650), 'YYYY-MM-DD'), NULL, now()
            FROM generate_series(0, {incidents - 1}) n,
                -- as extracted: a tenth of the dates only to the year, a sixth to the month;
                -- a tenth are periods (aggregates) of one to twelve months
                LATERAL (SELECT date '2015-01-01' + ({h} % 3650)::int AS day,
                                CASE WHEN {h} / 7 % 20 < 2 THEN 'YYYY' WHEN {h} / 7 % 20 < 5 THEN 'YYYY-MM'
                                     ELSE 'YYYY-MM-DD' END AS form,
                                {h} / 11 % 10 = 0 AS period) AS d""",
        f"""INSERT INTO claims (doc_id, ordinal, violation, kind, graphic, confidence, evidence_start,
                evidence_end, evidence_text, spans, incident_id, location_country, created_at)
            SELECT 'd' || (n % {docs}), n / {docs}, ({v})[1 + (n % {incidents}) % 7], 'incident', false, 0.8,
                0, 40, 'Synthetic evidence sentence about a school ' || n, '{{}}', 'inc-' || (n % {incidents}),
                NULL, now()
            FROM generate_series(0, {claims - 1}) n""",
    ]
    with store.engine.begin() as conn:
        for sql in statements:
            conn.execute(text(sql))
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    return {"documents": docs, "claims": claims, "incidents": incidents}


def time_queries(store: Store, queries: list[tuple[str, dict[str, str], int, str]], repeat: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    everything: list[float] = []
    for name, raw, page, sort in queries:
        filters = IncidentFilters.from_mapping(raw)
        list_incidents(store, filters, page, 50, sort=sort)  # warm-up (plans, cache)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            result = list_incidents(store, filters, page, 50, sort=sort)
            times.append(1000 * (time.perf_counter() - started))
        everything += times
        out[name] = {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(_p95(times), 1),
                     "total": result.total, "items": len(result.items)}  # fmt: skip
        print(f"  {name:<28} p50 {out[name]['p50_ms']:7.1f} ms  p95 {out[name]['p95_ms']:7.1f} ms  "
              f"({result.total:,} matching)", flush=True)  # fmt: skip
    out["_all"] = {"p50_ms": round(statistics.median(everything), 1), "p95_ms": round(_p95(everything), 1)}
    return out


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=1_000_000)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--pg", help="an empty PostgreSQL database URL (default: start a private server)")
    where.add_argument("--keep", type=Path, metavar="DIR", help="keep the private server's data in DIR and reuse it")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--without-indexes", action="store_true", help="also time without the list indexes")
    args = parser.parse_args()

    server: PostgresServer | None = None
    url = args.pg
    if url is None:
        bindir = find_bindir()
        if bindir is None:
            raise SystemExit("no PostgreSQL server binaries: apt-get install postgresql, or pass --pg URL")
        if args.keep is not None:
            server = KeptServer(bindir, args.keep.resolve())
            server.start(durable=True)
            url = server.database(BENCH_DB)
        else:
            server = PostgresServer(bindir)
            server.start(durable=True)
            url = Databases(server.url()).new()
    report: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "load_before": os.getloadavg(), "python": platform.python_version()},
    }
    try:
        with open_store(url) as store:
            with store.engine.connect() as conn:
                present = conn.execute(text("SELECT count(*) FROM claims")).scalar_one()
            if present == 0:
                started = time.perf_counter()
                report["rows"] = populate(store, args.claims)
                report["populate_s"] = round(time.perf_counter() - started, 1)
                print(f"populated {report['rows']} in {report['populate_s']} s", flush=True)
            elif present == args.claims and args.keep is not None:
                report["rows"] = _rows(store)
                print(f"reusing {report['rows']} kept in {args.keep}", flush=True)
            else:
                raise SystemExit(f"the database holds {present:,} claims already, not {args.claims:,}: "
                                 "give an empty database, or a new --keep folder")  # fmt: skip
            with store.engine.connect() as conn:
                report["server"] = conn.execute(text("SHOW server_version")).scalar()
            if args.without_indexes:
                definitions = _drop_list_indexes(store)
                print("without the list indexes:")
                report["without_indexes"] = time_queries(store, QUERIES, max(3, args.repeat // 4))
                _restore(store, definitions)
            print("with the list indexes:")
            report["queries"] = time_queries(store, QUERIES, args.repeat)
            report["text_queries"] = time_queries(store, TEXT_QUERIES, max(3, args.repeat // 4))
    finally:
        if server is not None:
            server.stop()
    report["machine"]["load_after"] = os.getloadavg()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"p50 {report['queries']['_all']['p50_ms']} ms, p95 {report['queries']['_all']['p95_ms']} ms "
          f"over every list query; written to {RESULTS}")  # fmt: skip


def _rows(store: Store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one())
                for t in ("documents", "claims", "incidents")}  # fmt: skip


class KeptServer(PostgresServer):
    """The private server of `--keep`: its data folder outlives the run, and a later run
    starts the same cluster again (on a new free port) instead of running initdb."""

    def __init__(self, bindir: Path, folder: Path) -> None:
        super().__init__(bindir)
        shutil.rmtree(self.folder, ignore_errors=True)  # the throw-away folder the tests' server uses
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.data = folder / "data"
        if self.user is not None:
            account = pwd.getpwnam(self.user)
            os.chown(folder, account.pw_uid, account.pw_gid)
        self.running = False

    def start(self, *, durable: bool = False) -> None:
        if not (self.data / "PG_VERSION").exists():
            super().start(durable=durable)
        else:
            for _attempt in range(5):  # a port found free can be taken before the server binds it
                self.port = _free_port()
                result = self._run(
                    str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "server.log"), "-w",
                    "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1", "start",
                )  # fmt: skip
                if result.returncode == 0:
                    break
            else:
                raise RuntimeError(f"pg_ctl start failed:\n{result.stdout}\n{result.stderr}")
        self.running = True

    def database(self, name: str) -> str:
        """The URL of database `name`, created if this cluster lacks it."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres",
                             autocommit=True) as conn:  # fmt: skip
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
                conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        # A clean shutdown (not the tests' immediate one), and the folder stays.
        if self.running:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop")
            self.running = False


def _drop_list_indexes(store: Store) -> list[str]:
    with store.engine.begin() as conn:
        rows = conn.execute(text("SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(:names)"),
                            {"names": list(LIST_INDEXES)}).all()  # fmt: skip
        for name, _ in rows:
            conn.execute(text(f'DROP INDEX "{name}"'))
    return [definition for _, definition in rows]


def _restore(store: Store, definitions: list[str]) -> None:
    with store.engine.begin() as conn:
        for definition in definitions:
            conn.execute(text(definition))
        conn.execute(text("ANALYZE incidents"))


if __name__ == "__main__":
    main()
