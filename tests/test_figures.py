"""The rules of every published figure (consult/figures.py)."""

import sqlalchemy as sa

from consult.extensions import db
from consult.figures import (
    COUNTED_SEPARATELY,
    NOT_BROKEN_DOWN,
    ONLY_IN_TOTAL,
    Rate,
    Shown,
    breakdown_row,
    lone,
    protect,
    rate,
)


def test_counts_of_one_to_four_are_fewer_than_five():
    shown = protect({"a": 0, "b": 1, "c": 4, "d": 5}, [])
    assert [shown[k].text for k in "abcd"] == ["0", "fewer than 5", "fewer than 5", "5"]
    assert lone(3).text == "fewer than 5" and lone(0).text == "0" and lone(1234).text == "1,234"


def test_a_cell_that_subtraction_would_reveal_is_withheld_too():
    # 2 + 7 + 9 = 18: with only 2 withheld, 18 − 7 − 9 gives it away; 7 goes too.
    shown = protect({"a": 2, "b": 7, "c": 9, "t": 18}, [["a", "b", "c", "t"]])
    assert [shown[k].text for k in "abct"] == ["fewer than 5", "not shown", "9", "18"]


def test_suppression_follows_from_line_to_line():
    # Rows (x1 + x2 = X, y1 + y2 = Y) and a column (x1 + y1 = c1).
    values = {"x1": 3, "x2": 10, "X": 13, "y1": 6, "y2": 8, "Y": 14, "c1": 9}
    lines = [["x1", "x2", "X"], ["y1", "y2", "Y"], ["x1", "y1", "c1"]]
    shown = protect(values, lines)
    withheld = {k for k, s in shown.items() if not s.known}
    assert withheld == {"x1", "x2", "y1", "y2"}  # no line is left with one withheld cell
    for line in lines:
        assert sum(1 for k in line if k in withheld) != 1


def test_a_part_counted_only_in_the_total_is_never_shown_nor_worked_out():
    values = {"a": 10, "b": 20, "secret": 7, "t": 37}
    shown = protect(values, [["a", "b", "secret", "t"]], unpublished=["secret"])
    assert "secret" not in shown
    assert shown["a"].text == "not shown" and shown["b"].text == "20" and shown["t"].text == "37"
    nothing = protect(
        {"a": 10, "secret": 0, "t": 10}, [["a", "secret", "t"]], unpublished=["secret"]
    )
    assert nothing["a"].text == "10"  # zero: nothing to hide


def test_stored_cells_keep_no_withheld_value():
    shown = protect({"a": 2, "b": 7, "t": 9}, [["a", "b", "t"]])
    assert shown["a"].data() == {"value": None, "withheld": "small"}
    assert shown["b"].data() == {"value": None, "withheld": "masked"}
    assert shown["t"].data() == {"value": 9}
    assert Shown.from_data(shown["a"].data()).text == "fewer than 5"
    assert Shown.from_data({"value": 9}) == Shown(9)


def test_rates_rest_on_at_least_five_and_a_shown_numerator():
    assert rate(Shown(3), 6, 3).text == "50%"
    assert rate(Shown(3), 4, 3).value is None
    assert rate(Shown(0, "masked"), 10, 3).value is None
    assert Rate(None).text == "—"


def test_breakdown_rows_in_sql(app):
    data = [
        (1, "KE", True, False, True),  # confidential
        (2, "KE", False, True, True),  # in a campaign
        (3, "KE", False, False, False),  # anonymous
        (4, "KE", False, False, True),  # named
    ]
    items = sa.union_all(
        *[
            sa.select(
                sa.literal(n).label("n"),
                sa.literal(country).label("country"),
                sa.literal(confidential).label("confidential"),
                sa.literal(campaign).label("campaign"),
                sa.literal(named).label("named"),
            )
            for n, country, confidential, campaign, named in data
        ]
    ).subquery("items")
    row = breakdown_row(
        items.c.country,
        only_in_total=items.c.confidential.is_(True),
        counted_separately=items.c.campaign.is_(True),
        not_broken_down=items.c.named.is_(False),
    )
    assert db.session.scalars(sa.select(row).order_by(items.c.n)).all() == [
        ONLY_IN_TOTAL,
        COUNTED_SEPARATELY,
        NOT_BROKEN_DOWN,
        "KE",
    ]
