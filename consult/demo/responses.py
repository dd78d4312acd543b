"""Demonstration company answers and commitments, invented and labelled "(demo)".

A closed consultation whose comments are old enough for overdue and very overdue
requests, with answers in every position, a decline, a clarification exchange, an edited
answer, a reassigned and a voided request and a rejoinder; the open consultation's
campaign gets its answer; commitments in every status, each change with evidence.
"""

from datetime import timedelta
from itertools import cycle

import sqlalchemy as sa

from consult.comments import services as comments
from consult.comments.models import AuthorDisplay, CommentKind, Visibility
from consult.commitments import services as commitments
from consult.commitments.models import CommitmentStatus, SourceKind
from consult.consultations import services as consultation_services
from consult.consultations import versions
from consult.consultations.models import Consultation, Paragraph
from consult.extensions import db
from consult.responses import actions
from consult.responses.models import Position, ResponseKind, ResponseRequest

DRAFT = """\
*Demonstration text.* Written for the Consult demonstration; not from any real group.

# Before a shutdown

Companies ask for every shutdown order in writing and check its legal basis.

Companies assess who will lose access, including emergency services.

# During a shutdown

Companies limit the shutdown to the area and the time the order requires.

Companies keep emergency calls working whatever the order says.

# After a shutdown

Companies tell their users what happened as soon as they may.

Companies publish every shutdown order they received, once the law allows it.
"""

EVIDENCE = "https://example.org/demo/evidence"  # example.org: reserved, invented


def _paragraph(version, number):
    return db.session.scalar(
        sa.select(Paragraph).where(Paragraph.version_id == version.id, Paragraph.number == number)
    )


def _request(comment, company):
    return db.session.scalar(
        sa.select(ResponseRequest).where(
            ResponseRequest.comment_id == comment.id, ResponseRequest.company_id == company.id
        )
    )


