"""Every rule's object form and SQL form agree, on generated data, for everyone.

Pages and actions ask a rule's object form (``can_view_comment``); lists, counts, feeds
and exports filter with its SQL form (``visible_comments_clause``). If the two ever
differed, a count would include what its page refuses, or a feed would leak what its
page hides. Each test below generates a world (phases, visibility levels, late
statuses, invitations, addressees, hidden and withdrawn comments, requests, campaigns,
commitments), then asks both forms about every object for every kind of viewer in
``tests/policy/conftest.py``, inactive accounts included.

The same holds for a response request's status at an instant: ``status_at`` (pages)
and ``status_sql`` (grouped figures and filters), around the instants where it changes.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from consult.accounts.models import OrganisationKind
from consult.comments.models import (
    AuthorDisplay,
    Campaign,
    Comment,
    CommentKind,
    CosignInvitation,
    LateStatus,
    Reply,
    ReplyIdentity,
    Visibility,
)
from consult.commitments.models import Commitment, SourceKind
from consult.consultations.models import Consultation, Phase
from consult.consultations.schedule import start_of_local_day
from consult.extensions import db
from consult.permissions import viewer_of
from consult.policy.comments import (
    can_read_body,
    can_read_reply,
    can_view_comment,
    readable_comments_clause,
    readable_replies_clause,
    visible_comments_clause,
)
from consult.policy.commitments import can_see_proposal, visible_proposals_clause
from consult.policy.consultations import can_view_consultation, visible_consultations_clause
from consult.policy.responses import can_read_response, readable_responses_clause
from consult.responses.deadlines import Status, end_pause, pause, reschedule, status_at, status_sql
from consult.responses.models import RequestState, ResponseRequest
from tests import factories
from tests.policy.conftest import AUTHORS, COMPANIES, INVITABLE

# A property test runs many examples inside one test's cast (a function-scoped fixture).
PROPERTY = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
NOW = datetime(2026, 2, 10, 9, 30, tzinfo=UTC)
BASE_ON = date(2026, 2, 10)

# --- what a world is made of ---------------------------------------------------------------

phases = st.sampled_from(list(Phase))
invitations = st.dictionaries(st.sampled_from(INVITABLE), st.booleans())  # name -> revoked
# Each comment's request to each company: None, or (state, whether for a campaign). The
# companies asked are usually those addressed, but a request may be reassigned to another.
a_request = st.tuples(st.sampled_from(list(RequestState)), st.sampled_from([False, False, True]))
requests = st.fixed_dictionaries(
    {
        company: st.one_of(st.none(), a_request, a_request)  # asked two times in three
        for company in COMPANIES
    }
)
replies = st.lists(st.tuples(st.sampled_from(AUTHORS), st.booleans(), st.booleans()), max_size=2)
comment_specs = st.fixed_dictionaries(
    {
        "consultation": st.integers(0, 1),
        "author": st.sampled_from(AUTHORS),
        "visibility": st.sampled_from(list(Visibility)),
        "late": st.sampled_from([None, *LateStatus]),
        "addressees": st.frozensets(st.sampled_from(COMPANIES)),
        "invitations": invitations,
        "hidden": st.booleans(),
        "withdrawn": st.booleans(),
        "replies": replies,
        "requests": requests,
    }
)
scenes = st.fixed_dictionaries(
    {
        "phases": st.tuples(phases, phases),
        "comments": st.lists(comment_specs, min_size=1, max_size=8),
    }
)

# One world that always runs besides the generated ones: every level with every late
# status, plain, hidden and withdrawn, in a published consultation (and a few in a draft
# one), each addressed to Northwind, inviting the invitee (and "other", revoked), with a
# reply and requests to both companies, and one campaign request.
MATRIX = {
    "phases": (Phase.PUBLISHED, Phase.DRAFT),
    "comments": [
        {
            "consultation": 0 if n % 8 else 1,
            "author": AUTHORS[n % len(AUTHORS)],
            "visibility": visibility,
            "late": late,
            "addressees": frozenset({"north"}),
            "invitations": {"invitee": False, "other": True},
            "hidden": state == "hidden",
            "withdrawn": state == "withdrawn",
            "replies": [("other", False, False)],
            "requests": {
                "north": (RequestState.AWAITING, n % 5 == 0),
                "south": (RequestState.ANSWERED, False),
            },
        }
        for n, (visibility, late, state) in enumerate(
            (visibility, late, state)
            for visibility in Visibility
            for late in [None, *LateStatus]
            for state in ("plain", "hidden", "withdrawn")
        )
    ],
}


def _set_phases(cast, scene):
    for consultation, phase in zip(cast.consultations, scene["phases"], strict=True):
        consultation.phase = phase


def _comment(cast, spec) -> Comment:
    author = cast.people[spec["author"]]
    visibility = spec["visibility"]
    comment = Comment(
        consultation_id=cast.consultations[spec["consultation"]].id,
        version_id=cast.versions[spec["consultation"]].id,
        author_id=author.id,
        organisation_id=author.organisation_id,
        category=OrganisationKind.CIVIL_SOCIETY,
        kind=CommentKind.COMMENT,
        visibility=visibility,
        display=AuthorDisplay.NAME if visibility == Visibility.PUBLIC else AuthorDisplay.COUNTRY,
        body="A generated remark.",
        body_html="<p>A generated remark.</p>",
        submission_key=factories.unique_key(),
        created_at=NOW,
        exposed_since=NOW,
        late_status=spec["late"],
        late_decided_at=NOW if spec["late"] in (LateStatus.ACCEPTED, LateStatus.REFUSED) else None,
        withdrawn_at=NOW if spec["withdrawn"] else None,
        hidden_at=NOW if spec["hidden"] else None,
        addressees=[cast.companies[name] for name in sorted(spec["addressees"])],
    )
    for name, revoked in spec["invitations"].items():
        comment.invitations.append(
            CosignInvitation(
                user_id=cast.people[name].id, created_at=NOW, revoked_at=NOW if revoked else None
            )
        )
    for name, hidden, withdrawn in spec["replies"]:
        comment.replies.append(
            Reply(
                author_id=cast.people[name].id,
                identity=ReplyIdentity.CATEGORY,
                category=OrganisationKind.CIVIL_SOCIETY,
                body="A generated reply.",
                body_html="<p>A generated reply.</p>",
                submission_key=factories.unique_key(),
                created_at=NOW,
                hidden_at=NOW if hidden else None,
                withdrawn_at=NOW if withdrawn else None,
            )
        )
    db.session.add(comment)
    return comment


def _build(cast, scene) -> list[Comment]:
    """The scene's comments (with their replies, invitations and addressees), flushed."""
    _set_phases(cast, scene)
    comments = [_comment(cast, spec) for spec in scene["comments"]]
    db.session.flush()
    return comments


