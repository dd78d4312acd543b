"""Requests through their states with frozen time, in Asia/Kolkata (UTC+05:30)."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from consult.comments import services as comment_services
from consult.comments.models import Visibility
from consult.extensions import db
from consult.moderation import services as moderation
from consult.moderation.models import FlagReason
from consult.responses import actions, deadlines
from consult.responses.deadlines import Status, status_at
from consult.responses.models import (
    Position,
    RequestState,
    ResponseKind,
    ResponseRequest,
    VoidCause,
)
from tests import factories
from tests.responses.conftest import kolkata

POSTED = kolkata(2026, 2, 1, 10, 0)  # base 1 February; due 3 March (30-day window)


def requests_of(comment):
    return db.session.scalars(
        sa.select(ResponseRequest)
        .where(ResponseRequest.comment_id == comment.id)
        .order_by(ResponseRequest.id)
    ).all()


def request_for(comment, company):
    return next(r for r in requests_of(comment) if r.company_id == company.id)


def answer(request, rep, *, now, kind=ResponseKind.ANSWER, position=Position.AGREE, body="Yes."):
    response = actions.post_response(
        request,
        representative=rep,
        kind=kind,
        body=body,
        position=position if kind == ResponseKind.ANSWER else None,
        submission_key=factories.unique_key(),
        now=now,
    )
    db.session.commit()
    return response


def test_posting_creates_one_request_per_addressed_company(fixed):
    comment = fixed.post(Visibility.PUBLIC, now=POSTED)
    requests = requests_of(comment)
    assert sorted(r.company_id for r in requests) == sorted([fixed.north.id, fixed.south.id])
    north = request_for(comment, fixed.north)
    assert north.state == RequestState.AWAITING
    assert north.base_on == date(2026, 2, 1)
    assert north.due_on == date(2026, 3, 3)
    # Local midnight after the due date, in Kolkata: 4 March 00:00 +05:30.
    assert north.overdue_at == datetime(2026, 3, 3, 18, 30, tzinfo=UTC)
    # Very overdue after due date + window (2 April): 3 April 00:00 +05:30.
    assert north.very_overdue_at == datetime(2026, 4, 2, 18, 30, tzinfo=UTC)
    assert north.section == "1"


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(visibility=Visibility.CONFIDENTIAL),
        dict(visibility=Visibility.PUBLIC, to_coordinators=True, companies=[]),
    ],
)
def test_confidential_and_coordinator_comments_ask_no_company(fixed, kwargs):
    visibility = kwargs.pop("visibility")
    comment = fixed.post(visibility, now=POSTED, **kwargs)
    assert requests_of(comment) == []


def test_overdue_and_very_overdue_at_exact_local_boundaries(fixed):
    request = request_for(fixed.post(now=POSTED), fixed.north)
    tick = datetime(2026, 3, 3, 18, 29, 59, tzinfo=UTC)  # 23:59:59 on the due date
    assert status_at(request, tick) == Status.AWAITING
    assert status_at(request, kolkata(2026, 3, 4, 0, 0)) == Status.OVERDUE
    assert status_at(request, kolkata(2026, 4, 2, 23, 59, 59)) == Status.OVERDUE
    assert status_at(request, kolkata(2026, 4, 3, 0, 0)) == Status.VERY_OVERDUE
    assert deadlines.days_overdue(request, kolkata(2026, 3, 15), "Asia/Kolkata") == 12


def test_comments_in_the_final_week_count_from_the_closing_date(fixed):
    before = fixed.post(now=kolkata(2026, 3, 22, 23, 50))  # 8 days before close
    inside = fixed.post(now=kolkata(2026, 3, 23, 0, 10))  # 7th day before close counts
    assert request_for(before, fixed.north).base_on == date(2026, 3, 22)
    assert request_for(inside, fixed.north).base_on == date(2026, 3, 29)
    assert request_for(inside, fixed.north).due_on == date(2026, 4, 28)


def test_a_late_comment_counts_from_its_acceptance(fixed):
    late = fixed.post(now=kolkata(2026, 3, 31, 9))
    assert requests_of(late) == []  # not yet accepted: nobody is asked
    comment_services.decide_late_comment(
        late,
        coordinator=fixed.coordinator,
        accept=True,
        reason="Sent in time by post.",
        now=kolkata(2026, 4, 6),
    )
    db.session.commit()
    assert request_for(late, fixed.north).base_on == date(2026, 4, 6)
    assert request_for(late, fixed.north).due_on == date(2026, 5, 6)


def test_clarification_pauses_the_clock_until_the_commenter_replies(fixed):
    comment = fixed.post(now=POSTED)
    request = request_for(comment, fixed.north)
    question = answer(
        request,
        fixed.north_rep,
        kind=ResponseKind.CLARIFICATION,
        now=kolkata(2026, 2, 10),
        body="Which networks do you mean?",
    )
    assert request.state == RequestState.CLARIFICATION
    assert request.due_on == date(2026, 3, 17)  # the whole 14-day pause counted meanwhile
    assert status_at(request, kolkata(2026, 2, 20)) == Status.CLARIFICATION
    actions.post_rejoinder(
        question,
        user=fixed.author,
        body="Mobile networks.",
        submission_key="k1",
        now=kolkata(2026, 2, 15),
    )
    db.session.commit()
    assert request.state == RequestState.AWAITING
    assert request.paused_days == 5
    assert request.due_on == date(2026, 3, 8)
    assert request.overdue_at == kolkata(2026, 3, 9, 0, 0)
    assert status_at(request, kolkata(2026, 3, 9, 0, 0)) == Status.OVERDUE


def test_clarification_resumes_by_itself_after_14_days_none_received(fixed):
    request = request_for(fixed.post(now=POSTED), fixed.north)
    answer(request, fixed.north_rep, kind=ResponseKind.CLARIFICATION, now=kolkata(2026, 2, 10))
    assert status_at(request, kolkata(2026, 2, 23, 23, 59)) == Status.CLARIFICATION
    resumed = kolkata(2026, 2, 24, 0, 0)
    assert status_at(request, resumed) == Status.AWAITING
    assert deadlines.clarification_unanswered(request, resumed)
    assert status_at(request, kolkata(2026, 3, 18, 0, 0)) == Status.OVERDUE  # 3 March + 14
    answer(request, fixed.north_rep, now=kolkata(2026, 3, 20))  # answered late anyway
    assert request.paused_days == 14
    assert request.on_time is False
    assert request.days_to_respond == (date(2026, 3, 20) - date(2026, 2, 1)).days - 14


def test_answer_records_time_to_first_response_and_position(fixed):
    request = request_for(fixed.post(now=POSTED), fixed.north)
    answer(request, fixed.north_rep, now=kolkata(2026, 2, 11), position=Position.NOTED)
    assert request.state == RequestState.ANSWERED
    assert request.position == Position.NOTED
    assert request.days_to_respond == 10
    assert request.on_time is True
    assert status_at(request, kolkata(2026, 6, 1)) == Status.ANSWERED


def test_hiding_voids_awaiting_requests_and_restoring_adds_the_hidden_days(fixed):
    comment = fixed.post(now=POSTED)
    south = request_for(comment, fixed.south)
    answer(south, fixed.south_rep, now=kolkata(2026, 2, 3))
    moderation.hide_comment(
        comment,
        moderator=fixed.coordinator,
        reason_code=FlagReason.ABUSE,
        reason="Abusive.",
        now=kolkata(2026, 2, 5),
    )
    db.session.commit()
    north = request_for(comment, fixed.north)
    assert (north.state, north.void_cause) == (RequestState.VOID, VoidCause.HIDDEN)
    assert south.state == RequestState.ANSWERED  # an answer stays
    moderation.restore_comment(
        comment, moderator=fixed.coordinator, reason="Edited.", now=kolkata(2026, 2, 12)
    )
    db.session.commit()
    assert north.state == RequestState.AWAITING
    assert north.paused_days == 7
    assert north.due_on == date(2026, 3, 10)


def test_withdrawal_before_an_answer_withdraws_and_after_an_answer_keeps_it(fixed):
    comment = fixed.post(now=POSTED)
    answered = request_for(comment, fixed.north)
    answer(answered, fixed.north_rep, now=kolkata(2026, 2, 2))
    comment_services.withdraw_comment(
        comment, author=fixed.author, remove_name=False, now=kolkata(2026, 2, 3)
    )
    db.session.commit()
    assert answered.state == RequestState.ANSWERED
    assert request_for(comment, fixed.south).state == RequestState.WITHDRAWN


def test_reassignment_moves_the_request_with_a_public_reason(fixed):
    comment = fixed.post(now=POSTED, companies=[fixed.north.id])
    request = request_for(comment, fixed.north)
    successor = actions.reassign_request(
        request,
        coordinator=fixed.coordinator,
        company=fixed.south,
        reason="Southgate runs it.",
        now=kolkata(2026, 2, 9),
    )
    db.session.commit()
    assert request.state == RequestState.REASSIGNED
    assert request.state_reason == "Southgate runs it."
    assert successor.company_id == fixed.south.id
    assert successor.base_on == date(2026, 2, 9)
    both = fixed.post(now=POSTED)
    with pytest.raises(Exception, match="already has a request"):
        actions.reassign_request(
            request_for(both, fixed.north),
            coordinator=fixed.coordinator,
            company=fixed.south,
            reason="again",
            now=kolkata(2026, 2, 9),
        )


def test_a_restricted_comment_is_never_sent_to_a_company_its_author_did_not_choose(fixed):
    comment = fixed.post(Visibility.RESTRICTED, now=POSTED, companies=[fixed.north.id])
    with pytest.raises(Exception, match="cannot be sent to another"):
        actions.reassign_request(
            request_for(comment, fixed.north),
            coordinator=fixed.coordinator,
            company=fixed.south,
            reason="Theirs.",
            now=POSTED,
        )


def test_extension_and_void_by_a_coordinator(fixed):
    comment = fixed.post(now=POSTED)
    north, south = request_for(comment, fixed.north), request_for(comment, fixed.south)
    actions.extend_request(
        north,
        coordinator=fixed.coordinator,
        days=10,
        reason="Holiday period.",
        now=kolkata(2026, 2, 20),
    )
    assert north.due_on == date(2026, 3, 13)
    assert north.overdue_at == kolkata(2026, 3, 14, 0, 0)
    assert north.very_overdue_at == kolkata(2026, 4, 13, 0, 0)
    actions.void_request(
        south, coordinator=fixed.coordinator, reason="Not its business.", now=kolkata(2026, 2, 20)
    )
    assert (south.state, south.void_cause) == (RequestState.VOID, VoidCause.REMIT)
    with pytest.raises(Exception, match="Only coordinators"):
        actions.extend_request(north, coordinator=fixed.north_rep, days=1, reason="x")


def test_making_a_comment_confidential_voids_its_requests(fixed):
    comment = fixed.post(Visibility.RESTRICTED, now=POSTED, companies=[fixed.north.id])
    comment_services.change_visibility(
        comment,
        author=fixed.author,
        visibility=Visibility.CONFIDENTIAL,
        display=comment.display,
        company_ids=[],
        now=kolkata(2026, 2, 2),
    )
    db.session.commit()
    request = request_for(comment, fixed.north)
    assert (request.state, request.void_cause) == (RequestState.VOID, VoidCause.CONFIDENTIAL)


def test_adding_a_company_opens_its_request_from_that_day(fixed):
    comment = fixed.post(now=POSTED, companies=[fixed.north.id])
    comment_services.add_addressees(
        comment, author=fixed.author, company_ids=[fixed.west.id], now=kolkata(2026, 2, 4)
    )
    db.session.commit()
    assert request_for(comment, fixed.west).base_on == date(2026, 2, 4)


def test_a_forming_campaign_merges_its_members_requests(fixed):
    text = "Please cover subsidiaries and joint ventures in scope, with no exceptions."
    authors = [fixed.author] + [factories.stakeholder() for _ in range(4)]
    comments = [
        fixed.post(author=a, body=text, now=kolkata(2026, 2, 1 + i)) for i, a in enumerate(authors)
    ]
    campaign_requests = db.session.scalars(
        sa.select(ResponseRequest).where(ResponseRequest.campaign_id.is_not(None))
    ).all()
    assert sorted(r.company_id for r in campaign_requests) == sorted(
        [fixed.north.id, fixed.south.id]
    )
    assert all(r.due_on == date(2026, 3, 3) for r in campaign_requests)  # earliest member's
    merged = db.session.scalars(
        sa.select(ResponseRequest).where(ResponseRequest.state == RequestState.MERGED)
    ).all()
    assert len(merged) == 8  # the four earlier members, two companies each
    later = fixed.post(author=factories.stakeholder(), body=text, now=kolkata(2026, 2, 20))
    assert requests_of(later) == []
    north = next(r for r in campaign_requests if r.company_id == fixed.north.id)
    answer(north, fixed.north_rep, now=kolkata(2026, 2, 21))
    assert comment_services.has_company_answer(comments[3])  # one answer answers every member