def load_demo_responses(*, people, companies, coordinator, now) -> Consultation:
    """Answers, tracker variety and commitments for the demonstration data."""
    north, meridian, baobab = companies
    reps = {
        c.id: people[email]
        for c, email in zip(
            companies, ["rep@northwind.demo", "rep@meridian.demo", "rep@baobab.demo"], strict=True
        )
    }
    consultation = consultation_services.create_consultation(
        consultation_services.Settings(
            title="Guidance on network shutdowns, first round (demo)",
            slug="network-shutdowns-demo",
            timezone="Africa/Nairobi",
            summary="**Demonstration data.** Closed for comments; the companies' answers, "
            "overdue requests and commitments are on the tracker.",
            opens_on=(now - timedelta(days=100)).date(),
            closes_on=(now - timedelta(days=16)).date(),
            companies=list(companies),
        ),
        actor=coordinator,
        now=now - timedelta(days=102),
    )
    version = versions.import_draft(
        consultation,
        DRAFT,
        actor=coordinator,
        source_name="shutdowns-draft-1.md",
        now=now - timedelta(days=101),
    )
    versions.publish_version(version, actor=coordinator, now=now - timedelta(days=100))
    consultation_services.publish_consultation(
        consultation, actor=coordinator, now=now - timedelta(days=100)
    )
    keys = iter(range(1, 10_000))

    def post(who, number, body, days_ago, level=Visibility.PUBLIC, to=None):
        display = AuthorDisplay.NAME if level == Visibility.PUBLIC else AuthorDisplay.COUNTRY
        draft = comments.Draft(
            kind=CommentKind.COMMENT,
            body=body,
            visibility=level,
            display=display,
            company_ids=[c.id for c in (to or companies)],
        )
        return comments.post_comment(
            consultation,
            draft,
            author=people[who],
            submission_key=f"demo-shutdown-{next(keys)}",
            paragraph=_paragraph(version, number),
            version=version,
            now=now - timedelta(days=days_ago),
        )

    def respond(comment, company, days_ago, kind=ResponseKind.ANSWER, position=None, body=None):
        body = body or f"(Demo.) {company.name} {kind.label.lower()} on this point."
        return actions.post_response(
            _request(comment, company),
            representative=reps[company.id],
            kind=kind,
            body=body,
            position=position,
            submission_key=f"demo-response-{next(keys)}",
            now=now - timedelta(days=days_ago),
        )

    stakeholders = [
        "amina@openlines.demo",
        "tomas@digitalrights.demo",
        "li@pressfreedom.demo",
        "sara@ethicalcapital.demo",
        "james@pensionfund.demo",
        "noor@university.demo",
        "kai@consumers.demo",
    ]
    paragraphs = cycle(["1.1", "1.2", "2.1", "2.2", "3.1", "3.2"])
    positions = cycle(list(Position))

    # A steady stream of comments: Northwind answers most, fast; Meridian about half;
    # Baobab Mobile few, so its older requests are very overdue and newer ones overdue.
    stream = []
    for i in range(18):
        who = stakeholders[i % len(stakeholders)]
        days_ago = 96 - i * 3  # from 96 to 45 days ago
        comment = post(
            who,
            next(paragraphs),
            f"(Demo.) Point {i + 1}: the text should say how companies prove they "
            f"did what paragraph asks, with dates.",
            days_ago,
        )
        stream.append(comment)
        if i % 6 != 5:
            respond(comment, north, days_ago - 2 - i % 4, position=next(positions))
        if i % 2 == 0:
            if i % 8 == 4:
                respond(
                    comment,
                    meridian,
                    days_ago - 12,
                    kind=ResponseKind.DECLINE,
                    body="(Demo.) Meridian declines: it sells no equipment of this kind.",
                )
            else:
                respond(comment, meridian, days_ago - 20 - i % 9, position=next(positions))
        if i % 5 == 0:
            respond(comment, baobab, days_ago - 40, position=Position.NOTED)

    # A clarification exchange on a restricted comment, then the answer.
    restricted = post(
        "li@pressfreedom.demo",
        "2.2",
        "(Demo.) Our town lost service for nine days under an order nobody has "
        "seen. Did one of you receive it?",
        80,
        Visibility.RESTRICTED,
        to=[north, baobab],
    )
    question = respond(
        restricted,
        north,
        75,
        ResponseKind.CLARIFICATION,
        body="(Demo.) Which town and which dates, so we can search our records?",
    )
    actions.post_rejoinder(
        question,
        user=people["li@pressfreedom.demo"],
        body="(Demo.) The dates and the town are in the letter we sent the coordinators.",
        submission_key="demo-rejoinder-1",
        now=now - timedelta(days=72),
    )
    restricted_answer = respond(
        restricted,
        north,
        60,
        position=Position.PARTIALLY_AGREE,
        body="(Demo.) We received an order for that region and will publish it once allowed.",
    )

    # An edited answer, and a rejoinder from the commenter.
    first_answer = _request(stream[0], north).responses[0]
    actions.edit_response(
        first_answer,
        representative=reps[north.id],
        body="(Demo.) Revised: we will ask for every order in writing from "
        "next year, and say so in our report.",
        position=Position.AGREE,
        now=now - timedelta(days=50),
    )
    actions.post_rejoinder(
        first_answer,
        user=people[stakeholders[0]],
        body="(Demo.) Thank you. Will the report say how many orders were not in writing?",
        submission_key="demo-rejoinder-2",
        now=now - timedelta(days=48),
    )

    # Reassigned and voided requests; an extension.
    late = post(
        "noor@university.demo",
        "3.2",
        "(Demo.) Who publishes orders served on a network shared by two companies?",
        50,
        to=[north, baobab],
    )
    actions.reassign_request(
        _request(late, baobab),
        coordinator=coordinator,
        company=meridian,
        reason="(Demo.) Meridian operates the shared network.",
        now=now - timedelta(days=42),
    )
    void = post("kai@consumers.demo", "1.2", "(Demo.) Should handset makers follow this too?", 47)
    actions.void_request(
        _request(void, meridian),
        coordinator=coordinator,
        reason="(Demo.) Meridian makes no handsets: outside its remit.",
        now=now - timedelta(days=44),
    )
    actions.extend_request(
        _request(void, baobab),
        coordinator=coordinator,
        days=30,
        reason="(Demo.) Baobab Mobile asked for time to consult its country offices.",
        now=now - timedelta(days=20),
    )
    post(
        "kai@consumers.demo",
        "3.1",
        "(Demo.) Sent in the last week: the clock starts at the closing date.",
        19,
    )

    _answer_campaign(companies, reps, now)
    _demo_commitments(
        consultation,
        north,
        meridian,
        baobab,
        reps,
        coordinator,
        restricted_answer,
        first_answer,
        now,
    )
    return consultation


