"""Posting and changing comments, replies and co-signatures.

Services take the actor explicitly, flush rather than commit, and refuse with
DomainErrors whose message the person reads.

What stakeholders do with their own comments is deliberately not in the audit log:
an entry pairs an account with a comment, and coordinators, who read the log, must
not learn who wrote a non-public comment. Coordinators' actions are audited.
"""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import exc as sa_exc

from consult.accounts.models import Organisation, User
from consult.accounts.services import find_user_by_email
from consult.audit.services import record
from consult.comments import events
from consult.comments.models import (
    OPEN_TO_ALL,
    AuthorDisplay,
    Comment,
    CommentKind,
    CommentRevision,
    CoSignature,
    CosignInvitation,
    IdentityReveal,
    LateStatus,
    Reply,
    ReplyIdentity,
    Visibility,
)
from consult.comments.regions import region_of
from consult.consultations.models import Consultation, DocumentVersion, Paragraph, Phase
from consult.consultations.schedule import format_local
from consult.db import required, utcnow
from consult.errors import DomainError, NotAllowed
from consult.events import ask
from consult.extensions import db
from consult.idempotency import AlreadyDone, claim, insert_once, key_or_new
from consult.mail import external_url, send_email
from consult.policy.comments import (
    can_comment,
    can_cosign,
    can_reply,
    can_reveal_identity,
    is_author,
)
from consult.text import render_markdown

MAX_BODY = 20_000


class CommentingClosed(DomainError):
    status_code = 409


def commenting_is_open(consultation: Consultation, now: datetime) -> bool:
    return consultation.is_open_at(now)


def accepts_late_comments(consultation: Consultation, now: datetime) -> bool:
    """After close (and before conclusion) a comment can still be sent, as a late one."""
    return (
        consultation.phase == Phase.PUBLISHED
        and consultation.closes_at is not None
        and now >= consultation.closes_at
    )


@dataclass
class Draft:
    """What the person chose in the comment form."""

    kind: CommentKind
    body: str
    visibility: Visibility
    display: AuthorDisplay
    proposed_text: str | None = None
    company_ids: list[int] = field(default_factory=list)
    to_coordinators: bool = False
    # The version of the site's policies the person acknowledged by confirming the form.
    policy_version_id: int | None = None


def check_draft(draft: Draft, consultation: Consultation) -> dict[str, str]:
    """Field name → message for every rule the draft breaks (empty when it is fine)."""
    problems = {}
    if not draft.body.strip():
        problems["body"] = _l("Write your comment.")
    elif len(draft.body) > MAX_BODY:
        problems["body"] = _l(
            "Keep the text under %(n)s characters (it has %(m)s).",
            n=f"{MAX_BODY:,}",
            m=f"{len(draft.body):,}",
        )
    if draft.kind == CommentKind.AMENDMENT:
        if not (draft.proposed_text or "").strip():
            problems["proposed_text"] = _l("An amendment needs the text you propose.")
        elif len(draft.proposed_text or "") > MAX_BODY:
            problems["proposed_text"] = _l(
                "Keep the proposed text under %(n)s characters.", n=f"{MAX_BODY:,}"
            )
    if draft.display == AuthorDisplay.NAME and draft.visibility != Visibility.PUBLIC:
        problems["display"] = _l(
            "Only comments everyone can read show your name. "
            "Choose how your category is shown instead."
        )
    if draft.visibility == Visibility.PUBLIC and draft.display != AuthorDisplay.NAME:
        problems["display"] = _l("A public comment shows your name and organisation.")
    responding = {c.id for c in consultation.companies}
    if set(draft.company_ids) - responding:
        problems["companies"] = _l("Choose among the responding companies.")
    if draft.visibility == Visibility.RESTRICTED and not draft.company_ids:
        problems["companies"] = _l("A restricted comment needs at least one company to read it.")
    return problems


def _addressees(draft: Draft, consultation: Consultation) -> list[Organisation]:
    if draft.visibility == Visibility.CONFIDENTIAL or draft.to_coordinators:
        return []
    return [c for c in consultation.companies if c.id in set(draft.company_ids)]


def find_submission(author: User, submission_key: str) -> Comment | None:
    """The comment an earlier submission of the same form created, if any."""
    return db.session.scalar(
        sa.select(Comment).where(
            Comment.author_id == author.id, Comment.submission_key == submission_key
        )
    )


