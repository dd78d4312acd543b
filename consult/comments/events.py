"""What happens in a comment's life, for the layers above to react to.

Each is sent with the comment as sender, after the change is flushed, and a ``now``
keyword (the moment of the change). Campaign recounting (``consult.comments.campaigns``)
and response requests (``consult.responses.subscribers``) subscribe; notifications will.
"""

from consult.events import Event

comment_posted = Event("comment-posted", doc="A comment was posted (perhaps late).")
comment_edited = Event("comment-edited", doc="The author stored a new revision.")
comment_withdrawn = Event("comment-withdrawn", doc="The author withdrew the comment.")
comment_hidden = Event("comment-hidden", doc="A coordinator hid the comment.")
comment_restored = Event(
    "comment-restored", doc="A coordinator restored the comment; ``hidden_at`` says since when."
)
visibility_changed = Event(
    "comment-visibility-changed",
    doc="The author changed who may read the comment or how they are shown; ``was`` is "
    "the earlier visibility.",
)
companies_added = Event(
    "comment-companies-added", doc="The author addressed more companies (``companies``)."
)
late_comment_accepted = Event("late-comment-accepted", doc="A coordinator accepted it.")
late_comment_refused = Event("late-comment-refused", doc="A coordinator refused it.")
reply_posted = Event("reply-posted", doc="A reply was posted (sender: the reply).")
cosigner_invited = Event(
    "cosigner-invited", doc="The author invited someone to co-sign (sender: the invitation)."
)
identity_revealed = Event(
    "identity-revealed",
    doc="A privacy officer looked up who wrote the comment (sender: the identity reveal).",
)
campaign_formed = Event(
    "campaign-formed",
    doc="A group reached the campaign threshold (sender: the campaign); sent once.",
)

# A question the comments layer asks of the layers above: has any company published an
# official answer about this comment? (From then on it never becomes more public, and
# its revision history is shown.) ``consult.events.ask`` collects the answers.
answered_question = Event("comment-answered?", doc="Answer True when a company has answered.")
