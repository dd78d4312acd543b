"""Lifecycle events: each service announces what it changed, once, with the changed
object and ``now``; receivers run in the order they were connected; and the layers
subscribe lowest first (the timeline, then campaigns, then response requests).

Receivers are connected with ``signal.connected_to(...)``, so none outlives its test.
"""

from contextlib import ExitStack, contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa
from blinker import ANY

from consult import register_subscribers
from consult.comments import campaigns
from consult.comments import events as comment_events
from consult.comments import services as comment_services
from consult.comments.models import AuthorDisplay, Visibility
from consult.consultations import events as consultation_events
from consult.consultations import services as consultation_services
from consult.consultations import versions
from consult.consultations.models import Phase
from consult.db import utcnow
from consult.events import Event
from consult.extensions import db
from consult.moderation.models import FlagReason
from consult.moderation.services import hide_comment, restore_comment
from consult.responses import actions
from consult.responses import events as response_events
from consult.responses import subscribers as request_subscribers
from consult.responses.models import Position, ResponseKind, ResponseRequest
from consult.tracking import subscribers as timeline_subscribers
from tests import factories
from tests.consultations import factories as consultation_factories

NOW = utcnow().replace(microsecond=0)


@contextmanager
def received(*signals):
    """Record ``(signal name, sender, keywords)`` for every send of ``signals``."""
    calls = []
    with ExitStack() as stack:
        for signal in signals:

            def receiver(sender, _name=signal.name, **kwargs):
                calls.append((_name, sender, kwargs))

            stack.enter_context(signal.connected_to(receiver))
        yield calls


def _north_request(comment) -> ResponseRequest:
    return db.session.scalar(
        sa.select(ResponseRequest).where(
            ResponseRequest.comment_id == comment.id,
            ResponseRequest.company_id == comment.addressees[0].id,
        )
    )


# --- comments ------------------------------------------------------------------------------


def test_posting_a_comment_sends_comment_posted_once_with_the_comment_and_now(world):
    with received(comment_events.comment_posted, comment_events.late_comment_accepted) as calls:
        comment = world.post(Visibility.PUBLIC, now=NOW, key="same-form")
        again = world.post(Visibility.PUBLIC, now=NOW + timedelta(minutes=1), key="same-form")
    assert again is comment  # the same form sent twice is one comment, announced once
    assert calls == [("comment-posted", comment, {"now": NOW})]


def test_subscribers_have_run_when_a_later_receiver_hears_of_a_post(world):
    seen = []

    def count_requests(comment, **_):
        seen.append(len(db.session.scalars(sa.select(ResponseRequest.company_id)).all()))

    with comment_events.comment_posted.connected_to(count_requests):
        world.post(Visibility.PUBLIC, companies=[world.north.id, world.south.id], now=NOW)
    assert seen == [2]  # the requests subscriber, connected at start-up, ran first


def test_withdrawing_sends_comment_withdrawn_once(world):
    comment = world.post(Visibility.PUBLIC, now=NOW)
    later = NOW + timedelta(hours=2)
    with received(comment_events.comment_withdrawn) as calls:
        comment_services.withdraw_comment(
            comment, author=world.author, remove_name=False, now=later
        )
        comment_services.withdraw_comment(comment, author=world.author, remove_name=True, now=later)
    assert calls == [("comment-withdrawn", comment, {"now": later})]


def test_hiding_and_restoring_send_their_events_with_when_it_was_hidden(world):
    comment = world.post(Visibility.PUBLIC, now=NOW)
    hidden_at, restored_at = NOW + timedelta(hours=1), NOW + timedelta(days=3)
    with received(comment_events.comment_hidden, comment_events.comment_restored) as calls:
        hide_comment(
            comment,
            moderator=world.coordinator,
            reason_code=FlagReason.ABUSE,
            reason="Abusive language",
            now=hidden_at,
        )
        restore_comment(comment, moderator=world.coordinator, reason="Misread", now=restored_at)
    assert calls == [
        ("comment-hidden", comment, {"now": hidden_at}),
        ("comment-restored", comment, {"hidden_at": hidden_at, "now": restored_at}),
    ]


def test_changing_visibility_sends_the_earlier_level(world):
    comment = world.post(Visibility.PUBLIC, now=NOW)
    later = NOW + timedelta(hours=1)
    with received(comment_events.visibility_changed) as calls:
        comment_services.change_visibility(
            comment,
            author=world.author,
            visibility=Visibility.ANONYMOUS,
            display=AuthorDisplay.COUNTRY,
            company_ids=[world.north.id, world.south.id],
            now=later,
        )
    assert calls == [
        ("comment-visibility-changed", comment, {"was": Visibility.PUBLIC, "now": later})
    ]


