"""Campaign detection: the same text from five organisations, found without comparing
all pairs."""

import pytest
import sqlalchemy as sa

from consult.comments import campaigns
from consult.comments.models import Campaign, Comment, Visibility
from consult.extensions import db
from tests import factories

LONG_TEXT = (
    "We ask that the principles require every member company to publish each government "
    "request for user data it receives, broken down by country and legal basis, within "
    "ninety days, and to notify affected users unless a court forbids it."
)


def _stakeholders(n):
    return [factories.stakeholder() for _ in range(n)]


def test_five_organisations_with_the_same_text_form_a_campaign(client, world):
    people = _stakeholders(5)
    comments = [world.post(Visibility.PUBLIC, author=p, body=LONG_TEXT) for p in people[:4]]
    group = comments[0].campaign
    assert group is not None and group.formed_at is None
    near = LONG_TEXT.replace("ninety days", "ninety  days!").upper()  # normalised identical
    comments.append(world.post(Visibility.ANONYMOUS, author=people[4], body=near))
    db.session.refresh(group)
    assert group.formed_at is not None and group.organisation_count == 5
    assert all(c.campaign_id == group.id for c in comments)

    thread = client.get(
        f"/consultations/{world.consultation.slug}/p/{world.paragraph.stable_key}/comments"
    ).get_data(as_text=True)
    assert thread.count("Campaign: the same text from 5 organisations") == 1
    page = client.get(f"/campaigns/{group.reference}").get_data(as_text=True)
    assert "5 organisations" in page
    assert people[0].display_name in page  # public signatories are named
    assert people[4].display_name not in page  # the anonymous member is not


VERY_LONG = (
    LONG_TEXT
    + " "
    + " ".join(
        f"Point {n}: companies should also explain measure {n} to the people it affects."
        for n in range(12)
    )
    + " Thank you for considering this request."
)  # about 170 words, few repeated shingles


def test_near_duplicates_of_twenty_words_or_more_join(world):
    people = _stakeholders(6)
    edited = VERY_LONG.replace("considering", "weighing")  # one word in 160
    assert (
        campaigns.jaccard(
            campaigns.shingles(campaigns.normalise(VERY_LONG)),
            campaigns.shingles(campaigns.normalise(edited)),
        )
        >= 0.9
    )
    for person in people[:4]:
        world.post(Visibility.PUBLIC, author=person, body=VERY_LONG)
    comment = world.post(Visibility.PUBLIC, author=people[4], body=edited)
    assert comment.campaign.formed_at is not None
    rewritten = " ".join(reversed(VERY_LONG.split()))  # same words, different text
    other = world.post(Visibility.PUBLIC, author=people[5], body=rewritten)
    assert other.campaign_id != comment.campaign_id


def test_short_texts_join_only_when_identical(world):
    people = _stakeholders(6)
    same = [
        world.post(Visibility.PUBLIC, author=person, body="We support this paragraph.")
        for person in people[:5]
    ]
    assert same[0].campaign.formed_at is not None  # identical short texts do join
    assert {c.campaign_id for c in same} == {same[0].campaign_id}
    different = world.post(Visibility.PUBLIC, author=people[5], body="We support this article.")
    assert different.campaign_id != same[0].campaign_id
    assert different.campaign.formed_at is None
    assert different.campaign.organisation_count == 1


def test_one_organisation_posting_twice_counts_once(world):
    people = _stakeholders(3)
    for person in [world.author, world.author, *people]:
        comment = world.post(Visibility.PUBLIC, author=person, body=LONG_TEXT)
    assert comment.campaign.organisation_count == 4
    assert comment.campaign.formed_at is None


def test_restricted_near_duplicates_are_flagged_not_joined(world):
    for person in _stakeholders(5):
        world.post(Visibility.PUBLIC, author=person, body=LONG_TEXT)
    restricted = world.post(Visibility.RESTRICTED, body=LONG_TEXT, companies=[world.north.id])
    assert restricted.campaign_id is None
    assert restricted.near_duplicate_of is not None


def test_withdrawn_members_leave_the_count_but_the_campaign_stays(world):
    from consult.comments.services import withdraw_comment

    people = _stakeholders(5)
    comments = [world.post(Visibility.PUBLIC, author=p, body=LONG_TEXT) for p in people]
    group = comments[0].campaign
    withdraw_comment(comments[0], author=people[0], remove_name=False)
    db.session.commit()
    assert group.organisation_count == 4 and group.formed_at is not None


def test_detection_does_not_compare_all_pairs(world, monkeypatch):
    """A few thousand comments: each is compared with the few representatives sharing an
    LSH band (or its exact text), never with every earlier comment."""
    comparisons = []
    real = campaigns._matches

    def counting(words, digest, representative):
        comparisons.append(1)
        return real(words, digest, representative)

    monkeypatch.setattr(campaigns, "_matches", counting)
    people = _stakeholders(40)
    for i in range(2000):
        # 50 distinct long texts, each sent by 40 organisations in turn.
        body = f"Topic {i % 50}: " + " ".join(f"w{(i % 50) * 7 + k}" for k in range(30))
        person = people[(i // 50) % 40]  # each text comes from 40 different organisations
        comment = Comment(
            consultation_id=world.consultation.id,
            version_id=world.version.id,
            author_id=person.id,
            organisation_id=person.organisation_id,
            category="civil_society",
            kind="comment",
            visibility=Visibility.PUBLIC,
            display="name",
            body=body,
            body_html=body,
            submission_key=f"bulk-{i}",
        )
        db.session.add(comment)
        db.session.flush()
        campaigns.match_comment(comment)
    db.session.commit()
    # Each of the 1,950 repeats is compared with its group's representative (so the
    # counter does see the comparisons made); all pairs would be about 2,000,000.
    assert 2000 - 50 <= len(comparisons) <= 2 * 2000
    unmatched = db.session.scalar(
        sa.select(sa.func.count()).select_from(Comment).where(Comment.campaign_id.is_(None))
    )
    assert unmatched == 0
    formed = db.session.scalar(
        sa.select(sa.func.count()).select_from(Campaign).where(Campaign.formed_at.is_not(None))
    )
    assert formed == 50


def test_rebuild_recomputes_the_same_campaigns(app, world):
    members = [world.post(Visibility.PUBLIC, author=p, body=LONG_TEXT) for p in _stakeholders(5)]
    world.post(Visibility.PUBLIC, body="Something else entirely.")
    result = app.test_cli_runner().invoke(args=["campaigns", "rebuild", world.consultation.slug])
    assert result.exit_code == 0, result.output
    assert "1 campaign(s)" in result.output
    db.session.expire_all()
    formed = db.session.scalars(sa.select(Campaign).where(Campaign.formed_at.is_not(None))).all()
    assert len(formed) == 1
    assert formed[0].organisation_count == 5
    assert {m.campaign_id for m in members} == {formed[0].id}


@pytest.mark.parametrize("text", ["", "   ", "!!!"])
def test_empty_texts_never_group(world, text):
    assert campaigns.normalise(text) == []
