"""Simple server-rendered bar charts for the tracker: each bar carries its value as
text beside it, every chart has a one-line summary and a data table, and no meaning
rests on colour alone."""

from dataclasses import dataclass

from flask_babel import gettext as _

from consult.responses.models import POSITION_LABELS, Position

WIDTH, LABEL_WIDTH, BAR_AREA, ROW, TOP = 640, 220, 320, 30, 10


@dataclass
class Bar:
    label: str
    value_text: str
    y: int
    width: int

    @property
    def text_x(self) -> int:
        return LABEL_WIDTH + self.width + 8


@dataclass
class Chart:
    title: str
    summary: str
    bars: list[Bar]
    label_width: int = LABEL_WIDTH
    width: int = WIDTH

    @property
    def height(self) -> int:
        return TOP * 2 + ROW * max(len(self.bars), 1)


def _bars(items, scale) -> list[Bar]:
    return [
        Bar(label, text, TOP + i * ROW, round(BAR_AREA * scale(value)) if value else 0)
        for i, (label, value, text) in enumerate(items)
    ]


def answer_rate_chart(tracker) -> Chart:
    """Answer rate per company; withheld rates have no bar and say so."""
    items = [
        (
            c.company.name,
            c.row.answer_rate.value,
            c.row.answer_rate.text if c.row.answer_rate.value is not None else _("not shown"),
        )
        for c in tracker.companies
    ]
    rated = [(name, value) for name, value, _text in items if value is not None]
    if rated:
        best = max(rated, key=lambda item: item[1])
        worst = min(rated, key=lambda item: item[1])
        summary = _(
            "Highest answer rate: %(best)s (%(b)s). Lowest: %(worst)s (%(w)s).",
            best=best[0],
            b=f"{best[1]:.0%}",
            worst=worst[0],
            w=f"{worst[1]:.0%}",
        )
    else:
        summary = _("No company has enough answered or overdue requests for a rate yet.")
    return Chart(_("Answer rate by company"), summary, _bars(items, lambda v: v))


def positions_chart(tracker) -> Chart:
    """How the answers of all companies together are spread over the positions."""
    shown = tracker.positions
    largest = max([s.value for s in shown.values() if s.known] or [0])
    items = [
        (
            str(POSITION_LABELS[p]),
            shown[p.value].value if shown[p.value].known else None,
            shown[p.value].text,
        )
        for p in Position
    ]
    known = [(label, value) for label, value, _text in items if value]
    if known:
        top = max(known, key=lambda item: item[1])
        summary = _(
            "The most frequent position is “%(position)s” (%(n)s answers).",
            position=top[0],
            n=f"{top[1]:,}",
        )
    else:
        summary = _("No answers to show yet.")
    return Chart(
        _("Positions in the answers of all companies"),
        summary,
        _bars(items, lambda v: v / largest if largest else 0),
    )
