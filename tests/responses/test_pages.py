"""Lists longer than a page reach their next page through their own "Next page" link:
the lists behind the tracker's figures (one consultation, and all) and a company's queue.
The page sizes are made small so that a few comments fill several pages."""

import html
import re

from consult.responses import drilldown, queries
from tests.responses.test_tracker import POSTED

LINK = re.compile(r'<a href="([^"]+)">(Previous page|Next page)</a>')


def _links(page: str) -> dict[str, str]:
    return {text: html.unescape(href) for href, text in LINK.findall(page)}


def _drill_rows(page: str) -> int:
    return page.count('<tr><td><a href="/comments/')


def test_the_list_behind_a_figure_reaches_its_second_page(make_client, fixed, monkeypatch):
    monkeypatch.setattr(drilldown, "PAGE_SIZE", 5)
    for i in range(7):
        fixed.post(companies=[fixed.north.id], body=f"Remark number {i}.", now=POSTED)
    slug = fixed.consultation.slug
    for first_url in (
        f"/consultations/{slug}/tracker/list?company=northwind&measure=requests",
        "/tracker/list?company=northwind&measure=requests",
    ):
        client = make_client()
        first = client.get(first_url)
        assert first.status_code == 200
        first_page = first.get_data(as_text=True)
        assert _drill_rows(first_page) == 5
        links = _links(first_page)
        assert "Previous page" not in links

        second = client.get(links["Next page"])
        assert second.status_code == 200, links["Next page"]
        second_page = second.get_data(as_text=True)
        assert _drill_rows(second_page) == 2
        assert "page=2" in links["Next page"] and "measure=requests" in links["Next page"]
        back = _links(second_page)
        assert "Next page" not in back
        assert client.get(back["Previous page"]).get_data(as_text=True) == first_page


def test_a_companys_queue_reaches_its_second_page(make_client, fixed, monkeypatch):
    monkeypatch.setattr(queries, "QUEUE_PAGE_SIZE", 2)
    for i in range(3):
        fixed.post(companies=[fixed.north.id], body=f"Queue remark {i}.", now=POSTED)
    rep = make_client()
    rep.sign_in(fixed.north_rep)
    # Parameters the page does not read are carried as they are, never interpreted.
    first = rep.get("/company/queue?status=all&endpoint=x&_external=1").get_data(as_text=True)
    assert first.count('class="queue-item"') == 2
    assert "Page 1 of 2" in first

    next_url = _links(first)["Next page"]
    second = rep.get(next_url)
    assert second.status_code == 200, next_url
    second_page = second.get_data(as_text=True)
    assert "Page 2 of 2" in second_page
    assert second_page.count('class="queue-item"') == 1
    assert "status=all" in next_url and "endpoint=x" in next_url
    assert "Next page" not in _links(second_page)
    assert "Page 1 of 2" in rep.get(_links(second_page)["Previous page"]).get_data(as_text=True)
