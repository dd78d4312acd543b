"""The addendum's figures: the published response tracker of the consultation, frozen
at close + response window + 1 day (by then every request made before the close is due).

They are the tracker's own figures (consult/responses/tracker.py: its population,
formulas and small cells), stored as published: withheld cells keep no value. Company
names are stored as they were, so a later renaming does not rewrite the addendum.
"""

from datetime import datetime

from consult.consultations.models import Consultation
from consult.responses.models import Position
from consult.responses.tracker import MEASURES, REQUESTS, tracker_figures

CELLS = [REQUESTS, *MEASURES]
POSITIONS = [p.value for p in Position]


def publish(consultation: Consultation, as_of: datetime) -> dict:
    """The response figures at ``as_of``, as stored (a constant number of statements)."""
    tracker = tracker_figures(as_of, consultation)
    return {
        "companies": [
            {
                "name": figures.company.name,
                "cells": {m: figures.row.cells[m].data() for m in CELLS},
                "answer_rate": figures.row.answer_rate.value,
                "responded_rate": figures.row.responded_rate.value,
                "on_time_share": figures.row.on_time_share.value,
                "median_days": figures.median_days,
                "noted_share": figures.noted_share.value,
                "positions": {p: figures.positions[p].data() for p in POSITIONS},
            }
            for figures in tracker.companies
        ],
        "positions": {p: tracker.positions[p].data() for p in POSITIONS},
    }
