"""Consultations: who may see them, creating and editing them, and their phases.

Services take the actor explicitly, flush rather than commit, write their own audit
entry and timeline event, and raise DomainError for refusals the person should read.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult.accounts.models import Organisation, OrganisationKind, OrganisationStatus
from consult.audit.services import record
from consult.consultations import events, schedule
from consult.consultations.models import Consultation, DocumentVersion, Phase
from consult.db import required, utcnow
from consult.errors import DomainError
from consult.extensions import db
from consult.i18n import is_timezone
from consult.permissions import require
from consult.policy.consultations import can_view_consultation, visible_consultations_clause

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class InvalidSettings(DomainError):
    """A consultation setting breaks a rule; ``field`` names the form field to mark."""

    def __init__(self, field_name: str, message):
        super().__init__(message)
        self.field = field_name


# --- who may see what ------------------------------------------------------------------


def visible_consultation_or_404(slug: str, viewer) -> Consultation:
    """The consultation at this address; 404 when missing or not visible to ``viewer``."""
    consultation = db.first_or_404(sa.select(Consultation).filter_by(slug=slug))
    require(can_view_consultation(viewer, consultation))
    return consultation


def visible_consultations(viewer) -> list[Consultation]:
    """Consultations the viewer may see, newest opening first, undated drafts last."""
    query = sa.select(Consultation).where(visible_consultations_clause(viewer))
    query = query.order_by(Consultation.opens_on.desc().nulls_last(), Consultation.title)
    return list(db.session.scalars(query).all())


def consultations_by_phase(viewer) -> dict[Phase, list[Consultation]]:
    """The home page's lists: published first, then concluded, then (coordinators) drafts."""
    groups: dict[Phase, list[Consultation]] = {
        Phase.PUBLISHED: [],
        Phase.CONCLUDED: [],
        Phase.DRAFT: [],
    }
    for consultation in visible_consultations(viewer):
        groups[consultation.phase].append(consultation)
    return {phase: items for phase, items in groups.items() if items}


# --- creating and editing ----------------------------------------------------------------


@dataclass
class Settings:
    """Everything a coordinator sets on a consultation."""

    title: str
    slug: str
    timezone: str
    summary: str = ""
    opens_on: date | None = None
    closes_on: date | None = None
    response_window_days: int = schedule.DEFAULT_RESPONSE_WINDOW_DAYS
    summary_due_on: date | None = None
    update_interval_days: int = schedule.DEFAULT_UPDATE_INTERVAL_DAYS
    short_period_reason: str | None = None
    companies: list[Organisation] = field(default_factory=list)


def _check(settings: Settings, existing: Consultation | None = None):
    """Refuse settings that break a rule, naming the field."""
    if not SLUG_RE.match(settings.slug or ""):
        raise InvalidSettings("slug", _l("Use lower-case letters, digits and single hyphens."))
    taken = db.session.scalar(sa.select(Consultation.id).where(Consultation.slug == settings.slug))
    if taken is not None and (existing is None or taken != existing.id):
        raise InvalidSettings("slug", _l("Another consultation already uses this address."))
    if not is_timezone(settings.timezone):
        raise InvalidSettings("timezone", _l("Choose a time zone from the list."))
    if (settings.opens_on is None) != (settings.closes_on is None):
        raise InvalidSettings(
            "closes_on", _l("Set both the opening and the closing date, or neither for now.")
        )
    if settings.opens_on and settings.closes_on and settings.closes_on < settings.opens_on:
        raise InvalidSettings("closes_on", _l("The closing date is before the opening date."))
    if (
        schedule.needs_short_period_reason(settings.opens_on, settings.closes_on)
        and not (settings.short_period_reason or "").strip()
    ):
        raise InvalidSettings(
            "short_period_reason",
            _l(
                "The comment period is %(days)d days, shorter than six weeks: record the reason.",
                days=schedule.period_days(
                    required(settings.opens_on), required(settings.closes_on)
                ),
            ),
        )
    if (
        settings.summary_due_on
        and settings.closes_on
        and (settings.summary_due_on <= settings.closes_on)
    ):
        raise InvalidSettings("summary_due_on", _l("The summary is due after the closing date."))
    for company in settings.companies:
        if company.kind != OrganisationKind.COMPANY or company.status != (
            OrganisationStatus.CONFIRMED
        ):
            raise InvalidSettings("companies", _l("Only member companies can respond."))


