"""Who may read a comment, its text, its author and its exact time, and who may take
part in a thread.

Every page, count, feed, export, search, email and API reads comments through
``can_view_comment`` (one object) or ``visible_comments_clause`` (a query); both express
the same rules, and a property test checks that they always agree. A comment a viewer
may not see is 404 by its reference, exactly like one that does not exist.

The rules:
- coordinators see every comment (but not who wrote a non-public one: see
  ``shown_author``);
- the author sees their own comments, whatever their state;
- public and anonymous comments are seen by everyone;
- restricted comments by their invited co-signers and the representatives of the
  companies they address; confidential ones by their invited co-signers only;
- a late comment is seen only by its author and coordinators until it is accepted;
- nothing of a consultation still in draft is seen by anyone but coordinators.
Hidden and withdrawn comments keep their place in the thread (with the reason, or
"withdrawn by the author"), but their text is shown only as ``can_read_body`` allows.
A reply's audience is its comment's. Accounts that are not active (pending, suspended)
see what visitors see.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult.comments.models import (
    OPEN_TO_ALL,
    AuthorDisplay,
    Comment,
    CosignInvitation,
    LateStatus,
    Reply,
    ReplyIdentity,
    Visibility,
    comment_addressees,
)
from consult.consultations.models import Consultation, Phase
from consult.db import required
from consult.extensions import db
from consult.i18n import country_name
from consult.permissions import (
    Viewer,
    is_active_user,
    is_approved_stakeholder,
    is_coordinator,
    is_privacy_officer,
    viewer_of,
)

WAITING = (LateStatus.PENDING, LateStatus.REFUSED)  # late comments not (yet) accepted


def _phase_of(comment: Comment) -> Phase:
    return required(db.session.get(Consultation, comment.consultation_id)).phase


def is_invited(viewer: Viewer, comment: Comment) -> bool:
    return any(
        inv.user_id == viewer.user_id and inv.revoked_at is None for inv in comment.invitations
    )


def can_view_comment(viewer, comment: Comment, *, consultation_phase: Phase | None = None) -> bool:
    """True when ``viewer`` may know this comment exists and open its thread."""
    viewer = viewer_of(viewer)
    if viewer.is_coordinator:
        return True
    phase = consultation_phase or _phase_of(comment)
    if phase == Phase.DRAFT:
        return False
    if viewer.user_id is not None and comment.author_id == viewer.user_id:
        return True
    if comment.late_status in WAITING:
        return False
    if comment.visibility in OPEN_TO_ALL:
        return True
    if viewer.user_id is None:
        return False
    if is_invited(viewer, comment):
        return True
    if comment.visibility == Visibility.RESTRICTED and viewer.is_company_rep:
        return any(org.id == viewer.organisation_id for org in comment.addressees)
    return False


def visible_comments_clause(viewer):
    """The SQL condition equivalent to ``can_view_comment`` for this viewer."""
    viewer = viewer_of(viewer)
    if viewer.is_coordinator:
        return sa.true()
    published = Comment.consultation_id.in_(
        sa.select(Consultation.id).where(Consultation.phase != Phase.DRAFT)
    )
    not_waiting = sa.or_(Comment.late_status.is_(None), Comment.late_status == LateStatus.ACCEPTED)
    open_to_all = Comment.visibility.in_(OPEN_TO_ALL)
    if viewer.user_id is None:
        return sa.and_(published, not_waiting, open_to_all)
    invited = Comment.id.in_(
        sa.select(CosignInvitation.comment_id).where(
            CosignInvitation.user_id == viewer.user_id, CosignInvitation.revoked_at.is_(None)
        )
    )
    allowed = [
        Comment.author_id == viewer.user_id,
        sa.and_(not_waiting, open_to_all),
        sa.and_(not_waiting, invited),
    ]
    if viewer.is_company_rep and viewer.organisation_id is not None:
        addressed = Comment.id.in_(
            sa.select(comment_addressees.c.comment_id).where(
                comment_addressees.c.organisation_id == viewer.organisation_id
            )
        )
        allowed.append(sa.and_(not_waiting, Comment.visibility == Visibility.RESTRICTED, addressed))
    return sa.and_(published, sa.or_(*allowed))


def visible_comments(viewer) -> sa.Select:
    """Every comment ``viewer`` may see: lists, counts, feeds and exports start here."""
    return sa.select(Comment).where(visible_comments_clause(viewer))


def readable_comments_clause(viewer):
    """Comments whose text ``viewer`` may read: visible, not withdrawn, and not hidden
    (coordinators and the author still read hidden text). Counts use this."""
    viewer = viewer_of(viewer)
    clause = sa.and_(visible_comments_clause(viewer), Comment.withdrawn_at.is_(None))
    if viewer.is_coordinator:
        return clause
    not_hidden: sa.ColumnElement[bool] = Comment.hidden_at.is_(None)
    if viewer.user_id is not None:
        not_hidden = sa.or_(not_hidden, Comment.author_id == viewer.user_id)
    return sa.and_(clause, not_hidden)


def can_read_body(viewer, comment: Comment) -> bool:
    """True when the comment's text may be shown to ``viewer``."""
    viewer = viewer_of(viewer)
    if comment.is_withdrawn or not can_view_comment(viewer, comment):
        return False
    if comment.is_hidden:
        return viewer.is_coordinator or comment.author_id == viewer.user_id
    return True


def shows_exact_time(comment: Comment) -> bool:
    """Only public comments show their time; the others (and a public one whose author
    withdrew their name) show their date, never the time."""
    return comment.visibility == Visibility.PUBLIC and not comment.withdrew_name


# --- how the author is shown ---------------------------------------------------------


