"""Thread pages: pagination at constant cost, stored XSS rendered inert, and the author's
actions through the pages."""

import re

import pytest
import sqlalchemy as sa

from consult.comments.models import Visibility
from consult.extensions import db

XSS = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "<svg onload=alert(1)>",
    "<a href='jav&#x09;ascript:alert(1)'>x</a>",
]


def _thread(world):
    return f"/consultations/{world.consultation.slug}/p/{world.paragraph.stable_key}/comments"


def test_thread_pages_20_at_a_time_with_a_more_link(client, world):
    for i in range(45):
        world.post(Visibility.PUBLIC, body=f"Numbered comment {i:02d}.")
    first = client.get(_thread(world)).get_data(as_text=True)
    assert first.count('class="comment"') == 20
    after = re.search(r"\?after=(C-[0-9A-Z]+)", first).group(1)
    second = client.get(f"{_thread(world)}?after={after}").get_data(as_text=True)
    assert second.count('class="comment"') == 20
    assert "Numbered comment 20." in second and "Numbered comment 19." not in second
    after = re.search(r"\?after=(C-[0-9A-Z]+)", second).group(1)
    third = client.get(f"{_thread(world)}?after={after}").get_data(as_text=True)
    assert third.count('class="comment"') == 5 and "?after=" not in third


def test_a_thread_page_costs_the_same_statements_for_3_or_60_comments(client, world, count_queries):
    def statements():
        with count_queries() as queries:
            client.get(_thread(world))
        return len(queries)

    for i in range(3):
        world.post(Visibility.PUBLIC, body=f"Early {i}")
    small = statements()
    for i in range(57):
        world.post(Visibility.ANONYMOUS if i % 2 else Visibility.PUBLIC, body=f"Late {i}")
    assert statements() == small


def test_draft_page_counts_cost_one_query_whatever_the_comments(client, world, count_queries):
    url = f"/consultations/{world.consultation.slug}/draft"
    with count_queries() as before:
        client.get(url)
    for i in range(30):
        world.post(Visibility.PUBLIC, body=f"Comment {i}")
    with count_queries() as after:
        page = client.get(url).get_data(as_text=True)
    assert len(after) == len(before)
    assert "30 comments" in page


@pytest.mark.parametrize("payload", XSS)
def test_stored_xss_renders_inert_in_bodies_names_and_organisations(client, world, payload):
    world.author.display_name = payload
    world.author.organisation.name = payload
    db.session.commit()
    comment = world.post(Visibility.PUBLIC, body=payload)
    for url in (f"/comments/{comment.reference}", _thread(world)):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page
        assert "onerror=alert" not in page.replace("&lt;img src=x onerror=alert", "")
        assert "<svg" not in page
        assert 'href="jav' not in page.lower() and "<a href='jav" not in page.lower()


def test_author_withdraws_through_the_page(client, world):
    comment = world.post(Visibility.PUBLIC, body="Second thoughts.")
    client.sign_in(world.author)
    url = f"/comments/{comment.reference}"
    refused = client.post(
        f"{url}/withdraw", {"withdraw-remove_name": "y"}, prefix="withdraw", token_from=url
    )
    assert refused.status_code == 422  # the confirmation box is required
    done = client.post(
        f"{url}/withdraw",
        {"withdraw-remove_name": "y", "withdraw-confirm": "y"},
        prefix="withdraw",
        token_from=url,
    )
    assert done.status_code == 302
    assert "Second thoughts." not in client.get(url).get_data(as_text=True)


def test_another_stakeholder_cannot_use_the_author_tools(client, world):
    comment = world.post(Visibility.PUBLIC, body="Mine.")
    client.sign_in(world.other)
    url = f"/comments/{comment.reference}"
    response = client.post(
        f"{url}/withdraw", {"withdraw-confirm": "y"}, prefix="withdraw", token_from=url
    )
    assert response.status_code == 403
    db.session.refresh(comment)
    assert comment.withdrawn_at is None


def test_cosign_and_reply_through_the_page(client, world):
    comment = world.post(Visibility.ANONYMOUS, body="Worth endorsing.")
    client.sign_in(world.other)
    url = f"/comments/{comment.reference}"
    cosigned = client.post(
        f"{url}/cosign", {"cosign-named": "category"}, prefix="cosign", token_from=url
    )
    assert cosigned.status_code == 302
    response = client.post(
        f"{url}/reply",
        {
            "reply-body": "We agree strongly.",
            "reply-identity": "category",
            "reply-submission_key": "reply-1",
        },
        prefix="reply",
        token_from=url,
    )
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "We agree strongly." in page and "Co-signed by" in page
    assert world.other.display_name not in page


def _form_data(page, action):
    """What a browser sends for the form posting to ``action``: its hidden fields."""
    form = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>(.*?)</form>', page, re.S)
    assert form, f"no form posting to {action}"
    return dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form.group(1)))


