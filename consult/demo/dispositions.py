"""Demonstration dispositions for the closed consultation: a few more comments posted
before it closed, a second draft published after it, and one disposition of each kind
(the last comment is left without one, so the progress shows)."""

from datetime import timedelta

import sqlalchemy as sa

from consult.comments import services as comment_services
from consult.comments.models import AuthorDisplay, CommentKind, Visibility
from consult.consultations import versions
from consult.consultations.models import Consultation, Paragraph
from consult.db import required
from consult.dispositions import services
from consult.dispositions.models import Outcome
from consult.extensions import db

SECOND_DRAFT = (
    "*Demonstration text.*\n\n# Purpose\n\nCompanies explain to users, in plain language, "
    "how they handle requests to remove content.\n\n# Appeals\n\nUsers can appeal a "
    "removal and receive a reasoned answer within 30 days.\n"
)
COMMENTS = [
    # (author, paragraph, kind, visibility, body, proposed text)
    (
        "li@pressfreedom.demo",
        "1.1",
        CommentKind.AMENDMENT,
        Visibility.PUBLIC,
        "(Demo.) Say that the explanation must be in plain language.",
        "Companies explain to users, in plain language, how they handle requests to "
        "remove content.",
    ),
    (
        "tomas@digitalrights.demo",
        "2.1",
        CommentKind.COMMENT,
        Visibility.ANONYMOUS,
        "(Demo.) Appeals should also cover accounts that were suspended.",
        None,
    ),
    (
        "noor@university.demo",
        None,
        CommentKind.QUESTION,
        Visibility.PUBLIC,
        "(Demo.) Will the principles be translated into Portuguese?",
        None,
    ),
    (
        "amina@openlines.demo",
        "2.1",
        CommentKind.COMMENT,
        Visibility.RESTRICTED,
        "(Demo.) Restricted: a case we cannot describe in public.",
        None,
    ),
    (
        "li@pressfreedom.demo",
        None,
        CommentKind.COMMENT,
        Visibility.PUBLIC,
        "(Demo.) Please publish the list of participating companies.",
        None,
    ),
]
DECISIONS = [
    (Outcome.INCORPORATED, None),
    (
        Outcome.PARTLY_INCORPORATED,
        "(Demo.) A 30-day deadline was added; what the answer contains is left to companies.",
    ),
    (
        Outcome.NOT_INCORPORATED,
        "(Demo.) Suspended accounts are not removal requests; the next principles will "
        "take them up.",
    ),
    (Outcome.OUT_OF_SCOPE, "(Demo.) Translations are decided by the secretariat, not here."),
    (Outcome.NO_CHANGE_NEEDED, "(Demo.) The appeals section already covers this case."),
]


def load_demo_dispositions(*, people, companies, coordinator, now):
    consultation = required(
        db.session.scalar(
            sa.select(Consultation).where(Consultation.slug == "content-removal-demo")
        )
    )
    first = required(versions.version_by_number(consultation, 1))
    for i, (who, number, kind, visibility, body, proposed) in enumerate(COMMENTS):
        paragraph = db.session.scalar(
            sa.select(Paragraph).where(Paragraph.version_id == first.id, Paragraph.number == number)
        )
        comment_services.post_comment(
            consultation,
            comment_services.Draft(
                kind=kind,
                body=body,
                visibility=visibility,
                display=AuthorDisplay.NAME
                if visibility == Visibility.PUBLIC
                else AuthorDisplay.COUNTRY,
                proposed_text=proposed,
                company_ids=[c.id for c in companies],
            ),
            author=people[who],
            submission_key=f"demo-disposition-{i}",
            paragraph=paragraph if number else None,
            version=first,
            now=now - timedelta(days=20 - i),
        )
    second = versions.import_draft(
        consultation,
        SECOND_DRAFT,
        actor=coordinator,
        source_name="content-removal-2.md",
        now=now - timedelta(days=2),
    )
    versions.publish_version(second, actor=coordinator, now=now - timedelta(days=2))
    db.session.flush()

    # The earliest comments first, each with its own kind of disposition.
    chosen = sorted(services.subjects(consultation), key=lambda s: s.comment.created_at)
    by_body = {s.comment.body: s for s in chosen}
    order = [
        by_body[COMMENTS[0][4]],  # the amendment
        next(s for s in chosen if "deadline for the answer" in s.comment.body),
        by_body[COMMENTS[1][4]],  # suspended accounts
        by_body[COMMENTS[2][4]],  # translation
        by_body[COMMENTS[3][4]],  # the restricted one
    ]
    for i, (subject, (outcome, reason)) in enumerate(zip(order, DECISIONS, strict=True)):
        services.record(
            coordinator,
            consultation,
            [subject],
            services.Decision(outcome, reason, second if subject.comment.paragraph_id else None),
            submission_key=f"demo-disposition-{i}",
            now=now - timedelta(days=1),
        )