def _requests(cast, scene, comments) -> list[ResponseRequest]:
    """Each comment's generated requests; a campaign request belongs to a campaign that
    the comment represents."""
    made = []
    for spec, comment in zip(scene["comments"], comments, strict=True):
        consultation = cast.consultations[spec["consultation"]]
        campaign = None
        for company, asked in spec["requests"].items():
            if asked is None:
                continue
            state, for_campaign = asked
            if for_campaign and campaign is None:
                campaign = Campaign(
                    consultation_id=consultation.id,
                    representative_id=comment.id,
                    text_hash="0" * 64,
                    organisation_count=5,
                    created_at=NOW,
                    formed_at=NOW,
                )
                db.session.add(campaign)
                db.session.flush()
            request = ResponseRequest(
                consultation_id=consultation.id,
                comment_id=comment.id,
                campaign_id=campaign.id if for_campaign else None,
                company_id=cast.companies[company].id,
                state=state,
                window_days=30,
                base_on=BASE_ON,
                paused_days=0,
                extension_days=0,
                clarification_lapsed=False,
                created_at=NOW,
            )
            reschedule(request, consultation.timezone)
            db.session.add(request)
            made.append(request)
    db.session.flush()
    return made


def _agree(cast, model, objects, clause_of, rule):
    """For every viewer, the SQL form selects exactly the objects the object form allows.

    Both forms read what is stored: every object is expired first, so the object form
    loads its relationships (invitations, addressees, phase) from the database.
    """
    ids = [o.id for o in objects]
    position = {o.id: i for i, o in enumerate(objects)}
    db.session.expire_all()
    for name, viewer in cast.viewers():
        by_query = set(
            db.session.scalars(sa.select(model.id).where(model.id.in_(ids), clause_of(viewer)))
        )
        by_object = {o.id for o in objects if rule(viewer, o)}
        only_sql = sorted(position[i] for i in by_query - by_object)
        only_object = sorted(position[i] for i in by_object - by_query)
        assert by_query == by_object, (
            f"{name}: SQL form only allows #{only_sql}; object form only allows #{only_object}"
        )


# --- comments, their text and their replies -------------------------------------------------


@PROPERTY
@given(scene=scenes)
@example(scene=MATRIX)
def test_can_view_comment_agrees_with_visible_comments_clause(cast, example_rows, scene):
    with example_rows():
        comments = _build(cast, scene)
        _agree(cast, Comment, comments, visible_comments_clause, can_view_comment)


