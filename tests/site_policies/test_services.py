"""Published versions never change; the services refuse what the rules refuse."""

import pytest
import sqlalchemy as sa

from consult.errors import NotAllowed
from consult.extensions import db
from consult.site_policies import services
from consult.site_policies.models import PolicyVersion, PublishedPolicyImmutable
from consult.site_policies.sections import SECTION_KEYS
from tests import factories


def _publish(coordinator, based_on=None, **text):
    sections = services.starting_text()
    sections.update(text)
    version = services.publish_draft(
        sections=sections,
        change_note="A note.",
        editing_revision=None,
        based_on=based_on,
        coordinator=coordinator,
    )
    db.session.commit()
    return version


def test_a_published_version_cannot_be_changed_or_deleted():
    version = _publish(factories.coordinator(), times="As published.")
    version.sections = {**version.sections, "times": "Rewritten."}
    with pytest.raises(PublishedPolicyImmutable):
        db.session.flush()
    db.session.rollback()
    version.change_note = "Another note."
    with pytest.raises(PublishedPolicyImmutable):
        db.session.flush()
    db.session.rollback()
    db.session.delete(version)
    with pytest.raises(PublishedPolicyImmutable):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(PublishedPolicyImmutable):
        db.session.execute(sa.update(PolicyVersion).values(change_note="Bulk."))
    db.session.rollback()
    assert db.session.scalar(sa.select(PolicyVersion)).sections["times"] == "As published."


def test_a_draft_can_be_changed_until_it_is_published():
    coordinator = factories.coordinator()
    draft = services.save_draft(
        sections=services.starting_text(),
        change_note="",
        editing_revision=None,
        based_on=None,
        coordinator=coordinator,
    )
    db.session.commit()
    draft.change_note = "Changed while a draft."
    db.session.flush()  # allowed
    assert draft.revision == 2


def test_numbers_follow_and_the_current_version_is_the_latest():
    coordinator = factories.coordinator()
    first = _publish(coordinator)
    second = _publish(coordinator, based_on=1)
    assert (first.number, second.number) == (1, 2)
    assert services.current_version() == second
    assert [v.number for v in services.published_versions()] == [2, 1]
    assert set(second.sections) == set(SECTION_KEYS)


@pytest.mark.parametrize("make", [factories.stakeholder, factories.company_rep])
def test_only_coordinators_may_save(make):
    with pytest.raises(NotAllowed):
        services.save_draft(
            sections={},
            change_note="",
            editing_revision=None,
            based_on=None,
            coordinator=make(),
        )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PolicyVersion)) == 0


def test_publication_records_the_figures_and_officers_of_the_moment():
    factories.coordinator(name="Olga Officer", privacy_officer=True)
    version = _publish(factories.coordinator())
    assert version.figures["response_window_days"] == 30
    assert version.figures["small_cell"] == 5
    assert version.figures["privacy_officers"] == [{"name": "Olga Officer", "affiliation": None}]
    assert [v["level"] for v in version.figures["visibility"]] == [
        "public",
        "anonymous",
        "restricted",
        "confidential",
    ]