@pytest.mark.parametrize(
    ("accept", "expected"), [(True, "late-comment-accepted"), (False, "late-comment-refused")]
)
def test_deciding_a_late_comment_sends_accepted_or_refused(world, accept, expected):
    after_close = world.consultation.closes_at + timedelta(hours=1)
    comment = world.post(Visibility.PUBLIC, now=after_close)
    decided = after_close + timedelta(days=1)
    with received(
        comment_events.late_comment_accepted, comment_events.late_comment_refused
    ) as calls:
        comment_services.decide_late_comment(
            comment, coordinator=world.coordinator, accept=accept, reason="Explained", now=decided
        )
    assert calls == [(expected, comment, {"now": decided})]


def test_adding_companies_sends_the_companies_added(world):
    comment = world.post(Visibility.RESTRICTED, companies=[world.north.id], now=NOW)
    later = NOW + timedelta(minutes=5)
    with received(comment_events.companies_added) as calls:
        comment_services.add_addressees(
            comment, author=world.author, company_ids=[world.north.id, world.south.id], now=later
        )
    assert calls == [
        ("comment-companies-added", comment, {"companies": [world.south], "now": later})
    ]


# --- requests ------------------------------------------------------------------------------

REQUEST_EVENTS = (
    response_events.request_answered,
    response_events.request_declined,
    response_events.clarification_requested,
)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (ResponseKind.ANSWER, "request-answered"),
        (ResponseKind.DECLINE, "request-declined"),
        (ResponseKind.CLARIFICATION, "clarification-requested"),
    ],
)
def test_each_official_response_sends_its_event_with_the_response(world, kind, expected):
    comment = world.post(Visibility.PUBLIC, companies=[world.north.id], now=NOW)
    request = _north_request(comment)
    later = NOW + timedelta(days=2)
    with received(*REQUEST_EVENTS) as calls:
        response = actions.post_response(
            request,
            representative=world.north_rep,
            kind=kind,
            body="Our position, in full.",
            position=Position.AGREE if kind == ResponseKind.ANSWER else None,
            submission_key=factories.unique_key(),
            now=later,
        )
    assert calls == [(expected, request, {"response": response, "now": later})]


def test_a_follow_up_sends_no_request_event(world):
    comment = world.post(Visibility.PUBLIC, companies=[world.north.id], now=NOW)
    request = _north_request(comment)
    actions.post_response(
        request,
        representative=world.north_rep,
        kind=ResponseKind.ANSWER,
        body="We agree.",
        position=Position.AGREE,
        submission_key=factories.unique_key(),
        now=NOW + timedelta(days=1),
    )
    with received(*REQUEST_EVENTS) as calls:
        actions.post_response(
            request,
            representative=world.north_rep,
            kind=ResponseKind.FOLLOW_UP,
            body="Done since.",
            submission_key=factories.unique_key(),
            now=NOW + timedelta(days=9),
        )
    assert calls == []


# --- consultations -------------------------------------------------------------------------


def test_publishing_a_consultation_sends_consultation_published(world):
    draft = consultation_factories.consultation(phase=Phase.DRAFT, companies=[world.north])
    with received(consultation_events.consultation_published) as calls:
        consultation_services.publish_consultation(draft, actor=world.coordinator, now=NOW)
    assert calls == [("consultation-published", draft, {"actor": world.coordinator, "now": NOW})]


def test_concluding_a_consultation_sends_consultation_concluded(world):
    after_close = world.consultation.closes_at + timedelta(days=1)
    with received(consultation_events.consultation_concluded) as calls:
        consultation_services.conclude_consultation(
            world.consultation, actor=world.coordinator, now=after_close
        )
    assert calls == [
        (
            "consultation-concluded",
            world.consultation,
            {"actor": world.coordinator, "now": after_close},
        )
    ]


def test_extending_the_closing_date_sends_closing_extended(world):
    previous = world.consultation.closes_on
    closes_on = previous + timedelta(days=14)
    with received(consultation_events.closing_extended) as calls:
        consultation_services.extend_closing(
            world.consultation, closes_on, actor=world.coordinator, reason="More time", now=NOW
        )
    assert calls == [
        (
            "closing-extended",
            world.consultation,
            {
                "previous": previous,
                "closes_on": closes_on,
                "reason": "More time",
                "reopening": False,
                "actor": world.coordinator,
                "now": NOW,
            },
        )
    ]


