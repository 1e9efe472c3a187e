"""The web layer's view models and security pieces, without a server: evidence
highlighting, charts, the offline map and its build, session cookies and CSRF."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from childwatch.serve import charts, geo, highlight, mapbuild
from childwatch.serve.security import LoginThrottle, SessionMiddleware, csrf_ok, csrf_token

# --- highlighting ---------------------------------------------------------------------------


def test_overlapping_spans_cut_the_text_and_keep_every_field() -> None:
    text = "Boko Haram abducted 27 girls in Konduga."
    spans = [
        {"field": "evidence", "start": 0, "end": len(text), "text": text},
        {"field": "perpetrator", "start": 0, "end": 10, "text": "Boko Haram"},
        {"field": "victims.count", "start": 20, "end": 22, "text": "27"},
        {"field": "location", "start": 32, "end": 39, "text": "Konduga"},
    ]
    segs = highlight.segments(text, spans)
    assert "".join(s.text for s in segs) == text  # nothing lost or doubled
    by_text = {s.text: s.styles for s in segs}
    assert by_text["Boko Haram"] == ("evidence", "perpetrator")
    assert by_text["27"] == ("evidence", "victims")
    assert by_text["Konduga"] == ("evidence", "location")
    assert [key for key, _ in highlight.legend(spans)] == ["evidence", "perpetrator", "victims", "location"]


def test_a_span_whose_offsets_drifted_is_found_by_its_text_or_dropped() -> None:
    text = "Child [name 1] was taken by M23 in Rutshuru."
    moved = {"field": "perpetrator", "start": 20, "end": 23, "text": "M23"}  # really at 28
    gone = {"field": "location", "start": 5, "end": 9, "text": "Goma"}
    segs = highlight.segments(text, [moved, gone])
    assert [s.text for s in segs if s.marked] == ["M23"]


def test_hostile_text_stays_text_in_segments() -> None:
    text = 'x <script>alert(1)</script> y'
    segs = highlight.segments(text, [{"field": "source", "start": 2, "end": 27, "text": text[2:27]}])
    assert "".join(s.text for s in segs) == text  # escaping is the template's job; no mangling here


# --- charts ---------------------------------------------------------------------------------


def test_months_between_fills_gaps_and_ignores_non_months() -> None:
    assert charts.months_between(["2021-11", "2022-02", "2015", "unknown"]) == [
        "2021-11", "2021-12", "2022-01", "2022-02",
    ]  # fmt: skip


def test_bar_chart_scales_to_a_round_top() -> None:
    chart = charts.bar_chart(["a", "b"], {"a": 3, "b": 7}, "incidents", "incidents")
    assert not chart.empty and len(chart.bars) == 2
    assert chart.y_ticks[-1].text == "10"
    tall, short = chart.bars[1], chart.bars[0]
    assert tall.height > short.height and "7 incidents" in tall.label
    assert charts.bar_chart([], {}, "reports", "reports").empty


# --- map --------------------------------------------------------------------------------------

SQUARE = {
    "type": "Topology",
    "transform": {"scale": [0.01, 0.01], "translate": [0, 0]},
    "arcs": [[[100, 100], [1000, 0], [0, 1000], [-1000, 0], [0, -1000]]],
    "objects": {
        "countries": {
            "type": "GeometryCollection",
            "geometries": [{"type": "Polygon", "arcs": [[0]], "id": "566", "properties": {"name": "Nigeria"}}],
        }
    },
}


def test_mapbuild_turns_topojson_into_compact_paths_keyed_by_iso_code(tmp_path: Path) -> None:
    built = mapbuild.build(SQUARE)
    ng = built["countries"]["NG"]
    assert ng["name"] == "Nigeria"
    assert ng["bbox"] == [1.0, 1.0, 11.0, 11.0]
    assert ng["d"].startswith("m100 -100l1000 0") and ng["d"].endswith("z")
    # and from an npm tarball, as `make setup` gives it
    tgz = tmp_path / "world-atlas.tgz"
    payload = json.dumps(SQUARE).encode()
    with tarfile.open(tgz, "w:gz") as tar:
        info = tarfile.TarInfo(mapbuild.MEMBER)
        info.size = len(payload)
        tar.addfile(info, io.BytesIO(payload))
    out = tmp_path / "countries.json"
    assert mapbuild.main([str(tgz), "--out", str(out)]) == 0
    assert "NG" in json.loads(out.read_text())["countries"]


def test_simplify_keeps_ends_and_drops_points_within_tolerance() -> None:
    line = [(0.0, 0.0), (1.0, 0.001), (2.0, 0.0), (3.0, 5.0)]
    assert mapbuild.simplify(line, 0.01) == [(0.0, 0.0), (2.0, 0.0), (3.0, 5.0)]


def test_map_shades_countries_and_places_points_in_the_view() -> None:
    outlines = {
        "NG": {"name": "Nigeria", "bbox": [2.7, 4.3, 14.6, 13.9], "d": "m0 0z"},
        "BR": {"name": "Brazil", "bbox": [-74.0, -33.7, -34.8, 5.3], "d": "m0 0z"},
    }
    view = geo.build_map({"NG": 4}, [{"incident_id": "inc-1", "lat": 11.8, "lon": 13.2, "count_best": 27}], outlines)
    assert view.available
    assert [s.code for s in view.shapes] == ["NG"]  # Brazil is outside the fitted view
    assert view.shapes[0].level == geo.LEVELS
    (point,) = view.points
    assert point.href == "/incidents/inc-1" and "27 children" in point.label
    assert geo.build_map({}, [], {}).available is False


def test_built_outlines_cover_the_countries_in_the_fixtures() -> None:
    outlines = geo.load_outlines()
    if outlines is None:
        pytest.fail("src/childwatch/serve/countries.json is missing: run `make setup` (builds the map outlines)")
    assert {"NG", "YE", "CD", "AF", "SO", "SY", "IQ", "UA"} <= set(outlines)


# --- sessions and CSRF ------------------------------------------------------------------------


def test_csrf_token_is_stable_per_session_and_compared_exactly() -> None:
    session: dict[str, object] = {}
    token = csrf_token(session)
    assert csrf_token(session) == token and len(token) >= 32
    assert csrf_ok(session, token)
    assert not csrf_ok(session, token[:-1] + "x")
    assert not csrf_ok(session, None)
    assert not csrf_ok({}, token)


def test_session_cookie_flags() -> None:
    middleware = SessionMiddleware(lambda *a: None, secret_key="k" * 32, secure=None)  # type: ignore[arg-type]
    plain = middleware._cookie({"uid": 1}, secure=False)
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Secure" not in plain
    assert "; Secure" in middleware._cookie({"uid": 1}, secure=True)
    assert "Max-Age=0" in middleware._cookie({}, secure=False)


def test_login_throttle_blocks_after_repeated_failures() -> None:
    throttle = LoginThrottle(limit=3, window=60)
    for _ in range(3):
        assert not throttle.blocked("1.2.3.4")
        throttle.failed("1.2.3.4")
    assert throttle.blocked("1.2.3.4") and not throttle.blocked("5.6.7.8")
    throttle.succeeded("1.2.3.4")
    assert not throttle.blocked("1.2.3.4")


def test_timeline_goes_yearly_over_four_years_and_keeps_year_only_dates() -> None:
    keys, (incidents, reports), unit = charts.timeline({"2015-01": 1, "2015-03": 2}, {"2015-02": 4})
    assert unit == "month" and keys == ["2015-01", "2015-02", "2015-03"] and incidents["2015-02"] == 0
    keys, (incidents, reports), unit = charts.timeline({"2014-08": 1, "2016": 2, "2024-02": 3}, {"2020-01": 5})
    assert unit == "year" and keys[0] == "2014" and keys[-1] == "2024"
    assert incidents["2016"] == 2 and reports["2020"] == 5 and sum(incidents.values()) == 6
    assert charts.timeline({"2016": 2})[2] == "year"
