"""Milestones: what a consultation plans, read from its timeline.

Each milestone has a planned local date, an actual date and a status (planned, done,
slipped). A planned date changes only with a public reason, and every earlier plan stays
visible ("planned 1 March → 15 April → 30 May"). There is no table of milestones: each
one is the run of its timeline rows (``DATE_PLANNED``, ``MILESTONE_DONE``), joined with
what the project records anyway. Where each milestone's facts come from:

- *Commenting opens / closes*, *narrative summary due*: the consultation's own dates,
  set and changed through its settings and extensions (consult/consultations/services.py
  writes their rows); opening and closing are reached at their instants.
- *Company response window ends*: the closing date plus the response window; its plans
  follow the closing date's. Reached at the end of that local day.
- *Draft published*: planned here; reached when the consultation was published (its
  phase row).
- *Next draft*: planned here; reached when a version after Draft 1 is published once it
  was planned, or when a coordinator records it.
- *Factual summary*, *final principles*, *first progress report*, any named milestone,
  and the narrative summary: reached when a coordinator records the actual date, or
  (the summaries) when the layer above that publishes it says so (``mark_reached``).

Dates are local calendar dates in the consultation's zone; "today" is the local date
when the request arrived.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l

from consult.audit.services import record
from consult.consultations import schedule
from consult.consultations.models import Consultation, Phase
from consult.db import random_reference, required, utcnow
from consult.errors import DomainError
from consult.extensions import db
from consult.tracking.models import EventKind, Milestone, TimelineEvent
from consult.tracking.services import record_event, timeline_events

# The consultation's own dates: changed through its settings, never here.
LINKED = {
    Milestone.OPENS: "opens_on",
    Milestone.CLOSES: "closes_on",
    Milestone.SUMMARY_DUE: "summary_due_on",
}
PLANNED_HERE = (
    Milestone.DRAFT_PUBLISHED,
    Milestone.FACTUAL_SUMMARY,
    Milestone.NEXT_DRAFT,
    Milestone.FINAL_PRINCIPLES,
    Milestone.FIRST_PROGRESS_REPORT,
    Milestone.OTHER,
)
# Reached when a coordinator says so (the others follow recorded facts).
RECORDED_HERE = (
    Milestone.SUMMARY_DUE,
    Milestone.FACTUAL_SUMMARY,
    Milestone.NEXT_DRAFT,
    Milestone.FINAL_PRINCIPLES,
    Milestone.FIRST_PROGRESS_REPORT,
    Milestone.OTHER,
)
# What "Next scheduled output" names: documents and named milestones, not the comment
# period's own boundaries.
OUTPUTS = frozenset(Milestone) - {
    Milestone.OPENS,
    Milestone.CLOSES,
    Milestone.RESPONSE_WINDOW_ENDS,
}
ORDER = {milestone: position for position, milestone in enumerate(Milestone)}


class MilestoneRefused(DomainError):
    """A milestone change breaks a rule; ``field`` names the form field to mark."""

    def __init__(self, field_name: str, message):
        super().__init__(message)
        self.field = field_name


@dataclass
class MilestoneView:
    """One milestone as the timeline has it."""

    key: str  # its kind's value, or a named milestone's reference
    milestone: Milestone
    label: str
    planned_on: date | None  # the plan in force
    plans: list[date] = field(default_factory=list)  # every plan, oldest first
    changes: list[TimelineEvent] = field(default_factory=list)  # moves, with reasons
    actual_on: date | None = None
    status: str = "planned"  # "planned", "done" or "slipped"
    slipped_days: int = 0  # days past its first plan: moved, missed, or reached late
    replan_here: bool = False  # a coordinator moves it on the milestone's page
    record_done_here: bool = False  # a coordinator records when it was reached

    @property
    def earlier_plans(self) -> list[date]:
        """The plans no longer in force, oldest first."""
        return self.plans[:-1] if self.plans and self.plans[-1] == self.planned_on else self.plans

    @property
    def first_planned_on(self) -> date | None:
        return self.plans[0] if self.plans else None

    @property
    def is_done(self) -> bool:
        return self.actual_on is not None

    @property
    def sort_key(self):
        day = self.actual_on or self.planned_on
        return (day is None, day or date.min, ORDER[self.milestone], self.label)


def _plans(rows: list[TimelineEvent]) -> list[date]:
    plans: list[date] = []
    for row in rows:
        if row.kind != EventKind.DATE_PLANNED or row.planned_on is None:
            continue
        if not plans or plans[-1] != row.planned_on:
            plans.append(row.planned_on)
    return plans


def _changes(rows: list[TimelineEvent]) -> list[TimelineEvent]:
    return [r for r in rows if r.kind == EventKind.DATE_PLANNED and r.previous_on is not None]


def _recorded_done(rows: list[TimelineEvent]) -> date | None:
    return next((r.actual_on for r in rows if r.kind == EventKind.MILESTONE_DONE), None)


def _settle(view: MilestoneView, today: date) -> MilestoneView:
    """Status and slippage, from the plans, the actual date and today."""
    first = view.first_planned_on
    if view.actual_on is not None:
        view.status = "done"
        view.slipped_days = max((view.actual_on - first).days, 0) if first else 0
        return view
    if view.planned_on is None or first is None:
        view.status, view.slipped_days = "planned", 0
        return view
    # Not reached: it can happen today at the earliest, so a missed plan keeps slipping.
    expected = max(view.planned_on, today) if today > view.planned_on else view.planned_on
    view.slipped_days = max((expected - first).days, 0)
    view.status = "slipped" if view.slipped_days > 0 else "planned"
    return view


def milestones(consultation: Consultation, events: list[TimelineEvent], now: datetime):
    """Every milestone of the consultation, in date order (unplanned ones last).

    ``events`` are the consultation's timeline rows, oldest first (``timeline_events``).
    """
    zone = consultation.timezone
    today = schedule.local_date(now, zone)
    rows: dict[str, list[TimelineEvent]] = {}
    for event in events:
        key = event.milestone_key
        if key is not None:
            rows.setdefault(key, []).append(event)
    views = []

    for milestone, attribute in LINKED.items():
        own = rows.pop(milestone.value, [])
        current = getattr(consultation, attribute)
        plans = _plans(own)
        if current is not None and (not plans or plans[-1] != current):
            plans.append(current)
        view = MilestoneView(
            milestone.value,
            milestone,
            str(milestone.label),
            current,
            plans if current is not None else [],
            _changes(own),
            record_done_here=milestone in RECORDED_HERE,
        )
        reached_at = {
            Milestone.OPENS: consultation.opens_at,
            Milestone.CLOSES: consultation.closes_at,
        }.get(milestone)
        if reached_at is not None and reached_at <= now:
            view.actual_on = current
        elif milestone in RECORDED_HERE:
            view.actual_on = _recorded_done(own)
        if milestone == Milestone.CLOSES:
            views.append(_response_window(consultation, view, now, today))
        views.append(_settle(view, today))

    published = next(
        (e for e in events if e.kind == EventKind.PHASE_CHANGED and e.phase == Phase.PUBLISHED),
        None,
    )
    if published is not None:  # publishing the consultation reached "draft published"
        rows.setdefault(Milestone.DRAFT_PUBLISHED.value, [])
    for key, own in rows.items():
        milestone = required(own[0].milestone) if own else Milestone.DRAFT_PUBLISHED
        plans = _plans(own)
        view = MilestoneView(
            key,
            milestone,
            (own[0].milestone_name if own else None) or str(milestone.label),
            plans[-1] if plans else None,
            plans,
            _changes(own),
            actual_on=_recorded_done(own),
            replan_here=milestone in PLANNED_HERE,
            record_done_here=milestone in RECORDED_HERE,
        )
        if milestone == Milestone.DRAFT_PUBLISHED and published is not None:
            view.actual_on = schedule.local_date(published.occurred_at, zone)
        if milestone == Milestone.NEXT_DRAFT and view.actual_on is None:
            view.actual_on = _next_version_published(events, after=own[0].occurred_at, zone=zone)
        views.append(_settle(view, today))
    for view in views:
        if view.is_done:
            view.replan_here = view.record_done_here = False
    return sorted(views, key=lambda v: v.sort_key)


def _response_window(consultation, closes: MilestoneView, now, today) -> MilestoneView:
    """The closing date's plans, each moved by the response window."""
    window = timedelta(days=consultation.response_window_days)
    planned_on = closes.planned_on + window if closes.planned_on else None
    view = MilestoneView(
        Milestone.RESPONSE_WINDOW_ENDS.value,
        Milestone.RESPONSE_WINDOW_ENDS,
        str(Milestone.RESPONSE_WINDOW_ENDS.label),
        planned_on,
        [plan + window for plan in closes.plans],
        closes.changes,
    )
    if planned_on is not None:
        ends_at = schedule.start_of_local_day(planned_on + timedelta(days=1), consultation.timezone)
        if ends_at <= now:
            view.actual_on = planned_on
    return _settle(view, today)