def _with_defaults(settings: Settings) -> Settings:
    if settings.summary_due_on is None and settings.closes_on is not None:
        settings.summary_due_on = settings.closes_on + timedelta(
            days=schedule.DEFAULT_SUMMARY_DELAY_DAYS
        )
    if not schedule.needs_short_period_reason(settings.opens_on, settings.closes_on):
        settings.short_period_reason = None
    return settings


PLANNED_DATES = ("opens_on", "closes_on", "summary_due_on")


def _planned_dates(consultation) -> dict[str, date | None]:
    return {name: getattr(consultation, name) for name in PLANNED_DATES}


def _apply(consultation: Consultation, settings: Settings):
    consultation.title = settings.title.strip()
    consultation.slug = settings.slug
    consultation.summary = (settings.summary or "").strip()
    consultation.set_schedule(settings.opens_on, settings.closes_on, settings.timezone)
    consultation.response_window_days = settings.response_window_days
    consultation.summary_due_on = settings.summary_due_on
    consultation.update_interval_days = settings.update_interval_days
    consultation.short_period_reason = (settings.short_period_reason or "").strip() or None
    consultation.companies = list(settings.companies)


def _record_date_changes(consultation, before, *, actor, reason, now):
    """Each planned date set or changed: an audit entry, and the timeline is told."""
    changes = {}
    for name, planned_on in _planned_dates(consultation).items():
        previous_on = before[name]
        if previous_on == planned_on:
            continue
        changes[name] = (previous_on, planned_on)
        record(
            actor,
            "consultation.date_planned",
            consultation,
            now=now,
            milestone=name.removesuffix("_on"),
            previous=previous_on.isoformat() if previous_on else None,
            planned=planned_on.isoformat() if planned_on else None,
        )
    if changes:
        events.dates_planned.send(
            consultation, changes=changes, reason=reason, actor=actor, now=now
        )


def create_consultation(settings: Settings, *, actor, now: datetime | None = None):
    """Create a consultation in the draft phase (seen by coordinators only)."""
    now = now or utcnow()
    settings = _with_defaults(settings)
    _check(settings)
    consultation = Consultation(
        created_at=now, created_by_id=actor.id if actor else None, phase=Phase.DRAFT
    )
    _apply(consultation, settings)
    db.session.add(consultation)
    db.session.flush()
    record(actor, "consultation.created", consultation, now=now)
    _record_date_changes(
        consultation, dict.fromkeys(PLANNED_DATES), actor=actor, reason=None, now=now
    )
    db.session.flush()
    return consultation


def update_consultation(
    consultation: Consultation,
    settings: Settings,
    *,
    actor,
    reason: str | None = None,
    now: datetime | None = None,
):
    """Change a consultation's settings. Once public, its address and time zone are
    fixed and a planned date changes only with a public reason."""
    now = now or utcnow()
    settings = _with_defaults(settings)
    _check(settings, existing=consultation)
    before = _planned_dates(consultation)
    reason = (reason or "").strip() or None
    if consultation.is_public:
        if settings.slug != consultation.slug:
            raise InvalidSettings(
                "slug",
                _l(
                    "The address of a public consultation cannot "
                    "change: links to it must keep working."
                ),
            )
        if settings.timezone != consultation.timezone:
            raise InvalidSettings(
                "timezone", _l("The time zone of a public consultation cannot change.")
            )
        dates_change = before != {name: getattr(settings, name) for name in PLANNED_DATES}
        if dates_change and not reason:
            raise InvalidSettings(
                "reason",
                _l(
                    "Give the public reason for changing a planned "
                    "date; it is shown on the timeline."
                ),
            )
    _apply(consultation, settings)
    record(actor, "consultation.updated", consultation, now=now)
    _record_date_changes(consultation, before, actor=actor, reason=reason, now=now)
    db.session.flush()
    return consultation


# --- phases --------------------------------------------------------------------------------


