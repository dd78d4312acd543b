"""Dispositions: recorded by coordinators one by one or in bulk, shown on the comment,
on "My comments" and in the published table, following each comment's visibility."""

import re

import pytest
import sqlalchemy as sa

from consult.audit.models import AuditEntry
from consult.comments import services as comment_services
from consult.comments.models import Visibility
from consult.consultations.versions import version_by_number
from consult.dispositions import services
from consult.dispositions.models import Disposition, DispositionImmutable, Outcome
from consult.extensions import db
from tests import factories
from tests.comments.test_campaigns import LONG_TEXT
from tests.consultations import factories as consultation_factories
from tests.consultations.factories import DRAFT_ONE

SECRET = "canary-restricted-7Q4 only the addressed companies may read this"
CONFIDENTIAL = "canary-confidential-9X2 only coordinators may read this"


def _record_url(world):
    return f"/consultations/{world.consultation.slug}/dispositions/record"


def _table_url(world):
    return f"/consultations/{world.consultation.slug}/dispositions"


def _key(client, url):
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="submission_key" type="hidden" value="([^"]+)"', page).group(1)


def _dispose(client, world, references, outcome, reason="", later_version="", key=None):
    url = _record_url(world)
    data = {
        "subjects": references,
        "outcome": outcome,
        "reason": reason,
        "later_version": later_version,
        "submission_key": key or _key(client, url),
    }
    return client.post(url, data)


def test_a_coordinator_records_a_disposition_and_everyone_sees_it(client, make_client, world):
    comment = world.post(body="Cover subsidiaries too.")
    client.sign_in(world.coordinator)
    page = client.get(_record_url(world)).get_data(as_text=True)
    assert comment.reference in page and "0 of 1 disposed" in page
    response = _dispose(client, world, [comment.reference], "incorporated")
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]

    visitor = make_client()
    table = visitor.get(_table_url(world)).get_data(as_text=True)
    assert "1 of 1 disposed" in table and "Incorporated" in table
    assert comment.reference in table and "Cover subsidiaries too." in table
    shown = visitor.get(f"/comments/{comment.reference}").get_data(as_text=True)
    assert "What the coordinators did with it" in shown and "Incorporated" in shown
    author = make_client()
    author.sign_in(world.author)
    mine = author.get("/my/comments").get_data(as_text=True)
    assert "Incorporated" in mine
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "disposition_recorded")
    )
    assert entry.actor_id == world.coordinator.id and entry.details == {"outcome": "incorporated"}


@pytest.mark.parametrize("outcome", ["not_incorporated", "out_of_scope", "no_change_needed"])
def test_the_last_three_need_a_public_reason_and_the_form_keeps_the_choices(client, world, outcome):
    comment = world.post()
    client.sign_in(world.coordinator)
    response = _dispose(client, world, [comment.reference], outcome)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "a reason is required" in page
    assert re.search(rf'value="{comment.reference}" checked', page)  # still chosen
    assert re.search(rf'value="{outcome}"[^>]*checked|checked[^>]*value="{outcome}"', page)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Disposition)) == 0


def test_bulk_entry_gives_one_decision_to_many_and_a_resend_records_nothing_more(client, world):
    comments = [world.post(body=f"Point {i} on scope.") for i in range(3)]
    client.sign_in(world.coordinator)
    key = _key(client, _record_url(world))
    references = [c.reference for c in comments]
    first = _dispose(
        client, world, references, "out_of_scope", "Outside these principles.", key=key
    )
    assert first.status_code == 303
    again = _dispose(
        client, world, references, "out_of_scope", "Outside these principles.", key=key
    )
    assert again.status_code == 303
    rows = db.session.scalars(sa.select(Disposition)).all()
    assert len(rows) == 3 and {r.outcome for r in rows} == {Outcome.OUT_OF_SCOPE}
    assert all(r.reason_html == "<p>Outside these principles.</p>\n" for r in rows)
    followed = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "already recorded" in followed and "3 of 3 disposed" in followed


def test_a_later_disposition_supersedes_and_the_first_is_never_rewritten(client, world):
    comment = world.post()
    client.sign_in(world.coordinator)
    _dispose(client, world, [comment.reference], "not_incorporated", "Not now.")
    _dispose(client, world, [comment.reference], "partly_incorporated")
    latest = services.disposition_of(comment)
    assert latest.outcome == Outcome.PARTLY_INCORPORATED
    first = db.session.scalar(sa.select(Disposition).order_by(Disposition.id))
    first.reason = "Rewritten"
    with pytest.raises(DispositionImmutable):
        db.session.flush()
    db.session.rollback()


def test_it_points_to_the_same_paragraph_in_a_later_draft_with_what_changed(client, world):
    scope = world.post(paragraph=world.paragraph, body="Name subsidiaries explicitly.")
    second = DRAFT_ONE.replace(
        "These principles apply to every member company.",
        "These principles apply to every member company and its subsidiaries.",
    )
    consultation_factories.publish_draft(world.consultation, second)
    client.sign_in(world.coordinator)
    response = _dispose(client, world, [scope.reference], "incorporated", later_version="2")
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    shown = client.get(f"/comments/{scope.reference}").get_data(as_text=True)
    assert f"§{world.paragraph.number} in Draft 2" in shown
    assert "What changed in this paragraph" in shown
    assert re.search(r"<ins>.*subsidiaries.*</ins>", shown)


