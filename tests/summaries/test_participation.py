"""The factual summary's figures: hand-computed values on a constructed data set
(campaigns, late comments and co-signatures included), frozen once and never changed
by what happens later, and nothing learnt by subtraction."""

import copy
from dataclasses import dataclass
from datetime import timedelta

from consult.comments import services as comment_services
from consult.comments.models import AuthorDisplay, CommentKind, Visibility
from consult.extensions import db
from consult.moderation.models import FlagReason
from consult.moderation.services import hide_comment
from consult.summaries import participation
from consult.summaries.models import SnapshotKind
from consult.summaries.services import freeze
from tests import factories
from tests.summaries.conftest import (
    ACADEMIC,
    AFTER_CLOSE,
    CLOSES_AT,
    INVESTOR,
    OTHER,
    author,
    campaign_text,
    new_place,
)

PUBLIC, ANONYMOUS = Visibility.PUBLIC, Visibility.ANONYMOUS
RESTRICTED, CONFIDENTIAL = Visibility.RESTRICTED, Visibility.CONFIDENTIAL
AS_OF = CLOSES_AT + timedelta(days=1)
SMALL = {"value": None, "withheld": "small"}
MASKED = {"value": None, "withheld": "masked"}


@dataclass
class DataSet:
    campaign: object
    civil: list  # the civil-society organisation's five public comments
    investor: list
    academic: list


def build(place) -> DataSet:
    """21 comments on time, in a consultation closing on 29 March (Kolkata):

    - a campaign of 6 organisations: two anonymous members first, then four public
      ones (each text differs from the others by its last word);
    - civil society (KE): 5 public comments on §1.1, one co-signed by 2 organisations;
    - an investor (NL): 6 public questions on §2.2;
    - an academic (JO): 2 anonymous comments on §1.2;
    - other (DE): 1 restricted comment on the whole draft;
    - civil society (BR): 1 confidential comment on §2.2.
    Then, after the close, two late comments: one accepted, one awaiting a decision.
    """
    members = [
        place.post(author(country="KE"), ANONYMOUS, body=campaign_text("anonymousfirst")),
        place.post(author(INVESTOR, "NL"), ANONYMOUS, body=campaign_text("anonymoussecond")),
    ] + [
        place.post(author(OTHER, "DE"), PUBLIC, body=campaign_text(f"public{i}")) for i in range(4)
    ]
    civil_author = author(country="KE")
    civil = [place.post(civil_author, PUBLIC, number="1.1") for _ in range(5)]
    investor_author = author(INVESTOR, "NL")
    investor = [
        place.post(investor_author, PUBLIC, number="2.2", kind=CommentKind.QUESTION)
        for _ in range(6)
    ]
    academic_author = author(ACADEMIC, "JO")
    academic = [place.post(academic_author, ANONYMOUS, number="1.2") for _ in range(2)]
    place.post(author(OTHER, "DE"), RESTRICTED, number=None, body="Restricted-secret text.")
    place.post(author(country="BR"), CONFIDENTIAL, number="2.2", body="Confidential-secret text.")
    for _ in range(2):
        comment_services.cosign_comment(
            civil[0], user=author(), named=True, now=civil[0].created_at + timedelta(hours=1)
        )
    db.session.commit()
    accepted = place.post(civil_author, PUBLIC, now=CLOSES_AT + timedelta(hours=2))
    place.post(academic_author, ANONYMOUS, now=CLOSES_AT + timedelta(hours=3))
    comment_services.decide_late_comment(
        accepted,
        coordinator=factories.coordinator(),
        accept=True,
        reason="Power cut.",
        now=CLOSES_AT + timedelta(hours=4),
    )
    db.session.commit()
    return DataSet(members[0].campaign, civil, investor, academic)