def publication_problems(consultation: Consultation) -> list[str]:
    """What must be settled before the consultation's page can go public.

    The page must state the closing date and time zone, the response window, the
    summary due date and what each visibility level publishes (a fixed statement on
    the page), and there must be a published draft to read.
    """
    problems = []
    if not (consultation.opens_on and consultation.closes_on):
        problems.append(_l("Set the opening and closing dates."))
    if not consultation.timezone:
        problems.append(_l("Set the time zone."))
    if not consultation.response_window_days:
        problems.append(_l("Set the company response window."))
    if not consultation.summary_due_on:
        problems.append(_l("Set the summary due date."))
    if schedule.needs_short_period_reason(consultation.opens_on, consultation.closes_on) and (
        not consultation.short_period_reason
    ):
        problems.append(_l("Record the reason for a comment period shorter than six weeks."))
    has_version = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(DocumentVersion)
        .where(
            DocumentVersion.consultation_id == consultation.id,
            DocumentVersion.published_at.is_not(None),
        )
    )
    if not has_version:
        problems.append(_l("Import and publish Draft 1."))
    return problems


def publish_consultation(consultation: Consultation, *, actor, now: datetime | None = None):
    """Make a draft consultation public, once its page states everything it must."""
    now = now or utcnow()
    if consultation.phase != Phase.DRAFT:
        raise DomainError(_l("This consultation is already public."))
    problems = publication_problems(consultation)
    if problems:
        raise DomainError(" ".join(str(p) for p in problems))
    consultation.phase = Phase.PUBLISHED
    consultation.published_at = now
    record(actor, "consultation.published", consultation, now=now)
    db.session.flush()
    events.consultation_published.send(consultation, actor=actor, now=now)


def conclude_consultation(consultation: Consultation, *, actor, now: datetime | None = None):
    """Conclude a published consultation once commenting has closed."""
    now = now or utcnow()
    if consultation.phase != Phase.PUBLISHED:
        raise DomainError(_l("Only a published consultation can be concluded."))
    if consultation.closes_at is None or now < consultation.closes_at:
        raise DomainError(
            _l(
                "Commenting is still open or not yet closed: a consultation "
                "is concluded after its closing date."
            )
        )
    consultation.phase = Phase.CONCLUDED
    consultation.concluded_at = now
    record(actor, "consultation.concluded", consultation, now=now)
    db.session.flush()
    events.consultation_concluded.send(consultation, actor=actor, now=now)


def company_choices() -> list[Organisation]:
    return list(
        db.session.scalars(
            sa.select(Organisation)
            .where(
                Organisation.kind == OrganisationKind.COMPANY,
                Organisation.status == OrganisationStatus.CONFIRMED,
            )
            .order_by(sa.func.lower(Organisation.name))
        ).all()
    )


# --- extensions ------------------------------------------------------------------------------

REOPEN_WITHIN_DAYS = 14


def extend_closing(
    consultation: Consultation, closes_on: date, *, actor, reason: str, now: datetime | None = None
):
    """Move the closing date later, for everyone, with a public reason.

    The earlier date stays on the timeline, and the extension is posted as an update.
    After close it is a reopening, allowed within 14 days of the close.
    """
    now = now or utcnow()
    reason = (reason or "").strip()
    if consultation.phase != Phase.PUBLISHED or consultation.closes_on is None:
        raise DomainError(_l("Only a published consultation with a closing date can be extended."))
    if not reason:
        raise InvalidSettings("reason", _l("Give the public reason for the extension."))
    previous = consultation.closes_on
    if closes_on <= previous:
        raise InvalidSettings("closes_on", _l("Choose a date after the current closing date."))
    closes_at = required(consultation.closes_at)  # set with closes_on, which is set
    reopening = now >= closes_at
    if reopening and now >= closes_at + timedelta(days=REOPEN_WITHIN_DAYS):
        raise DomainError(_l("A consultation can be reopened only within 14 days of its close."))
    before = _planned_dates(consultation)
    consultation.set_schedule(consultation.opens_on, closes_on, consultation.timezone)
    record(
        actor,
        "consultation.extended",
        consultation,
        now=now,
        previous=previous.isoformat(),
        planned=closes_on.isoformat(),
    )
    _record_date_changes(consultation, before, actor=actor, reason=reason, now=now)
    db.session.flush()
    events.closing_extended.send(
        consultation,
        previous=previous,
        closes_on=closes_on,
        reason=reason,
        reopening=reopening,
        actor=actor,
        now=now,
    )
