"""What happens to a disposition, for the layers above (notifications) to react to."""

from consult.events import Event

disposition_recorded = Event(
    "disposition-recorded",
    doc="A coordinator recorded a disposition (sender: the Disposition row); ``now``.",
)
