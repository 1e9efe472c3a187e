"""Timed walkthrough (issue 17): reviewing 20 incidents of the demo database in the real
browser, counting clicks and keystrokes (run on demand, not by `make test`).

    .venv/bin/python bench/review_walkthrough.py [--out bench/results/review_walkthrough.json]

The demo is built as `make demo` builds it, without serving it from make: `childwatch run`
of the bundled samples into a temporary SQLite file, and the demo accounts with the demo
password. `childwatch serve` then serves it on a free local port, and Debian's chromium
(driven by Playwright, never downloaded) walks the review as the demo analyst:

- 10 incidents confirmed at once from the incident list (tick, one reason, Enter);
- the 10 others opened from My queue (a lead assigned them to the analyst beforehand,
  through the API, not counted): 3 places corrected by name with the place picker, 2
  perpetrators corrected in the correction form, 2 incidents merged (the other one found
  with the incident picker by typing its perpetrator), 2 set aside, and 1 claim of a
  two-claim incident set aside.

Which incidents get which task is worked out from the data (an incident with no place
gets a place of its country; a perpetrator named in no other incident of its country is
corrected to that country's most named one; a merge joins two incidents alike in
violation, country and perpetrator), so the walk survives changes in the extractor. The
rules pick work for the forms, not findings: a correction here says nothing of the report.

Counting: every action goes through `Walker`, which counts one click per click and one
key per key press; typing a text is one key per character. Reasons and perpetrators are
typed in full, although their boxes offer choices (a browser's list, which headless
chromium does not open from the keyboard), so the counts are an upper bound; the reasons
are counted apart too, since they are the same words before and after.
Logging in is not counted. Wall time is the machine's: the browser types without delay
and nobody reads, so it measures what the app costs, not how long an analyst thinks.

"Before" is not measured (the old forms are gone) but counted from the old flow as the
templates of commit 7664d3d^ (before issue 17) had it, for the same incidents, values and
reasons (see `before`): one incident at a time, each opened from the list; a field
corrected by choosing its internal name in a list and typing the value, one field per
submission, the correction form closed again after each; a place put on the map by
correcting its name, province, latitude, longitude and precision (looking the
coordinates up elsewhere is not counted); a merge by copying the other incident's id from
its page (a triple click and Ctrl+C) and pasting it. Results: bench/results/review_walkthrough.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Locator, Page, sync_playwright

HERE = Path(__file__).resolve().parent
SAMPLES = HERE.parent / "src" / "childwatch" / "samples"
RESULTS = HERE / "results"
CHROMIUM = Path(os.environ.get("CHILDWATCH_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]  # fmt: skip
# The Makefile's demo accounts and password (DEMO_USERS, DEMO_PASSWORD).
ANALYST, LEAD, PASSWORD = "demo-analyst", "demo-admin", "childwatch-demo"
# The same words before and after: the reasons the review lists offer.
REASONS = {
    "confirm": "Two independent sources agree",
    "place": "The report names another place",
    "perpetrator": "The report names another perpetrator",
    "merge": "Same event, reported twice",
    "reject": "Not about children",
    "claim": "Not about children",
}
# A place of each country to put an incident with no place at (the gazetteer's name).
PLACES = {"MM": "Myinmu", "YE": "Sanaa", "SD": "El Fasher", "SO": "Kismayo", "NG": "Maiduguri", "CO": "Cali",
          "SY": "Idlib", "UA": "Kharkiv", "AF": "Kunduz", "MZ": "Pemba", "TD": "Bol", "IL": "Sderot"}  # fmt: skip
TASKS = ("confirm 10 at once", "correct a place", "correct a perpetrator", "merge two", "set aside",
         "set a claim aside")  # fmt: skip


# --- the demo, served ----------------------------------------------------------------------------


def childwatch(*args: str | Path, stdin: str | None = None) -> str:
    done = subprocess.run([sys.executable, "-m", "childwatch.cli", *map(str, args)], input=stdin,
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"childwatch {args[0]} failed: {done.stderr.strip()}")
    return done.stdout


def build_demo(db: Path) -> None:
    """As `make demo`: the samples run into `db`, and the demo accounts."""
    childwatch("run", SAMPLES, "--db", db)
    for name, role in ((LEAD, "admin"), (ANALYST, "analyst"), ("demo-viewer", "viewer")):
        childwatch("users", "add", name, "--role", role, "--password-stdin", "--db", db, stdin=PASSWORD + "\n")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(db: Path) -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable,
        "-m",
        "childwatch.cli",
        "serve",
        "--db",
        str(db),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/login", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None:
                raise SystemExit(f"childwatch serve stopped: {server.stderr.read().decode() if server.stderr else ''}")
            time.sleep(0.1)
        else:
            raise SystemExit("childwatch serve did not answer within 30 s")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


# --- which incident gets which task ------------------------------------------------------------


@dataclass
class Plan:
    bulk: list[str] = field(default_factory=list)
    places: list[tuple[str, int, dict[str, Any]]] = field(default_factory=list)  # incident, claim, place
    perpetrators: list[tuple[str, int, str]] = field(default_factory=list)  # incident, claim, new name
    merge: tuple[str, str, str] = ("", "", "")  # kept, merged in, what to type to find it
    rejects: list[str] = field(default_factory=list)
    claim: tuple[str, int, int] = ("", 0, 0)  # incident, the claim set aside, its position

    def queue(self) -> list[str]:
        """The incidents a lead assigns to the analyst, in the order they are reviewed."""
        return [*(p[0] for p in self.places), *(p[0] for p in self.perpetrators), self.merge[0],
                self.merge[1], *self.rejects, self.claim[0]]  # fmt: skip

    def count(self) -> int:
        return len(self.bulk) + len(self.queue())


def api_session(url: str, name: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=url, timeout=30)
    r = client.post("/api/session", json={"name": name, "password": PASSWORD})
    r.raise_for_status()
    return client, str(r.json()["csrf_token"])


def make_plan(client: httpx.Client) -> Plan:
    first_page = client.get("/api/incidents", params={"page": 1, "per_page": 50}).json()["items"]
    every = client.get("/api/incidents", params={"per_page": 500}).json()["items"]
    plan, used = Plan(), set()

    def claims(incident_id: str) -> list[int]:
        return [int(c["id"]) for c in client.get(f"/api/incidents/{incident_id}").json()["claims"]]

    two = next(i for i in every if i["n_claims"] >= 2 and i["status"] != "verified")
    plan.claim = (two["id"], claims(two["id"])[1], 1)
    used.add(two["id"])
    alike = Counter((i["violation"], i["location_country"], i["perpetrator"]) for i in every if i["id"] not in used)
    key = next(k for k, n in sorted(alike.items(), key=lambda kv: str(kv[0])) if n >= 2 and k[2])
    keep, other = [i["id"] for i in every if (i["violation"], i["location_country"], i["perpetrator"]) == key][:2]
    plan.merge = (keep, other, key[2])
    used |= {keep, other}
    for i in every:
        country = i["location_country"]
        if len(plan.places) == 3 or i["id"] in used or i["location_name"] or country not in PLACES:
            continue
        if country in {p[2]["country"] for p in plan.places}:
            continue  # three countries, three different places
        found = client.get("/api/places", params={"q": PLACES[country], "country": country}).json()["places"]
        same = [p for p in found if p["name"] == PLACES[country] and p["country"] == country]
        place = min(same, key=lambda p: p["kind"] != "place", default=None)  # the town, not its province
        if place is not None:
            plan.places.append((i["id"], claims(i["id"])[0], place))
            used.add(i["id"])
    by_country: dict[str, Counter[str]] = {}
    for i in every:
        if i["perpetrator"]:
            by_country.setdefault(i["location_country"], Counter())[i["perpetrator"]] += 1
    for i in every:
        named = by_country.get(i["location_country"], Counter())
        if len(plan.perpetrators) == 2 or i["id"] in used or not i["perpetrator"] or named[i["perpetrator"]] > 1:
            continue
        most = named.most_common(1)[0][0]
        if most != i["perpetrator"]:
            plan.perpetrators.append((i["id"], claims(i["id"])[0], most))
            used.add(i["id"])
    plan.rejects = [i["id"] for i in every if i["id"] not in used and i["kind"] == "pattern"][:2]
    used |= set(plan.rejects)
    plan.bulk = [i["id"] for i in first_page if i["id"] not in used][:10]
    if plan.count() != 20 or len(plan.places) != 3 or len(plan.perpetrators) != 2 or len(plan.rejects) != 2:
        raise SystemExit(f"the demo data did not give 20 incidents to review: {plan}")
    return plan


# --- the walk, counted ----------------------------------------------------------------------------


@dataclass
class Tally:
    incidents: int = 0
    clicks: int = 0
    keys: int = 0
    reason_keys: int = 0  # of `keys`: the reasons typed, the same words before and after
    seconds: float = 0.0


class Walker:
    """The analyst's hands: every click and key press goes through here and is counted
    against the task under way."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.tallies: dict[str, Tally] = {t: Tally() for t in TASKS}
        self.now = Tally()

    @contextmanager
    def task(self, name: str, incidents: int) -> Iterator[None]:
        self.now = self.tallies[name]
        self.now.incidents += incidents
        started = time.perf_counter()
        try:
            yield
        finally:
            self.now.seconds += time.perf_counter() - started

    def click(self, target: str | Locator) -> None:
        (self.page.locator(target) if isinstance(target, str) else target).first.click()
        self.now.clicks += 1

    def type(self, text: str, *, reason: bool = False) -> None:
        self.page.keyboard.type(text)
        self.now.keys += len(text)
        if reason:
            self.now.reason_keys += len(text)

    def press(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            self.page.keyboard.press(key)
        self.now.keys += times

    @contextmanager
    def sending(self, expected: str) -> Iterator[None]:
        """The actions in the block send a form: wait for the page it leads to, which must
        say it was done (`expected` in its message)."""
        with self.page.expect_navigation():
            yield
        self.page.wait_for_load_state()
        said = self.page.locator(".flash-ok")
        if said.count() == 0 or expected not in said.inner_text():
            error = self.page.locator(".flash-error")
            shown = error.inner_text() if error.count() else f"nothing ({self.page.url})"
            raise SystemExit(f"expected {expected!r}; the page says {shown}")

    def open_from_queue(self, incident_id: str) -> None:
        self.click("nav >> text=My queue")
        self.page.wait_for_url("**/queue")
        self.click(f"table.queue a[href='/incidents/{incident_id}']")
        self.page.wait_for_url(f"**/incidents/{incident_id}")

    def pick(self, box: str, text: str, wanted: str) -> None:
        """Type into a picker letter by letter until `wanted` is offered, arrow down to it
        and choose it with Enter."""
        options = self.page.locator(f"#{box}-list li[role=option]")
        for n, letter in enumerate(text, 1):
            self.type(letter)
            if n < 3:
                continue
            self.page.wait_for_timeout(400)  # the picker waits 120 ms after typing, then asks
            texts = [t.replace("\u2068", "").replace("\u2069", "") for t in options.all_inner_texts()]
            found = [i for i, t in enumerate(texts) if t.startswith(wanted)]
            if found:
                self.press("ArrowDown", found[0])  # the first option is highlighted already
                self.press("Enter")
                return
        raise SystemExit(f"the picker {box} never offered {wanted!r} for {text!r}")


def walk(w: Walker, plan: Plan) -> None:
    page = w.page
    with w.task("confirm 10 at once", len(plan.bulk)):
        w.click("nav >> text=Incidents")
        page.wait_for_url("**/incidents")
        for incident_id in plan.bulk:
            w.click(f"input.pick-incident[value='{incident_id}']")
        w.click("#bulk-reason")
        w.type(REASONS["confirm"], reason=True)
        with w.sending(f"{len(plan.bulk)} incidents confirmed"):
            w.press("Enter")
    for incident_id, claim, place in plan.places:
        with w.task("correct a place", 1):
            w.open_from_queue(incident_id)
            w.click("details.claim-review > summary")
            w.click(f"#place-{claim}")
            w.press("Control+A")
            w.pick(f"place-{claim}", PLACES[place["country"]], place["label"])
            w.click(f"#qreason-{claim}")
            w.type(REASONS["place"], reason=True)
            with w.sending("location corrected"):
                w.press("Enter")
    for incident_id, claim, name in plan.perpetrators:
        with w.task("correct a perpetrator", 1):
            w.open_from_queue(incident_id)
            w.click("details.claim-review > summary")
            w.click(f"#perpetrator-{claim}")
            w.press("Control+A")
            w.type(name)
            w.click(f"#qreason-{claim}")
            w.type(REASONS["perpetrator"], reason=True)
            with w.sending("perpetrator corrected"):
                w.press("Enter")
    keep, other, perpetrator = plan.merge
    with w.task("merge two", 2):
        w.open_from_queue(keep)
        w.click("#merge-other")
        w.pick("merge-other", perpetrator, other)
        w.click("#merge-reason")
        w.type(REASONS["merge"], reason=True)
        with w.sending(f"Incident {other} merged into this one."):
            w.press("Enter")
    for incident_id in plan.rejects:
        with w.task("set aside", 1):
            w.open_from_queue(incident_id)
            w.click("#status-reason")
            w.type(REASONS["reject"], reason=True)
            with w.sending(""):
                w.click("#status-form button[value=reject]")
    incident_id, claim, position = plan.claim
    with w.task("set a claim aside", 1):
        w.open_from_queue(incident_id)
        w.click(page.locator("details.claim-review > summary").nth(position))
        w.click(f"#creason-{claim}")
        w.type(REASONS["claim"], reason=True)
        with w.sending(""):
            w.click(f"form[action='/claims/{claim}/status'] button[value=reject]")


# --- before: the old flow, counted from its templates ----------------------------------------------


def before(plan: Plan) -> dict[str, dict[str, int]]:
    """Clicks and keys of the same tasks the old way (7664d3d^'s templates; module doc)."""
    out = {t: {"incidents": 0, "clicks": 0, "keys": 0, "reason_keys": 0} for t in TASKS}

    def add(task: str, clicks: int, keys: int, incidents: int = 0, reason: str = "") -> None:
        out[task]["clicks"] += clicks
        out[task]["keys"] += keys + len(reason)
        out[task]["reason_keys"] += len(reason)
        out[task]["incidents"] += incidents

    def open_incident(task: str) -> None:
        add(task, 2, 0)  # the Incidents link, then the incident's (no queue then)

    def correct(task: str, value: str, reason: str) -> None:
        # Open "Review this claim" (closed again after each submission), the field list and
        # its internal name, the value box, the reason box, then "Correct".
        add(task, 1 + 2 + 1 + 1 + 1, len(value), reason=reason)

    for _ in plan.bulk:  # one at a time: open, reason, "Confirm (verified)"
        open_incident("confirm 10 at once")
        add("confirm 10 at once", 2, 0, 1, REASONS["confirm"])
    for _, _, place in plan.places:
        open_incident("correct a place")
        values = (place["name"], place["admin1"] or "", f"{place['lat']:.4f}", f"{place['lon']:.4f}", "place")
        for value in values:
            correct("correct a place", value, REASONS["place"])
        add("correct a place", 0, 0, 1)
    for _, _, name in plan.perpetrators:
        open_incident("correct a perpetrator")
        correct("correct a perpetrator", name, REASONS["perpetrator"])
        add("correct a perpetrator", 0, 0, 1)
    # The other's id copied from its page (triple click, Ctrl+C), the kept one opened, its
    # id pasted (Ctrl+V), the reason, "Merge".
    open_incident("merge two")
    add("merge two", 3, 1)
    open_incident("merge two")
    add("merge two", 1 + 1 + 1, 1, 2, REASONS["merge"])
    for _ in plan.rejects:
        open_incident("set aside")
        add("set aside", 2, 0, 1, REASONS["reject"])
    open_incident("set a claim aside")
    add("set a claim aside", 1 + 1 + 1, 0, 1, REASONS["claim"])  # open the claim's review, reason, button
    return out


# --- the run ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=RESULTS / "review_walkthrough.json")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        raise SystemExit(f"no chromium at {CHROMIUM}: apt-get install chromium (or set CHILDWATCH_CHROMIUM)")
    with tempfile.TemporaryDirectory(prefix="walkthrough-") as folder:
        db = Path(folder) / "demo.sqlite"
        build_demo(db)
        with served(db) as url:
            lead, token = api_session(url, LEAD)
            plan = make_plan(lead)
            for incident_id in plan.queue():
                r = lead.post(f"/api/incidents/{incident_id}/assign", json={"assignee": ANALYST, "note": "to review"},
                              headers={"X-CSRF-Token": token})  # fmt: skip
                r.raise_for_status()
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.set_default_timeout(20_000)
                page.goto(f"{url}/login")
                page.fill("#name", ANALYST)
                page.fill("#password", PASSWORD)
                page.click("form[action='/login'] button[type=submit]")
                page.wait_for_url(f"{url}/")
                walker = Walker(page)
                started = time.perf_counter()
                walk(walker, plan)
                wall = time.perf_counter() - started
                browser.close()
            old = before(plan)
            statuses = {i: lead.get(f"/api/incidents/{i}").json()["incident"]["status"] for i in plan.bulk}
    if set(statuses.values()) != {"verified"}:
        raise SystemExit(f"the bulk confirmation did not hold: {statuses}")
    after = {t: {**asdict(v), "seconds": round(v.seconds, 2)} for t, v in walker.tallies.items()}
    total_after = {k: sum(v[k] for v in after.values()) for k in ("incidents", "clicks", "keys", "reason_keys")}
    total_before = {k: sum(v[k] for v in old.values()) for k in ("incidents", "clicks", "keys", "reason_keys")}
    result = {
        "when": datetime.now(UTC).isoformat(),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "load": os.getloadavg()},
        "plan": asdict(plan),
        "reasons": REASONS,
        "after": after,
        "after_total": {
            **total_after,
            "actions": total_after["clicks"] + total_after["keys"],
            "wall_seconds": round(wall, 2),
        },
        "before": old,
        "before_total": {**total_before, "actions": total_before["clicks"] + total_before["keys"]},
        "before_how": "counted from the old flow (templates of 7664d3d^), not measured: see the module doc",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{'task':24} {'incidents':>9} {'clicks':>13} {'keys':>13} {'seconds':>8}")
    print(f"{'':24} {'':>9} {'before after':>13} {'before after':>13} {'after':>8}")
    for t in TASKS:
        a, b = after[t], old[t]
        print(f"{t:24} {a['incidents']:>9} {b['clicks']:>6} {a['clicks']:>6} {b['keys']:>6} {a['keys']:>6} "
              f"{a['seconds']:>8.1f}")  # fmt: skip
    a, b = total_after, total_before
    print(f"{'all 20 incidents':24} {a['incidents']:>9} {b['clicks']:>6} {a['clicks']:>6} {b['keys']:>6} "
          f"{a['keys']:>6} {wall:>8.1f}")  # fmt: skip
    print(f"clicks + keys: {b['clicks'] + b['keys']} before -> {a['clicks'] + a['keys']} after")
    without = (b["clicks"] + b["keys"] - b["reason_keys"], a["clicks"] + a["keys"] - a["reason_keys"])
    print(f"without typing the reasons (the same words in both): {without[0]} before -> {without[1]} after")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