@PROPERTY
@given(scene=scenes)
@example(scene=MATRIX)
def test_can_read_body_agrees_with_readable_comments_clause(cast, example_rows, scene):
    with example_rows():
        comments = _build(cast, scene)
        _agree(cast, Comment, comments, readable_comments_clause, can_read_body)
        # What "readable" means, exactly: the visible comments, less the withdrawn ones
        # (for everyone, coordinators included), less the hidden ones unless the viewer
        # is a coordinator or the author (an inactive author reads as a visitor).
        for name, viewer in cast.viewers():
            reader = viewer_of(viewer)
            visible = set(
                db.session.scalars(
                    sa.select(Comment.id).where(
                        Comment.id.in_([c.id for c in comments]), visible_comments_clause(viewer)
                    )
                )
            )
            expected = {
                c.id
                for c in comments
                if c.id in visible
                and c.withdrawn_at is None
                and (c.hidden_at is None or reader.is_coordinator or reader.is_user(c.author_id))
            }
            readable = {c.id for c in comments if can_read_body(viewer, c)}
            assert readable == expected, name


@PROPERTY
@given(scene=scenes)
@example(scene=MATRIX)
def test_can_read_reply_agrees_with_readable_replies_clause(cast, example_rows, scene):
    with example_rows():
        comments = _build(cast, scene)
        replies_ = [reply for comment in comments for reply in comment.replies]
        _agree(cast, Reply, replies_, readable_replies_clause, can_read_reply)


# --- company responses ---------------------------------------------------------------------


@settings(PROPERTY, max_examples=50)  # the telling worlds are rarer: more examples
@given(scene=scenes)
@example(scene=MATRIX)
def test_can_read_response_agrees_with_readable_responses_clause(cast, example_rows, scene):
    with example_rows():
        comments = _build(cast, scene)
        made = _requests(cast, scene, comments)
        _agree(cast, ResponseRequest, made, readable_responses_clause, can_read_response)


# --- commitment proposals ------------------------------------------------------------------

commitment_specs = st.lists(
    st.tuples(
        st.integers(0, 1),  # consultation
        st.sampled_from([None, "north", "south", "west"]),  # None: the whole group
        st.sampled_from(["proposed", "confirmed", "rejected"]),
        st.booleans(),  # source public
    ),
    min_size=1,
    max_size=6,
)


def _commitment(cast, consultation, company, decision, source_public) -> Commitment:
    coordinator = cast.people["coordinator"]
    return Commitment(
        consultation_id=cast.consultations[consultation].id,
        company_id=cast.companies[company].id if company else None,
        text="Publish a transparency report.",
        text_html="<p>Publish a transparency report.</p>",
        public_wording=None if source_public else "A report will be published.",
        public_wording_html=None if source_public else "<p>A report will be published.</p>",
        source_public=source_public,
        due_on=BASE_ON,
        overdue_at=NOW,
        source_kind=SourceKind.LINK,
        source_url="https://example.org/report",
        created_by_id=coordinator.id,
        created_at=NOW,
        confirmed_at=NOW if decision == "confirmed" else None,
        confirmed_by_id=coordinator.id if decision == "confirmed" else None,
        rejected_at=NOW if decision == "rejected" else None,
    )


@PROPERTY
@given(phases=st.tuples(phases, phases), specs=commitment_specs)
def test_can_see_proposal_agrees_with_visible_proposals_clause(cast, example_rows, phases, specs):
    with example_rows():
        _set_phases(cast, {"phases": phases})
        commitments = [_commitment(cast, *spec) for spec in specs]
        db.session.add_all(commitments)
        db.session.flush()
        _agree(cast, Commitment, commitments, visible_proposals_clause, can_see_proposal)


# --- consultations -------------------------------------------------------------------------


@PROPERTY
@given(phases=st.tuples(phases, phases))
def test_can_view_consultation_agrees_with_visible_consultations_clause(cast, example_rows, phases):
    with example_rows():
        _set_phases(cast, {"phases": phases})
        db.session.flush()
        _agree(
            cast,
            Consultation,
            cast.consultations,
            visible_consultations_clause,
            can_view_consultation,
        )


# --- a request's status at an instant -------------------------------------------------------