def _answer_campaign(companies, reps, now):
    """The open consultation's campaign: one request per company; Northwind answers it."""
    north = companies[0]
    request = db.session.scalar(
        sa.select(ResponseRequest).where(
            ResponseRequest.campaign_id.is_not(None), ResponseRequest.company_id == north.id
        )
    )
    if request is None:
        return
    actions.post_response(
        request,
        representative=reps[north.id],
        kind=ResponseKind.ANSWER,
        position=Position.AGREE,
        submission_key="demo-campaign-answer",
        body="(Demo.) Northwind agrees and will publish these figures per "
        "country from next year. This answers every organisation in "
        "the campaign.",
        now=now - timedelta(days=1),
    )


def _demo_commitments(
    consultation, north, meridian, baobab, reps, coordinator, restricted_answer, public_answer, now
):
    today = now.date()

    def record(
        text, company, due_in, *, answer=None, url=None, wording=None, actor=coordinator, kind=None
    ):
        draft = commitments.CommitmentDraft(
            text=text,
            due_on=today + timedelta(days=due_in),
            company=company,
            source_kind=kind or (SourceKind.ANSWER if answer else SourceKind.LINK),
            source_response=answer,
            source_url=url,
            public_wording=wording,
            paragraph_numbers=["1.1"] if answer else ["3.2"],
        )
        return commitments.record_commitment(
            consultation, draft, actor=actor, now=now - timedelta(days=40)
        )

    def change(commitment, status, note, successor=None, days_ago=5):
        commitments.change_status(
            commitment,
            coordinator=coordinator,
            status=status,
            note=note,
            evidence_url=f"{EVIDENCE}/{commitment.reference}",
            submission_key=f"demo-{commitment.reference}-{status.value}",
            successor=successor,
            now=now - timedelta(days=days_ago),
        )

    record(
        "(Demo.) Ask for every shutdown order in writing from next year.",
        north,
        200,
        answer=public_answer,
    )
    record(
        "(Demo.) Publish the order received for that region once allowed.",
        north,
        120,
        answer=restricted_answer,
        wording="(Demo.) Publish a shutdown order it received, once the law allows it.",
    )
    kept = record(
        "(Demo.) Publish a list of shutdown orders received last year.",
        meridian,
        -10,
        url="https://example.org/demo/meridian-statement",
    )
    change(kept, CommitmentStatus.KEPT, "(Demo.) The list was published on time.")
    partly = record(
        "(Demo.) The group publishes a shared template for shutdown reports.",
        None,
        -20,
        url="https://example.org/demo/group-update",
        kind=SourceKind.UPDATE,
    )
    change(
        partly,
        CommitmentStatus.PARTIALLY_KEPT,
        "(Demo.) A template was published, without the section on duration.",
    )
    missed = record(
        "(Demo.) Train all staff who handle orders by the end of the quarter.",
        baobab,
        -30,
        url="https://example.org/demo/baobab-letter",
    )
    change(missed, CommitmentStatus.MISSED, "(Demo.) Half of the staff were trained by then.")
    withdrawn = record(
        "(Demo.) Notify users by text message during every shutdown.",
        north,
        60,
        url="https://example.org/demo/northwind-blog",
    )
    change(
        withdrawn,
        CommitmentStatus.WITHDRAWN,
        "(Demo.) Northwind withdrew it: text messages fail during a shutdown.",
    )
    successor = record(
        "(Demo.) Notify users by every channel still working, within a day.",
        north,
        90,
        url="https://example.org/demo/northwind-blog-2",
    )
    old = record(
        "(Demo.) Notify users within a week.",
        north,
        30,
        url="https://example.org/demo/northwind-blog-1",
    )
    change(
        old,
        CommitmentStatus.SUPERSEDED,
        "(Demo.) Replaced by a faster promise.",
        successor=successor,
    )
    record(
        "(Demo.) Publish an escalation procedure for doubtful orders.",
        meridian,
        -3,
        url="https://example.org/demo/meridian-procedure",
    )  # open and overdue
    record(
        "(Demo.) Report to the board on shutdowns twice a year.",
        baobab,
        150,
        url="https://example.org/demo/baobab-proposal",
        actor=reps[baobab.id],
    )  # proposal