def test_a_paragraph_gone_from_the_later_draft_is_said_to_be_removed(client, world):
    target = next(p for p in world.version.paragraphs if "legal basis of every request" in p.source)
    comment = world.post(paragraph=target, body="Say which law.")
    second = DRAFT_ONE.replace("Companies assess the legal basis of every request.\n\n", "")
    consultation_factories.publish_draft(world.consultation, second)
    assert version_by_number(world.consultation, 2) is not None
    client.sign_in(world.coordinator)
    response = _dispose(
        client, world, [comment.reference], "not_incorporated", "Merged.", later_version="2"
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    assert "The paragraph was removed in Draft 2." in client.get(
        f"/comments/{comment.reference}"
    ).get_data(as_text=True)


def test_no_later_draft_can_be_named_for_a_comment_on_that_same_draft(client, world):
    comment = world.post()
    client.sign_in(world.coordinator)
    response = _dispose(client, world, [comment.reference], "incorporated", later_version="1")
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Disposition)) == 0


@pytest.mark.parametrize("who", ["author", "north_rep", "officer_as_stakeholder", None])
def test_only_coordinators_record_dispositions(client, world, who):
    comment = world.post()
    if who == "officer_as_stakeholder":
        client.sign_in(factories.stakeholder())
    elif who:
        client.sign_in(getattr(world, who))
    url = _record_url(world)
    get = client.get(url)
    assert get.status_code in (302, 403)
    post = client.post(
        url, {"subjects": [comment.reference], "outcome": "incorporated"}, csrf=bool(who)
    )
    assert post.status_code in (302, 401, 403)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Disposition)) == 0


def test_hidden_and_withdrawn_comments_need_no_disposition_and_cannot_be_chosen(client, world):
    kept = world.post(body="Kept.")
    withdrawn = world.post(body="Withdrawn later.")
    comment_services.withdraw_comment(withdrawn, author=world.author, remove_name=False)
    db.session.commit()
    found = {s.reference for s in services.subjects(world.consultation)}
    assert found == {kept.reference}
    client.sign_in(world.coordinator)
    response = _dispose(client, world, [withdrawn.reference], "incorporated")
    assert response.status_code == 409
    assert "no longer need a disposition" in response.get_data(as_text=True)


def test_a_formed_campaign_is_one_item_and_its_members_share_the_disposition(
    client, make_client, world
):
    members = [
        world.post(Visibility.PUBLIC, author=factories.stakeholder(), body=LONG_TEXT)
        for _ in range(5)
    ]
    campaign = members[0].campaign
    assert campaign.formed_at is not None
    found = services.subjects(world.consultation)
    assert [(s.reference, s.members) for s in found] == [(campaign.reference, 5)]
    client.sign_in(world.coordinator)
    assert _dispose(client, world, [campaign.reference], "incorporated").status_code == 303
    visitor = make_client()
    for member in members:
        page = visitor.get(f"/comments/{member.reference}").get_data(as_text=True)
        assert "Incorporated" in page
    assert "Campaign of 5 comments" in visitor.get(_table_url(world)).get_data(as_text=True)


def test_the_table_follows_each_comments_visibility(client, make_client, world):
    public = world.post(Visibility.PUBLIC, body="Public point.")
    restricted = world.post(Visibility.RESTRICTED, body=SECRET, companies=[world.north.id])
    confidential = world.post(Visibility.CONFIDENTIAL, body=CONFIDENTIAL)
    client.sign_in(world.coordinator)
    references = [public.reference, restricted.reference, confidential.reference]
    assert _dispose(client, world, references, "out_of_scope", "Not about this.").status_code == 303

    def table(person=None, query=""):
        c = make_client()
        if person is not None:
            c.sign_in(person)
        return c.get(_table_url(world) + query).get_data(as_text=True)

    coordinator = table(world.coordinator)
    assert all(r in coordinator for r in references) and SECRET in coordinator

    for page in (table(), table(world.south_rep), table(world.other)):
        assert "Public point." in page and public.reference in page
        assert "A restricted comment" in page  # the row stays, without anything about it
        assert restricted.reference not in page and SECRET not in page
        assert confidential.reference not in page and CONFIDENTIAL not in page
        assert "3 of 3 disposed" in page  # the total counts everything

    north = table(world.north_rep)
    assert restricted.reference in north and SECRET in north
    assert CONFIDENTIAL not in north

    # A category filter cannot tell a restricted row's category.
    category = restricted.category.value
    filtered = table(query=f"?category={category}")
    assert "A restricted comment" not in filtered


def test_the_tables_statements_do_not_grow_with_the_comments(client, world, count_queries):
    for i in range(2):
        world.post(body=f"Early {i}.")
    url = _table_url(world)
    client.get(url)
    with count_queries() as few:
        client.get(url)
    for i in range(12):
        world.post(body=f"Later {i}.")
    with count_queries() as many:
        client.get(url)
    assert len(many) == len(few)
