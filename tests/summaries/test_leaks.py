"""The leak check: 8 consecutive words of a restricted or confidential comment, or the
name or organisation of a non-public author, stop a publication; only a privacy officer
publishes over it, with a reason, audited."""

import pytest
import sqlalchemy as sa

from consult.audit.models import AuditEntry
from consult.comments import services as comment_services
from consult.comments.models import ReplyIdentity, Visibility
from consult.errors import NotAllowed
from consult.extensions import db
from consult.summaries import leaks, narrative
from consult.summaries.narrative_models import NarrativeRevision
from tests import factories
from tests.summaries.conftest import POSTED
from tests.summaries.narrative import SECRET, publish, restricted_comment, save

EIGHT = " ".join(SECRET.split()[2:10])  # 8 consecutive words of SECRET
SEVEN = " ".join(SECRET.split()[2:9])


def _protected(*texts, names=()):
    return leaks.protect([(f"C-{i}", t) for i, t in enumerate(texts)], names)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (f"Some said that {EIGHT}, and more.", True),
        (f"Some said that {SEVEN} and more.", False),
        (f"Some said: “{EIGHT.upper().replace(' ', ', ')}”!", True),  # case, punctuation
        (f"**{' '.join(EIGHT.split()[:4])}** {' '.join(EIGHT.split()[4:])}", True),  # markup
        ("Nothing of the kind.", False),
    ],
)
def test_eight_consecutive_words_are_found(text, found):
    findings = leaks.check([text], _protected(SECRET))
    assert bool(findings) is found
    if found:
        assert findings[0].kind == "quote" and findings[0].comment_reference == "C-0"


def test_a_long_quotation_is_one_finding_with_its_words():
    (finding,) = leaks.check([f"They wrote {SECRET} indeed."], _protected(SECRET))
    assert finding.words == len(SECRET.split())
    assert finding.excerpt == SECRET


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("As Amina Bello (demo) argued", True),
        ("as amina bello argued", True),
        ("Open Lines Coalition disagreed", True),  # without "(demo)"
        ("Amina argued", False),
        ("Lines Coalition Open", False),
    ],
)
def test_names_of_non_public_authors_are_found(text, found):
    protected = _protected(names=["Amina Bello (demo)", "Open Lines Coalition (demo)"])
    findings = leaks.check([text], protected)
    assert bool(findings) is found
    assert all(f.kind == "name" and f.excerpt is None for f in findings)


def test_what_the_consultation_protects(place):
    hidden_author = factories.stakeholder(name="Zanele Mokoena")
    place.post(hidden_author, Visibility.ANONYMOUS, body="An anonymous remark.")
    public_author = factories.stakeholder(name="Public Person")
    place.post(public_author, Visibility.PUBLIC, body="A public remark.")
    restricted_comment(place)
    confidential = place.post(factories.stakeholder(), Visibility.CONFIDENTIAL, body="x " * 3)
    check = lambda text: leaks.check_summary(place.consultation, [text])  # noqa: E731
    assert [f.kind for f in check("We thank Zanele Mokoena.")] == ["name"]
    assert check(f"We thank {hidden_author.organisation.name}.")[0].kind == "name"
    assert check("We thank Public Person.") == []
    assert check(f"Someone said {EIGHT}.")[0].kind == "quote"
    assert confidential.reference not in {f.comment_reference for f in check("x x x x x x x x")}


def test_the_leak_check_stops_a_publication_quoting_a_restricted_comment(place):
    comment = restricted_comment(place)
    save(place, f"One organisation warned that {EIGHT}.")
    with pytest.raises(narrative.LeakCheckFailed) as refused:
        publish(place)
    assert [f.comment_reference for f in refused.value.findings] == [comment.reference]
    assert db.session.scalar(sa.select(sa.func.count(NarrativeRevision.id))) == 0


def test_a_plain_coordinator_cannot_override_it(place):
    restricted_comment(place)
    save(place, f"One organisation warned that {EIGHT}.")
    with pytest.raises(NotAllowed):
        publish(place, override_reason="I think it is fine.")
    assert db.session.scalar(sa.select(sa.func.count(NarrativeRevision.id))) == 0


def test_a_privacy_officer_overrides_it_with_a_reason_audited(place):
    restricted_comment(place)
    save(place, f"One organisation warned that {EIGHT}.")
    officer = factories.coordinator(privacy_officer=True)
    with pytest.raises(narrative.LeakCheckFailed):
        publish(place, actor=officer, override_reason="   ")  # a reason is needed
    revision = publish(place, actor=officer, override_reason="The author agreed in writing.")
    assert revision.leak_findings == 1
    assert revision.leak_override_reason == "The author agreed in writing."
    assert revision.leak_overridden_by_id == officer.id
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "summary.leak_check_overridden")
    )
    assert (entry.actor_id, entry.target_id, entry.details) == (
        officer.id,
        revision.id,
        {"findings": 1},
    )


def test_without_findings_a_reason_is_not_kept(place):
    save(place, "A summary quoting nothing.")
    revision = publish(place, override_reason="Not needed.")
    assert revision.leak_override_reason is None and revision.leak_findings == 0


def test_unnamed_cosigners_and_category_only_repliers_are_protected(place):
    comment = place.post(factories.stakeholder(), Visibility.ANONYMOUS, body="Open to all.")
    cosigner = factories.stakeholder(name="Quiet Cosigner")
    comment_services.cosign_comment(comment, user=cosigner, named=False, now=POSTED)
    named = factories.stakeholder(name="Loud Cosigner")
    comment_services.cosign_comment(comment, user=named, named=True, now=POSTED)
    replier = factories.stakeholder(name="Shy Replier")
    comment_services.post_reply(
        comment,
        author=replier,
        body="Agreed.",
        identity=ReplyIdentity.CATEGORY,
        submission_key=factories.unique_key(),
        now=POSTED,
    )
    db.session.commit()
    check = lambda text: leaks.check_summary(place.consultation, [text])  # noqa: E731
    assert check("Thanks to Quiet Cosigner.") and check("Thanks to Shy Replier.")
    assert check(f"Thanks to {cosigner.organisation.name}.")
    assert check("Thanks to Loud Cosigner.") == []
