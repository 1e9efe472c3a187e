"""Evidence bundles: the stored originals of chosen documents, byte for byte, in a zip
with a manifest of their hashes and capture records (the chain of custody).

    summary = write_bundle(store, Path("case-17.zip"), BundleSelection(incident_ids=["inc-17"]))

The zip holds::

    originals/<n>-<document id>.<ext>   each original exactly as captured
    manifest.json                       per document: file, hash and algorithm, size, URL and
                                        origin, capture record (fetch time, final URL, status,
                                        headers, redirects) where there is one, ingest time,
                                        pipeline run(s), extractor version, metadata
    manifest.json.sha256                the manifest's own hash (sha256sum format)
    SHA256SUMS                          every file's hash (check with `sha256sum -c SHA256SUMS`)

Originals are kept exact, children's names included: a bundle is for the people who
hold the evidence (CLI only, no web route), not for publication. Documents whose
stored bytes no longer match their hash are still bundled, flagged in the manifest,
and counted in the summary.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from childwatch.errors import ChildwatchError
from childwatch.store import Store
from childwatch.store.database import CLAIMS, DOCS, RUNS
from childwatch.store.models import aware, utcnow
from childwatch.store.verify import HASH_ALGORITHM, PROGRESS_EVERY_S
from childwatch.version import __version__

__all__ = ["BundleSelection", "BundleSummary", "write_bundle"]

FORMAT = "childwatch-evidence-bundle"
VERSION = 1
_IN = 500
_EXTENSIONS = {
    "text/html": "html",
    "application/xhtml+xml": "xhtml",
    "application/pdf": "pdf",
    "text/plain": "txt",
    "application/json": "json",
    "application/x-ndjson": "jsonl",
    "application/xml": "xml",
    "text/xml": "xml",
}
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class BundleSelection:
    """Which documents: those named, those with claims in the incidents named, those a
    run stored; all of them when nothing is given (the choices add up)."""

    doc_ids: Sequence[str] = ()
    incident_ids: Sequence[str] = ()
    run_ids: Sequence[int] = ()

    @property
    def everything(self) -> bool:
        return not (self.doc_ids or self.incident_ids or self.run_ids)

    def as_dict(self) -> dict[str, Any]:
        return {"doc_ids": list(self.doc_ids), "incident_ids": list(self.incident_ids), "run_ids": list(self.run_ids)}


@dataclass(slots=True)
class BundleSummary:
    path: Path
    documents: int = 0
    bytes: int = 0
    manifest_sha256: str = ""
    mismatched: list[str] = field(default_factory=list)  # ids whose bytes no longer give the stored hash

    def line(self) -> str:
        flagged = (
            f"; {len(self.mismatched)} FAIL their stored hash (flagged in the manifest)" if self.mismatched else ""
        )
        return (f"{self.documents} original(s), {self.bytes:,} bytes, written to {self.path} "
                f"(manifest {HASH_ALGORITHM} {self.manifest_sha256}){flagged}")  # fmt: skip


def write_bundle(
    store: Store, out: Path, selection: BundleSelection = BundleSelection(),
    *, progress: Callable[[str], None] | None = None,
) -> BundleSummary:  # fmt: skip
    """Write the selected documents' originals and manifest to the zip `out`, atomically
    (a temporary file beside it, renamed when complete). ChildwatchError when a named
    document, incident or run is not in the store, or nothing is selected."""
    target = out.expanduser()
    if not target.parent.is_dir():
        raise ChildwatchError(f"{out}: folder {target.parent} does not exist (create it first)")
    summary = BundleSummary(target)
    shown = time.monotonic()
    temp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
    try:
        with store.reading() as conn:
            ids = _selected_ids(conn, selection)
            runs = _runs(conn)
            entries: list[dict[str, Any]] = []
            sums: list[tuple[str, str]] = []
            with zipfile.ZipFile(temp, "x", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as bundle:
                for row in _documents(conn, ids):
                    entry = _entry(row, len(entries) + 1, runs)
                    raw = bytes(row.raw)
                    bundle.writestr(_member(entry["file"]), raw)
                    sums.append((entry["sha256"], entry["file"]))
                    entries.append(entry)
                    summary.documents += 1
                    summary.bytes += len(raw)
                    if not entry["hash_verified"]:
                        summary.mismatched.append(row.id)
                    if progress is not None and time.monotonic() - shown >= PROGRESS_EVERY_S:
                        shown = time.monotonic()
                        progress(f"bundle: {summary.documents:,} of {len(ids):,} documents")
                manifest = _manifest(store, selection, entries)
                summary.manifest_sha256 = hashlib.sha256(manifest).hexdigest()
                bundle.writestr(_member("manifest.json"), manifest)
                bundle.writestr(_member("manifest.json.sha256"), f"{summary.manifest_sha256}  manifest.json\n")
                sums.append((summary.manifest_sha256, "manifest.json"))
                bundle.writestr(_member("SHA256SUMS"), "".join(f"{h}  {name}\n" for h, name in sums))
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return summary


def _member(name: str) -> zipfile.ZipInfo:
    """A member with a fixed date, so that two bundles of the same documents are equal."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), _IN):
        yield items[i : i + _IN]