ZONES = [
    "Asia/Kolkata",  # +05:30
    "Europe/Brussels",  # daylight saving at 02:00/03:00
    "America/Santiago",  # daylight saving skips local midnight
    "Pacific/Kiritimati",  # +14
    "Pacific/Pago_Pago",  # -11
    "UTC",
]
# (kind, ...) how the request got to its state:
# ("set", state): the state as stored, no clarification ever asked;
# ("paused", day, second): a clarification asked on base + day, at that second of the day;
# ("resumed", day, second, after, state): paused so, then ended ``after`` days later into
# ``state`` (an answer, a decline, or back to awaiting), as the services do.
histories = st.one_of(
    st.tuples(st.just("set"), st.sampled_from(list(RequestState))),
    st.tuples(st.just("paused"), st.integers(0, 70), st.integers(0, 86_399)),
    st.tuples(
        st.just("resumed"),
        st.integers(0, 70),
        st.integers(0, 86_399),
        st.integers(0, 20),
        st.sampled_from(list(RequestState)),
    ),
)
request_specs = st.fixed_dictionaries(
    {
        "base_on": st.dates(date(2025, 1, 1), date(2027, 12, 31)),
        "window": st.integers(1, 60),
        "paused_days": st.integers(0, 14),
        "extension_days": st.integers(0, 90),
        "history": histories,
    }
)
ANCHORS = ["overdue", "very_overdue", "pause_ends", "due_day", "base_day"]
# Every request is read at each anchor nudged by each of these, in UTC and in its zone.
NUDGES = [
    timedelta(0),
    timedelta(microseconds=-1),
    timedelta(microseconds=1),
    timedelta(seconds=-1),
    timedelta(days=-1),
    timedelta(days=1),
]
# ...and at a few more instants: (anchor, seconds from it).
moments = st.lists(
    st.tuples(st.sampled_from(ANCHORS), st.integers(-3 * 86_400, 3 * 86_400)), max_size=4
)


def _local_instant(day: date, second: int, zone: str) -> datetime:
    return start_of_local_day(day, zone) + timedelta(seconds=second)


def _status_request(comment, consultation, company, spec, zone) -> ResponseRequest:
    request = ResponseRequest(
        consultation_id=consultation.id,
        comment_id=comment.id,
        company_id=company.id,
        state=RequestState.AWAITING,
        window_days=spec["window"],
        base_on=spec["base_on"],
        paused_days=spec["paused_days"],
        extension_days=spec["extension_days"],
        clarification_lapsed=False,
        created_at=NOW,
    )
    reschedule(request, zone)
    kind, *detail = spec["history"]
    if kind == "set":
        (request.state,) = detail
        reschedule(request, zone)
    else:
        day, second = detail[:2]
        asked = _local_instant(spec["base_on"] + timedelta(days=day), second, zone)
        pause(request, asked, zone)
        if kind == "resumed":
            after, state = detail[2:]
            end_pause(request, asked + timedelta(days=after), zone, next_state=state)
    return request


def _anchor(request: ResponseRequest, anchor: str, zone: str) -> datetime:
    return {
        "overdue": request.overdue_at,
        "very_overdue": request.very_overdue_at,
        "pause_ends": request.pause_ends_at or request.overdue_at,
        "due_day": start_of_local_day(request.due_on, zone),
        "base_day": start_of_local_day(request.base_on, zone),
    }[anchor]


def _instants(request: ResponseRequest, zone: str, extra) -> set[datetime]:
    return {_anchor(request, anchor, zone) + nudge for anchor in ANCHORS for nudge in NUDGES} | {
        _anchor(request, anchor, zone) + timedelta(seconds=seconds) for anchor, seconds in extra
    }


@PROPERTY
@given(
    zone=st.sampled_from(ZONES),
    specs=st.lists(request_specs, min_size=1, max_size=4),
    extra=moments,
)
def test_status_at_agrees_with_status_sql(cast, example_rows, zone, specs, extra):
    with example_rows():
        consultation = cast.consultations[0]
        consultation.timezone = zone
        comment = _comment(
            cast,
            {
                "consultation": 0,
                "author": "author",
                "visibility": Visibility.PUBLIC,
                "late": None,
                "addressees": frozenset(COMPANIES),
                "invitations": {},
                "hidden": False,
                "withdrawn": False,
                "replies": [],
                "requests": {},
            },
        )
        db.session.flush()
        made = [
            _status_request(comment, consultation, cast.companies["north"], spec, zone)
            for spec in specs
        ]
        db.session.add_all(made)
        db.session.flush()
        db.session.expire_all()  # both forms read the stored instants
        ids = [r.id for r in made]
        tz = ZoneInfo(zone)
        for request in made:
            # The boundaries nudged around are the ones the rule names: overdue from the
            # local midnight after the due date, very overdue after due date + window.
            assert request.overdue_at == start_of_local_day(
                request.due_on + timedelta(days=1), zone
            )
            assert (request.overdue_at - timedelta(microseconds=1)).astimezone(
                tz
            ).date() == request.due_on
            assert request.very_overdue_at == start_of_local_day(
                request.due_on + timedelta(days=request.window_days + 1), zone
            )
        instants = set().union(*(_instants(request, zone, extra) for request in made))
        for now in [
            moment for instant in sorted(instants) for moment in (instant, instant.astimezone(tz))
        ]:
            by_sql = dict(
                db.session.execute(
                    sa.select(ResponseRequest.id, status_sql(now)).where(
                        ResponseRequest.id.in_(ids)
                    )
                ).all()
            )
            by_python = {r.id: status_at(r, now) for r in made}
            assert {i: Status(s) for i, s in by_sql.items()} == by_python, now.isoformat()
