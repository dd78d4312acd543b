"""recompute campaign bands with our own minhash

Revision ID: d45f7e846e1e
Revises: 993f9a1662f6
Create Date: 2026-12-01 15:15:42.320639+00:00

Campaign detection no longer uses datasketch (which pulled in numpy and scipy) but
``consult.comments.minhash``. Its hash functions differ, so every key in
``campaign_bands`` changes. Left alone, the old keys would never match a new text, and a
near-duplicate of an existing group would start a group of its own.

This recomputes each group's bands from the text they were first computed from: the
representative's current text if its normalised hash still equals the group's
``text_hash``, otherwise the revision that does (the representative was edited after the
group began). If that revision was redacted, the current text is used, which is what new
texts are compared with anyway. Groups whose text has fewer than 20 words get no bands,
as before. References, members and counts stay as they are. That is why this recomputes
the bands rather than running ``flask campaigns rebuild``, which gives every group a new
reference.

Normalisation and shingling below are frozen copies of consult/comments/campaigns.py as
of this revision. The hashing comes from the pure ``consult.comments.minhash`` module,
whose output tests/comments/test_minhash.py pins.

Downgrade deletes the bands: the datasketch code cannot read them. After a downgrade, run
``flask campaigns rebuild`` to restore near-duplicate detection.
"""

import hashlib
import re
import unicodedata

from alembic import op
import sqlalchemy as sa

from consult.comments import minhash


# revision identifiers, used by Alembic.
revision = "d45f7e846e1e"
down_revision = "993f9a1662f6"
branch_labels = None
depends_on = None

# Frozen from consult/comments/campaigns.py.
NEAR_DUPLICATE_MIN_WORDS = 20
SHINGLE_WORDS = 5
PERMUTATIONS, BANDS, ROWS, SEED = 128, 16, 8, 20261122
_WORD = re.compile(r"\w+")


def _words(body, proposed_text):
    text = f"{body}\n{proposed_text or ''}"
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def _digest(words):
    return hashlib.sha256(" ".join(words).encode()).hexdigest()


def _bands(words):
    shingles = {
        " ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)
    }
    signature = minhash.signature(
        (s.encode() for s in shingles), permutations=PERMUTATIONS, seed=SEED
    )
    return minhash.band_keys(signature, bands=BANDS, rows=ROWS)


def upgrade():
    bind = op.get_bind()
    groups = bind.execute(
        sa.text(
            "SELECT campaigns.id, campaigns.text_hash, comments.id, comments.body,"
            " comments.proposed_text"
            " FROM campaigns JOIN comments ON comments.id = campaigns.representative_id"
        )
    ).all()
    revisions = {}
    for comment_id, body, proposed_text in bind.execute(
        sa.text(
            "SELECT comment_id, body, proposed_text FROM comment_revisions"
            " WHERE comment_id IN (SELECT representative_id FROM campaigns)"
            " ORDER BY comment_id, number"
        )
    ):
        revisions.setdefault(comment_id, []).append(_words(body, proposed_text))
    rows = []
    for campaign_id, text_hash, comment_id, body, proposed_text in groups:
        current = _words(body, proposed_text)
        original = next(
            (w for w in revisions.get(comment_id, []) if _digest(w) == text_hash), current
        )
        words = current if _digest(current) == text_hash else original
        if len(words) >= NEAR_DUPLICATE_MIN_WORDS:
            rows += [{"campaign_id": campaign_id, "band": band} for band in _bands(words)]
    bind.execute(sa.text("DELETE FROM campaign_bands"))
    if rows:
        bind.execute(
            sa.text("INSERT INTO campaign_bands (campaign_id, band) VALUES (:campaign_id, :band)"),
            rows,
        )


def downgrade():
    op.get_bind().execute(sa.text("DELETE FROM campaign_bands"))
