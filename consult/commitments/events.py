"""What happens to a commitment, for the layers above (notifications) to react to."""

from consult.events import Event

commitment_status_changed = Event(
    "commitment-status-changed",
    doc="A coordinator changed a commitment's status (sender: the commitment), with the "
    "history entry as ``entry`` and ``now``.",
)
