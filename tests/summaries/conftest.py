"""Consultations with fixed dates in Asia/Kolkata, and helpers to build a data set whose
figures are worked out by hand: who posts what, where, at which level and when."""

import itertools
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from consult.accounts.models import OrganisationKind
from consult.comments import services as comment_services
from consult.comments.models import AuthorDisplay, CommentKind, Visibility
from consult.consultations.models import Paragraph
from consult.consultations.versions import latest_published_version
from consult.extensions import db
from tests import factories
from tests.consultations import factories as consultation_factories
from tests.responses.conftest import kolkata

ZONE = "Asia/Kolkata"
OPENS_ON = date(2026, 1, 5)
CLOSES_ON = date(2026, 3, 29)
POSTED = kolkata(2026, 2, 1, 10)
CLOSES_AT = kolkata(2026, 3, 30, 0, 0)  # the first instant after 29 March, local
AFTER_CLOSE = CLOSES_AT + timedelta(minutes=1)

CS = OrganisationKind.CIVIL_SOCIETY
INVESTOR = OrganisationKind.INVESTOR
ACADEMIC = OrganisationKind.ACADEMIC
OTHER = OrganisationKind.OTHER

# A campaign text of 100 words: one word changed keeps the word 5-shingles' Jaccard
# similarity at 95/97, above the 0.9 that makes a near-duplicate.
CAMPAIGN_WORDS = [f"campaign{i}" for i in range(99)]


def campaign_text(last_word: str) -> str:
    return " ".join([*CAMPAIGN_WORDS, last_word])


def author(kind=CS, country="KE", **kwargs):
    """A stakeholder of a new organisation of ``kind`` in ``country``."""
    organisation = factories.organisation(kind, country=country, commit=False)
    return factories.stakeholder(organisation_=organisation, kind=kind, **kwargs)


class Place:
    """A published consultation, its draft and one responding company."""

    def __init__(self, consultation, company):
        self.consultation = consultation
        self.company = company
        self.version = latest_published_version(consultation)
        self._minutes = itertools.count()

    def paragraph(self, number):
        return db.session.scalar(
            sa.select(Paragraph).where(
                Paragraph.version_id == self.version.id, Paragraph.number == number
            )
        )

    def post(
        self,
        who,
        visibility=Visibility.PUBLIC,
        *,
        number: str | None = "1.1",
        kind=CommentKind.COMMENT,
        body=None,
        now=None,
    ):
        """Post a comment; comments posted without ``now`` follow one another, a minute
        apart, from 1 February."""
        display = AuthorDisplay.NAME if visibility == Visibility.PUBLIC else AuthorDisplay.COUNTRY
        draft = comment_services.Draft(
            kind=kind,
            body=body or f"Remark {next(factories._sequence)} about this paragraph.",
            visibility=visibility,
            display=display,
            proposed_text="Better words." if kind == CommentKind.AMENDMENT else None,
            company_ids=[] if visibility == Visibility.CONFIDENTIAL else [self.company.id],
        )
        comment = comment_services.post_comment(
            self.consultation,
            draft,
            author=who,
            submission_key=factories.unique_key(),
            paragraph=self.paragraph(number) if number else None,
            version=self.version,
            now=now or POSTED + timedelta(minutes=next(self._minutes)),
        )
        db.session.commit()
        return comment


def new_place(slug=None) -> Place:
    company = factories.company()
    consultation = consultation_factories.consultation(
        slug=slug,
        companies=[company],
        timezone=ZONE,
        opens_on=OPENS_ON,
        closes_on=CLOSES_ON,
    )
    return Place(consultation, company)


@pytest.fixture
def place() -> Place:
    return new_place()
