"""Atom feeds of updates: per consultation and site-wide, public content only.

Feeds are read by programs that keep no session, and a copy may be shared: they carry
what every visitor reads, whoever asks (``visible_updates_clause`` with no viewer), and
no account or database id (entries are named by the updates' opaque references).
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from feedgen.feed import FeedGenerator
from sqlalchemy.orm import joinedload

from consult.extensions import db
from consult.policy.tracking import visible_updates_clause
from consult.text import stored_html
from consult.tracking.models import Update

FEED_SIZE = 50
ATOM_TYPE = "application/atom+xml"
# Characters XML 1.0 cannot carry at all (lxml refuses them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_QUIET_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # "updated" of a feed with no entry yet


def public_updates(consultation=None, limit: int = FEED_SIZE) -> list[Update]:
    """The newest updates every visitor may read, of one consultation or of all."""
    query = (
        sa.select(Update)
        .where(visible_updates_clause(None))
        .options(joinedload(Update.consultation))
        .order_by(Update.posted_at.desc(), Update.id.desc())
        .limit(limit)
    )
    if consultation is not None:
        query = query.where(Update.consultation_id == consultation.id)
    return list(db.session.scalars(query).all())


@dataclass(frozen=True)
class FeedEntry:
    url: str  # the update on its consultation's updates page; also its Atom id
    title: str
    html: str  # produced by the one sanitiser
    posted_at: datetime
    category: str  # the kind of update
    author: str  # who speaks: the consultation's coordinators, never a person's account


def _text(value) -> str:
    return _NOT_XML.sub("", str(value))


def atom_feed(
    *, title: str, subtitle: str, feed_url: str, page_url: str, entries: list[FeedEntry]
) -> bytes:
    """An Atom 1.0 document (RFC 4287), newest entry first."""
    feed = FeedGenerator()
    feed.id(feed_url)
    feed.title(_text(title))
    feed.subtitle(_text(subtitle))
    feed.link(href=page_url, rel="alternate", type="text/html")
    feed.link(href=feed_url, rel="self", type=ATOM_TYPE)
    feed.author({"name": "Consult"})
    feed.generator("Consult")
    feed.updated(max((e.posted_at for e in entries), default=_QUIET_EPOCH))
    for item in entries:
        entry = feed.add_entry(order="append")
        entry.id(item.url)
        entry.title(_text(item.title))
        entry.link(href=item.url, rel="alternate", type="text/html")
        entry.published(item.posted_at)
        entry.updated(item.posted_at)  # updates are never edited
        entry.author({"name": _text(item.author)})
        entry.category(term=_text(item.category))
        entry.content(_text(stored_html(item.html)), type="html")
    return feed.atom_str(pretty=True)