def post_comment(
    consultation: Consultation,
    draft: Draft,
    *,
    author: User,
    submission_key: str,
    paragraph: Paragraph | None = None,
    version: DocumentVersion,
    now: datetime | None = None,
) -> Comment:
    """Post a comment on a paragraph (or the whole draft) of a published version.

    Submitting the same form twice, one after the other or at the same instant, returns
    the first comment. After close the comment is late: it waits for a coordinator's
    decision.
    """
    now = now or utcnow()
    existing = find_submission(author, submission_key)
    if existing is not None:
        return existing
    if not can_comment(author):
        raise NotAllowed(_l("Only approved stakeholders can comment."))
    if version.consultation_id != consultation.id or version.published_at is None:
        raise DomainError(_l("This version cannot be commented on."))
    if paragraph is not None and paragraph.version_id != version.id:
        raise DomainError(_l("This paragraph is not part of this version."))
    if commenting_is_open(consultation, now):
        late = None
    elif accepts_late_comments(consultation, now):
        late = LateStatus.PENDING
    else:
        raise CommentingClosed(_l("Commenting is not open for this consultation."))
    problems = check_draft(draft, consultation)
    if problems:
        raise DomainError(next(iter(problems.values())))

    organisation = required(author.organisation)  # commenters belong to an organisation
    public = draft.visibility == Visibility.PUBLIC
    html = str(render_markdown(draft.body))
    comment = Comment(
        consultation_id=consultation.id,
        version_id=version.id,
        paragraph_id=paragraph.id if paragraph else None,
        stable_key=paragraph.stable_key if paragraph else None,
        paragraph_number=paragraph.number if paragraph else None,
        author_id=author.id,
        organisation_id=organisation.id,
        category=organisation.kind,
        author_country=organisation.country,
        author_region=region_of(organisation.country),
        author_name=author.display_name if public else None,
        organisation_name=organisation.name if public else None,
        kind=draft.kind,
        visibility=draft.visibility,
        display=draft.display,
        to_coordinators=draft.to_coordinators and draft.visibility != Visibility.CONFIDENTIAL,
        body=draft.body,
        body_html=html,
        proposed_text=draft.proposed_text if draft.kind == CommentKind.AMENDMENT else None,
        submission_key=submission_key,
        policy_version_id=draft.policy_version_id,
        created_at=now,
        exposed_since=now,
        late_status=late,
        addressees=_addressees(draft, consultation),
    )
    comment.revisions.append(
        CommentRevision(
            number=1,
            body=comment.body,
            body_html=html,
            proposed_text=comment.proposed_text,
            created_at=now,
        )
    )
    comment, created = insert_once(lambda: comment, lambda: find_submission(author, submission_key))
    if not created:  # the same form, sent at the same instant: stored once, one receipt
        return comment
    _send_receipt(comment, author)
    events.comment_posted.send(comment, now=now)
    return comment


def receipt_topic(comment: Comment) -> str:
    """What the receipt's email is filed under, so the receipt page can say whether it
    was emailed."""
    return f"receipt {comment.reference}"


def _send_receipt(comment: Comment, author: User):
    # Discreet for every level: no title, company or text, only the reference and times.
    send_email(
        author.email,
        "comment_receipt",
        locale=author.locale,
        topic=receipt_topic(comment),
        comment=comment,
        user=author,
        url=external_url("comments.show", reference=comment.reference),
    )


def _require_author(comment: Comment, user: User):
    if not is_author(user, comment):
        raise NotAllowed(_l("Only the author can change this comment."))


def has_company_answer(comment: Comment) -> bool:
    """True once any company has published an answer to the comment (the responses
    layer answers the question)."""
    return ask(events.answered_question, comment)


def is_engaged(comment: Comment) -> bool:
    """Replied to, answered or co-signed: from then on the revision history is shown."""
    return bool(comment.replies or comment.cosignatures or has_company_answer(comment))


def edit_comment(
    comment: Comment,
    *,
    author: User,
    body: str,
    proposed_text: str | None,
    now: datetime | None = None,
):
    """Store a new revision; co-signers are told, since they endorsed an earlier one."""
    now = now or utcnow()
    _require_author(comment, author)
    consultation = required(db.session.get(Consultation, comment.consultation_id))
    if comment.is_withdrawn or not commenting_is_open(consultation, now):
        raise CommentingClosed(_l("Comments can be edited only while commenting is open."))
    draft = Draft(
        kind=comment.kind,
        body=body,
        visibility=comment.visibility,
        display=comment.display,
        proposed_text=proposed_text,
        company_ids=[c.id for c in comment.addressees],
        to_coordinators=comment.to_coordinators,
    )
    problems = check_draft(draft, consultation)
    if problems:
        raise DomainError(next(iter(problems.values())))
    comment.body = body
    comment.body_html = str(render_markdown(body))
    comment.proposed_text = proposed_text if comment.kind == CommentKind.AMENDMENT else None
    comment.revision_count += 1
    comment.edited_at = now
    comment.revisions.append(
        CommentRevision(
            number=comment.revision_count,
            body=body,
            body_html=comment.body_html,
            proposed_text=comment.proposed_text,
            created_at=now,
        )
    )
    db.session.flush()
    # Co-signers are told by the notifications layer, which subscribes.
    events.comment_edited.send(comment, now=now)


