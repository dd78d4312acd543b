"""Demonstration milestones and updates of the open consultation: invented, labelled
"(demo)", and dated relative to the day the data is loaded, so that the consultation's
page always shows a slipped milestone and an overdue progress update."""

from datetime import datetime, timedelta

from consult.consultations import schedule
from consult.db import required
from consult.tracking import milestones
from consult.tracking.models import Milestone, UpdateKind
from consult.tracking.services import post_update, timeline_events

# Progress updates promised every two weeks (the default is 90 days), so that the last
# one, 20 days old, is overdue.
DEMO_UPDATE_INTERVAL_DAYS = 14


def _view(consultation, key, now):
    views = milestones.milestones(consultation, timeline_events(consultation), now)
    return required(milestones.find_milestone(views, key))  # planned just before


def load_demo_timeline(consultation, *, coordinator, now: datetime):
    """Milestones (one slipped 90 days, one moved and then reached, one reached) and one
    progress update, older than the promised interval. Call before Draft 2 is
    published (three days before ``now``): it reaches "next draft"."""
    today = schedule.local_date(now, consultation.timezone)
    closes_on = consultation.closes_on
    planned_at = now - timedelta(days=30)
    plans = [
        (Milestone.NEXT_DRAFT, today - timedelta(days=10), None),
        (Milestone.FACTUAL_SUMMARY, closes_on + timedelta(days=3), None),
        (Milestone.FINAL_PRINCIPLES, closes_on + timedelta(days=120), None),
        (Milestone.OTHER, today - timedelta(days=15), "Online briefing for investors (demo)"),
    ]
    for milestone, planned_on, name in plans:
        milestones.plan_milestone(
            consultation, milestone, planned_on, name=name, actor=coordinator, now=planned_at
        )
    moves = [
        (
            "next_draft",
            12,
            today - timedelta(days=3),
            "(demo) More comments than expected on the section on government demands.",
        ),
        (
            "final_principles",
            5,
            closes_on + timedelta(days=210),
            "(demo) The member companies asked for a second comment round on the new "
            "section on sales of surveillance technology.",
        ),
    ]
    for key, days_ago, planned_on, reason in moves:
        at = now - timedelta(days=days_ago)
        milestones.replan_milestone(
            consultation,
            _view(consultation, key, at),
            planned_on,
            actor=coordinator,
            reason=reason,
            now=at,
        )
    briefing = next(
        v
        for v in milestones.milestones(consultation, timeline_events(consultation), now)
        if v.milestone == Milestone.OTHER
    )
    milestones.record_milestone_done(
        consultation,
        briefing,
        today - timedelta(days=14),
        actor=coordinator,
        now=now - timedelta(days=14),
    )
    post_update(
        consultation,
        kind=UpdateKind.PROGRESS,
        title="The first days of comments (demo)",
        body=(
            "*Demonstration text.* Forty organisations have registered and the first "
            "comments are in. Company answers are due within 30 days of each comment; "
            "the response tracker shows where each one stands."
        ),
        author=coordinator,
        now=now - timedelta(days=20),
    )
