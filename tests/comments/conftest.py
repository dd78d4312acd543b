"""A published, open consultation with two responding companies and the people around it."""

from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from consult.accounts.models import OrganisationKind
from consult.comments import services
from consult.comments.models import AuthorDisplay, CommentKind, Visibility
from consult.consultations.models import Paragraph
from consult.consultations.versions import latest_published_version
from consult.extensions import db
from tests import factories
from tests.consultations import factories as consultation_factories


@dataclass
class World:
    consultation: object
    version: object
    paragraph: object
    north: object  # a responding company
    south: object  # another responding company
    author: object
    other: object  # a stakeholder of another organisation
    invitee: object
    north_rep: object
    south_rep: object
    coordinator: object
    officer: object  # privacy officer

    def post(
        self,
        visibility=Visibility.PUBLIC,
        *,
        author=None,
        body=None,
        companies=None,
        display=None,
        kind=CommentKind.COMMENT,
        proposed_text=None,
        paragraph="default",
        to_coordinators=False,
        now=None,
        key=None,
    ):
        author = author or self.author
        if display is None:
            display = (
                AuthorDisplay.NAME if visibility == Visibility.PUBLIC else AuthorDisplay.COUNTRY
            )
        if companies is None:
            companies = (
                [] if visibility == Visibility.CONFIDENTIAL else [self.north.id, self.south.id]
            )
        draft = services.Draft(
            kind=kind,
            body=body or f"A {visibility} remark about scope.",
            visibility=visibility,
            display=display,
            proposed_text=proposed_text,
            company_ids=companies,
            to_coordinators=to_coordinators,
        )
        comment = services.post_comment(
            self.consultation,
            draft,
            author=author,
            submission_key=key or factories.unique_key(),
            paragraph=self.paragraph if paragraph == "default" else paragraph,
            version=self.version,
            now=now,
        )
        db.session.commit()
        return comment


@pytest.fixture
def world():
    north = factories.company(name="Northwind")
    south = factories.company(name="Southgate")
    consultation = consultation_factories.consultation(
        companies=[north, south], timezone="Asia/Kolkata"
    )
    version = latest_published_version(consultation)
    paragraph = db.session.scalar(
        sa.select(Paragraph).where(Paragraph.version_id == version.id, Paragraph.number == "1.1")
    )
    return World(
        consultation=consultation,
        version=version,
        paragraph=paragraph,
        north=north,
        south=south,
        author=factories.stakeholder(
            name="Amina Author", email="amina@example.org", kind=OrganisationKind.CIVIL_SOCIETY
        ),
        other=factories.stakeholder(name="Otto Other", kind=OrganisationKind.INVESTOR),
        invitee=factories.stakeholder(name="Ines Invitee"),
        north_rep=factories.company_rep(north),
        south_rep=factories.company_rep(south),
        coordinator=factories.coordinator(),
        officer=factories.coordinator(privacy_officer=True),
    )
