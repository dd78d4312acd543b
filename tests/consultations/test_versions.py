"""Importing, matching, publishing and reading versions; keys and permalinks survive."""

import re

import pytest
import sqlalchemy as sa

from consult.audit.models import AuditEntry
from consult.consultations import versions
from consult.consultations.diffing import Change
from consult.consultations.models import (
    DocumentVersion,
    Paragraph,
    Phase,
    PublishedVersionImmutable,
)
from consult.errors import DomainError
from consult.extensions import db
from tests import factories
from tests.consultations import factories as cf

KEY = re.compile(r"^P-[0-9A-HJKMNP-TV-Z]{8}$")


def by_number(version):
    return {p.number: p for p in versions.paragraphs_of(version)}


def test_import_stores_numbered_sanitised_paragraphs_with_opaque_keys():
    consultation = cf.consultation(phase=Phase.DRAFT, drafts=())
    version = versions.import_draft(
        consultation,
        "# Scope\n\nText with <script>alert(1)</script> and [a](javascript:x).\n",
        actor=None,
        source_name="draft.md",
    )
    assert version.number == 1
    assert not version.is_published
    first, second = versions.paragraphs_of(version)
    assert (first.number, second.number) == ("1", "1.1")
    assert "<script>" not in second.html
    assert "&lt;script&gt;" in second.html  # raw HTML is shown as text, never run
    assert 'href="javascript' not in second.html
    assert all(KEY.match(p.stable_key) for p in (first, second))
    assert first.stable_key != second.stable_key
    assert {p.change for p in (first, second)} == {Change.NEW}


def test_a_new_import_replaces_the_unpublished_one():
    consultation = cf.consultation(phase=Phase.DRAFT, drafts=())
    versions.import_draft(consultation, "One.\n", actor=None, source_name="a.md")
    second = versions.import_draft(consultation, "Two.\n", actor=None, source_name="b.md")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DocumentVersion)) == 1
    assert versions.pending_version(consultation) == second
    assert second.number == 1


def test_refused_imports_raise_a_domain_error_with_the_reason():
    consultation = cf.consultation(phase=Phase.DRAFT, drafts=())
    with pytest.raises(versions.ImportRefused, match="empty"):
        versions.import_draft(consultation, "  \n", actor=None, source_name="a.md")


def test_keys_survive_a_redraft_as_specified():
    consultation = cf.consultation(drafts=(cf.DRAFT_ONE,))
    one = by_number(consultation.versions[0])
    two_version = cf.publish_draft(consultation, cf.DRAFT_TWO)
    two = by_number(two_version)
    assert two_version.number == 2
    # Unchanged paragraphs keep their key and number.
    assert two["0.1"].stable_key == one["0.1"].stable_key
    assert two["0.1"].change == Change.UNCHANGED
    # Lightly edited: same key, marked changed.
    assert two["1.1"].stable_key == one["1.1"].stable_key
    assert two["1.1"].change == Change.CHANGED
    # Moved up by the deletion of 1.2: same key, new number, unchanged.
    assert two["2.2"].stable_key == one["2.2"].stable_key
    # New section and paragraph: new keys.
    assert two["3"].change == two["3.1"].change == Change.NEW
    assert two["3.1"].stable_key not in {p.stable_key for p in one.values()}
    # Deleted: its key is absent from Draft 2.
    assert one["1.2"].stable_key not in {p.stable_key for p in two.values()}


def test_permalinks_resolve_to_the_latest_version_holding_the_key():
    consultation = cf.consultation(drafts=(cf.DRAFT_ONE, cf.DRAFT_TWO))
    one, two = (by_number(v) for v in consultation.versions)
    kept, removed = one["1.1"].stable_key, one["1.2"].stable_key
    assert versions.resolve_permalink(consultation, kept, None) == two["1.1"]
    assert versions.resolve_permalink(consultation, removed, None) == one["1.2"]
    assert versions.resolve_permalink(consultation, "P-NOTAKEY0", None) is None


def test_permalinks_ignore_unpublished_versions():
    consultation = cf.consultation(drafts=(cf.DRAFT_ONE,))
    pending = cf.pending_draft(consultation, cf.DRAFT_ONE + "\nA new closing paragraph.\n")
    new_key = versions.paragraphs_of(pending)[-1].stable_key
    assert versions.resolve_permalink(consultation, new_key, factories.coordinator()) is None
    kept = versions.paragraphs_of(pending)[0]
    assert versions.resolve_permalink(consultation, kept.stable_key, None).version.number == 1


