"""The visibility levels are described by one source, and each comment records the
version of the policies its author acknowledged."""

import re

import pytest
import sqlalchemy as sa
from markupsafe import escape

from consult.comments import levels
from consult.comments.models import Comment, Visibility
from consult.extensions import db
from tests.comments.conftest import world  # noqa: F401 - a fixture
from tests.site_policies.conftest import publish


def _comment_url(world):
    return f"/consultations/{world.consultation.slug}/p/{world.paragraph.stable_key}/comment"


def _form_page(client, world) -> str:
    response = client.get(_comment_url(world))
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _comment_form(page: str, **changes) -> dict:
    def hidden(name):
        return re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page).group(1)

    data = {
        "kind": "comment",
        "body": "Keep subsidiaries in scope.",
        "proposed_text": "",
        "audience": "everyone",
        "display": "name",
        "addressed_to": "coordinators",
        "understood": "y",
        "submit": "Publish my comment",
        "submission_key": hidden("submission_key"),
        "policy_version": hidden("policy_version"),
    }
    data.update(changes)
    return data


def test_the_form_the_consultation_and_the_policies_say_the_same_of_each_level(client, world):
    client.sign_in(world.author)
    pages = {
        "comment form": _form_page(client, world),
        "policies": client.get("/policies").get_data(as_text=True),
        "consultation": client.get(f"/consultations/{world.consultation.slug}").get_data(
            as_text=True
        ),
    }
    for text in levels.level_texts():
        for name, page in pages.items():
            assert str(escape(text.description)) in page, (name, text.level)
        assert str(escape(text.choice)) in pages["comment form"]
        assert str(escape(text.choice)) in pages["policies"]


def test_changing_a_levels_words_in_the_one_source_changes_every_page(client, world, monkeypatch):
    monkeypatch.setitem(
        levels.DESCRIPTIONS, Visibility.RESTRICTED, "Reworded restricted level, one source."
    )
    client.sign_in(world.author)
    assert "Reworded restricted level, one source." in _form_page(client, world)
    assert "Reworded restricted level, one source." in client.get("/policies").get_data(
        as_text=True
    )
    consultation = client.get(f"/consultations/{world.consultation.slug}")
    assert "Reworded restricted level, one source." in consultation.get_data(as_text=True)


def test_a_published_version_keeps_the_level_texts_it_was_published_with(
    client, world, monkeypatch
):
    client.sign_in(world.coordinator)
    assert publish(client).status_code == 302
    monkeypatch.setitem(levels.DESCRIPTIONS, Visibility.PUBLIC, "A later wording.")
    old = client.get("/policies/versions/1").get_data(as_text=True)
    assert "A later wording." not in old
    assert "your name and organisation are shown" in old
    current = client.get("/policies").get_data(as_text=True)
    assert "A later wording." in current and "visibility levels" in current


def test_no_version_published_records_none(client, world):
    client.sign_in(world.author)
    response = client.post(_comment_url(world), _comment_form(_form_page(client, world)))
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Comment)).policy_version_id is None


def test_a_comment_records_the_version_its_author_acknowledged(client, world):
    client.sign_in(world.coordinator)
    assert publish(client).status_code == 302
    client.sign_out()
    client.sign_in(world.author)
    page = _form_page(client, world)
    assert "the site&#39;s policies, version 1" in page or "the site's policies, version 1" in page
    response = client.post(_comment_url(world), _comment_form(page))
    assert response.status_code == 302
    comment = db.session.scalar(sa.select(Comment))
    assert comment.policy_version_id is not None
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'href="/policies/versions/1"' in receipt.replace("http://consult.test", "")


def test_policies_published_while_writing_are_confirmed_again(client, make_client, world):
    coordinator = make_client()
    coordinator.sign_in(world.coordinator)
    assert publish(coordinator).status_code == 302
    client.sign_in(world.author)
    data = _comment_form(_form_page(client, world), body="Words I typed slowly")
    assert publish(coordinator, note="Second version.").status_code == 302

    response = client.post(_comment_url(world), data)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Words I typed slowly" in page
    assert "policies changed while you were writing (now version 2)" in page
    assert not re.search(r'name="understood"[^>]*checked', page)  # to be confirmed again
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 0

    again = _comment_form(page, body="Words I typed slowly")
    assert again["policy_version"] == "2"
    assert client.post(_comment_url(world), again).status_code == 302
    comment = db.session.scalar(sa.select(Comment))
    from consult.site_policies.models import PolicyVersion

    assert db.session.get(PolicyVersion, comment.policy_version_id).number == 2


@pytest.mark.parametrize("value", ["x" * 13, "1; DROP TABLE", "-1", "99999999999"])
def test_a_damaged_version_number_is_a_4xx_that_keeps_the_text(client, world, value):
    client.sign_in(world.coordinator)
    assert publish(client).status_code == 302
    client.sign_out()
    client.sign_in(world.author)
    data = _comment_form(_form_page(client, world), body="Kept despite damage")
    data["policy_version"] = value
    response = client.post(_comment_url(world), data)
    assert 400 <= response.status_code < 500
    assert "Kept despite damage" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 0
