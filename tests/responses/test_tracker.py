"""The published tracker: hand-computed figures on a constructed data set, the fixed
population, small cells, the lists behind figures, and a constant number of statements."""

from datetime import timedelta

import sqlalchemy as sa

from consult.accounts.models import OrganisationKind
from consult.comments import services as comment_services
from consult.comments.models import AuthorDisplay, Comment, CommentKind, Visibility
from consult.extensions import db
from consult.responses import actions
from consult.responses.models import Position, ResponseKind, ResponseRequest
from consult.responses.tracker import tracker_figures
from tests import factories
from tests.responses.conftest import kolkata

POSTED = kolkata(2026, 2, 1, 10)  # base 1 February, due 3 March
NOW = kolkata(2026, 3, 20)  # after the due date, before "very overdue" (3 April)


def _request(comment, company):
    return db.session.scalar(
        sa.select(ResponseRequest).where(
            ResponseRequest.comment_id == comment.id, ResponseRequest.company_id == company.id
        )
    )


def _act(request, rep, kind, day, position=None):
    actions.post_response(
        request,
        representative=rep,
        kind=kind,
        body="Text.",
        position=position,
        submission_key=factories.unique_key(),
        now=kolkata(2026, 2, 1, 12) + timedelta(days=day),
    )


def build(fixed):
    """North: 12 comments; South: 5 answered, plus one reassigned from West."""
    n = [
        fixed.post(
            author=fixed.author if i < 8 else fixed.other, companies=[fixed.north.id], now=POSTED
        )
        for i in range(12)
    ]
    north = [_request(c, fixed.north) for c in n]
    plan = [
        (2, Position.AGREE),
        (4, Position.AGREE),
        (6, Position.NOTED),
        (8, Position.NOTED),
        (10, Position.DISAGREE),
        (30, Position.PARTIALLY_AGREE),
    ]
    # civil society (0-7): 4 answered, 1 declined, 1 clarification, 1 overdue, 1 void
    # investor (8-11): 2 answered, 1 declined, 1 overdue
    for request, (day, position) in zip(
        [north[0], north[1], north[2], north[3], north[8], north[9]], plan, strict=True
    ):
        _act(request, fixed.north_rep, ResponseKind.ANSWER, day, position)
    _act(north[4], fixed.north_rep, ResponseKind.DECLINE, 35)
    _act(north[10], fixed.north_rep, ResponseKind.DECLINE, 35)
    actions.post_response(
        north[5],
        representative=fixed.north_rep,
        kind=ResponseKind.CLARIFICATION,
        body="Which?",
        submission_key="clarify",
        now=kolkata(2026, 3, 15),
    )
    actions.void_request(
        north[7], coordinator=fixed.coordinator, reason="Not ours.", now=kolkata(2026, 2, 2)
    )
    # north[6] (civil society) and north[11] (investor) stay unanswered: overdue.
    withdrawn = fixed.post(companies=[fixed.north.id], now=POSTED)
    comment_services.withdraw_comment(
        withdrawn, author=fixed.author, remove_name=False, now=kolkata(2026, 2, 3)
    )
    fixed.post(Visibility.CONFIDENTIAL, now=POSTED)
    for _ in range(5):
        c = fixed.post(companies=[fixed.south.id], now=POSTED)
        _act(_request(c, fixed.south), fixed.south_rep, ResponseKind.ANSWER, 3, Position.NOTED)
    moved = fixed.post(companies=[fixed.west.id], now=POSTED)
    actions.reassign_request(
        _request(moved, fixed.west),
        coordinator=fixed.coordinator,
        company=fixed.south,
        reason="Southgate runs it.",
        now=kolkata(2026, 2, 9),
    )
    db.session.commit()


def _company(tracker, company):
    return next(c for c in tracker.companies if c.company.id == company.id)