def test_a_coordinator_corrects_a_match_and_swaps_without_collisions():
    consultation = cf.consultation(drafts=("First paragraph.\n\nSecond paragraph.\n",))
    pending = cf.pending_draft(consultation, "First paragraph.\n\nSecond paragraph.\n")
    old = by_number(consultation.versions[0])
    versions.correct_matches(pending, ["0.2", "0.1"], actor=None)
    db.session.commit()
    new = by_number(pending)
    assert new["0.1"].stable_key == old["0.2"].stable_key
    assert new["0.2"].stable_key == old["0.1"].stable_key
    assert new["0.1"].change == Change.CHANGED
    versions.correct_matches(pending, ["0.1", None], actor=None)
    new = by_number(pending)
    assert new["0.2"].change == Change.NEW
    assert new["0.2"].previous_id is None
    assert new["0.2"].stable_key not in {p.stable_key for p in old.values()}
    assert "version.matching_corrected" in [
        e.action for e in db.session.scalars(sa.select(AuditEntry))
    ]


def test_match_corrections_are_checked():
    consultation = cf.consultation(drafts=("First.\n\nSecond.\n",))
    pending = cf.pending_draft(consultation, "First.\n\nSecond.\n")
    with pytest.raises(versions.MatchProblems) as caught:
        versions.correct_matches(pending, ["0.1", "0.1"], actor=None)
    assert list(caught.value.problems) == [1]
    with pytest.raises(versions.MatchProblems) as caught:
        versions.correct_matches(pending, ["9.9", None], actor=None)
    assert "no paragraph 9.9" in str(caught.value.problems[0])
    with pytest.raises(DomainError, match="reload"):
        versions.correct_matches(pending, ["0.1"], actor=None)


def test_published_versions_never_change():
    consultation = cf.consultation()
    version = consultation.versions[0]
    with pytest.raises(DomainError, match="never changes"):
        versions.correct_matches(version, [None] * len(version.paragraphs), actor=None)
    with pytest.raises(DomainError, match="already published"):
        versions.publish_version(version, actor=None)
    with pytest.raises(DomainError, match="never changes"):
        versions.discard_version(version, actor=None)
    # Even code that bypasses the services cannot rewrite a published version.
    paragraph = version.paragraphs[0]
    paragraph.source = "Rewritten."
    with pytest.raises(PublishedVersionImmutable):
        db.session.flush()
    db.session.rollback()
    version = db.session.get(DocumentVersion, version.id)
    version.source = "Rewritten."
    with pytest.raises(PublishedVersionImmutable):
        db.session.flush()
    db.session.rollback()
    version = db.session.get(DocumentVersion, version.id)
    version.paragraphs.append(
        Paragraph(
            position=99,
            number="9.9",
            kind="paragraph",
            source="x",
            html="x",
            stable_key="P-EXTRA000",
        )
    )
    with pytest.raises(PublishedVersionImmutable):
        db.session.flush()
    db.session.rollback()


def test_publishing_checks_the_base_is_still_the_latest():
    consultation = cf.consultation(drafts=(cf.DRAFT_ONE,))
    pending = cf.pending_draft(consultation, cf.DRAFT_TWO)
    pending.base_version_id = None  # as if imported before Draft 1 was published
    with pytest.raises(DomainError, match="Import the draft again"):
        versions.publish_version(pending, actor=None)


def test_publishing_a_version_is_on_the_timeline_and_audited():
    coordinator = factories.coordinator()
    consultation = cf.consultation(drafts=(cf.DRAFT_ONE,), actor=coordinator)
    version = cf.publish_draft(consultation, cf.DRAFT_TWO, actor=coordinator)
    from consult.tracking.services import timeline_events

    published = [e.version for e in timeline_events(consultation) if e.version is not None]
    assert [v.number for v in published] == [1, 2]
    entry = db.session.scalar(
        sa.select(AuditEntry).where(
            AuditEntry.action == "version.published", AuditEntry.target_id == version.id
        )
    )
    assert entry.actor_id == coordinator.id
    assert entry.details == {"consultation_id": consultation.id, "number": 2}


def test_discarding_an_import_removes_it():
    consultation = cf.consultation(drafts=(cf.DRAFT_ONE,))
    pending = cf.pending_draft(consultation, cf.DRAFT_TWO)
    versions.discard_version(pending, actor=None)
    db.session.commit()
    assert versions.pending_version(consultation) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Paragraph)) == len(
        consultation.versions[0].paragraphs
    )


def test_new_keys_never_reuse_a_key_the_consultation_had(monkeypatch):
    consultation = cf.consultation(drafts=("Alpha.\n",))
    old_key = consultation.versions[0].paragraphs[0].stable_key
    produced = iter([old_key, "P-FRESH000"])
    monkeypatch.setattr(versions, "random_reference", lambda prefix: next(produced))
    version = versions.import_draft(
        consultation, "Something entirely different.\n", actor=None, source_name="x.md"
    )
    assert version.paragraphs[0].stable_key == "P-FRESH000"