@dataclass(frozen=True)
class ShownAuthor:
    """What a viewer is told about who wrote a comment."""

    category: str
    name: str | None = None
    organisation: str | None = None
    place: str | None = None
    is_viewer: bool = False
    name_withdrawn: bool = False

    @property
    def label(self) -> str:
        if self.name:
            return f"{self.name}, {self.organisation}"
        parts = [self.category] + ([self.place] if self.place else [])
        return " · ".join(str(p) for p in parts)


def _place(comment: Comment):
    if comment.display == AuthorDisplay.COUNTRY:
        return country_name(comment.author_country) or None
    if comment.display == AuthorDisplay.REGION:
        return comment.author_region or _l("region not known")
    return None


def shown_author(viewer, comment: Comment) -> ShownAuthor:
    """How ``viewer`` sees the author of ``comment`` (assumes they may view it).

    Coordinators never see who wrote a non-public comment here; a privacy officer can,
    only through an audited reveal. Companies see restricted authors' category only.
    """
    viewer = viewer_of(viewer)
    category = comment.category.label
    is_viewer = viewer.user_id is not None and comment.author_id == viewer.user_id
    if comment.visibility == Visibility.PUBLIC:
        if comment.withdrew_name:
            return ShownAuthor(category=category, is_viewer=is_viewer, name_withdrawn=True)
        return ShownAuthor(
            category=category,
            name=comment.author_name,
            organisation=comment.organisation_name,
            is_viewer=is_viewer,
        )
    if comment.visibility == Visibility.RESTRICTED and viewer.is_company_rep:
        return ShownAuthor(category=category, is_viewer=is_viewer)
    return ShownAuthor(category=category, place=_place(comment), is_viewer=is_viewer)


def shown_reply_author(viewer, reply) -> ShownAuthor:
    """How a reply's author is shown: the comment's author exactly as on the comment,
    a co-signer as on their co-signature, anyone else as they chose."""
    viewer = viewer_of(viewer)
    comment = reply.comment
    is_viewer = viewer.user_id is not None and reply.author_id == viewer.user_id
    if reply.identity == ReplyIdentity.AS_COMMENT:
        shown = shown_author(viewer, comment)
        return ShownAuthor(
            shown.category,
            shown.name,
            shown.organisation,
            shown.place,
            is_viewer,
            shown.name_withdrawn,
        )
    if reply.identity == ReplyIdentity.AS_COSIGNATURE:
        cosignature = next((c for c in comment.cosignatures if c.user_id == reply.author_id), None)
        if (
            cosignature is not None
            and cosignature.named
            and (comment.visibility == Visibility.PUBLIC or comment.show_named_cosigners)
        ):
            return ShownAuthor(
                reply.category.label,
                organisation=cosignature.organisation_name,
                name=cosignature.organisation_name,
                is_viewer=is_viewer,
            )
        return ShownAuthor(reply.category.label, is_viewer=is_viewer)
    if reply.identity == ReplyIdentity.NAMED and reply.author_name:
        return ShownAuthor(
            reply.category.label,
            name=reply.author_name,
            organisation=reply.organisation_name,
            is_viewer=is_viewer,
        )
    return ShownAuthor(reply.category.label, is_viewer=is_viewer)


# --- reading a reply -----------------------------------------------------------------------


def can_read_reply(viewer, reply: Reply) -> bool:
    """A reply's audience is its comment's: whoever may see the thread reads its replies."""
    return can_view_comment(viewer, reply.comment)


def readable_replies_clause(viewer):
    """The SQL form of ``can_read_reply``."""
    return Reply.comment_id.in_(sa.select(Comment.id).where(visible_comments_clause(viewer)))


# --- taking part -----------------------------------------------------------------------------


def can_comment(user) -> bool:
    """Approved stakeholders with an organisation may comment, reply and co-sign."""
    return is_approved_stakeholder(user)


def is_author(user, comment: Comment) -> bool:
    """The comment's author, while their account is active: they alone change it."""
    return is_active_user(user) and comment.author_id == user.id


def can_cosign(user, comment: Comment) -> bool:
    """Another approved organisation's member, while co-signing is open to them; for
    restricted and confidential comments, by the author's invitation only."""
    if not can_comment(user) or comment.is_withdrawn or comment.is_hidden:
        return False
    if user.organisation_id == comment.organisation_id or comment.cosigning_closed:
        return False
    if comment.late_status in WAITING:
        return False
    if any(
        c.organisation_id == user.organisation_id and c.withdrawn_at is None
        for c in comment.cosignatures
    ):
        return False
    if comment.visibility in OPEN_TO_ALL:
        return True
    return any(i.user_id == user.id and i.revoked_at is None for i in comment.invitations)


def can_withdraw_cosignature(user, comment: Comment) -> bool:
    """A member of an organisation whose co-signature stands."""
    return is_approved_stakeholder(user) and any(
        c.organisation_id == user.organisation_id and c.withdrawn_at is None
        for c in comment.cosignatures
    )


def can_reply(user, comment: Comment) -> bool:
    """Approved stakeholders who can see the comment; company representatives answer
    officially instead, never with plain replies."""
    return (
        can_comment(user)
        and can_view_comment(user, comment)
        and not comment.is_hidden
        and comment.late_status not in WAITING
    )


def can_reveal_identity(user) -> bool:
    """Only a privacy officer looks up who wrote a comment, with an audited reason that
    is listed to the author (pages offer it for non-public comments only)."""
    return is_privacy_officer(user)


def can_decide_late_comments(user) -> bool:
    """Coordinators accept or refuse late comments and redact earlier revisions."""
    return is_coordinator(user)