def _next_version_published(events, *, after: datetime, zone: str) -> date | None:
    """The local date of the first version after Draft 1 published once it was planned."""
    for event in events:
        if (
            event.kind == EventKind.VERSION_PUBLISHED
            and event.version is not None
            and event.version.number >= 2
            and event.occurred_at >= after
        ):
            return schedule.local_date(event.occurred_at, zone)
    return None


def next_output(views: list[MilestoneView]) -> MilestoneView | None:
    """The earliest planned output not yet reached (one already late included)."""
    waiting = [
        v for v in views if v.milestone in OUTPUTS and not v.is_done and v.planned_on is not None
    ]
    return min(waiting, key=lambda v: v.sort_key, default=None)


def slipped(views: list[MilestoneView]) -> list[MilestoneView]:
    return [v for v in views if v.status == "slipped"]


def find_milestone(views: list[MilestoneView], key: str) -> MilestoneView | None:
    return next((v for v in views if v.key == key), None)


def plannable(views: list[MilestoneView]) -> list[Milestone]:
    """What a coordinator may plan next: each kind not yet on the timeline, and named ones."""
    present = {v.milestone for v in views}
    return [m for m in PLANNED_HERE if m == Milestone.OTHER or m not in present]


@dataclass(frozen=True)
class Outlook:
    """What the top of a consultation's page says about its schedule."""

    next_output: MilestoneView | None
    slipped: list[MilestoneView]


