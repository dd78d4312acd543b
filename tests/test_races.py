"""Races through the WSGI app: the same form sent twice at the same instant (a double
click that reaches two workers), and two people acting on one item at once.

Each request runs in a thread of its own, with a test client of its own (its own
session cookie and CSRF token), all released together by a barrier. Rows are committed
(``committed_database``): each request has its own connection and sees only what the
others committed. ``slow_writes`` widens the window between a request's look-ups and
its writes, so that on PostgreSQL both requests have looked before either writes; on
SQLite write transactions take turns (BEGIN IMMEDIATE), so there the second one finds
the first one's row.

Same form twice: one row, and both answers a success to the same page. Two people at
once: one action recorded, and the second person told what the first did.
"""

import re
import threading
import time
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from consult.audit.models import AuditEntry
from consult.comments.models import Comment, CoSignature, Reply, Visibility
from consult.commitments import services as commitment_services
from consult.commitments.models import CommitmentEvent, CommitmentStatus, SourceKind
from consult.extensions import db
from consult.moderation import services as moderation
from consult.moderation.models import FlagReason, ModerationAction
from consult.responses import actions
from consult.responses.models import (
    Position,
    Rejoinder,
    RequestState,
    Response,
    ResponseKind,
    ResponseRequest,
)
from tests import factories
from tests.comments.conftest import world  # noqa: F401  (the shared published consultation)
from tests.conftest import Client

LINK = "https://example.org/evidence"
WINDOW = 0.15  # seconds each write waits, so that concurrent requests overlap


@pytest.fixture(autouse=True)
def _database(committed_database):
    """Committed rows, emptied after each test: every request has its own connection.

    The pool starts empty, so every connection has the configured SQLite busy timeout:
    one opened while a test had shortened it would make a request that only has to
    wait its turn fail as busy.
    """
    db.engine.dispose()
    return committed_database


@pytest.fixture
def slow_writes(app):
    """Make every INSERT and UPDATE on the given tables wait a moment first."""
    tables: set[str] = set()

    def before(conn, cursor, statement, parameters, context, executemany):
        words = statement.split(None, 3)
        table = {"INSERT": words[2:3], "UPDATE": words[1:2]}.get(words[0], [""])
        if table and table[0].strip('"') in tables:
            time.sleep(WINDOW)

    sa.event.listen(db.engine, "before_cursor_execute", before)
    yield tables.update
    sa.event.remove(db.engine, "before_cursor_execute", before)


class Browser:
    """One signed-in person's browser: a test client of its own, posting from a thread."""

    def __init__(self, app, user):
        self.client = Client(app.test_client())
        self.client.sign_in(user)
        self.werkzeug = self.client.raw._client

    def form(self, url, prefix=None):
        """The hidden fields of the form on the page at ``url``, as the browser sends
        them: its CSRF token, its submission key and anything else it carries."""
        page = self.client.get(url).get_data(as_text=True)
        name = f"{prefix}-" if prefix else ""
        hidden = dict(
            re.findall(rf'name="({re.escape(name)}[\w-]+)" type="hidden" value="([^"]*)"', page)
        )
        assert f"{name}submission_key" in hidden, f"no {name}submission_key on {url}"
        return {k: v for k, v in hidden.items() if name or "-" not in k}

    def post(self, url, data):
        return lambda: self.werkzeug.post(url, data=data)

    def follow(self, response):
        """The page a redirect leads to (with its flashed messages)."""
        return self.client.get(response.headers["Location"]).get_data(as_text=True)