def test_figures_match_hand_computed_values(fixed):
    build(fixed)
    tracker = tracker_figures(NOW, fixed.consultation)
    north = _company(tracker, fixed.north)
    cells = {k: (v.value, v.hidden) for k, v in north.row.cells.items()}
    # 12 requests - 1 void = 11; the withdrawn comment's request is out too.
    assert cells == {
        "requests": (11, None),
        "answered": (6, None),
        "declined": (2, "small"),
        "awaiting": (0, None),
        "clarification_requested": (1, "small"),
        "overdue": (2, "small"),
        "very_overdue": (0, None),
    }
    # denominator = 6 + 2 + 2 + 0 = 10
    assert north.row.answer_rate.value == 0.6
    assert north.row.responded_rate.value is None  # would reveal the small "declined"
    assert north.row.on_time_share.value == 0.6  # six answers by 3 March
    # days to first response: 2, 4, 6, 8, 10, 30, 35, 35 → median (8 + 10) / 2
    assert north.median_days == 9
    assert north.positions["agree"].hidden == "small"
    assert north.positions["under_consideration"].text == "0"
    assert north.noted_share.value is None  # 2 noted: a small numerator
    south = _company(tracker, fixed.south)
    # five answered at day 3, plus the reassigned request (base 9 Feb, due 11 Mar: overdue)
    assert south.row.cells["requests"].value == 6
    # 6 requests - 1 overdue: with "overdue" withheld, "answered" (5) would reveal it.
    assert south.row.cells["overdue"].hidden == "small"
    assert south.row.cells["answered"].hidden == "masked"
    assert south.row.answer_rate.value is None
    assert south.row.on_time_share.value == 5 / 6
    assert south.median_days == 3
    assert south.noted_share.value is None  # its denominator, "answered", is withheld
    west = _company(tracker, fixed.west)
    assert west.row.cells["requests"].value == 0  # reassigned away: out of its figures
    assert west.row.answer_rate.text == "—"


def test_breakdowns_suppress_small_cells_and_what_would_reveal_them(fixed):
    build(fixed)
    north = _company(tracker_figures(NOW, fixed.consultation), fixed.north)
    rows = {r.key: r for r in north.by_category}
    civil, investor = rows["civil_society"], rows["investor"]
    assert investor.cells["requests"].text == "fewer than 5"
    # 11 = civil society + investor: with the investor cell withheld, civil society's 7
    # would reveal it, so it is withheld too.
    assert (civil.cells["requests"].value, civil.cells["requests"].hidden) == (7, "masked")
    assert civil.cells["requests"].text == "not shown"
    assert [r.label for r in north.by_section] == ["§1"]


def test_the_page_publishes_formulas_and_same_figures_for_everyone(make_client, fixed):
    build(fixed)
    url = f"/consultations/{fixed.consultation.slug}/tracker"
    pages = []
    for person in [None, fixed.north_rep, fixed.south_rep, fixed.author, fixed.coordinator]:
        client = make_client()
        if person is not None:
            client.sign_in(person)
        pages.append(client.get(url, query_string={"at": "x"}).get_data(as_text=True))
    import re

    def table(page):
        return re.search(r'<table class="tracker">.*?</table>', page, re.S).group(0)

    assert len({table(p) for p in pages}) == 1
    assert "Answer rate = answered ÷ (answered + declined + overdue + very overdue)" in pages[0]
    assert "fewer than 5" in table(pages[0])  # in the cells, not only in the explanation
    assert "<svg" in pages[0] and "Highest answer rate" in pages[0]


def test_the_list_behind_a_figure_hides_what_the_reader_may_not_read(make_client, fixed):
    for i in range(5):
        author = factories.stakeholder(kind=OrganisationKind.INVESTOR)
        fixed.post(
            Visibility.RESTRICTED,
            author=author,
            companies=[fixed.north.id],
            body=f"Secret text {i}",
            now=POSTED,
        )
    slug = fixed.consultation.slug
    url = f"/consultations/{slug}/tracker/list?company=northwind&measure=requests"
    visitor = make_client().get(url)
    page = visitor.get_data(as_text=True)
    assert visitor.status_code == 200
    assert page.count("Restricted comment (not published)") == 5
    assert "Secret text" not in page and "C-" not in page and "§1" not in page
    assert "Investor" not in page
    rep = make_client()
    rep.sign_in(fixed.north_rep)
    assert "Restricted comment (not published)" not in rep.get(url).get_data(as_text=True)


def test_small_or_withheld_cells_have_no_list(client, fixed):
    build(fixed)
    base = f"/consultations/{fixed.consultation.slug}/tracker/list?company=northwind"
    assert client.get(base + "&measure=answered").status_code == 200
    assert client.get(base + "&measure=declined").status_code == 404  # 2: small
    assert (
        client.get(base + "&measure=requests&dimension=category&key=civil_society").status_code
        == 404
    )  # masked
    assert client.get(base + "&measure=bogus").status_code == 404
    assert client.get(base.replace("northwind", "nobody") + "&measure=answered").status_code == 404