def outlook(consultation: Consultation, now: datetime) -> Outlook:
    views = milestones(consultation, timeline_events(consultation), now)
    return Outlook(next_output(views), slipped(views))


# --- keeping them ---------------------------------------------------------------------------


def _today(consultation, now) -> date:
    return schedule.local_date(now, consultation.timezone)


def plan_milestone(
    consultation: Consultation,
    milestone: Milestone,
    planned_on: date,
    *,
    actor,
    name: str | None = None,
    now: datetime | None = None,
) -> TimelineEvent:
    """Put a milestone on the timeline with its first planned date (no reason needed)."""
    now = now or utcnow()
    views = milestones(consultation, timeline_events(consultation), now)
    if milestone not in plannable(views):
        raise MilestoneRefused(
            "milestone",
            _l("This milestone is already on the timeline: change its date there.")
            if milestone in PLANNED_HERE
            else _l("This date is set in the consultation's details, not here."),
        )
    name = (name or "").strip() or None
    if milestone == Milestone.OTHER and not name:
        raise MilestoneRefused("name", _l("Name the milestone."))
    if planned_on < _today(consultation, now):
        raise MilestoneRefused("planned_on", _l("Choose today or a later date."))
    event = record_event(
        consultation,
        EventKind.DATE_PLANNED,
        milestone=milestone,
        planned_on=planned_on,
        milestone_ref=random_reference("M") if milestone == Milestone.OTHER else None,
        milestone_name=name if milestone == Milestone.OTHER else None,
        now=now,
    )
    db.session.flush()
    record(
        actor,
        "milestone.planned",
        event,
        now=now,
        consultation=consultation.id,
        milestone=milestone.value,
        planned=planned_on.isoformat(),
    )
    return event


