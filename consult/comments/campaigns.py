"""Campaign detection: the same or nearly the same text from five or more organisations.

Texts are normalised (case, punctuation, spacing). Identical normalised texts match at
any length; texts of at least 20 words also match when their word 5-shingles have a
Jaccard similarity of at least 0.9. Each public or anonymous comment joins the group
whose representative it matches, or starts one. Candidates come from MinHash
locality-sensitive hashing: the representative's signature is cut into bands stored in
``campaign_bands``, and only groups sharing a band with the new text are compared, so
detection never compares all pairs. Restricted and confidential texts never join a
group; when they match a campaign they are flagged to coordinators only.
"""

import hashlib
import re
import unicodedata
from datetime import datetime

import sqlalchemy as sa

from consult.comments import events, minhash
from consult.comments.models import (
    OPEN_TO_ALL,
    Campaign,
    CampaignBand,
    Comment,
    LateStatus,
)
from consult.db import utcnow
from consult.extensions import db

CAMPAIGN_ORGANISATIONS = 5
NEAR_DUPLICATE_MIN_WORDS = 20
SHINGLE_WORDS = 5
JACCARD_THRESHOLD = 0.9
PERMUTATIONS = 128
BANDS, ROWS = 16, 8  # 16 × 8 = 128; a pair at Jaccard 0.9 shares a band with p > 0.9999
_SEED = 20261122

_WORD = re.compile(r"\w+")


def normalise(text: str) -> list[str]:
    """The words of ``text``, case-folded, without punctuation or Markdown marks."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def text_hash(words: list[str]) -> str:
    return hashlib.sha256(" ".join(words).encode()).hexdigest()


def shingles(words: list[str]) -> set[str]:
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words)}
    return {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def bands(words: list[str]) -> list[str]:
    """The LSH band keys of a text's MinHash signature."""
    members = (s.encode() for s in shingles(words))
    signature = minhash.signature(members, permutations=PERMUTATIONS, seed=_SEED)
    return minhash.band_keys(signature, bands=BANDS, rows=ROWS)


def _comparable_text(comment: Comment) -> str:
    """The words a campaign repeats: the body, and an amendment's proposed text."""
    return f"{comment.body}\n{comment.proposed_text or ''}"


def _can_join(comment: Comment) -> bool:
    return (
        comment.visibility in OPEN_TO_ALL
        and not comment.is_withdrawn
        and not comment.is_hidden
        and comment.late_status in (None, LateStatus.ACCEPTED)
    )


def _matches(words: list[str], digest: str, representative: Comment) -> bool:
    other = normalise(_comparable_text(representative))
    if text_hash(other) == digest:
        return True
    if len(words) < NEAR_DUPLICATE_MIN_WORDS or len(other) < NEAR_DUPLICATE_MIN_WORDS:
        return False
    return jaccard(shingles(words), shingles(other)) >= JACCARD_THRESHOLD


def find_group(comment: Comment, words: list[str], digest: str) -> Campaign | None:
    """The group whose representative this text matches, among LSH candidates only."""
    candidates: sa.Select[tuple[int]] | sa.CompoundSelect[tuple[int]]  # a union when banded
    candidates = sa.select(Campaign.id).where(
        Campaign.consultation_id == comment.consultation_id, Campaign.text_hash == digest
    )

    if len(words) >= NEAR_DUPLICATE_MIN_WORDS:
        banded = sa.select(CampaignBand.campaign_id).where(CampaignBand.band.in_(bands(words)))
        candidates = candidates.union(
            sa.select(Campaign.id).where(
                Campaign.consultation_id == comment.consultation_id, Campaign.id.in_(banded)
            )
        )
    groups = db.session.scalars(
        sa.select(Campaign).where(Campaign.id.in_(candidates)).order_by(Campaign.created_at)
    ).all()
    return next((g for g in groups if _matches(words, digest, g.representative)), None)


