"""Demonstration comments: every kind and level, replies, co-signatures, an edited, a
withdrawn and a hidden comment, a campaign, and late comments on a closed consultation.

All text is invented for Consult's demonstration and labelled as such.
"""

from datetime import timedelta

import sqlalchemy as sa

from consult.comments import services
from consult.comments.models import AuthorDisplay, CommentKind, ReplyIdentity, Visibility
from consult.consultations import services as consultation_services
from consult.consultations import versions
from consult.consultations.models import Paragraph
from consult.extensions import db
from consult.moderation.models import FlagReason
from consult.moderation.services import flag_comment, hide_comment

P, A, R, C = Visibility.PUBLIC, Visibility.ANONYMOUS, Visibility.RESTRICTED, Visibility.CONFIDENTIAL

CAMPAIGN_TEXT = (
    "(Demo campaign text.) We ask the group to add a firm commitment: every member company "
    "publishes, for each country where it operates, the number of government demands it "
    "received and how many it challenged, within six months of the end of each year."
)


def _paragraph(version, number):
    return db.session.scalar(
        sa.select(Paragraph).where(Paragraph.version_id == version.id, Paragraph.number == number)
    )


def load_demo_comments(consultation, *, people, companies, coordinator, now):
    """Comments on the open demonstration consultation."""
    draft_1, draft_2 = versions.published_versions(consultation)[:2]
    north, meridian, baobab = companies
    counter = iter(range(1, 1000))

    def post(
        who,
        version,
        number,
        body,
        level,
        *,
        days_ago,
        kind=CommentKind.COMMENT,
        display=None,
        to=None,
        proposed=None,
        coordinators=False,
    ):
        display = display or (AuthorDisplay.NAME if level == P else AuthorDisplay.COUNTRY)
        company_ids = [c.id for c in (to if to is not None else companies)]
        draft = services.Draft(
            kind=kind,
            body=body,
            visibility=level,
            display=display,
            proposed_text=proposed,
            company_ids=company_ids,
            to_coordinators=coordinators,
        )
        return services.post_comment(
            consultation,
            draft,
            author=people[who],
            submission_key=f"demo-{next(counter)}",
            paragraph=_paragraph(version, number) if number else None,
            version=version,
            now=now - timedelta(days=days_ago),
        )

    # On Draft 1 (published 22 days ago).
    scope = post(
        "amina@openlines.demo",
        draft_1,
        "1.2",
        "(Demo.) The scope should name **vendors of surveillance equipment** "
        "explicitly, not only network vendors.",
        P,
        days_ago=18,
    )
    post(
        "tomas@digitalrights.demo",
        draft_1,
        "1.2",
        "(Demo.) Agreed, and resellers too: much equipment reaches buyers through them.",
        A,
        display=AuthorDisplay.REGION,
        days_ago=17,
    )
    amendment = post(
        "sara@ethicalcapital.demo",
        draft_1,
        "4.1",
        "(Demo.) Investors need comparable figures; a yearly report per country makes that "
        "possible.",
        P,
        kind=CommentKind.AMENDMENT,
        days_ago=16,
        proposed=(
            "Companies publish, every year and for each country where they operate, the "
            "number of government demands received, the number challenged and the "
            "number refused."
        ),
    )
    question = post(
        "noor@university.demo",
        draft_1,
        None,
        "(Demo.) Will the group publish the comments it receives on Draft 1 once Draft 2 is out?",
        P,
        kind=CommentKind.QUESTION,
        days_ago=15,
        coordinators=True,
    )
    restricted = post(
        "li@pressfreedom.demo",
        draft_1,
        "3.8",
        "(Demo.) In our country a shutdown order arrived by phone and was never "
        "confirmed in writing. Which of you received it?",
        R,
        display=AuthorDisplay.NOTHING,
        to=[north, baobab],
        days_ago=14,
    )
    post(
        "li@pressfreedom.demo",
        draft_1,
        "3.5",
        "(Demo.) Confidential: we can share documents about one demand with the coordinators only.",
        C,
        display=AuthorDisplay.NOTHING,
        days_ago=13,
    )

    # Replies, co-signatures, an edit, a withdrawal, a hidden comment.
    first = services.post_reply(
        scope,
        author=people["tomas@digitalrights.demo"],
        body="(Demo.) Which vendors do you have in mind?",
        identity=ReplyIdentity.NAMED,
        submission_key="demo-r1",
        now=now - timedelta(days=17),
    )
    services.post_reply(
        scope,
        author=people["amina@openlines.demo"],
        body="(Demo.) Those selling interception and monitoring systems.",
        identity=ReplyIdentity.NAMED,
        submission_key="demo-r2",
        parent=first,
        now=now - timedelta(days=16),
    )
    services.cosign_comment(
        scope, user=people["kai@consumers.demo"], named=True, now=now - timedelta(days=16)
    )
    services.cosign_comment(
        amendment, user=people["james@pensionfund.demo"], named=True, now=now - timedelta(days=15)
    )
    services.invite_cosigner(
        restricted,
        author=people["li@pressfreedom.demo"],
        email="amina@openlines.demo",
        now=now - timedelta(days=14),
    )
    services.edit_comment(
        amendment,
        author=people["sara@ethicalcapital.demo"],
        body="(Demo.) Investors need comparable figures; a yearly report per "
        "country, with refusals, makes that possible.",
        proposed_text=amendment.proposed_text,
        now=now - timedelta(days=12),
    )
    withdrawn = post(
        "kai@consumers.demo",
        draft_1,
        "2.1",
        "(Demo.) A comment its author later withdrew.",
        P,
        days_ago=12,
    )
    services.withdraw_comment(
        withdrawn,
        author=people["kai@consumers.demo"],
        remove_name=False,
        now=now - timedelta(days=11),
    )
    hidden = post(
        "james@pensionfund.demo",
        draft_1,
        "2.2",
        "(Demo.) A comment with a colleague's private phone number in it.",
        P,
        days_ago=11,
    )
    flag_comment(
        hidden,
        user=people["noor@university.demo"],
        reason=FlagReason.PERSONAL_DATA,
        note=None,
        now=now - timedelta(days=11),
    )
    hide_comment(
        hidden,
        moderator=coordinator,
        reason_code=FlagReason.PERSONAL_DATA,
        reason="It contained someone's personal contact details.",
        submission_key="demo-hide-1",
        now=now - timedelta(days=10),
    )
    del question

    # On Draft 2 (published 3 days ago): a campaign from five organisations.
    for days_ago, who in enumerate(
        [
            "amina@openlines.demo",
            "tomas@digitalrights.demo",
            "sara@ethicalcapital.demo",
            "noor@university.demo",
            "kai@consumers.demo",
        ]
    ):
        post(
            who,
            draft_2,
            "4.1",
            CAMPAIGN_TEXT,
            P if days_ago % 2 == 0 else A,
            days_ago=2,
            display=None if days_ago % 2 == 0 else AuthorDisplay.NOTHING,
        )
    post(
        "james@pensionfund.demo",
        draft_2,
        "3.10",
        "(Demo.) The new section on surveillance sales is welcome; add a duty to refuse "
        "sales where the risk cannot be mitigated.",
        P,
        days_ago=1,
    )