def _selected_ids(conn: Connection, selection: BundleSelection) -> list[str]:
    """The ids of the selected documents, in id order; refuses names that match nothing."""
    if selection.everything:
        ids = list(conn.execute(select(DOCS.c.id).order_by(DOCS.c.id)).scalars())
        if not ids:
            raise ChildwatchError("the store holds no documents: nothing to bundle")
        return ids
    found: set[str] = set()
    wanted = list(dict.fromkeys(selection.doc_ids))
    for chunk in _chunks(wanted):
        found.update(conn.execute(select(DOCS.c.id).where(DOCS.c.id.in_(chunk))).scalars())
    missing = [d for d in wanted if d not in found]
    if missing:
        raise ChildwatchError(f"no document {', '.join(map(repr, missing))} in the store; nothing was written")
    for incident in dict.fromkeys(selection.incident_ids):
        docs = set(conn.execute(select(CLAIMS.c.doc_id).where(CLAIMS.c.incident_id == incident)).scalars())
        if not docs:
            raise ChildwatchError(f"no incident {incident!r} with claims in the store; nothing was written")
        found |= docs
    runs = _runs(conn)
    for run_id in dict.fromkeys(selection.run_ids):
        window = runs.get(run_id)
        if window is None:
            raise ChildwatchError(f"no run {run_id} in the store; nothing was written")
        start, end = window
        stmt = select(DOCS.c.id).where(DOCS.c.captured_at >= start)
        if end is not None:
            stmt = stmt.where(DOCS.c.captured_at <= end)
        found.update(conn.execute(stmt).scalars())
    return sorted(found)


def _runs(conn: Connection) -> dict[int, tuple[datetime, datetime | None]]:
    """{run id: (started, finished)}: documents carry no run id, but every document a run
    stores is written between its start and its end."""
    stmt = select(RUNS.c.id, RUNS.c.started_at, RUNS.c.finished_at).order_by(RUNS.c.id)
    return {r.id: (aware(r.started_at), aware(r.finished_at)) for r in conn.execute(stmt)}


def _documents(conn: Connection, ids: list[str]) -> Iterator[Any]:
    # A few at a time: originals can be megabytes each (PDFs).
    for i in range(0, len(ids), 25):
        stmt = select(DOCS).where(DOCS.c.id.in_(ids[i : i + 25])).order_by(DOCS.c.id)
        yield from conn.execute(stmt).all()


def _entry(row: Any, n: int, runs: dict[int, tuple[datetime, datetime | None]]) -> dict[str, Any]:
    raw = bytes(row.raw)
    actual = hashlib.new(HASH_ALGORITHM, raw).hexdigest()
    metadata = dict(row.metadata or {})
    captured = aware(row.captured_at)
    extension = _EXTENSIONS.get(row.media_type, "bin")
    name = _UNSAFE_NAME.sub("_", row.id).strip("._")[:80] or "document"
    capture = metadata.get("capture") if isinstance(metadata.get("capture"), dict) else None
    return {
        "id": row.id,
        "file": f"originals/{n:05d}-{name}.{extension}",
        "algorithm": HASH_ALGORITHM,
        "sha256": actual,  # of the file in this bundle
        "stored_sha256": row.sha256,  # recorded at ingest
        "hash_verified": actual == row.sha256,
        "bytes": len(raw),
        "media_type": row.media_type,
        "url": row.url,
        "origin": row.origin,
        "title": row.title,
        "outlet": row.outlet,
        "published": row.published,
        "language": row.language,
        "ingested_at": captured.isoformat(),
        "run_ids": [i for i, (start, end) in runs.items() if start <= captured and (end is None or captured <= end)],
        "extractor_version": row.extractor_version,
        "capture": capture,  # a fetched page's HTTP record: final URL, status, headers, fetch time
        "metadata": metadata,
    }


def _manifest(store: Store, selection: BundleSelection, entries: list[dict[str, Any]]) -> bytes:
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "created_at": utcnow().isoformat(),
        "childwatch_version": __version__,
        "database": store.name,
        "selection": selection.as_dict(),
        "algorithm": HASH_ALGORITHM,
        "note": "originals are byte-exact copies of what was captured and may contain children's names: "
        "handle as restricted evidence",
        "documents": entries,
    }
    return (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode("utf-8")
