"""The dashboard in pages, so a site with thousands of indicators stays usable: sections continue
across pages, every page links to the others keeping the filters, and the demo (fewer
indicators than a page) shows no page links at all."""

from __future__ import annotations

import re

import pytest

from kpiboard.web.views import dashboard

from .test_dashboard import ASC, LEADS, SCS, get, shown

ALL = ASC | SCS | LEADS  # 23 indicators


@pytest.fixture
def pages_of_ten(monkeypatch):
    monkeypatch.setattr(dashboard, "PAGE_SIZE", 10)


def test_dashboard_pages_a_site_smaller_than_a_page_has_no_page_links(client_for):
    html = get(client_for("viewer")).content.decode()
    assert "govuk-pagination" not in html and "Page 1 of" not in html


def test_dashboard_pages_split_the_indicators_in_order(client_for, pages_of_ten):
    client = client_for("viewer")
    seen = [shown(get(client, page=str(n))) for n in (1, 2, 3)]
    assert [len(s) for s in seen] == [10, 10, 3]
    assert set().union(*seen) == ALL
    assert seen[0] == {f"ASC{n:02d}" for n in range(1, 11)}  # the page order of the sections
    third = get(client, page="3").content.decode()
    assert "Page 3 of 3." in third
    assert 'aria-current="page">3</a>' in third and 'rel="next"' not in third


def test_dashboard_pages_keep_the_filters_and_count_the_whole_section(client_for, pages_of_ten):
    response = get(client_for("viewer"), section="asc")
    html = response.content.decode()
    links = set(re.findall(r'href="(\?[^"]*page=\d)"', html))
    assert links == {"?section=asc&amp;page=1", "?section=asc&amp;page=2"}
    assert len(shown(response)) == 10
    counts = re.search(r'<p class="govuk-body kpi-counts">([^<]*)</p>', html)[1]
    assert sum(int(n) for n in re.findall(r"\d+", counts)) == len(ASC)  # not only this page's


def test_dashboard_pages_a_page_past_the_end_shows_the_last(client_for, pages_of_ten):
    client = client_for("viewer")
    assert shown(get(client, page="99")) == shown(get(client, page="3"))
    assert shown(get(client, page="nonsense")) == shown(get(client, page="1"))
