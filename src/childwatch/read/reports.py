"""Stored reports listed by language, as the API shows them (GET /api/documents).

    from childwatch.read.reports import list_reports

    page = list_reports(store, viewer=user, language="fr")
    page["items"][0]          # {"id", "title", "outlet", "published", "language", "extracted"}
    page["languages"]         # {"en": 412, "fr": 3}: every stored report, by language

Reports not in English are stored and not extracted (`workers.extract_one`); this is
where people find them. Titles and ids are pseudonymised with the report's stored
children's names (`protect.shown_reports`), as everywhere a non-admin looks.
"""

from __future__ import annotations

import re
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, func, or_, select

from childwatch.errors import InputError
from childwatch.extract import reads_language
from childwatch.ingest.language import ENGLISH, primary
from childwatch.read.shown import shown_reports
from childwatch.review.users import User, require
from childwatch.store import Store
from childwatch.store.models import DocumentRow

__all__ = ["MAX_LIMIT", "list_reports"]

DOCS = cast(Table, DocumentRow.__table__)
MAX_LIMIT = 500
_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")


def list_reports(
    store: Store, *, viewer: User, language: str | None = None, limit: int = 100, offset: int = 0
) -> dict[str, Any]:
    """Stored reports, newest published first, optionally only those in `language` (an
    ISO 639 code; "fr" also finds "fr-FR"; "en" also finds reports stored with no
    language, which were read as English). Returns {items, total, languages, limit,
    offset, language}."""
    require(viewer, "read")
    if not 1 <= limit <= MAX_LIMIT:
        raise InputError("limit", f"{limit!r} reports", f"give 1 to {MAX_LIMIT}")
    if offset < 0:
        raise InputError("offset", f"{offset!r} is not an offset", "give 0 or more")
    code = None
    if language is not None and language.strip():
        if not _TAG.fullmatch(language.strip()):
            raise InputError("language", f"{language!r} is not a language code", "give one such as fr, es or ar")
        code = primary(language)
    d = DOCS.c
    where = _in_language(code) if code else None
    with store.reading() as conn:
        total_stmt = select(func.count()).select_from(DOCS)
        page_stmt = select(d.id, d.title, d.outlet, d.published, d.language)
        if where is not None:
            total_stmt, page_stmt = total_stmt.where(where), page_stmt.where(where)
        total = int(conn.execute(total_stmt).scalar_one())
        order = (d.published.desc().nulls_last(), d.id)
        rows = conn.execute(page_stmt.order_by(*order).limit(limit).offset(offset)).all()
        by_language: dict[str, int] = {}
        for stored, n in conn.execute(select(d.language, func.count()).group_by(d.language)):
            key = primary(stored) or ENGLISH
            by_language[key] = by_language.get(key, 0) + int(n)
    shown = shown_reports(store, [r.id for r in rows])
    items = [
        {
            "id": shown[r.id].id if r.id in shown else r.id,
            "title": shown[r.id].title if r.id in shown else r.title,
            "outlet": r.outlet,
            "published": r.published,
            "language": r.language,
            "extracted": reads_language(r.language),
        }
        for r in rows
    ]
    languages = dict(sorted(by_language.items(), key=lambda kv: (-kv[1], kv[0])))
    return {"items": items, "total": total, "languages": languages, "language": code, "limit": limit,
            "offset": offset}  # fmt: skip


def _in_language(code: str) -> ColumnElement[bool]:
    d = DOCS.c
    same = or_(d.language == code, d.language.like(f"{code}-%"), d.language.like(f"{code}\\_%", escape="\\"))
    return or_(same, d.language.is_(None)) if code == ENGLISH else same
