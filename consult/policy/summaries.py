"""Who writes, previews and publishes the narrative summary, who may override its leak
check, and which of its citations become links for a reader.

The draft is the coordinators' working text: anyone else is answered 404 for it, as for
a thing that does not exist. Published revisions are public with their consultation.
A citation of a comment becomes a link only when the reader may open the comment and
read its text; any other (restricted or confidential for this reader, hidden, withdrawn,
unknown) is the plain reference, the same for all of them, so the summary never tells
a reader that a comment they cannot read exists.
"""

from consult.comments.models import Comment
from consult.consultations.models import Consultation
from consult.permissions import is_coordinator, is_privacy_officer
from consult.policy.comments import can_read_body


def can_write_summary(user, consultation: Consultation) -> bool:
    """Active coordinators write, save, preview and publish a public consultation's
    narrative summary (a consultation still in draft has none)."""
    return is_coordinator(user) and consultation.is_public


def can_override_leak_check(user) -> bool:
    """Only a privacy officer publishes a summary the leak check stopped, with a reason."""
    return is_privacy_officer(user)


def can_view_summary_revisions(viewer, consultation: Consultation) -> bool:
    """Published revisions are public with their consultation: never for a draft one."""
    return consultation.is_public


def cites_as_link(viewer, comment: Comment) -> bool:
    """A comment reference in the summary is a link for ``viewer`` only when they may
    open the comment and read its text."""
    return can_read_body(viewer, comment)