def test_figures_match_hand_computed_values(place):
    data = build(place)
    snapshot, created = freeze(place.consultation, SnapshotKind.FACTUAL, now=AS_OF)
    db.session.commit()
    f = snapshot.figures
    assert created and snapshot.closes_at == CLOSES_AT and snapshot.as_of == AS_OF
    assert (f["schema_version"], f["kind"], f["small_cell"]) == (1, "factual", 5)
    assert f["as_of"] == "2026-03-30T18:30:00Z" and f["closes_at"] == "2026-03-29T18:30:00Z"
    assert f["totals"] == {
        "comments": {"value": 21},
        "organisations": {"value": 11},
        "in_campaigns": {"value": 6},
        "campaigns": 1,
    }
    # 5 + 6 + 2 + 1 + the campaign's 6, the confidential 1 in the total only.
    assert f["by_category"] == [
        {"key": "civil_society", "value": 5},
        {"key": "investor", "value": 6},
        {"key": "academic", **SMALL},
        {"key": "other", **SMALL},
        {"key": "counted_separately", "value": 6},
    ]
    # comments 5 + 2 + 1 = 8, questions 6. With the confidential comment withheld and
    # nothing else, 21 − 8 − 6 would give it away: the smaller of question (6) and the
    # campaigns (6) — question, by key — is withheld too.
    assert f["by_kind"] == [
        {"key": "comment", "value": 8},
        {"key": "question", **MASKED},
        {"key": "amendment", "value": 0},
        {"key": "counted_separately", "value": 6},
    ]
    # Named comments only: the anonymous (2) and restricted (1) ones are not shown by
    # country; the confidential comment's country (BR) appears nowhere.
    assert f["by_country"] == [
        {"key": "KE", "value": 5},
        {"key": "NL", "value": 6},
        {"key": "not_broken_down", **SMALL},
        {"key": "counted_separately", "value": 6},
    ]
    assert f["by_section"] == [
        {"version": 1, "section": "1", "value": 7},
        {"version": 1, "section": "2", "value": 6},
        {"version": 1, "section": "", **SMALL},
        {"key": "counted_separately", "value": 6},
    ]
    # §1 = §1.1 (5) + §1.2 (2, small): 7 − 5 would give §1.2 away, so §1.1 is withheld.
    assert f["by_paragraph"] == [
        {"version": 1, "section": "1", "paragraph": "1.1", **MASKED},
        {"version": 1, "section": "1", "paragraph": "1.2", **SMALL},
        {"version": 1, "section": "2", "paragraph": "2.2", "value": 6},
        {"version": 1, "section": "", "paragraph": None, **SMALL},
    ]
    assert f["campaigns"] == [
        {
            "reference": data.campaign.reference,
            "comments": {"value": 6},
            "organisations": {"value": 6},
            # The earliest named public member's text, not the anonymous ones' before it.
            "text": campaign_text("public0"),
            "proposed_text": None,
        }
    ]
    assert f["late"] == {
        "received": SMALL,
        "accepted": SMALL,
        "pending": SMALL,
        "refused": {"value": 0},
    }
    assert f["cosignatures"] == {"cosignatures": SMALL, "organisations": SMALL, "comments": SMALL}
    assert "BR" not in str(f) and "secret" not in str(f) and "anonymous" not in str(f)


def test_raw_counts_behind_the_published_figures(place):
    build(place)
    counts = participation.count(place.consultation.id, AS_OF)
    assert (counts.total, counts.organisations) == (21, 11)
    assert counts.rows["category"]["only_in_total"] == 1
    assert counts.rows["country"]["not_broken_down"] == 3
    assert dict(counts.paragraphs) == {(1, "1.1"): 5, (1, "1.2"): 2, (1, "2.2"): 6, (1, None): 1}
    assert dict(counts.late) == {"accepted": 1, "pending": 1}
    assert (counts.cosignatures, counts.cosigning_organisations, counts.cosigned_comments) == (
        2,
        2,
        1,
    )
    # As at the close, the late comments had not been received.
    assert sum(participation.count(place.consultation.id, AFTER_CLOSE).late.values()) == 0


def test_the_frozen_summary_does_not_change_afterwards(place):
    data = build(place)
    snapshot, _ = freeze(place.consultation, SnapshotKind.FACTUAL, now=AS_OF)
    db.session.commit()
    frozen = copy.deepcopy(snapshot.figures)
    later = AS_OF + timedelta(days=2)
    place.post(author(), PUBLIC, now=later)  # added (late)
    hide_comment(
        data.civil[1],
        moderator=factories.coordinator(),
        reason_code=FlagReason.SPAM,
        reason="Advertising.",
        now=later,
    )
    comment_services.withdraw_comment(
        data.investor[0], author=data.investor[0].author, remove_name=True, now=later
    )
    comment_services.change_visibility(  # made less public
        data.civil[2],
        author=data.civil[2].author,
        visibility=Visibility.CONFIDENTIAL,
        display=AuthorDisplay.NOTHING,
        company_ids=[],
        now=later,
    )
    db.session.commit()
    again, created = freeze(place.consultation, SnapshotKind.FACTUAL, now=later)
    db.session.commit()
    db.session.expire_all()
    assert not created and again.id == snapshot.id
    assert again.figures == frozen and again.as_of == AS_OF
    # The changes are real: figures read now differ.
    assert participation.publish(participation.count(place.consultation.id, later)) != {
        key: value
        for key, value in frozen.items()
        if key not in {"schema_version", "kind", "as_of", "closes_at", "small_cell"}
    }


# --- nothing learnt by subtraction -----------------------------------------------------------


def _lines(figures: dict) -> list[tuple[list, object]]:
    """What a reader knows: each published line as (parts, total), with None for a
    withheld value and an unknown for the confidential part no breakdown shows."""

    def value(cell):
        return cell["value"]

    total = value(figures["totals"]["comments"])
    lines = []
    for name in ("category", "kind", "country", "section"):
        parts = [value(row) for row in figures[f"by_{name}"]]
        lines.append(([*parts, "confidential"], total))
    sections = {row["section"]: value(row) for row in figures["by_section"] if "section" in row}
    for section, section_value in sections.items():
        parts = [value(r) for r in figures["by_paragraph"] if r["section"] == section]
        lines.append((parts, section_value))
    late = figures["late"]
    lines.append(
        (
            [value(late["accepted"]), value(late["pending"]), value(late["refused"]), "late"],
            value(late["received"]),
        )
    )
    campaigns = [value(c["comments"]) for c in figures["campaigns"]]
    lines.append((campaigns, value(figures["totals"]["in_campaigns"])))
    return lines


