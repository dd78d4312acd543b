"""Creating consultations, their phases, planned dates and the timeline."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from consult.audit.models import AuditEntry
from consult.consultations import services
from consult.consultations.models import Phase
from consult.errors import DomainError
from consult.extensions import db
from consult.tracking.milestones import milestones
from consult.tracking.models import EventKind, Milestone, TimelineEvent
from consult.tracking.services import timeline_events
from tests import factories
from tests.consultations import factories as cf


def settings(**changes):
    values = {
        "title": "Privacy principles",
        "slug": "privacy-principles",
        "timezone": "Europe/Brussels",
        "opens_on": date(2026, 3, 1),
        "closes_on": date(2026, 5, 23),
    }
    return services.Settings(**{**values, **changes})


def actions():
    return [e.action for e in db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))]


def test_create_applies_the_defaults_and_derives_the_instants():
    coordinator = factories.coordinator()
    company = factories.company()
    consultation = services.create_consultation(settings(companies=[company]), actor=coordinator)
    assert consultation.phase == Phase.DRAFT
    assert consultation.response_window_days == 30
    assert consultation.update_interval_days == 90
    assert consultation.summary_due_on == date(2026, 5, 23) + timedelta(weeks=12)
    assert consultation.opens_at.isoformat() == "2026-02-28T23:00:00+00:00"
    assert consultation.closes_at.isoformat() == "2026-05-23T22:00:00+00:00"  # summer time
    assert consultation.companies == [company]
    assert actions() == ["consultation.created"] + ["consultation.date_planned"] * 3
    planned = [(e.milestone, e.planned_on) for e in timeline_events(consultation)]
    assert planned == [
        (Milestone.OPENS, date(2026, 3, 1)),
        (Milestone.CLOSES, date(2026, 5, 23)),
        (Milestone.SUMMARY_DUE, date(2026, 8, 15)),
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"slug": "Bad Slug"}, "slug", "lower-case"),
        ({"timezone": "Mars/Olympus"}, "timezone", "time zone"),
        ({"closes_on": date(2026, 2, 1)}, "closes_on", "before the opening"),
        ({"closes_on": None}, "closes_on", "both"),
        ({"closes_on": date(2026, 4, 10)}, "short_period_reason", "41 days"),
        ({"summary_due_on": date(2026, 5, 1)}, "summary_due_on", "after the closing"),
    ],
)
def test_settings_that_break_a_rule_name_the_field(changes, field, message):
    with pytest.raises(services.InvalidSettings, match=message) as caught:
        services.create_consultation(settings(**changes), actor=None)
    assert caught.value.field == field


def test_a_short_period_is_accepted_with_a_recorded_reason():
    consultation = services.create_consultation(
        settings(closes_on=date(2026, 4, 10), short_period_reason="The law changes in May."),
        actor=None,
    )
    assert consultation.short_period_reason == "The law changes in May."


def test_a_reason_for_a_normal_period_is_not_kept():
    consultation = services.create_consultation(
        settings(short_period_reason="Not needed."), actor=None
    )
    assert consultation.short_period_reason is None


def test_slugs_are_unique():
    services.create_consultation(settings(), actor=None)
    with pytest.raises(services.InvalidSettings, match="already uses"):
        services.create_consultation(settings(title="Other"), actor=None)


def test_only_confirmed_companies_can_respond():
    civil = factories.organisation()
    with pytest.raises(services.InvalidSettings, match="member companies"):
        services.create_consultation(settings(companies=[civil]), actor=None)


def test_dates_may_wait_but_publication_needs_them_and_a_published_draft():
    consultation = services.create_consultation(settings(opens_on=None, closes_on=None), actor=None)
    problems = [str(p) for p in services.publication_problems(consultation)]
    assert problems == [
        "Set the opening and closing dates.",
        "Set the summary due date.",
        "Import and publish Draft 1.",
    ]
    with pytest.raises(DomainError, match="Set the opening"):
        services.publish_consultation(consultation, actor=None)
    assert consultation.phase == Phase.DRAFT


def test_publishing_records_the_phase_on_the_timeline_and_in_the_audit_log():
    coordinator = factories.coordinator()
    consultation = cf.consultation(phase=Phase.DRAFT, actor=coordinator)
    assert services.publication_problems(consultation) == []
    services.publish_consultation(consultation, actor=coordinator)
    assert consultation.phase == Phase.PUBLISHED
    assert consultation.published_at is not None
    event = db.session.scalar(
        sa.select(TimelineEvent).where(TimelineEvent.kind == EventKind.PHASE_CHANGED)
    )
    assert event.phase == Phase.PUBLISHED
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "consultation.published")
    )
    assert (entry.actor_id, entry.target_id) == (coordinator.id, consultation.id)
    with pytest.raises(DomainError, match="already public"):
        services.publish_consultation(consultation, actor=coordinator)


def test_a_consultation_concludes_only_after_it_closes():
    consultation = cf.consultation()
    with pytest.raises(DomainError, match="still open"):
        services.conclude_consultation(consultation, actor=None)
    services.conclude_consultation(consultation, actor=None, now=consultation.closes_at)
    assert consultation.phase == Phase.CONCLUDED
    assert "consultation.concluded" in actions()
    assert not consultation.is_open_at(consultation.closes_at - timedelta(days=1))
    with pytest.raises(DomainError, match="Only a published"):
        services.conclude_consultation(consultation, actor=None, now=consultation.closes_at)


def test_a_draft_consultation_cannot_be_concluded():
    with pytest.raises(DomainError, match="Only a published"):
        services.conclude_consultation(cf.consultation(phase=Phase.DRAFT), actor=None)


def current(consultation, **changes):
    values = {
        "title": consultation.title,
        "slug": consultation.slug,
        "timezone": consultation.timezone,
        "summary": consultation.summary,
        "opens_on": consultation.opens_on,
        "closes_on": consultation.closes_on,
        "summary_due_on": consultation.summary_due_on,
        "companies": list(consultation.companies),
    }
    return services.Settings(**{**values, **changes})


def test_once_public_a_planned_date_changes_only_with_a_public_reason():
    consultation = cf.consultation()
    old_close = consultation.closes_on
    later = old_close + timedelta(days=14)
    with pytest.raises(services.InvalidSettings, match="public reason") as caught:
        services.update_consultation(
            consultation, current(consultation, closes_on=later), actor=None
        )
    assert caught.value.field == "reason"
    db.session.rollback()
    services.update_consultation(
        consultation,
        current(consultation, closes_on=later),
        actor=None,
        reason="Many organisations asked for more time.",
    )
    db.session.commit()
    assert consultation.closes_on == later
    assert consultation.closes_at == cf.schedule_close(later, consultation.timezone)
    events = timeline_events(consultation)
    change = [e for e in events if e.milestone == Milestone.CLOSES][-1]
    assert (change.previous_on, change.planned_on) == (old_close, later)
    assert change.reason == "Many organisations asked for more time."
    [closes] = [
        m
        for m in milestones(consultation, events, consultation.opens_at)
        if m.milestone == Milestone.CLOSES
    ]
    assert closes.status == "slipped"
    assert closes.slipped_days == 14
    assert closes.earlier_plans == [old_close]  # the earlier date stays
    assert [e.previous_on for e in closes.changes] == [old_close]
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "consultation.date_planned")
    ).all()[-1]
    assert entry.details == {
        "milestone": "closes",
        "previous": old_close.isoformat(),
        "planned": later.isoformat(),
    }


def test_other_changes_to_a_public_consultation_need_no_reason():
    consultation = cf.consultation()
    services.update_consultation(
        consultation, current(consultation, title="Better title"), actor=None
    )
    assert consultation.title == "Better title"


@pytest.mark.parametrize(("field", "value"), [("slug", "new-address"), ("timezone", "Asia/Tokyo")])
def test_the_address_and_zone_of_a_public_consultation_are_fixed(field, value):
    consultation = cf.consultation()
    with pytest.raises(services.InvalidSettings) as caught:
        services.update_consultation(
            consultation, current(consultation, **{field: value}), actor=None, reason="Because."
        )
    assert caught.value.field == field


def test_a_draft_consultation_changes_dates_freely_and_still_records_them():
    consultation = cf.consultation(phase=Phase.DRAFT)
    services.update_consultation(
        consultation,
        current(consultation, opens_on=consultation.opens_on + timedelta(days=1)),
        actor=None,
    )
    assert len([e for e in timeline_events(consultation) if e.milestone == Milestone.OPENS]) == 2


def test_who_sees_a_consultation():
    draft = cf.consultation(phase=Phase.DRAFT)
    public = cf.consultation()
    coordinator = factories.coordinator()
    for viewer in [None, factories.stakeholder(), factories.company_rep()]:
        assert not services.can_view_consultation(viewer, draft)
        assert services.can_view_consultation(viewer, public)
        assert services.visible_consultations(viewer) == [public]
    assert services.can_view_consultation(coordinator, draft)
    assert set(services.visible_consultations(coordinator)) == {draft, public}
    groups = services.consultations_by_phase(coordinator)
    assert list(groups) == [Phase.PUBLISHED, Phase.DRAFT]


def test_a_suspended_coordinator_sees_no_draft():
    from consult.accounts.models import UserStatus

    draft = cf.consultation(phase=Phase.DRAFT)
    suspended = factories.coordinator(status=UserStatus.SUSPENDED)
    assert not services.can_view_consultation(suspended, draft)