def test_publishing_a_version_sends_version_published(world):
    version = consultation_factories.pending_draft(
        world.consultation, consultation_factories.DRAFT_TWO, actor=world.coordinator
    )
    db.session.commit()  # the actor is expired: publishing must not trip over its reload
    with received(consultation_events.version_published) as calls:
        versions.publish_version(version, actor=world.coordinator, now=NOW)
    assert calls == [("version-published", version, {"actor": world.coordinator, "now": NOW})]


# --- order ---------------------------------------------------------------------------------


def _recorders(count, heard):
    def make(n):
        def receiver(sender, **_):
            heard.append(n)

        return receiver

    return [make(n) for n in range(count)]


def test_receivers_run_in_the_order_they_were_connected():
    event = Event("test-order")
    heard = []
    receivers = _recorders(24, heard)
    order = [7, 3, 19, 0, 23, 11, 5, 16, 2, 21, 9, 14, 1, 18, 6, 22, 12, 4, 20, 8, 15, 10, 17, 13]
    for n in order:
        event.connect(receivers[n])
    event.send("sender")
    assert heard == order

    # Connecting again keeps a receiver's place; disconnecting and connecting moves it last.
    heard.clear()
    event.connect(receivers[order[0]])
    event.disconnect(receivers[order[1]])
    event.connect(receivers[order[1]])
    event.send("sender")
    assert heard == [order[0], *order[2:], order[1]]


def test_a_receiver_for_one_sender_is_refused_so_the_order_always_holds():
    # blinker would run it after every receiver for any sender, whatever the order.
    event = Event("test-order-by-sender")
    first, _second = _recorders(2, [])
    with pytest.raises(TypeError, match="any sender"):
        event.connect(first, sender="sender")
    assert not event.receivers


SUBSCRIBED_IN_ORDER = [
    # (event, the campaigns' receiver, the requests' receiver)
    (comment_events.comment_posted, campaigns.join_group, request_subscribers.ask_companies),
    (
        comment_events.late_comment_accepted,
        campaigns.join_group,
        request_subscribers.ask_companies,
    ),
    (
        comment_events.comment_restored,
        campaigns.join_group,
        request_subscribers.resume_when_restored,
    ),
    (
        comment_events.comment_withdrawn,
        campaigns.leave_group,
        request_subscribers.withdraw_with_comment,
    ),
    (comment_events.comment_hidden, campaigns.leave_group, request_subscribers.void_when_hidden),
    (
        comment_events.visibility_changed,
        campaigns.follow_visibility,
        request_subscribers.follow_visibility,
    ),
]


def _receivers(event):
    return list(event.receivers_for(ANY))


@pytest.mark.parametrize(
    ("event", "campaign_receiver", "request_receiver"),
    SUBSCRIBED_IN_ORDER,
    ids=[event.name for event, _, _ in SUBSCRIBED_IN_ORDER],
)
def test_register_subscribers_connects_campaigns_before_requests(
    app, event, campaign_receiver, request_receiver
):
    receivers = _receivers(event)
    assert receivers.index(campaign_receiver) < receivers.index(request_receiver)


@pytest.mark.parametrize(
    ("event", "receiver"),
    [
        (consultation_events.dates_planned, timeline_subscribers.record_dates),
        (consultation_events.consultation_published, timeline_subscribers.record_published),
        (consultation_events.consultation_concluded, timeline_subscribers.record_concluded),
        (consultation_events.version_published, timeline_subscribers.record_version),
        (consultation_events.closing_extended, timeline_subscribers.announce_extension),
    ],
    ids=lambda value: getattr(value, "name", None) or value.__name__,
)
def test_register_subscribers_connects_the_timeline(app, event, receiver):
    assert receiver in _receivers(event)


def test_registering_subscribers_twice_changes_nothing(app):
    events = [event for event, _, _ in SUBSCRIBED_IN_ORDER] + [
        comment_events.companies_added,
        comment_events.answered_question,
        consultation_events.dates_planned,
        consultation_events.consultation_concluded,
        consultation_events.closing_extended,
    ]
    before = {event.name: _receivers(event) for event in events}
    register_subscribers()
    assert {event.name: _receivers(event) for event in events} == before