def load_closed_consultation(*, people, companies, coordinator, now):
    """A consultation that closed five days ago, with a late comment awaiting a decision
    and one accepted. Its companies had two days to answer, so both its factual summary
    and its response addendum are frozen (consult/demo/summaries.py)."""
    text = (
        "*Demonstration text.*\n\n# Purpose\n\nCompanies explain to users how they "
        "handle requests to remove content.\n\n# Appeals\n\nUsers can appeal a removal "
        "and receive a reasoned answer.\n"
    )
    opened = (now - timedelta(days=60)).date()
    consultation = consultation_services.create_consultation(
        consultation_services.Settings(
            title="Principles on content removal requests (demo)",
            slug="content-removal-demo",
            timezone="America/Sao_Paulo",
            summary="**Demonstration data.** Closed for comments; late comments are shown.",
            opens_on=opened,
            closes_on=(now - timedelta(days=5)).date(),
            short_period_reason="(Demo.) A short consultation on a narrow text.",
            # (Demo.) Short, so the response addendum (close + window + 1 day) is out.
            response_window_days=2,
            companies=list(companies),
        ),
        actor=coordinator,
        now=now - timedelta(days=62),
    )
    version = versions.import_draft(
        consultation,
        text,
        actor=coordinator,
        source_name="content-removal.md",
        now=now - timedelta(days=61),
    )
    versions.publish_version(version, actor=coordinator, now=now - timedelta(days=60))
    consultation_services.publish_consultation(
        consultation, actor=coordinator, now=now - timedelta(days=60)
    )

    def post(who, number, body, days_ago, key):
        draft = services.Draft(
            kind=CommentKind.COMMENT,
            body=body,
            visibility=P,
            display=AuthorDisplay.NAME,
            company_ids=[c.id for c in companies],
        )
        return services.post_comment(
            consultation,
            draft,
            author=people[who],
            submission_key=key,
            paragraph=_paragraph(version, number),
            version=version,
            now=now - timedelta(days=days_ago),
        )

    post(
        "amina@openlines.demo",
        "2.1",
        "(Demo.) Appeals need a deadline for the answer.",
        30,
        "demo-closed-1",
    )
    accepted = post(
        "tomas@digitalrights.demo",
        "1.1",
        "(Demo.) Sent late because our office lost power for two days.",
        4,
        "demo-closed-2",
    )
    services.decide_late_comment(
        accepted,
        coordinator=coordinator,
        accept=True,
        reason="(Demo.) A documented power cut.",
        now=now - timedelta(days=3),
    )
    post(
        "noor@university.demo",
        "2.1",
        "(Demo.) A late comment still awaiting a decision.",
        1,
        "demo-closed-3",
    )
    return consultation