def _cosigners(page):
    """The co-signers listed on a comment's page."""
    section = re.search(r'<section aria-labelledby="cosigners">(.*?)</section>', page, re.S)
    return re.findall(r"<li>\s*([^<]*?)\s*<span", section.group(1)) if section else []


def _cosigned_through_the_page(client, world, comment):
    client.sign_in(world.other)
    url = f"/comments/{comment.reference}"
    assert client.post(f"{url}/cosign", {}, prefix="cosign", token_from=url).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert _cosigners(page) == [world.other.organisation.name]
    return url


def test_a_cosigner_withdraws_their_organisations_cosignature(client, make_client, world):
    from consult.comments.models import CoSignature

    comment = world.post(Visibility.PUBLIC, body="Worth endorsing.")
    url = _cosigned_through_the_page(client, world, comment)
    withdraw = f"{url}/cosign/withdraw"

    # Someone whose organisation has not co-signed has no button, and cannot withdraw it.
    outsider = make_client()
    outsider.sign_in(world.invitee)
    assert f'action="{withdraw}"' not in outsider.get(url).get_data(as_text=True)
    refused = outsider.post(withdraw, {}, token_from=url)
    assert refused.status_code == 422
    assert make_client().post(withdraw, {}, csrf=False).status_code == 401  # a visitor
    assert _cosigners(client.get(url).get_data(as_text=True)) == [world.other.organisation.name]

    # The co-signer uses the button on the page.
    page = client.get(url).get_data(as_text=True)
    done = client.raw.post(withdraw, data=_form_data(page, withdraw), follow_redirects=True)
    shown = done.get_data(as_text=True)
    assert done.status_code == 200
    assert "Your organisation&#39;s co-signature is withdrawn." in shown
    assert _cosigners(shown) == [] and "Co-signed by" not in shown
    assert f'action="{withdraw}"' not in shown  # nothing left to withdraw
    assert world.other.organisation.name not in make_client().get(url).get_data(as_text=True)
    cosignature = db.session.scalar(sa.select(CoSignature))
    assert cosignature.withdrawn_at is not None  # kept, marked withdrawn

    # Withdrawing again is refused, and changes nothing.
    again = client.post(withdraw, {}, token_from=url)
    assert again.status_code == 422
    db.session.refresh(cosignature)
    assert cosignature.withdrawn_at is not None


def test_withdrawing_a_cosignature_twice_says_why(client, world):
    comment = world.post(Visibility.PUBLIC, body="Worth endorsing.")
    url = _cosigned_through_the_page(client, world, comment)
    withdraw = f"{url}/cosign/withdraw"
    assert client.post(withdraw, {}, token_from=url).status_code == 302
    again = client.post(withdraw, {}, token_from=url)
    assert again.status_code == 422
    page = again.get_data(as_text=True)
    assert "Your organisation has not co-signed this comment." in page
    assert "Your session expired" not in page


def test_editing_a_comment_keeps_the_typed_text_on_error(client, world):
    comment = world.post(Visibility.PUBLIC, body="Original.")
    client.sign_in(world.author)
    url = f"/comments/{comment.reference}"
    response = client.post(
        f"{url}/edit", {"edit-body": "x" * 20001 + "KEEP-ME"}, prefix="edit", token_from=url
    )
    assert response.status_code == 422
    assert "KEEP-ME" in response.get_data(as_text=True)


def test_closed_period_keeps_the_text(client, world):
    from consult.comments.models import Comment

    client.sign_in(world.author)
    url = f"/consultations/{world.consultation.slug}/p/{world.paragraph.stable_key}/comment"
    world.consultation.phase = "concluded"
    db.session.commit()
    response = client.post(
        url,
        {
            "kind": "comment",
            "body": "Too late but precious",
            "audience": "everyone",
            "display": "name",
            "addressed_to": "companies",
            "understood": "y",
            "submit": "Publish",
            "submission_key": "late-1",
        },
        token_from="/my/comments",
    )
    assert response.status_code == 409
    assert "Too late but precious" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 0


def test_thread_groups_versions_and_says_where_a_paragraph_went(client, world):
    from consult.consultations.models import Paragraph
    from tests.consultations import factories as consultation_factories

    old = world.post(Visibility.PUBLIC, body="On the first draft.")
    draft_two = (
        "# Introduction\n\nA new opening paragraph.\n\n"
        + (consultation_factories.DRAFT_ONE.split("\n", 2)[2])
    )
    version = consultation_factories.publish_draft(world.consultation, draft_two)
    moved = db.session.scalar(
        sa.select(Paragraph).where(
            Paragraph.version_id == version.id, Paragraph.stable_key == old.stable_key
        )
    )
    assert moved.number != old.paragraph_number
    page = client.get(_thread(world)).get_data(as_text=True)
    assert "Written on Draft 1" in page
    assert f"on Draft 1, §{old.paragraph_number}, then §{moved.number}" in page