def test_a_300_member_campaign_makes_one_request_per_company(fixed):
    text = "Every company must publish its shutdown orders within thirty days of receiving them."
    for i in range(300):
        author = factories.stakeholder()
        draft = comment_services.Draft(
            kind=CommentKind.COMMENT,
            body=text,
            visibility=Visibility.PUBLIC,
            display=AuthorDisplay.NAME,
            company_ids=[fixed.north.id, fixed.south.id],
        )
        comment_services.post_comment(
            fixed.consultation,
            draft,
            author=author,
            submission_key=f"c{i}",
            paragraph=fixed.paragraph,
            version=fixed.version,
            now=POSTED,
        )
    db.session.commit()
    tracker = tracker_figures(NOW, fixed.consultation)
    assert _company(tracker, fixed.north).row.cells["requests"].value == 1
    assert _company(tracker, fixed.south).row.cells["requests"].hidden == "small"
    live = db.session.scalar(
        sa.select(sa.func.count(ResponseRequest.id)).where(ResponseRequest.state != "merged")
    )
    assert live == 2


def _bulk(consultation, version, paragraph, companies, authors, count):
    """``count`` public comments, each addressed to every company (rows written directly)."""
    from consult.responses.services import new_request

    comments = []
    for i in range(count):
        author = authors[i % len(authors)]
        comment = Comment(
            consultation_id=consultation.id,
            version_id=version.id,
            paragraph_id=paragraph.id,
            stable_key=paragraph.stable_key,
            paragraph_number=paragraph.number,
            author_id=author.id,
            organisation_id=author.organisation_id,
            category=author.organisation.kind,
            kind=CommentKind.COMMENT,
            visibility=Visibility.PUBLIC,
            display=AuthorDisplay.NAME,
            body=f"Bulk {i}",
            body_html=f"<p>Bulk {i}</p>",
            submission_key=f"bulk-{i}",
            created_at=POSTED,
            exposed_since=POSTED,
        )
        comments.append(comment)
    db.session.add_all(comments)
    db.session.flush()
    for comment in comments:
        for company in companies:
            new_request(comment, company.id, now=POSTED)
    db.session.commit()


def test_the_tracker_costs_the_same_statements_for_thousands_of_requests(client, count_queries):
    from consult.consultations.models import Paragraph
    from consult.consultations.versions import latest_published_version
    from tests.consultations import factories as consultation_factories

    def setup(count, slug):
        companies = [factories.company(name=f"{slug} company {i:02d}") for i in range(12)]
        consultation = consultation_factories.consultation(
            slug=slug,
            companies=companies,
            timezone="Asia/Kolkata",
            opens_on=kolkata(2026, 1, 5).date(),
            closes_on=kolkata(2026, 3, 29).date(),
        )
        version = latest_published_version(consultation)
        paragraph = db.session.scalar(
            sa.select(Paragraph).where(
                Paragraph.version_id == version.id, Paragraph.number == "1.1"
            )
        )
        authors = [
            factories.stakeholder(kind=kind)
            for kind in (OrganisationKind.CIVIL_SOCIETY, OrganisationKind.INVESTOR)
        ]
        _bulk(consultation, version, paragraph, companies, authors, count)
        return consultation

    small = setup(1, "small")
    large = setup(250, "large")
    db.session.expire_all()  # 250 comments × 12 companies = 3,000 requests
    counts = []
    for consultation in (small, large):
        with count_queries() as statements:
            response = client.get(f"/consultations/{consultation.slug}/tracker")
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    with count_queries() as statements:
        tracker_figures(NOW, large)
    # the consultation and its companies, company names, totals, sections, categories, medians
    assert len(statements) <= 7
    assert (
        _company(tracker_figures(NOW, large), large.companies[0]).row.cells["requests"].value == 250
    )


def test_median_of_an_odd_count_is_the_middle_value_minus_paused_days(fixed):
    comments = [fixed.post(companies=[fixed.west.id], now=POSTED) for _ in range(5)]
    requests = [_request(c, fixed.west) for c in comments]
    # a clarification paused the first for 4 days: 12 calendar days - 4 = 8
    actions.post_response(
        requests[0],
        representative=fixed.west_rep,
        kind=ResponseKind.CLARIFICATION,
        body="Which?",
        submission_key="q",
        now=kolkata(2026, 2, 2),
    )
    question = requests[0].responses[0]
    actions.post_rejoinder(
        question, user=fixed.author, body="This one.", submission_key="r", now=kolkata(2026, 2, 6)
    )
    for request, day in zip(requests, [12, 1, 20, 3, 40], strict=True):
        _act(request, fixed.west_rep, ResponseKind.ANSWER, day, Position.NOTED)
    db.session.commit()
    west = _company(tracker_figures(NOW, fixed.consultation), fixed.west)
    assert sorted(r.days_to_respond for r in requests) == [1, 3, 8, 20, 40]
    assert west.median_days == 8
    assert west.noted_share.value == 1.0
    assert west.row.answer_rate.value == 1.0
