"""``flask import-draft``: the same import as the web page, from a terminal."""

import sqlalchemy as sa

from consult.audit.models import AuditEntry
from consult.consultations import versions
from consult.consultations.models import Phase
from consult.extensions import db
from tests.consultations import factories as cf


def run(app, *args):
    return app.test_cli_runner().invoke(args=["import-draft", *args])


def test_import_then_preview_in_the_browser(app, tmp_path):
    consultation = cf.consultation(phase=Phase.DRAFT, drafts=())
    path = tmp_path / "draft.md"
    path.write_text(cf.DRAFT_ONE.replace("\n", "\r\n"), encoding="utf-8")
    result = run(app, consultation.slug, str(path))
    assert result.exit_code == 0, result.output
    assert "Draft 1 of" in result.output
    assert "not published" in result.output
    pending = versions.pending_version(consultation)
    assert pending.source_name == "draft.md"
    assert len(pending.paragraphs) == 9


def test_import_and_publish_reports_the_matching(app, tmp_path):
    consultation = cf.consultation(drafts=(cf.DRAFT_ONE,))
    path = tmp_path / "draft2.md"
    path.write_text(cf.DRAFT_TWO, encoding="utf-8")
    result = run(app, consultation.slug, str(path), "--publish")
    assert result.exit_code == 0, result.output
    assert "published" in result.output
    assert "1 changed" in result.output
    assert "1 removed" in result.output
    db.session.expire_all()
    assert versions.latest_published_version(consultation).number == 2
    entry = db.session.scalar(
        sa.select(AuditEntry)
        .where(AuditEntry.action == "version.published")
        .order_by(AuditEntry.id.desc())
    )
    assert entry.actor_id is None  # the system, from the command line


def test_bad_input_is_refused_with_a_message(app, tmp_path):
    consultation = cf.consultation(phase=Phase.DRAFT, drafts=())
    binary = tmp_path / "image.md"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    result = run(app, consultation.slug, str(binary))
    assert result.exit_code == 1
    assert "not a text file" in result.output
    empty = tmp_path / "empty.md"
    empty.write_text("\n")
    assert "empty" in run(app, consultation.slug, str(empty)).output
    assert "No consultation" in run(app, "nope", str(empty)).output
    assert versions.pending_version(consultation) is None
