"""What happens to a consultation's summaries, for the layers above (notifications) to
react to. Sent after the flush, with the snapshot as sender and ``now``."""

from consult.events import Event

snapshot_frozen = Event(
    "summary-snapshot-frozen",
    doc="A factual summary or its addendum was frozen (sender: the SummarySnapshot).",
)
snapshot_superseded = Event(
    "summary-snapshot-superseded",
    doc="A reopening superseded a snapshot (sender: the SummarySnapshot).",
)