def worked_out(figures: dict) -> list:
    """Every value a reader can work out by subtraction, line after line, until nothing
    more comes: [(what, value)], where ``what`` is the line and position."""
    lines = [(list(parts), total) for parts, total in _lines(figures)]
    found = []
    changed = True
    while changed:
        changed = False
        for index, (parts, total) in enumerate(lines):
            unknown = [i for i, p in enumerate(parts) if not isinstance(p, int)]
            if total is None and not unknown:
                lines[index] = (parts, sum(parts))
                found.append((f"total of line {index}", sum(parts)))
                changed = True
            elif total is not None and len(unknown) == 1:
                value = total - sum(p for p in parts if isinstance(p, int))
                found.append((f"line {index} part {parts[unknown[0]]!r}", value))
                parts[unknown[0]] = value
                changed = True
    return found


def test_subtraction_gives_away_nothing_small(place):
    build(place)
    snapshot, _ = freeze(place.consultation, SnapshotKind.FACTUAL, now=AS_OF)
    assert [(what, v) for what, v in worked_out(snapshot.figures) if 0 < v < 5] == []
    assert not any(
        "confidential" in what or "late" in what for what, _ in worked_out(snapshot.figures)
    )


def _single_organisation_world(place, *, confidential_author, confidential_number):
    """Background: three Kenyan organisations, two public comments each on §1.1, and a
    Dutch investor's five public comments on §2.2; then one confidential comment."""
    for _ in range(3):
        who = author(country="KE")
        place.post(who, PUBLIC, number="1.1")
        place.post(who, PUBLIC, number="1.1")
    investor = author(INVESTOR, "NL")
    for _ in range(5):
        place.post(investor, PUBLIC, number="2.2")
    place.post(
        confidential_author, CONFIDENTIAL, number=confidential_number, body="Who we are: secret."
    )


def test_a_confidential_and_an_anonymous_comment_from_a_one_organisation_country(place):
    """Iceland has one organisation here. It posts one anonymous and one confidential
    comment: no published figure tells them apart, even by subtraction from totals."""
    iceland = author(country="IS")
    place.post(iceland, ANONYMOUS, number="1.1", body="Our view, anonymously.")
    _single_organisation_world(place, confidential_author=iceland, confidential_number="1.2")
    snapshot, _ = freeze(place.consultation, SnapshotKind.FACTUAL, now=AS_OF)
    figures = snapshot.figures
    # Anonymous comments are never broken down by country; confidential ones appear only
    # in the total.
    assert [row["key"] for row in figures["by_country"]] == [
        "KE",
        "NL",
        "not_broken_down",
        "counted_separately",
    ]
    assert "IS" not in str(figures) and "secret" not in str(figures)
    assert figures["totals"]["comments"] == {"value": 13}
    # Nothing small, and neither the confidential comment nor the anonymous one, can be
    # worked out from the totals.
    found = worked_out(figures)
    assert [(what, v) for what, v in found if 0 < v < 5] == []
    assert not any("confidential" in what for what, _ in found)
    # The same figures whoever wrote the confidential comment, and on whatever paragraph.
    twin = new_place()
    twin.post(author(country="IS"), ANONYMOUS, number="1.1", body="Our view, anonymously.")
    _single_organisation_world(
        twin, confidential_author=author(INVESTOR, "NL"), confidential_number="2.2"
    )
    twin_snapshot, _ = freeze(twin.consultation, SnapshotKind.FACTUAL, now=AS_OF)
    published = {k: v for k, v in figures.items() if k != "totals"}
    twin_published = {k: v for k, v in twin_snapshot.figures.items() if k != "totals"}
    assert twin_published == published
    # Only the count of organisations differs: one more organisation took part.
    assert figures["totals"]["organisations"] == {"value": 5}
    assert twin_snapshot.figures["totals"]["organisations"] == {"value": 6}


def test_however_many_confidential_comments_their_number_cannot_be_worked_out(place):
    """Confidential comments appear only in the total: not even their number (here 6,
    no small cell) can be had by subtracting the breakdowns from it."""
    for _ in range(7):
        place.post(author(country="KE"), PUBLIC, number="1.1")
    for _ in range(6):
        place.post(author(INVESTOR, "NL"), CONFIDENTIAL, number="2.2")
    snapshot, _ = freeze(place.consultation, SnapshotKind.FACTUAL, now=AS_OF)
    figures = snapshot.figures
    assert figures["totals"]["comments"] == {"value": 13}
    assert not any("confidential" in what for what, _ in worked_out(figures))
    # The civil-society 7 is withheld: 13 − 7 would be the confidential 6.
    assert figures["by_category"][0] == {"key": "civil_society", **MASKED}
