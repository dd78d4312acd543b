"""What happens on the public timeline, for the layers above (notifications) to react to."""

from consult.events import Event

update_posted = Event(
    "update-posted", doc="A dated update was published (sender: the update), with ``now``."
)