def replan_milestone(
    consultation: Consultation,
    view: MilestoneView,
    planned_on: date,
    *,
    actor,
    reason: str,
    now: datetime | None = None,
) -> TimelineEvent:
    """Move a milestone's planned date, with a public reason; the earlier plan stays."""
    now = now or utcnow()
    if not view.replan_here:
        raise MilestoneRefused("planned_on", _l("This milestone's date cannot be changed here."))
    reason = (reason or "").strip()
    if not reason:
        raise MilestoneRefused(
            "reason", _l("Give the public reason for the change; it is shown on the timeline.")
        )
    if planned_on == view.planned_on:
        raise MilestoneRefused("planned_on", _l("This is already the planned date."))
    if planned_on < _today(consultation, now):
        raise MilestoneRefused("planned_on", _l("Choose today or a later date."))
    event = _row(
        consultation,
        view,
        EventKind.DATE_PLANNED,
        now=now,
        previous_on=view.planned_on,
        planned_on=planned_on,
        reason=reason,
    )
    db.session.flush()
    record(
        actor,
        "milestone.replanned",
        event,
        now=now,
        consultation=consultation.id,
        milestone=view.milestone.value,
        previous=view.planned_on.isoformat() if view.planned_on else None,
        planned=planned_on.isoformat(),
    )
    return event


def record_milestone_done(
    consultation: Consultation,
    view: MilestoneView,
    actual_on: date,
    *,
    actor,
    now: datetime | None = None,
) -> TimelineEvent:
    """Record the local date on which a milestone was reached. Recorded once, for good."""
    now = now or utcnow()
    if not view.record_done_here:
        raise MilestoneRefused("actual_on", _l("This milestone is reached on its own."))
    if actual_on > _today(consultation, now):
        raise MilestoneRefused(
            "actual_on",
            _l(
                "A milestone is reached on or before today (%(today)s, %(zone)s).",
                today=schedule.format_local_date(_today(consultation, now)),
                zone=consultation.timezone,
            ),
        )
    event = _row(consultation, view, EventKind.MILESTONE_DONE, now=now, actual_on=actual_on)
    db.session.flush()
    record(
        actor,
        "milestone.done",
        event,
        now=now,
        consultation=consultation.id,
        milestone=view.milestone.value,
        actual=actual_on.isoformat(),
    )
    return event


def mark_reached(
    consultation: Consultation, milestone: Milestone, *, now: datetime
) -> TimelineEvent | None:
    """Record that a milestone was reached today by what just happened: for the layers
    above, when they publish what the milestone stands for (the summaries call it when
    a factual or narrative summary is published). Audited by the caller's own action;
    nothing is written if the milestone was already reached."""
    if milestone not in RECORDED_HERE or milestone == Milestone.OTHER:
        raise ValueError(f"{milestone} is not reached by an action of the layers above")
    current = milestones(consultation, timeline_events(consultation), now)
    found = find_milestone(current, milestone.value)
    if found is not None and found.is_done:
        return None
    return record_event(
        consultation,
        EventKind.MILESTONE_DONE,
        milestone=milestone,
        actual_on=_today(consultation, now),
        now=now,
    )


def _row(consultation, view: MilestoneView, kind: EventKind, *, now, **fields) -> TimelineEvent:
    """A row of this milestone (a named one's rows each carry its reference and name)."""
    named = view.milestone == Milestone.OTHER
    return record_event(
        consultation,
        kind,
        milestone=view.milestone,
        milestone_ref=view.key if named else None,
        milestone_name=view.label if named else None,
        now=now,
        **fields,
    )
