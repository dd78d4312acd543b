"""What happens to a consultation, for the layers above (the timeline, updates, and
later notifications) to react to.

Each is sent after the change is flushed, with ``now`` and the acting ``actor``.
"""

from consult.events import Event

dates_planned = Event(
    "consultation-dates-planned",
    doc="Planned dates were set or changed (sender: the consultation). ``changes`` maps "
    "'opens_on', 'closes_on' and 'summary_due_on' to (previous, planned) for each date "
    "that changed; ``reason`` is public.",
)
consultation_published = Event("consultation-published", doc="Sender: the consultation.")
consultation_concluded = Event("consultation-concluded", doc="Sender: the consultation.")
version_published = Event("version-published", doc="Sender: the document version.")
closing_extended = Event(
    "closing-extended",
    doc="The closing date moved later for everyone (sender: the consultation), with "
    "``previous``, ``closes_on``, the public ``reason`` and whether it is a ``reopening``.",
)
