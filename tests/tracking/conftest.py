"""Fixtures of the timeline tests: a frozen clock for the pages."""

import pytest

from consult.consultations import schedule


@pytest.fixture
def clock(monkeypatch):
    """Freeze "now" for the pages: every request then arrives at the given instant
    (``mark_request_arrival`` and ``request_time`` read ``schedule.utcnow``)."""

    def freeze(instant):
        monkeypatch.setattr(schedule, "utcnow", lambda: instant)

    return freeze
