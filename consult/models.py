"""Import every model, so Alembic and the ORM see the whole schema."""

from consult.accounts.models import Invitation, Organisation, User  # noqa: F401
from consult.audit.models import AuditEntry  # noqa: F401
from consult.comments.models import (  # noqa: F401
    Campaign,
    CampaignBand,
    Comment,
    CommentRevision,
    CoSignature,
    CosignInvitation,
    IdentityReveal,
    Reply,
)
from consult.commitments.models import Commitment, CommitmentEvent  # noqa: F401
from consult.consultations.models import (  # noqa: F401
    Consultation,
    DocumentVersion,
    Paragraph,
)
from consult.dispositions.models import Disposition  # noqa: F401
from consult.mail import OutboundEmail  # noqa: F401
from consult.moderation.models import Flag, ModerationAction  # noqa: F401
from consult.notifications.models import (  # noqa: F401
    DigestRun,
    Follow,
    MailSettings,
    Notification,
    NotificationPreference,
    ReminderLog,
)
from consult.responses.models import (  # noqa: F401
    Rejoinder,
    RequestExtension,
    Response,
    ResponseRequest,
    ResponseRevision,
)
from consult.site_policies.models import PolicyVersion  # noqa: F401
from consult.summaries.models import SummarySnapshot  # noqa: F401
from consult.summaries.narrative_models import (  # noqa: F401
    NarrativeDraft,
    NarrativePdf,
    NarrativeRevision,
)
from consult.tracking.models import TimelineEvent, Update  # noqa: F401