def withdraw_comment(
    comment: Comment, *, author: User, remove_name: bool, now: datetime | None = None
):
    """Remove the text (and, if asked, the name) from every output; the thread stays."""
    now = now or utcnow()
    _require_author(comment, author)
    if comment.is_withdrawn:
        return
    comment.withdrawn_at = now
    comment.withdrew_name = remove_name
    if remove_name:
        comment.author_name = None
        comment.organisation_name = None
    db.session.flush()
    events.comment_withdrawn.send(comment, now=now)


def change_visibility(
    comment: Comment,
    *,
    author: User,
    visibility: Visibility,
    display: AuthorDisplay,
    company_ids: list[int],
    now: datetime | None = None,
):
    """Make a comment less public at any time; more public only until a company answers."""
    now = now or utcnow()
    _require_author(comment, author)
    if comment.is_withdrawn:
        raise DomainError(_l("A withdrawn comment cannot be changed."))
    more_public = visibility.rank < comment.visibility.rank or (
        visibility == comment.visibility and _display_rank(display) < _display_rank(comment.display)
    )
    if more_public and has_company_answer(comment):
        raise DomainError(
            _l("A company has answered: the comment can be made less public, never more public.")
        )
    consultation = required(db.session.get(Consultation, comment.consultation_id))
    companies = (
        company_ids if visibility == Visibility.RESTRICTED else [c.id for c in comment.addressees]
    )
    draft = Draft(
        kind=comment.kind,
        body=comment.body,
        visibility=visibility,
        display=display,
        proposed_text=comment.proposed_text,
        company_ids=companies,
        to_coordinators=comment.to_coordinators,
    )
    problems = check_draft(draft, consultation)
    if problems:
        raise DomainError(next(iter(problems.values())))
    was = comment.visibility
    comment.visibility = visibility
    comment.display = display
    if visibility != Visibility.PUBLIC:
        comment.author_name = None
        comment.organisation_name = None
    elif was != Visibility.PUBLIC:
        author_org = required(author.organisation)
        comment.author_name, comment.organisation_name = author.display_name, author_org.name
    if visibility == Visibility.CONFIDENTIAL:
        comment.addressees = []
    elif visibility == Visibility.RESTRICTED:
        keep = {c.id for c in comment.addressees}
        comment.addressees = [c for c in consultation.companies if c.id in set(companies) | keep]
    if not more_public:
        comment.exposed_since = now  # machine outputs wait again after a change to less public
    db.session.flush()
    events.visibility_changed.send(comment, was=was, now=now)


def _display_rank(display: AuthorDisplay) -> int:
    return list(AuthorDisplay).index(display)


def add_addressees(
    comment: Comment, *, author: User, company_ids: list[int], now: datetime | None = None
):
    """While commenting is open the author may add companies, never remove one."""
    now = now or utcnow()
    _require_author(comment, author)
    consultation = required(db.session.get(Consultation, comment.consultation_id))
    if not commenting_is_open(consultation, now):
        raise CommentingClosed(_l("Companies can be added only while commenting is open."))
    if comment.visibility == Visibility.CONFIDENTIAL or comment.to_coordinators:
        raise DomainError(_l("This comment is not addressed to companies."))
    current = {c.id for c in comment.addressees}
    added = [c for c in consultation.companies if c.id in set(company_ids) - current]
    comment.addressees.extend(added)
    db.session.flush()
    events.companies_added.send(comment, companies=added, now=now)
    return added


def set_cosigning(
    comment: Comment, *, author: User, closed: bool, show_named: bool, now: datetime | None = None
):
    _require_author(comment, author)
    comment.cosigning_closed = closed
    comment.show_named_cosigners = show_named
    db.session.flush()


def _organisation_cosignature(comment: Comment, organisation_id: int | None) -> CoSignature | None:
    return db.session.scalar(
        sa.select(CoSignature).where(
            CoSignature.comment_id == comment.id,
            CoSignature.organisation_id == organisation_id,
        )
    )


