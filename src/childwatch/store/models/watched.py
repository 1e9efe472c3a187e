"""Tables of watched sources (`childwatch watch`): each feed or page and the items it listed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from childwatch.store.models.base import Base, _in_list
from childwatch.vocab import (
    ITEM_STATUSES,
    SOURCE_KINDS,
)


class SourceRow(Base):
    """A feed or page that `childwatch watch` polls, with its polling state and health.

    `etag` and `last_modified` are the validators of the last full response (for
    conditional GETs); `errors` counts failed polls, `consecutive_errors` the current run
    of them. A source dropped from the sources file stays, with `active` false."""

    __tablename__ = "sources"
    __table_args__ = (
        UniqueConstraint("url", name="uq_sources_url"),
        CheckConstraint(f"kind IS NULL OR {_in_list('kind', SOURCE_KINDS)}", name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    url: Mapped[str] = mapped_column(Text)
    kind: Mapped[str | None] = mapped_column(String)  # known after the first good poll
    title: Mapped[str | None] = mapped_column(Text)
    interval: Mapped[int] = mapped_column(Integer)  # seconds between polls
    active: Mapped[bool] = mapped_column(Boolean)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    last_poll_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    next_poll_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    polls: Mapped[int] = mapped_column(Integer)
    errors: Mapped[int] = mapped_column(Integer)
    consecutive_errors: Mapped[int] = mapped_column(Integer)


class SourceItemRow(Base):
    """One item a source listed (a feed entry, or one version of a watched page), and what
    became of it. An item is fetched until it is `ingested` (stored as `doc_id`), found a
    `duplicate` of a stored document (same bytes, or the same text under another URL), or
    `failed` too often; `pending` marks one whose document is being stored, so a watcher
    killed mid-poll knows on restart what it had started."""

    __tablename__ = "source_items"
    __table_args__ = (
        UniqueConstraint("source_id", "key", name="uq_source_items_source_id_key"),
        CheckConstraint(_in_list("status", ITEM_STATUSES), name="status"),
        Index("ix_source_items_sha256", "sha256"),
        Index("ix_source_items_text_sha256", "text_sha256"),
        Index("ix_source_items_doc_id", "doc_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[int] = mapped_column(Integer, ForeignKey("sources.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(Text)  # the entry's id (guid), else its link
    url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    published: Mapped[str | None] = mapped_column(String)
    status: Mapped[str] = mapped_column(String)
    doc_id: Mapped[str | None] = mapped_column(String)  # not a foreign key: set before the document is stored
    sha256: Mapped[str | None] = mapped_column(String(64))  # of the bytes fetched
    text_sha256: Mapped[str | None] = mapped_column(String(64))  # of the text, spacing and case ignored
    attempts: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
