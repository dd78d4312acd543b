"""What happens to a response request, for the layers above (notifications) to react to.

Each is sent with the request as sender, after the change is flushed, with ``response``
(the official response published) and ``now``.
"""

from consult.events import Event

request_answered = Event("request-answered", doc="The company published its answer.")
request_declined = Event("request-declined", doc="The company declined, with a reason.")
clarification_requested = Event(
    "clarification-requested", doc="The company asked the commenter for clarification."
)
request_reassigned = Event(
    "request-reassigned",
    doc="A coordinator moved the request to another company (``successor``: its new request).",
)
follow_up_posted = Event("follow-up-posted", doc="The company followed up on its response.")
rejoinder_posted = Event(
    "rejoinder-posted",
    doc="The commenter or a co-signer replied to a response (sender: the rejoinder); "
    "``resumed`` says whether it answered a pending clarification request.",
)
