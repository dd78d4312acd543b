"""Summaries: the figures frozen at close (the factual summary) and after the response
window (the addendum), stored as data and published on the consultation's summary page."""
