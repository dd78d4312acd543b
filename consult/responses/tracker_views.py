"""The public tracker: per consultation and across consultations, with the list behind
every figure. The same figures for every viewer."""

from flask import render_template, request
from flask_login import current_user

from consult.accounts.models import company_slug
from consult.consultations.schedule import request_time
from consult.consultations.services import visible_consultation_or_404
from consult.permissions import public, require, require_found
from consult.responses import charts
from consult.responses.drilldown import drill_rows
from consult.responses.models import POSITION_LABELS, Position
from consult.responses.tracker import MEASURES, REQUESTS, find_cell, tracker_figures
from consult.routing import page_number, page_url


def _consultation(slug):
    consultation = visible_consultation_or_404(slug, current_user)
    require(consultation.is_public)  # no tracker for a draft, even for coordinators
    return consultation


def _page(consultation):
    now = request_time()
    figures = tracker_figures(now, consultation)
    return render_template(
        "responses/tracker.html",
        consultation=consultation,
        tracker=figures,
        answer_chart=charts.answer_rate_chart(figures),
        positions_chart=charts.positions_chart(figures),
        measures=MEASURES,
        positions=list(Position),
        position_labels=POSITION_LABELS,
        company_slug=company_slug,
    )


def _drill(consultation):
    now = request_time()
    measure = request.args.get("measure", "")
    dimension = request.args.get("dimension") or None
    key = request.args.get("key") or None
    valid = {*MEASURES, REQUESTS} | {f"p_{p.value}" for p in Position}
    require(measure in valid and dimension in (None, "section", "category"))
    figures = tracker_figures(now, consultation)
    company = require_found(
        next(
            (
                c.company
                for c in figures.companies
                if company_slug(c.company.name) == request.args.get("company")
            ),
            None,
        )
    )
    cell = find_cell(figures, company.id, measure, dimension, key)
    # Withheld cells have no list: its length would tell what the table keeps back.
    require(cell is not None and cell.linkable)
    page = page_number(request.args)
    rows, more = drill_rows(
        current_user,
        now=now,
        company=company,
        measure=measure,
        consultation=consultation,
        dimension=dimension,
        key=key,
        page=page,
    )
    return render_template(
        "responses/drilldown.html",
        consultation=consultation,
        company=company,
        measure=measure,
        dimension=dimension,
        key=key,
        cell=cell,
        rows=rows,
        more=more,
        page=page,
        previous_url=page_url(page - 1) if page > 1 else None,
        next_url=page_url(page + 1) if more else None,
        position_labels=POSITION_LABELS,
    )


def register(bp):
    @bp.route("/consultations/<slug>/tracker")
    @public
    def tracker(slug):
        return _page(_consultation(slug))

    @bp.route("/tracker")
    @public
    def tracker_all():
        return _page(None)

    @bp.route("/consultations/<slug>/tracker/list")
    @public
    def tracker_list(slug):
        return _drill(_consultation(slug))

    @bp.route("/tracker/list")
    @public
    def tracker_list_all():
        return _drill(None)