def _cosign_submission(user: User, submission_key: str) -> CoSignature | None:
    """The co-signature an earlier submission of the same form gave, if it stands so."""
    return db.session.scalar(
        sa.select(CoSignature).where(
            CoSignature.user_id == user.id, CoSignature.submission_key == submission_key
        )
    )


class AlreadyCosigned(AlreadyDone, NotAllowed):
    """The person's organisation co-signed the comment already (perhaps a moment ago,
    through another member): nothing more is recorded."""

    def __init__(self, cosignature: CoSignature):
        zone = required(db.session.get(Consultation, cosignature.comment.consultation_id)).timezone
        super().__init__(
            _l(
                "Your organisation has already co-signed this comment (%(name)s, at %(time)s).",
                name=cosignature.user.display_name,
                time=f"{format_local(cosignature.created_at, zone)} ({zone})",
            )
        )


def cosign_comment(
    comment: Comment,
    *,
    user: User,
    named: bool,
    submission_key: str | None = None,
    now: datetime | None = None,
) -> CoSignature:
    """Endorse on behalf of one's organisation; records the revision endorsed.

    An organisation co-signs a comment once (one row per organisation, signed again
    after a withdrawal). The same form sent twice returns that co-signature; a second
    co-signature of the organisation is refused, also when two of its members sign at
    the same instant.
    """
    now, submission_key = now or utcnow(), key_or_new(submission_key)
    earlier = _cosign_submission(user, submission_key)
    if earlier is not None:
        return earlier
    previous = _organisation_cosignature(comment, user.organisation_id)
    if previous is not None and previous.withdrawn_at is None:
        raise AlreadyCosigned(previous)
    if not can_cosign(user, comment):
        raise NotAllowed(_l("You cannot co-sign this comment."))
    if comment.visibility == Visibility.PUBLIC:
        named = True  # public comments name their co-signers
    organisation = required(user.organisation)  # co-signers belong to one
    if previous is not None:  # withdrawn earlier: sign again, once
        signed_again = claim(
            previous,
            CoSignature.withdrawn_at.is_not(None),
            withdrawn_at=None,
            named=named,
            revision_number=comment.revision_count,
            user_id=user.id,
            submission_key=submission_key,
        )
        if not signed_again:  # signed again meanwhile: by this very form, or by another
            earlier = _cosign_submission(user, submission_key)
            if earlier is None:
                raise AlreadyCosigned(previous)
            return earlier
        return previous
    try:
        cosignature, _created = insert_once(
            lambda: CoSignature(
                comment=comment,
                organisation_id=organisation.id,
                user_id=user.id,
                named=named,
                category=organisation.kind,
                organisation_name=organisation.name,
                revision_number=comment.revision_count,
                submission_key=submission_key,
                created_at=now,
            ),
            lambda: _cosign_submission(user, submission_key),
        )
    except sa_exc.IntegrityError:
        # Another member of the organisation co-signed at the same instant.
        first = _organisation_cosignature(comment, organisation.id)
        if first is None:
            raise
        raise AlreadyCosigned(first) from None
    return cosignature


def withdraw_cosignature(comment: Comment, *, user: User, now: datetime | None = None):
    cosignature = next(
        (
            c
            for c in comment.cosignatures
            if c.organisation_id == user.organisation_id and c.withdrawn_at is None
        ),
        None,
    )
    if cosignature is None:
        raise DomainError(_l("Your organisation has not co-signed this comment."))
    cosignature.withdrawn_at = now or utcnow()
    db.session.flush()


def invite_cosigner(comment: Comment, *, author: User, email: str, now: datetime | None = None):
    """Invite an approved stakeholder to read and co-sign a restricted or confidential
    comment. Answers the same whether or not the address belongs to one."""
    now = now or utcnow()
    _require_author(comment, author)
    if comment.visibility in OPEN_TO_ALL:
        raise DomainError(_l("Anyone can co-sign a public or anonymous comment."))
    invitee = find_user_by_email(email)
    if invitee is None or not can_comment(invitee) or invitee.id == author.id:
        return None
    existing = next((i for i in comment.invitations if i.user_id == invitee.id), None)
    if existing is not None:
        existing.revoked_at = None
        invitation = existing
    else:
        invitation = CosignInvitation(comment=comment, user_id=invitee.id, created_at=now)
        db.session.add(invitation)
    db.session.flush()
    # The invitee is told by the notifications layer (no text, title or company by email).
    events.cosigner_invited.send(invitation, now=now)
    return invitation


