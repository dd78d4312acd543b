"""Demonstration consultations: invented text, labelled as demonstration data everywhere.

The open consultation's dates are relative to the day the data is loaded, so it is
open whenever a newcomer runs ``make run``; it has two published drafts, so numbering,
permalinks and a comparison are visible at once.
"""

from datetime import timedelta

from consult.consultations import services, versions
from consult.db import utcnow
from consult.demo.tracking import DEMO_UPDATE_INTERVAL_DAYS, load_demo_timeline

NOTE = (
    "*Demonstration text.* This draft was written for the Consult demonstration. It "
    "does not come from any real industry group, company or government."
)

DRAFT_1 = f"""\
{NOTE}

The (demo) Telecommunications Dialogue invites comments on these draft principles,
paragraph by paragraph, until the closing date shown on this page.

# Purpose and scope

These principles describe how member companies respect the privacy and freedom of
expression of the people who use their networks, when governments make demands that
may affect those rights.

They apply to telecommunications operators and to vendors of network equipment and
software, in every country where a member company operates.

The principles sit alongside the law. Where the law of a country and these principles
differ, companies follow the law and act to reduce the harm to their users' rights.

# Policy and governance

Each company adopts a public commitment to respect privacy and freedom of expression,
approved by its board.

A named senior executive is accountable for carrying out the commitment and reports on
it to the board at least once a year.

Companies train the staff who handle government demands, and give them a clear way to
escalate a demand they find doubtful.

## Assessing risks

Before entering a new market, companies assess the risks to privacy and freedom of
expression there, consulting local civil society where it is safe to do so.

Companies assess human rights risks before selling equipment or software that can
intercept communications, block content or track location, including the risk that the
buyer misuses it.

# Government demands

Companies act on a demand only when it has a clear legal basis and comes from an
authority entitled to make it.

Every demand is:

- received in writing, or confirmed in writing promptly when it is urgent;
- checked by a trained person before anyone acts on it;
- recorded with its date, the authority and the legal basis given.

Companies read demands narrowly and provide the least information, or apply the least
restriction, that the demand requires.

Where a demand appears unlawful or excessive, companies challenge it through the legal
channels available and tell the authority why.

> Necessity and proportionality are not optional extras: they are the test every demand
> must pass. (From the invented consultation brief.)

## Network shutdowns

Companies oppose orders to shut down networks or services. When they must comply, they
seek to limit the scope and the duration, and tell their users as soon as they may.

# Transparency

Companies publish, at least once a year, the number of government demands they received,
by country and by type of demand.

Where the law forbids publishing such figures, companies say so, and publish what they
are allowed to.

Companies tell the people concerned about demands for their data, unless the law or a
court forbids it, and then as soon as the prohibition ends.

# Remedy

Companies provide channels through which users and others can raise concerns about how
these principles are applied, and answer each concern within a stated time.

Companies take part in good faith in independent processes that review complaints about
their conduct.

# Review of these principles

The principles are reviewed every two years through a public consultation like this one.
"""

