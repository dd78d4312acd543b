"""The fan-out job keyed on the event, retention, and the security notices."""

from datetime import timedelta

import sqlalchemy as sa

from consult.comments.models import Visibility
from consult.db import utcnow
from consult.extensions import db
from consult.notifications import services
from consult.notifications.models import Event, Notification
from consult.tracking.models import UpdateKind
from consult.tracking.services import post_update
from tests import factories
from tests.notifications.conftest import follow, notifications, told


def test_a_large_fan_out_goes_to_the_job_which_is_idempotent(world, monkeypatch):
    monkeypatch.setattr(services, "FAN_OUT_LIMIT", 2)
    followers = [factories.stakeholder() for _ in range(3)]
    for user in followers:
        follow(user, "consultation", consultation_id=world.consultation.id)
    jobs = []
    real = services.enqueue_fan_out
    monkeypatch.setattr(
        services,
        "enqueue_fan_out",
        lambda payload, now: (jobs.append((payload, now)), real(payload, now)),
    )
    update = post_update(
        world.consultation,
        kind=UpdateKind.PROGRESS,
        title="Halfway there",
        body="We read every comment.",
        author=world.coordinator,
    )
    db.session.commit()
    assert len(jobs) == 1 and jobs[0][0]["key"] == f"update:{update.id}"
    assert all(told(u) == [("update_posted", "consultation_news")] for u in followers)
    # The job run again (a retry) writes nothing new.
    assert services.fan_out(*jobs[0]) == 0
    rows = db.session.scalars(
        sa.select(Notification).where(Notification.event == Event.UPDATE_POSTED)
    ).all()
    assert len(rows) == 3


def test_purge_removes_notifications_after_180_days(app, world):
    comment = world.post(Visibility.PUBLIC)
    follow(world.other, "comment", comment_id=comment.id)
    from tests.notifications.conftest import respond

    respond(world, comment)
    old = notifications(world.author)[-1]
    old.created_at = utcnow() - timedelta(days=181)
    old_id = old.id
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "notifications (after 180 days): 1" in result.output
    gone = sa.select(sa.func.count()).select_from(Notification).where(Notification.id == old_id)
    assert db.session.scalar(gone) == 0
    assert notifications(world.other)  # younger ones stay


def test_a_sign_in_with_the_password_is_announced_by_email(client, world, outbox):
    client.sign_in(world.author)
    assert told(world.author) == [("signed_in", "security")]
    message = outbox.last(world.author.email)
    assert message["Subject"] == "A new sign-in to your Consult account"
    assert "/password/forgot" in outbox.text(world.author.email)


def test_a_password_change_is_told_in_the_app_and_mailed_once(client, world, outbox):
    client.sign_in(world.author)
    before = len(outbox.messages(world.author.email))
    response = client.post(
        "/account/password",
        {"current_password": factories.PASSWORD, "password": "an entirely new passphrase"},
    )
    assert response.status_code == 302
    events = [e for e, _ in told(world.author)]
    assert events == ["signed_in", "password_changed"]  # no second "sign-in" for the renewal
    mails = outbox.messages(world.author.email)[before:]
    assert len(mails) == 1 and "password was changed" in mails[0]["Subject"]


def test_an_email_change_is_told_in_the_app(client, world, outbox):
    client.sign_in(world.author)
    client.post(
        "/account/email",
        {"new_email": "amina.new@example.org", "current_password": factories.PASSWORD},
    )
    link = outbox.link("amina.new@example.org", "/account/email/confirm/")
    client.post(link, token_from=link)
    assert ("email_changed", "security") in told(world.author)
    assert outbox.last("amina@example.org")["Subject"] == ("Your Consult email address was changed")
