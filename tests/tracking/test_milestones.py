"""Milestones: planned, moved only with a public reason (every earlier plan kept), reached;
read from the timeline rows, which are never rewritten."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from consult.audit.models import AuditEntry
from consult.consultations import services, versions
from consult.extensions import db
from consult.tracking import milestones
from consult.tracking.milestones import Milestone, MilestoneRefused
from consult.tracking.models import (
    EventKind,
    TimelineEvent,
    TimelineImmutable,
    Update,
    UpdateKind,
)
from consult.tracking.services import post_update, timeline_events
from tests import factories
from tests.consultations import factories as cf

NOW = datetime(2027, 2, 1, 12, tzinfo=UTC)


def dated_consultation(**kwargs):
    return cf.consultation(opens_on=date(2027, 1, 4), closes_on=date(2027, 3, 28), **kwargs)


def views(consultation, now=NOW):
    return milestones.milestones(consultation, timeline_events(consultation), now)


def view(consultation, key, now=NOW):
    found = milestones.find_milestone(views(consultation, now), key)
    assert found is not None, key
    return found


def test_a_moved_milestone_keeps_every_earlier_plan_and_says_how_far_it_slipped():
    consultation = dated_consultation()
    coordinator = factories.coordinator()
    milestones.plan_milestone(
        consultation, Milestone.FINAL_PRINCIPLES, date(2027, 3, 1), actor=coordinator, now=NOW
    )
    assert view(consultation, "final_principles").status == "planned"
    for planned_on, reason in [
        (date(2027, 4, 15), "More comments than expected."),
        (date(2027, 5, 30), "A second round on section 4."),
    ]:
        milestones.replan_milestone(
            consultation,
            view(consultation, "final_principles"),
            planned_on,
            actor=coordinator,
            reason=reason,
            now=NOW,
        )
    db.session.commit()
    final = view(consultation, "final_principles")
    assert final.plans == [date(2027, 3, 1), date(2027, 4, 15), date(2027, 5, 30)]
    assert final.earlier_plans == [date(2027, 3, 1), date(2027, 4, 15)]
    assert final.planned_on == date(2027, 5, 30)
    assert (final.status, final.slipped_days) == ("slipped", 90)
    assert [(c.previous_on, c.planned_on, c.reason) for c in final.changes] == [
        (date(2027, 3, 1), date(2027, 4, 15), "More comments than expected."),
        (date(2027, 4, 15), date(2027, 5, 30), "A second round on section 4."),
    ]
    assert milestones.slipped(views(consultation)) == [final]


def test_every_coordinator_action_is_audited_with_ids_and_codes_only():
    consultation = dated_consultation()
    coordinator = factories.coordinator()
    milestones.plan_milestone(
        consultation,
        Milestone.OTHER,
        date(2027, 2, 20),
        name="Workshop with investors (secret venue)",
        actor=coordinator,
        now=NOW,
    )
    key = next(v.key for v in views(consultation) if v.milestone == Milestone.OTHER)
    milestones.replan_milestone(
        consultation,
        view(consultation, key),
        date(2027, 2, 27),
        actor=coordinator,
        reason="The venue is not free.",
        now=NOW,
    )
    milestones.record_milestone_done(
        consultation, view(consultation, key), date(2027, 2, 1), actor=coordinator, now=NOW
    )
    entries = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action.like("milestone.%")).order_by(AuditEntry.id)
    ).all()
    assert [e.action for e in entries] == [
        "milestone.planned",
        "milestone.replanned",
        "milestone.done",
    ]
    for entry in entries:
        assert entry.actor_id == coordinator.id
        assert entry.target_type == "timeline_events"
        assert entry.details["consultation"] == consultation.id
        assert entry.details["milestone"] == "other"
        assert not any("venue" in str(value) for value in entry.details.values())
    assert entries[1].details["previous"] == "2027-02-20"
    assert entries[2].details["actual"] == "2027-02-01"


def test_a_named_milestone_keeps_its_name_and_reference_on_each_row():
    consultation = dated_consultation()
    coordinator = factories.coordinator()
    for name in ("Workshop in Nairobi", "Workshop in Lima"):
        milestones.plan_milestone(
            consultation, Milestone.OTHER, date(2027, 2, 20), name=name, actor=coordinator, now=NOW
        )
    named = [v for v in views(consultation) if v.milestone == Milestone.OTHER]
    assert sorted(v.label for v in named) == ["Workshop in Lima", "Workshop in Nairobi"]
    assert all(v.key.startswith("M-") for v in named)
    nairobi = next(v for v in named if v.label == "Workshop in Nairobi")
    milestones.replan_milestone(
        consultation, nairobi, date(2027, 3, 6), actor=coordinator, reason="Rain.", now=NOW
    )
    rows = [e for e in timeline_events(consultation) if e.milestone_ref == nairobi.key]
    assert [(e.milestone_name, e.planned_on) for e in rows] == [
        ("Workshop in Nairobi", date(2027, 2, 20)),
        ("Workshop in Nairobi", date(2027, 3, 6)),
    ]
    assert view(consultation, nairobi.key).slipped_days == 14


@pytest.mark.parametrize(
    ("planned_on", "reason", "field", "message"),
    [
        (date(2027, 4, 1), "", "reason", "public reason"),
        (date(2027, 4, 1), "   ", "reason", "public reason"),
        (date(2027, 3, 1), "Same date.", "planned_on", "already the planned date"),
        (date(2027, 1, 31), "Earlier.", "planned_on", "today or a later date"),
    ],
)
def test_a_planned_date_changes_only_with_a_reason_to_another_future_date(
    planned_on, reason, field, message
):
    consultation = dated_consultation()
    coordinator = factories.coordinator()
    milestones.plan_milestone(
        consultation, Milestone.NEXT_DRAFT, date(2027, 3, 1), actor=coordinator, now=NOW
    )
    before = len(timeline_events(consultation))
    with pytest.raises(MilestoneRefused, match=message) as refused:
        milestones.replan_milestone(
            consultation,
            view(consultation, "next_draft"),
            planned_on,
            actor=coordinator,
            reason=reason,
            now=NOW,
        )
    assert refused.value.field == field
    assert len(timeline_events(consultation)) == before


def test_what_cannot_be_planned_here():
    consultation = dated_consultation()
    coordinator = factories.coordinator()
    for milestone in (Milestone.OPENS, Milestone.CLOSES, Milestone.SUMMARY_DUE):
        with pytest.raises(MilestoneRefused, match="consultation's details"):
            milestones.plan_milestone(
                consultation, milestone, date(2027, 6, 1), actor=coordinator, now=NOW
            )
    with pytest.raises(MilestoneRefused, match="already on the timeline"):
        # Published: "draft published" was reached when the consultation was.
        milestones.plan_milestone(
            consultation, Milestone.DRAFT_PUBLISHED, date(2027, 6, 1), actor=coordinator, now=NOW
        )
    with pytest.raises(MilestoneRefused, match="Name the milestone") as unnamed:
        milestones.plan_milestone(
            consultation, Milestone.OTHER, date(2027, 6, 1), name=" ", actor=coordinator, now=NOW
        )
    assert unnamed.value.field == "name"
    with pytest.raises(MilestoneRefused, match="today or a later date"):
        milestones.plan_milestone(
            consultation, Milestone.FACTUAL_SUMMARY, date(2027, 1, 31), actor=coordinator, now=NOW
        )
    milestones.plan_milestone(
        consultation, Milestone.FACTUAL_SUMMARY, date(2027, 3, 29), actor=coordinator, now=NOW
    )
    with pytest.raises(MilestoneRefused, match="already on the timeline"):
        milestones.plan_milestone(
            consultation, Milestone.FACTUAL_SUMMARY, date(2027, 4, 1), actor=coordinator, now=NOW
        )


def test_reached_once_on_a_date_no_later_than_today_and_then_fixed():
    consultation = dated_consultation()
    coordinator = factories.coordinator()
    milestones.plan_milestone(
        consultation, Milestone.FACTUAL_SUMMARY, date(2027, 3, 29), actor=coordinator, now=NOW
    )
    later = NOW + timedelta(days=70)  # 12 April 2027
    with pytest.raises(MilestoneRefused, match="on or before today") as future:
        milestones.record_milestone_done(
            consultation,
            view(consultation, "factual_summary", later),
            date(2027, 4, 13),
            actor=coordinator,
            now=later,
        )
    assert future.value.field == "actual_on"
    milestones.record_milestone_done(
        consultation,
        view(consultation, "factual_summary", later),
        date(2027, 4, 2),
        actor=coordinator,
        now=later,
    )
    reached = view(consultation, "factual_summary", later)
    assert (reached.status, reached.actual_on, reached.slipped_days) == (
        "done",
        date(2027, 4, 2),
        4,
    )
    assert not reached.replan_here and not reached.record_done_here
    with pytest.raises(MilestoneRefused):
        milestones.record_milestone_done(
            consultation, reached, date(2027, 4, 3), actor=coordinator, now=later
        )
    with pytest.raises(MilestoneRefused):
        milestones.replan_milestone(
            consultation, reached, date(2027, 5, 1), actor=coordinator, reason="x", now=later
        )


def test_a_missed_date_slips_day_by_day_until_reached():
    consultation = dated_consultation()
    coordinator = factories.coordinator()
    milestones.plan_milestone(
        consultation, Milestone.FIRST_PROGRESS_REPORT, date(2027, 2, 10), actor=coordinator, now=NOW
    )
    on_the_day = datetime(2027, 2, 10, 22, 59, tzinfo=UTC)  # 23:59 in Brussels
    assert view(consultation, "first_progress_report", on_the_day).status == "planned"
    next_day = datetime(2027, 2, 10, 23, 0, tzinfo=UTC)  # midnight in Brussels
    missed = view(consultation, "first_progress_report", next_day)
    assert (missed.status, missed.slipped_days) == ("slipped", 1)
    assert (
        view(consultation, "first_progress_report", next_day + timedelta(days=9)).slipped_days == 10
    )


def test_changes_of_phase_and_dates_already_recorded_appear_as_milestones():
    consultation = dated_consultation(drafts=(cf.DRAFT_ONE,))
    coordinator = factories.coordinator()
    milestones.plan_milestone(
        consultation, Milestone.NEXT_DRAFT, date(2027, 2, 15), actor=coordinator, now=NOW
    )
    db.session.commit()
    keys = {v.key: v for v in views(consultation)}
    assert keys["draft_published"].status == "done"  # the consultation's publication
    assert keys["opens"].status == "done"
    assert keys["closes"].planned_on == date(2027, 3, 28)
    window = keys["response_window_ends"]
    assert window.planned_on == date(2027, 3, 28) + timedelta(days=30)
    assert keys["summary_due"].planned_on == date(2027, 3, 28) + timedelta(weeks=12)
    assert keys["next_draft"].status == "planned"
    # Draft 2, published once the next draft was planned, reaches it.
    published_at = datetime(2027, 2, 20, 23, 30, tzinfo=UTC)  # 21 February in Brussels
    draft_two = versions.import_draft(
        consultation, cf.DRAFT_TWO, actor=coordinator, source_name="2.md", now=published_at
    )
    versions.publish_version(draft_two, actor=coordinator, now=published_at)
    reached = view(consultation, "next_draft", published_at)
    assert (reached.status, reached.actual_on, reached.slipped_days) == (
        "done",
        date(2027, 2, 21),
        6,
    )
    # The response window ends with the local day closes_on + 30 days.
    end = datetime(2027, 4, 27, 22, 0, tzinfo=UTC)  # 28 April, 00:00 in Brussels (summer)
    assert view(consultation, "response_window_ends", end - timedelta(seconds=1)).status != "done"
    assert view(consultation, "response_window_ends", end).status == "done"


def test_an_extension_moves_the_closing_and_the_response_window_with_its_reason():
    consultation = dated_consultation()
    services.extend_closing(
        consultation, date(2027, 4, 11), actor=None, reason="Requests for more time.", now=NOW
    )
    for key in ("closes", "response_window_ends"):
        moved = view(consultation, key)
        assert moved.status == "slipped" and moved.slipped_days == 14
        assert moved.changes[-1].reason == "Requests for more time."
    assert view(consultation, "response_window_ends").earlier_plans == [date(2027, 4, 27)]


def test_next_scheduled_output_is_the_earliest_output_not_yet_reached():
    consultation = dated_consultation()
    coordinator = factories.coordinator()
    assert milestones.next_output(views(consultation)).key == "summary_due"
    milestones.plan_milestone(
        consultation, Milestone.FACTUAL_SUMMARY, date(2027, 3, 30), actor=coordinator, now=NOW
    )
    milestones.plan_milestone(
        consultation, Milestone.NEXT_DRAFT, date(2027, 5, 1), actor=coordinator, now=NOW
    )
    upcoming = milestones.next_output(views(consultation))
    # Closing (28 March) comes first, but it is not an output.
    assert (upcoming.key, upcoming.planned_on) == ("factual_summary", date(2027, 3, 30))


# --- immutability ----------------------------------------------------------------------------


def _a_row(consultation):
    return db.session.scalars(
        sa.select(TimelineEvent).where(
            TimelineEvent.consultation_id == consultation.id,
            TimelineEvent.kind == EventKind.DATE_PLANNED,
        )
    ).first()


@pytest.mark.parametrize(
    "change",
    [
        lambda row: setattr(row, "planned_on", date(2099, 1, 1)),
        lambda row: setattr(row, "reason", "Rewritten."),
        lambda row: db.session.delete(row),
    ],
    ids=["planned date", "reason", "deletion"],
)
def test_a_recorded_timeline_row_is_never_changed(change):
    consultation = dated_consultation()
    row = _a_row(consultation)
    change(row)
    with pytest.raises(TimelineImmutable):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("statement", ["update", "delete"])
def test_nor_through_a_bulk_statement(statement):
    consultation = dated_consultation()
    row = _a_row(consultation)
    query = (
        sa.update(TimelineEvent).values(planned_on=date(2099, 1, 1))
        if statement == "update"
        else sa.delete(TimelineEvent)
    ).where(TimelineEvent.id == row.id)
    with pytest.raises(TimelineImmutable):
        db.session.execute(query)
    db.session.rollback()
    assert _a_row(consultation).planned_on == date(2027, 1, 4)


def test_a_published_update_is_never_rewritten():
    consultation = dated_consultation()
    update = post_update(
        consultation, kind=UpdateKind.PROGRESS, title="T", body="B", author=None, now=NOW
    )
    db.session.commit()
    update.body = "Rewritten."
    with pytest.raises(TimelineImmutable):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(Update, update.id).body == "B"


def test_a_layer_above_marks_a_milestone_reached_once():
    consultation = dated_consultation()
    published_at = datetime(2027, 5, 2, 22, 30, tzinfo=UTC)  # 3 May in Brussels
    row = milestones.mark_reached(consultation, Milestone.SUMMARY_DUE, now=published_at)
    assert row is not None and row.actual_on == date(2027, 5, 3)
    reached = view(consultation, "summary_due", published_at)
    assert (reached.status, reached.actual_on) == ("done", date(2027, 5, 3))
    assert milestones.mark_reached(consultation, Milestone.SUMMARY_DUE, now=published_at) is None
    # Not planned before: it appears, reached.
    milestones.mark_reached(consultation, Milestone.FACTUAL_SUMMARY, now=published_at)
    assert view(consultation, "factual_summary", published_at).status == "done"
    with pytest.raises(ValueError, match="not reached by an action"):
        milestones.mark_reached(consultation, Milestone.CLOSES, now=published_at)