def match_comment(comment: Comment, *, now: datetime | None = None) -> Campaign | None:
    """Put a comment into its group (or flag a non-public near-duplicate)."""
    now = now or utcnow()
    words = normalise(_comparable_text(comment))
    if not words:
        return None
    digest = text_hash(words)
    group = find_group(comment, words, digest)
    if not _can_join(comment):
        if comment.visibility not in OPEN_TO_ALL and group is not None and group.formed_at:
            comment.near_duplicate_of = group
        return None
    if comment.campaign_id is not None:
        return comment.campaign
    if group is None:
        group = Campaign(
            consultation_id=comment.consultation_id,
            representative=comment,
            text_hash=digest,
            created_at=now,
        )
        db.session.add(group)
        db.session.flush()
        if len(words) >= NEAR_DUPLICATE_MIN_WORDS:
            db.session.add_all(CampaignBand(campaign_id=group.id, band=b) for b in bands(words))
    comment.campaign = group
    db.session.flush()
    recount(group, now=now)
    return group


def recount(group: Campaign, *, now: datetime | None = None):
    """Count the distinct organisations still published in the group; form the campaign
    at five. A formed campaign is never dropped, whatever happens to its members."""
    group.organisation_count = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Comment.organisation_id))).where(
            Comment.campaign_id == group.id,
            Comment.withdrawn_at.is_(None),
            Comment.hidden_at.is_(None),
        )
    )
    if group.formed_at is None and group.organisation_count >= CAMPAIGN_ORGANISATIONS:
        group.formed_at = now or utcnow()
        db.session.flush()
        events.campaign_formed.send(group, now=group.formed_at)
    db.session.flush()


def leave_campaign(comment: Comment):
    """After a withdrawal, hiding or change to a non-public level, recount the group."""
    group = comment.campaign
    if group is None:
        return
    if comment.visibility not in OPEN_TO_ALL:
        comment.campaign = None
        db.session.flush()
    recount(group)


def rebuild(consultation_id: int) -> int:
    """Recompute every group of a consultation from its comments, oldest first.

    Groups get new references; returns the number of campaigns formed.
    """
    comments = db.session.scalars(
        sa.select(Comment)
        .where(Comment.consultation_id == consultation_id)
        .order_by(Comment.created_at, Comment.id)
    ).all()
    for comment in comments:
        comment.campaign = None
        comment.near_duplicate_of = None
    db.session.flush()
    group_ids = sa.select(Campaign.id).where(Campaign.consultation_id == consultation_id)
    db.session.execute(sa.delete(CampaignBand).where(CampaignBand.campaign_id.in_(group_ids)))
    db.session.execute(sa.delete(Campaign).where(Campaign.consultation_id == consultation_id))
    db.session.flush()
    for comment in comments:
        match_comment(comment, now=comment.created_at)
    return db.session.execute(
        sa.select(sa.func.count())
        .select_from(Campaign)
        .where(Campaign.consultation_id == consultation_id, Campaign.formed_at.is_not(None))
    ).scalar_one()


# --- keeping groups in step with their comments ---------------------------------------------


def join_group(comment: Comment, *, now: datetime, **_):
    """Posted, accepted late or restored: the comment joins (or starts) its group."""
    match_comment(comment, now=now)


def leave_group(comment: Comment, **_):
    """Withdrawn or hidden: the group is recounted without it."""
    leave_campaign(comment)


def follow_visibility(comment: Comment, *, now: datetime, **_):
    """Made public or anonymous: it may join a group; otherwise it leaves its group."""
    if comment.visibility in OPEN_TO_ALL:
        match_comment(comment, now=now)
    else:
        leave_campaign(comment)


def subscribe():
    """Recount a comment's group whenever the comment's life changes what it counts."""
    events.comment_posted.connect(join_group)
    events.late_comment_accepted.connect(join_group)
    events.comment_restored.connect(join_group)
    events.comment_withdrawn.connect(leave_group)
    events.comment_hidden.connect(leave_group)
    events.visibility_changed.connect(follow_visibility)