def together(*posts):
    """Send the requests from threads released at the same instant; their answers."""
    barrier = threading.Barrier(len(posts))
    answers: list = [None] * len(posts)
    failures: list[BaseException] = []

    def run(index, post):
        try:
            barrier.wait(timeout=30)
            answers[index] = post()
        except BaseException as error:  # reported below, in the test's thread
            failures.append(error)

    db.session.remove()  # the test's own transaction ends: nothing of it holds a lock
    threads = [threading.Thread(target=run, args=item) for item in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    assert all(a is not None for a in answers), "a request did not finish"
    return answers


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def assert_same_success(answers):
    statuses = [a.status_code for a in answers]
    assert all(s in (302, 303) for s in statuses), [
        (a.status_code, a.get_data(as_text=True)[:2000]) for a in answers
    ]
    assert len({a.headers["Location"] for a in answers}) == 1


def one_won(answers, loser_status):
    """The answer of the request that lost (the other one succeeded)."""
    statuses = sorted(a.status_code for a in answers)
    assert statuses == sorted([302, loser_status]), [
        (a.status_code, a.get_data(as_text=True)[:2000]) for a in answers
    ]
    return next(a for a in answers if a.status_code == loser_status)


def request_for(comment_id, company_id) -> ResponseRequest:
    return db.session.scalar(
        sa.select(ResponseRequest).where(
            ResponseRequest.comment_id == comment_id, ResponseRequest.company_id == company_id
        )
    )


# --- stakeholders ----------------------------------------------------------------------


def test_a_comment_sent_twice_at_once_is_stored_once(app, world, slow_writes):
    slow_writes({"comments"})
    url = f"/consultations/{world.consultation.slug}/p/{world.paragraph.stable_key}/comment"
    browsers = [Browser(app, world.author), Browser(app, world.author)]
    form = browsers[0].form(url)
    data = {
        **form,
        "kind": "comment",
        "body": "The scope should cover subsidiaries.",
        "audience": "everyone",
        "display": "name",
        "addressed_to": "companies",
        "companies": [str(world.north.id)],
        "understood": "y",
        "submit": "Publish my comment",
    }
    # The second browser sends the first one's form: the same key (its own CSRF token).
    second = {**data, "csrf_token": browsers[1].client.csrf_token(url)}
    answers = together(browsers[0].post(url, data), browsers[1].post(url, second))

    assert_same_success(answers)  # both: the one receipt
    assert "/receipt" in answers[0].headers["Location"]
    assert count(Comment, Comment.submission_key == form["submission_key"]) == 1


def test_a_reply_sent_twice_at_once_is_stored_once(app, world, slow_writes):
    comment = world.post(Visibility.PUBLIC)
    slow_writes({"replies"})
    url, comment_id = f"/comments/{comment.reference}", comment.id
    browsers = [Browser(app, world.other), Browser(app, world.other)]
    form = browsers[0].form(url, "reply")
    data = {**form, "reply-body": "Which subsidiaries?", "reply-identity": "category"}
    answers = together(
        *(
            b.post(f"{url}/reply", {**data, "reply-csrf_token": b.client.csrf_token(url)})
            for b in browsers
        )
    )

    assert_same_success(answers)
    assert count(Reply, Reply.comment_id == comment_id) == 1


def test_a_cosignature_sent_twice_at_once_is_stored_once(app, world, slow_writes):
    comment = world.post(Visibility.PUBLIC)
    slow_writes({"cosignatures"})
    url, comment_id = f"/comments/{comment.reference}", comment.id
    browsers = [Browser(app, world.other), Browser(app, world.other)]
    form = browsers[0].form(url, "cosign")
    data = {**form, "cosign-named": "named"}
    answers = together(
        *(
            b.post(f"{url}/cosign", {**data, "cosign-csrf_token": b.client.csrf_token(url)})
            for b in browsers
        )
    )

    assert_same_success(answers)
    assert count(CoSignature, CoSignature.comment_id == comment_id) == 1


def test_two_members_cosigning_at_once_make_one_cosignature(app, world, slow_writes):
    comment = world.post(Visibility.PUBLIC)
    colleague = factories.stakeholder(organisation_=world.other.organisation)
    slow_writes({"cosignatures"})
    url, comment_id = f"/comments/{comment.reference}", comment.id
    browsers = [Browser(app, world.other), Browser(app, colleague)]
    answers = together(
        *(
            b.post(f"{url}/cosign", {**b.form(url, "cosign"), "cosign-named": "named"})
            for b in browsers
        )
    )

    lost = one_won(answers, 303)
    assert "already co-signed" in browsers[answers.index(lost)].follow(lost)
    assert count(CoSignature, CoSignature.comment_id == comment_id) == 1


def test_a_rejoinder_sent_twice_at_once_is_stored_once(app, world, slow_writes):
    comment = world.post(Visibility.PUBLIC, companies=[world.north.id])
    response = actions.post_response(
        request_for(comment.id, world.north.id),
        representative=world.north_rep,
        kind=ResponseKind.ANSWER,
        position=Position.AGREE,
        body="We agree.",
        submission_key=factories.unique_key(),
    )
    db.session.commit()
    slow_writes({"rejoinders"})
    url = f"/comments/{comment.reference}"
    prefix = f"rejoin-{response.reference}"
    target = f"/responses/{response.reference}/rejoinder"
    browsers = [Browser(app, world.author), Browser(app, world.author)]
    data = {**browsers[0].form(url, prefix), f"{prefix}-body": "Thank you; by when?"}
    answers = together(
        *(
            b.post(target, {**data, f"{prefix}-csrf_token": b.client.csrf_token(url)})
            for b in browsers
        )
    )

    assert_same_success(answers)
    assert count(Rejoinder) == 1


# --- company representatives -----------------------------------------------------------


def _answered(world, comment):
    actions.post_response(
        request_for(comment.id, world.north.id),
        representative=world.north_rep,
        kind=ResponseKind.ANSWER,
        position=Position.AGREE,
        body="We agree.",
        submission_key=factories.unique_key(),
    )
    db.session.commit()


@pytest.mark.parametrize(
    ("action", "fields", "state"),
    [
        ("answer", {"answer-position": "agree", "answer-body": "We agree."}, "answered"),
        ("decline", {"decline-body": "Outside our operations."}, "declined"),
        ("clarify", {"clarify-body": "Which country do you mean?"}, "clarification_requested"),
        ("followup", {"followup-body": "Published today."}, "answered"),
    ],
)
def test_a_company_response_sent_twice_at_once_is_published_once(
    app, world, slow_writes, action, fields, state
):
    comment = world.post(Visibility.PUBLIC, companies=[world.north.id])
    if action == "followup":
        _answered(world, comment)
    reference = request_for(comment.id, world.north.id).reference
    slow_writes({"responses", "response_requests"})
    url = f"/requests/{reference}"
    browsers = [Browser(app, world.north_rep), Browser(app, world.north_rep)]
    data = {**browsers[0].form(url, action), **fields}
    answers = together(
        *(
            b.post(f"{url}/{action}", {**data, f"{action}-csrf_token": b.client.csrf_token(url)})
            for b in browsers
        )
    )

    assert_same_success(answers)
    kind = {"followup": "follow_up", "clarify": "clarification"}.get(action, action)
    assert count(Response, Response.kind == kind) == 1
    assert db.session.scalar(sa.select(ResponseRequest.state)) == state


def test_two_representatives_answering_at_once_publish_one_answer(app, world, slow_writes):
    comment = world.post(Visibility.PUBLIC, companies=[world.north.id])
    colleague = factories.company_rep(world.north, name="Cora Colleague")
    reference = request_for(comment.id, world.north.id).reference
    slow_writes({"responses", "response_requests"})
    url = f"/requests/{reference}"
    browsers = [Browser(app, world.north_rep), Browser(app, colleague)]
    texts = ["The first answer.", "The second answer."]
    answers = together(
        *(
            b.post(
                f"{url}/answer",
                {**b.form(url, "answer"), "answer-position": "agree", "answer-body": text},
            )
            for b, text in zip(browsers, texts, strict=True)
        )
    )

    lost = one_won(answers, 409)
    page = lost.get_data(as_text=True)
    assert "already answered this request" in page
    assert count(Response) == 1
    published = db.session.scalar(sa.select(Response.body))
    kept = texts[1 - texts.index(published)]
    assert kept in page  # the loser's text comes back, as a follow-up to send or not
    assert db.session.scalar(sa.select(ResponseRequest.state)) == RequestState.ANSWERED


# --- coordinators ----------------------------------------------------------------------


def test_two_coordinators_voiding_a_request_at_once_void_it_once(app, world, slow_writes):
    comment = world.post(Visibility.PUBLIC, companies=[world.north.id])
    reference = request_for(comment.id, world.north.id).reference
    slow_writes({"response_requests"})
    url = f"/requests/{reference}"
    browsers = [Browser(app, world.coordinator), Browser(app, world.officer)]
    answers = together(
        *(
            b.post(f"{url}/void", {"void-csrf_token": b.client.csrf_token(url), "void-reason": r})
            for b, r in zip(browsers, ["Outside its remit.", "Not theirs."], strict=True)
        )
    )

    lost = one_won(answers, 303)
    told = browsers[answers.index(lost)].follow(lost)
    assert "already voided or reassigned this request" in told
    assert count(AuditEntry, AuditEntry.action == "request.voided") == 1


def test_a_hide_sent_twice_at_once_is_recorded_once(app, world, slow_writes):
    comment = world.post(Visibility.PUBLIC)
    slow_writes({"comments", "moderation_actions"})
    url = f"/comments/{comment.reference}"
    browsers = [Browser(app, world.coordinator), Browser(app, world.coordinator)]
    data = {**browsers[0].form(url, "hide"), "hide-reason_code": "abuse", "hide-reason": "Insults"}
    answers = together(
        *(
            b.post(f"{url}/hide", {**data, "hide-csrf_token": b.client.csrf_token(url)})
            for b in browsers
        )
    )

    assert_same_success(answers)
    assert count(ModerationAction) == 1


def test_two_coordinators_hiding_at_once_record_one_action(app, world, slow_writes):
    comment = world.post(Visibility.PUBLIC)
    slow_writes({"comments", "moderation_actions"})
    url = f"/comments/{comment.reference}"
    browsers = [Browser(app, world.coordinator), Browser(app, world.officer)]
    answers = together(
        *(
            b.post(
                f"{url}/hide",
                {**b.form(url, "hide"), "hide-reason_code": "abuse", "hide-reason": reason},
            )
            for b, reason in zip(browsers, ["Insults", "Abuse"], strict=True)
        )
    )

    lost = one_won(answers, 303)
    told = browsers[answers.index(lost)].follow(lost)
    assert "already hid this comment" in told
    assert count(ModerationAction) == 1
    assert db.session.scalar(sa.select(Comment.hidden_at)) is not None


def _hidden(world, comment):
    moderation.hide_comment(
        comment, moderator=world.coordinator, reason_code=FlagReason.ABUSE, reason="Insults"
    )
    db.session.commit()


def test_a_restore_sent_twice_at_once_is_recorded_once(app, world, slow_writes):
    comment = world.post(Visibility.PUBLIC)
    _hidden(world, comment)
    slow_writes({"comments", "moderation_actions"})
    url = f"/comments/{comment.reference}"
    browsers = [Browser(app, world.coordinator), Browser(app, world.coordinator)]
    data = {**browsers[0].form(url, "restore"), "restore-reason": "On appeal"}
    answers = together(
        *(
            b.post(f"{url}/restore", {**data, "restore-csrf_token": b.client.csrf_token(url)})
            for b in browsers
        )
    )

    assert_same_success(answers)
    assert count(ModerationAction, ModerationAction.kind == "restore") == 1


def test_two_coordinators_restoring_at_once_record_one_action(app, world, slow_writes):
    comment = world.post(Visibility.PUBLIC)
    _hidden(world, comment)
    slow_writes({"comments", "moderation_actions"})
    url = f"/comments/{comment.reference}"
    browsers = [Browser(app, world.coordinator), Browser(app, world.officer)]
    answers = together(
        *(
            b.post(f"{url}/restore", {**b.form(url, "restore"), "restore-reason": "On appeal"})
            for b in browsers
        )
    )

    lost = one_won(answers, 303)
    assert "already restored this comment" in browsers[answers.index(lost)].follow(lost)
    assert count(ModerationAction, ModerationAction.kind == "restore") == 1
    assert db.session.scalar(sa.select(Comment.hidden_at)) is None


def _commitment(world):
    draft = commitment_services.CommitmentDraft(
        text="Publish a yearly transparency report.",
        due_on=date.today() + timedelta(days=90),
        source_kind=SourceKind.LINK,
        company=world.north,
        source_url="https://example.org/announcement",
    )
    commitment = commitment_services.record_commitment(
        world.consultation, draft, actor=world.coordinator
    )
    db.session.commit()
    return commitment.reference


def _status(status, note="Published in May."):
    return {"status-status": status, "status-note": note, "status-evidence_url": LINK}


def test_a_status_change_sent_twice_at_once_is_recorded_once(app, world, slow_writes):
    reference = _commitment(world)
    slow_writes({"commitments", "commitment_events"})
    url = f"/commitments/{reference}"
    browsers = [Browser(app, world.coordinator), Browser(app, world.coordinator)]
    data = {**browsers[0].form(url, "status"), **_status("kept")}
    answers = together(
        *(
            b.post(f"{url}/status", {**data, "status-csrf_token": b.client.csrf_token(url)})
            for b in browsers
        )
    )

    assert_same_success(answers)
    assert count(CommitmentEvent, CommitmentEvent.status == CommitmentStatus.KEPT) == 1


@pytest.mark.parametrize(
    ("statuses", "loser_status", "told"),
    [
        (["kept", "kept"], 303, "already changed the status to “Kept”"),  # the same change
        (["kept", "missed"], 409, "already changed the status to"),  # conflicting ones
    ],
)
def test_two_coordinators_changing_a_status_at_once_record_one_change(
    app, world, slow_writes, statuses, loser_status, told
):
    reference = _commitment(world)
    slow_writes({"commitments", "commitment_events"})
    url = f"/commitments/{reference}"
    browsers = [Browser(app, world.coordinator), Browser(app, world.officer)]
    answers = together(
        *(
            b.post(f"{url}/status", {**b.form(url, "status"), **_status(status)})
            for b, status in zip(browsers, statuses, strict=True)
        )
    )

    lost = one_won(answers, loser_status)
    page = (
        browsers[answers.index(lost)].follow(lost)
        if loser_status == 303
        else lost.get_data(as_text=True)
    )
    assert told in page
    if loser_status == 409:
        assert "Published in May." in page  # the evidence typed comes back
    assert count(CommitmentEvent) == 2  # recorded (open), then the one change
