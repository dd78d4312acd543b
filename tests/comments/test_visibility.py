"""The visibility matrix: every level, hidden and withdrawn, as every kind of viewer,
on the comment page, the thread, the draft's counts and "My comments"."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consult.comments import services
from consult.comments.models import AuthorDisplay, Visibility
from consult.extensions import db
from consult.moderation.models import FlagReason
from consult.moderation.services import hide_comment
from consult.permissions import VISITOR, Role, Viewer
from consult.policy.comments import can_view_comment, visible_comments

VIEWERS = [
    "visitor",
    "author",
    "other",
    "invitee",
    "north_rep",
    "south_rep",
    "coordinator",
    "officer",
]
BODY = "Distinctive body text about interception."

# Who may open the comment (else 404), for each state. Restricted comments address
# Northwind only; the invitee is invited on restricted and confidential comments.
SEES = {
    "public": set(VIEWERS),
    "anonymous": set(VIEWERS),
    "restricted": {"author", "invitee", "north_rep", "coordinator", "officer"},
    "confidential": {"author", "invitee", "coordinator", "officer"},
    "hidden": set(VIEWERS),
    "withdrawn": set(VIEWERS),
}
# Who reads the text, for each state.
READS = {**SEES, "hidden": {"author", "coordinator", "officer"}, "withdrawn": set()}
# Only a public comment shows the name; after withdrawal with removal, nobody sees it.
SHOWS_NAME = {"public": set(VIEWERS), "hidden": set(VIEWERS)}
POSTED_AT = datetime.now(UTC).replace(hour=3, minute=17, second=29, microsecond=0) - timedelta(
    days=1
)


def _make(world, state):
    level = {"hidden": "public", "withdrawn": "public"}.get(state, state)
    comment = world.post(
        Visibility(level),
        body=BODY,
        companies=[world.north.id] if level == "restricted" else None,
        display=AuthorDisplay.NAME if level == "public" else AuthorDisplay.COUNTRY,
        now=POSTED_AT,
    )
    if level in ("restricted", "confidential"):
        services.invite_cosigner(comment, author=world.author, email=world.invitee.email)
    if state == "hidden":
        hide_comment(
            comment,
            moderator=world.coordinator,
            reason_code=FlagReason.ABUSE,
            reason="Abusive language",
        )
    if state == "withdrawn":
        services.withdraw_comment(comment, author=world.author, remove_name=True)
    db.session.commit()
    return comment


def _page(client, world, who, url):
    if who != "visitor":
        client.sign_in(getattr(world, who))
    return client.get(url)


@pytest.mark.parametrize("state", list(SEES))
@pytest.mark.parametrize("who", VIEWERS)
def test_comment_page_by_reference(client, world, state, who):
    comment = _make(world, state)
    response = _page(client, world, who, f"/comments/{comment.reference}")
    if who not in SEES[state]:
        assert response.status_code == 404
        return
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert (BODY in page) == (who in READS[state])
    assert ("Amina Author" in page) == (who in SHOWS_NAME.get(state, set()))
    assert world.author.email not in page
    if who != "author":  # the author alone sees their receipt time
        assert "3:17" not in page or state in ("public", "hidden")  # non-public: date only
    if state == "hidden":
        assert "Abusive language" in page
    if state == "withdrawn":
        assert "Withdrawn by the author" in page


@pytest.mark.parametrize("state", list(SEES))
@pytest.mark.parametrize("who", VIEWERS)
def test_thread_and_counts(client, world, state, who):
    comment = _make(world, state)
    thread = _page(
        client,
        world,
        who,
        f"/consultations/{world.consultation.slug}/p/{world.paragraph.stable_key}/comments",
    )
    page = thread.get_data(as_text=True)
    assert (comment.reference in page) == (who in SEES[state])
    assert (BODY in page) == (who in READS[state])
    draft = client.get(f"/consultations/{world.consultation.slug}/draft").get_data(as_text=True)
    counted = who in READS[state]
    assert ("1 comment" in draft) == counted, draft[draft.find("comment") - 200 :][:400]


def test_anonymous_comment_shows_category_and_country_but_not_the_organisation(client, world):
    comment = world.post(Visibility.ANONYMOUS, display=AuthorDisplay.COUNTRY, body=BODY)
    page = client.get(f"/comments/{comment.reference}").get_data(as_text=True)
    assert "Civil society" in page and "Kenya" in page
    assert world.author.organisation.name not in page


def test_region_display_shows_the_region_not_the_country(client, world):
    comment = world.post(Visibility.ANONYMOUS, display=AuthorDisplay.REGION, body=BODY)
    page = client.get(f"/comments/{comment.reference}").get_data(as_text=True)
    assert "Sub-Saharan Africa" in page and "Kenya" not in page


def test_companies_see_a_restricted_author_as_category_only(client, world):
    comment = world.post(
        Visibility.RESTRICTED, display=AuthorDisplay.COUNTRY, companies=[world.north.id], body=BODY
    )
    client.sign_in(world.north_rep)
    page = client.get(f"/comments/{comment.reference}").get_data(as_text=True)
    assert "Civil society" in page and "Kenya" not in page


def test_coordinators_do_not_see_who_wrote_a_non_public_comment(client, world):
    comment = world.post(Visibility.CONFIDENTIAL, body=BODY)
    client.sign_in(world.coordinator)
    page = client.get(f"/comments/{comment.reference}").get_data(as_text=True)
    assert BODY in page
    assert "Amina Author" not in page and world.author.organisation.name not in page


def test_privacy_officer_reveal_is_recorded_and_listed_to_the_author(client, make_client, world):
    comment = world.post(Visibility.CONFIDENTIAL, body=BODY)
    client.sign_in(world.officer)
    response = client.post(
        f"/comments/{comment.reference}/reveal",
        {"reveal-reason": "Credible threat reported to us"},
        prefix="reveal",
        token_from=f"/comments/{comment.reference}",
    )
    assert response.status_code == 200
    assert "Amina Author" in response.get_data(as_text=True)
    author = make_client()
    author.sign_in(world.author)
    mine = author.get("/my/comments").get_data(as_text=True)
    assert "Credible threat reported to us" in mine


def test_a_coordinator_who_is_not_privacy_officer_cannot_reveal(client, world):
    comment = world.post(Visibility.CONFIDENTIAL, body=BODY)
    client.sign_in(world.coordinator)
    response = client.post(
        f"/comments/{comment.reference}/reveal",
        {"reveal-reason": "curious"},
        prefix="reveal",
        token_from=f"/comments/{comment.reference}",
    )
    assert response.status_code == 403
    assert "Amina Author" not in response.get_data(as_text=True)


def test_replies_by_the_author_of_an_anonymous_comment_do_not_reveal_them(client, world):
    comment = world.post(Visibility.ANONYMOUS, display=AuthorDisplay.NOTHING, body=BODY)
    services.post_reply(
        comment,
        author=world.author,
        body="Clarifying my point.",
        identity=services.ReplyIdentity.NAMED,
        submission_key="r1",
    )
    db.session.commit()
    page = client.get(f"/comments/{comment.reference}").get_data(as_text=True)
    assert "Clarifying my point." in page
    assert "Amina Author" not in page and world.author.organisation.name not in page


def test_late_comment_is_seen_only_by_author_and_coordinators_until_accepted(client, world):
    world.consultation.closes_at = datetime.now(UTC) - timedelta(hours=1)
    db.session.commit()
    comment = world.post(Visibility.PUBLIC, body=BODY)
    assert comment.late_status == "pending"
    assert client.get(f"/comments/{comment.reference}").status_code == 404
    services.decide_late_comment(
        comment,
        coordinator=world.coordinator,
        accept=True,
        reason="Sent two hours late because of a network outage",
    )
    db.session.commit()
    page = client.get(f"/comments/{comment.reference}").get_data(as_text=True)
    assert BODY in page and '<span class="badge">late</span>' in page  # accepted: plain "late"


def test_draft_consultation_comments_are_hidden_from_everyone_but_coordinators(world):
    comment = world.post(Visibility.PUBLIC, body=BODY)
    world.consultation.phase = "draft"
    db.session.commit()
    author = Viewer(
        user_id=world.author.id, role=Role.STAKEHOLDER, organisation_id=world.author.organisation_id
    )
    assert not can_view_comment(author, comment)
    assert can_view_comment(Viewer(user_id=world.coordinator.id, role=Role.COORDINATOR), comment)


# --- the object rule and the query rule always agree ---------------------------------

_levels = st.sampled_from(list(Visibility))
_late = st.sampled_from([None, "pending", "accepted", "refused"])
_invitation = st.sampled_from([None, "open", "revoked"])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    specs=st.lists(
        st.tuples(_levels, _late, _invitation, st.booleans(), st.sampled_from(["author", "other"])),
        min_size=1,
        max_size=6,
    ),
    viewer_index=st.integers(min_value=0, max_value=len(VIEWERS) - 1),
    draft=st.booleans(),
)
def test_can_view_comment_and_visible_comments_agree(world, specs, viewer_index, draft):
    from consult.comments.models import Comment, CosignInvitation
    from consult.consultations.models import Phase

    world.consultation.phase = Phase.PUBLISHED  # to post; the example's phase is set below
    comments = []
    for level, late, invitation, north_only, who in specs:
        comment = world.post(
            level, author=getattr(world, who), companies=[world.north.id] if north_only else None
        )
        comment.late_status = late
        if invitation and level in (Visibility.RESTRICTED, Visibility.CONFIDENTIAL):
            revoked_at = POSTED_AT if invitation == "revoked" else None
            db.session.add(
                CosignInvitation(
                    comment_id=comment.id, user_id=world.invitee.id, revoked_at=revoked_at
                )
            )
        comments.append(comment)
    # A consultation taken back to draft: its comments are for coordinators only.
    world.consultation.phase = Phase.DRAFT if draft else Phase.PUBLISHED
    db.session.commit()
    name = VIEWERS[viewer_index]
    viewer = VISITOR if name == "visitor" else getattr(world, name)
    by_query = set(
        db.session.scalars(
            visible_comments(viewer)
            .with_only_columns(Comment.id)
            .where(Comment.id.in_([c.id for c in comments]))
        )
    )
    by_object = {c.id for c in comments if can_view_comment(viewer, c)}
    assert by_query == by_object
    # Clean up for the next example: Hypothesis runs them all in one test's world.
    for comment in comments:
        db.session.expunge(comment)
    for statement in [
        "UPDATE comments SET campaign_id = NULL",
        "DELETE FROM notifications",  # the requests' and comments' notifications
        "DELETE FROM campaign_bands",
        "DELETE FROM campaigns",
        "DELETE FROM comment_revisions",
        "DELETE FROM cosign_invitations",
        "DELETE FROM comment_addressees",
        "DELETE FROM response_requests",
        "DELETE FROM comments",
    ]:
        db.session.execute(db.text(statement))
    world.consultation.phase = Phase.PUBLISHED
    db.session.commit()