def reply_identity_for(user: User, comment: Comment, requested: ReplyIdentity) -> ReplyIdentity:
    """The author replies as on the comment, co-signers as on their co-signature;
    anyone else chooses named or category-only."""
    if user.id == comment.author_id:
        return ReplyIdentity.AS_COMMENT
    if any(c.user_id == user.id and c.withdrawn_at is None for c in comment.cosignatures):
        return ReplyIdentity.AS_COSIGNATURE
    return ReplyIdentity.NAMED if requested == ReplyIdentity.NAMED else ReplyIdentity.CATEGORY


def post_reply(
    comment: Comment,
    *,
    author: User,
    body: str,
    identity: ReplyIdentity,
    submission_key: str,
    parent: Reply | None = None,
    now: datetime | None = None,
) -> Reply:
    """Reply in a comment's thread; the same form sent twice makes one reply."""
    now = now or utcnow()
    existing = _reply_submission(author, submission_key)
    if existing is not None:
        return existing
    if not can_reply(author, comment):
        raise NotAllowed(_l("You cannot reply in this thread."))
    if not body.strip():
        raise DomainError(_l("Write your reply."))
    if len(body) > MAX_BODY:
        raise DomainError(_l("Keep the text under %(n)s characters.", n=f"{MAX_BODY:,}"))
    if parent is not None:
        if parent.comment_id != comment.id:
            raise DomainError(_l("This reply belongs to another thread."))
        parent = parent.parent or parent  # two levels: answers to a reply stay under it
    identity = reply_identity_for(author, comment, identity)
    named = identity == ReplyIdentity.NAMED
    organisation = required(author.organisation)
    reply, created = insert_once(
        lambda: Reply(
            comment=comment,
            parent=parent,
            author_id=author.id,
            identity=identity,
            category=organisation.kind,
            author_name=author.display_name if named else None,
            organisation_name=organisation.name if named else None,
            body=body,
            body_html=str(render_markdown(body)),
            submission_key=submission_key,
            created_at=now,
        ),
        lambda: _reply_submission(author, submission_key),
    )
    if created:
        events.reply_posted.send(reply, now=now)
    return reply


def _reply_submission(author: User, submission_key: str) -> Reply | None:
    return db.session.scalar(
        sa.select(Reply).where(Reply.author_id == author.id, Reply.submission_key == submission_key)
    )


def reveal_identity(
    comment: Comment, *, officer: User, reason: str, now: datetime | None = None
) -> IdentityReveal:
    """A privacy officer looks up who wrote a non-public comment, with a reason that is
    audited and listed to the author."""
    if not can_reveal_identity(officer):
        raise NotAllowed(_l("Only a privacy officer can see who wrote this comment."))
    if not reason.strip():
        raise DomainError(_l("Give the reason for looking."))
    reveal = IdentityReveal(
        comment=comment, officer=officer, reason=reason.strip(), created_at=now or utcnow()
    )
    db.session.add(reveal)
    db.session.flush()
    record(officer, "comment.identity_revealed", comment, now=now, reveal_id=reveal.id)
    events.identity_revealed.send(reveal, now=reveal.created_at)
    return reveal


def decide_late_comment(
    comment: Comment, *, coordinator: User, accept: bool, reason: str, now: datetime | None = None
):
    """Accept or refuse a late comment, with a reason the author reads."""
    now = now or utcnow()
    if comment.late_status != LateStatus.PENDING:
        raise DomainError(_l("This comment is not waiting for a decision."))
    if not reason.strip():
        raise DomainError(_l("Give a reason; the author reads it."))
    comment.late_status = LateStatus.ACCEPTED if accept else LateStatus.REFUSED
    comment.late_decided_at = now
    comment.late_reason = reason.strip()
    if accept:
        comment.exposed_since = now
    db.session.flush()
    record(
        coordinator, "comment.late_accepted" if accept else "comment.late_refused", comment, now=now
    )
    # The author is told by the notifications layer, which subscribes.
    if accept:
        events.late_comment_accepted.send(comment, now=now)
    else:
        events.late_comment_refused.send(comment, now=now)


def redact_revision(revision: CommentRevision, *, coordinator: User, now: datetime | None = None):
    """Blank an earlier revision at the author's request (audited; the latest stays)."""
    comment = revision.comment
    if revision.number == comment.revision_count:
        raise DomainError(
            _l(
                "The current text cannot be redacted; the author can edit or "
                "withdraw the comment instead."
            )
        )
    revision.body = ""
    revision.body_html = ""
    revision.proposed_text = None
    revision.redacted_at = now or utcnow()
    db.session.flush()
    record(coordinator, "comment.revision_redacted", comment, now=now, revision=revision.number)