DRAFT_2 = f"""\
{NOTE}

The (demo) Telecommunications Dialogue invites comments on these draft principles,
paragraph by paragraph, until the closing date shown on this page.

# Purpose and scope

These principles describe how member companies respect the privacy and freedom of
expression of the people who use their networks, when governments make demands that
may affect those rights.

They apply to telecommunications operators and to vendors of network equipment and
software, in every country where a member company operates.

The principles sit alongside the law. Where the law of a country and these principles
differ, companies comply with the law while seeking to minimise the impact on their
users' rights, and explain publicly how they did so.

# Policy and governance

Each company adopts a public commitment to respect privacy and freedom of expression,
approved by its board, and names a senior executive accountable for carrying it out.

Companies train the staff who handle government demands, and give them a clear way to
escalate a demand they find doubtful.

## Assessing risks

Before entering a new market, companies assess the risks to privacy and freedom of
expression there, consulting local civil society where it is safe to do so.

# Government demands

Companies act on a demand only when it has a clear legal basis and comes from an
authority entitled to make it.

Every demand is:

- received in writing, or confirmed in writing promptly when it is urgent;
- checked by a trained person before anyone acts on it;
- recorded with its date, the authority and the legal basis given;
- kept on record for at least five years.

Companies read demands narrowly and provide the least information, or apply the least
restriction, that the demand requires.

Where a demand appears unlawful or excessive, companies challenge it through the legal
channels available and tell the authority why.

> Necessity and proportionality are not optional extras: they are the test every demand
> must pass. (From the invented consultation brief.)

## Network shutdowns

Companies oppose orders to shut down networks or services. When they must comply, they
seek to limit the scope and the duration, and tell their users as soon as they may.

Whatever the order, companies keep emergency calls working.

## Sales of surveillance technology

Companies assess human rights risks before selling equipment or software that can
intercept communications, block content or track location, including the risk that the
buyer misuses it.

# Transparency

Companies publish, at least once a year, the number of government demands they received,
by country, by type of demand and by the authority that made it.

Where the law forbids publishing such figures, companies say so, and publish what they
are allowed to.

Companies tell the people concerned about demands for their data, unless the law or a
court forbids it, and then as soon as the prohibition ends.

# Remedy

Companies provide channels through which users and others can raise concerns about how
these principles are applied, and answer each concern within a stated time.

Companies take part in good faith in independent processes that review complaints about
their conduct.

# Review of these principles

The principles are reviewed every three years through a public consultation like this
one, and sooner when a member company or the coordinators ask for it.
"""

ELECTIONS_DRAFT = f"""\
{NOTE}

# Purpose

This guidance will help member companies respond to requests to restrict services
around elections.

# Before an election

Companies review, with independent experts, the requests they received during earlier
elections in the country.
"""


def load_demo_consultations(*, coordinator, companies, now=None):
    """An open consultation with Draft 1 and Draft 2 published, milestones and an overdue
    progress update, and a draft-phase one."""
    now = now or utcnow()
    today = now.date()
    settings = services.Settings(
        title="Guiding principles on privacy and freedom of expression (demo)",
        slug="privacy-and-freedom-of-expression-demo",
        timezone="Europe/Brussels",
        summary=(
            "**Demonstration data.** An invented industry group asks for comments on its "
            "draft principles for telecommunications companies facing government "
            "demands. Nothing here is real."
        ),
        opens_on=today - timedelta(days=21),
        closes_on=today - timedelta(days=21) + timedelta(days=83),  # twelve weeks
        update_interval_days=DEMO_UPDATE_INTERVAL_DAYS,
        companies=list(companies),
    )
    consultation = services.create_consultation(
        settings, actor=coordinator, now=now - timedelta(days=30)
    )
    load_demo_timeline(consultation, coordinator=coordinator, now=now)
    for text, name, days_ago in [
        (DRAFT_1, "principles-draft-1.md", 22),
        (DRAFT_2, "principles-draft-2.md", 3),
    ]:
        at = now - timedelta(days=days_ago)
        version = versions.import_draft(
            consultation, text, actor=coordinator, source_name=name, now=at
        )
        versions.publish_version(version, actor=coordinator, now=at)
        if days_ago == 22:
            services.publish_consultation(consultation, actor=coordinator, now=at)

    later = services.create_consultation(
        services.Settings(
            title="Guidance on network restrictions during elections (demo)",
            slug="elections-guidance-demo",
            timezone="Africa/Nairobi",
            summary="**Demonstration data.** Not yet public: only coordinators see it.",
            companies=list(companies),
        ),
        actor=coordinator,
        now=now - timedelta(days=2),
    )
    versions.import_draft(
        later,
        ELECTIONS_DRAFT,
        actor=coordinator,
        source_name="elections-draft-1.md",
        now=now - timedelta(days=1),
    )
    return [consultation, later]
