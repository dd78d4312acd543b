"""The rules of every published figure: the tracker, the moderation figures, the frozen
summaries (and, later, downloads) all apply them through this one module.

Published figures count one fixed population, the same for every reader, and:

- **Small cells.** A count of 1 to 4 (``SMALL_CELL`` = 5 is the design's default) is
  shown as "fewer than 5"; 0 is shown, being nobody.
- **Complementary suppression.** Cells are published in *lines*: sets of cells one of
  which is the sum of the others (a row and its total, a breakdown and the total it
  splits). When a line would have exactly one withheld cell, the reader could work it
  out by subtraction, so its smallest other non-zero cell is withheld too ("not shown"),
  and so on until no line has exactly one.
- **Only in the total.** Some items (confidential comments) are counted in a total and
  nowhere else: in every breakdown of that total they form one part that is never
  published and always counts as withheld, so it can never be worked out either.
- **Not broken down.** Some items are counted in a breakdown's total but not in its
  rows (anonymous and restricted comments by country): they form one published part,
  "not shown" by that breakdown.
- **Counted separately.** Some items are shown apart in every breakdown (the members of
  a campaign): they form one published part of their own, never dropped.
- A rate or a median is shown only when it rests on at least ``SMALL_CELL`` items and
  its numerator is shown.

Infrastructure: no domain package is imported here; callers say which items are which.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

SMALL_CELL = 5

SMALL = "small"  # 1 to 4: "fewer than 5"
MASKED = "masked"  # would let a small or unpublished cell be worked out: "not shown"
UNPUBLISHED = "unpublished"  # a part counted only in the total: never shown

# Row keys of the parts every published breakdown may have besides its own rows.
ONLY_IN_TOTAL = "only_in_total"
NOT_BROKEN_DOWN = "not_broken_down"
COUNTED_SEPARATELY = "counted_separately"


@dataclass(frozen=True)
class Shown:
    """A published count: its value, or why it is withheld."""

    value: int
    hidden: str | None = None  # SMALL, MASKED or UNPUBLISHED

    @property
    def text(self) -> str:
        if self.hidden == SMALL:
            return str(_l("fewer than 5"))
        if self.hidden is not None:
            return str(_l("not shown"))
        return f"{self.value:,}"

    @property
    def linkable(self) -> bool:
        return self.hidden is None and self.value > 0

    @property
    def known(self) -> bool:
        return self.hidden is None

    def data(self) -> dict:
        """As stored and published (a frozen summary, a download): a withheld cell
        keeps no value."""
        if self.hidden is not None:
            return {"value": None, "withheld": self.hidden}
        return {"value": self.value}

    @classmethod
    def from_data(cls, data: Mapping) -> "Shown":
        withheld = data.get("withheld")
        return cls(0 if withheld else int(data["value"]), withheld)


@dataclass(frozen=True)
class Rate:
    value: float | None  # None: withheld, or nothing to divide

    @property
    def text(self) -> str:
        return "—" if self.value is None else f"{self.value:.0%}"


def lone(count: int) -> Shown:
    """A count published on its own, in no line: only the small-cell rule applies."""
    return Shown(count, SMALL if 0 < count < SMALL_CELL else None)


def rests_on_enough(count: int) -> bool:
    """A rate or a median is published only when it rests on at least SMALL_CELL items."""
    return count >= SMALL_CELL


def rate(numerator: Shown, denominator: int, part: int) -> Rate:
    """``part ÷ denominator``, withheld when the denominator is small or the numerator
    is not shown."""
    if not rests_on_enough(denominator) or not numerator.known:
        return Rate(None)
    return Rate(part / denominator)


def protect(
    values: Mapping[Any, int],
    lines: Iterable[Iterable[Any]],
    *,
    unpublished: Iterable[Any] = (),
) -> dict:
    """Every published cell of ``values``, with the small-cell rule and complementary
    suppression applied across ``lines``.

    Counts of 1–4 are withheld, and so is every non-zero ``unpublished`` part (which is
    left out of the result); then, while a line has exactly one withheld cell, its
    smallest other non-zero cell is withheld as well (ties broken by key, so the same
    data always gives the same table).
    """
    every_line = [list(line) for line in lines]
    never_shown = set(unpublished)
    hidden = {key: SMALL for key, v in values.items() if 0 < v < SMALL_CELL}
    hidden |= {key: UNPUBLISHED for key in never_shown if values.get(key, 0) > 0}
    changed = True
    while changed:
        changed = False
        for line in every_line:
            if sum(1 for key in line if key in hidden) != 1:
                continue
            others = [key for key in line if key not in hidden and values.get(key, 0) > 0]
            if others:
                hidden[min(others, key=lambda k: (values[k], str(k)))] = MASKED
                changed = True
    return {key: Shown(v, hidden.get(key)) for key, v in values.items() if key not in never_shown}


def breakdown_row(
    row,
    *,
    only_in_total=None,
    counted_separately=None,
    not_broken_down=None,
):
    """SQL: the row of a published breakdown an item is counted in.

    ``row`` is the breakdown's own column (a category, a country); each condition given
    is an SQL condition on the item, applied in this order: items only in the total go
    to ONLY_IN_TOTAL, items counted separately to COUNTED_SEPARATELY, items this
    breakdown does not split to NOT_BROKEN_DOWN, and the rest to their own row.
    """
    whens = [
        (condition, sa.literal(key))
        for condition, key in (
            (only_in_total, ONLY_IN_TOTAL),
            (counted_separately, COUNTED_SEPARATELY),
            (not_broken_down, NOT_BROKEN_DOWN),
        )
        if condition is not None
    ]
    return sa.case(*whens, else_=sa.cast(row, sa.String)) if whens else row
