"""The business plan page: priorities top down, each section's actions and risk register."""

from __future__ import annotations

import re
import shutil

import pytest
from django.urls import reverse

from kpiboard.web.store import clear_cache, load_pack_into_db

pytestmark = pytest.mark.django_db


def test_plan_page_shows_priorities_actions_and_risks(client_for):
    response = client_for("viewer").get(reverse("kpiboard:plan"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Help older and disabled people stay independent for longer" in html
    assert '<h4 class="govuk-heading-s">Expand technology that lets people live safely at home' in (
        html
    )
    assert f'href="{reverse("kpiboard:indicator", args=["ASC03"])}"' in html
    assert (
        '<strong class="govuk-tag govuk-tag--red">Red</strong> Extend the enablement service'
        in (html)
    )
    assert '<strong class="govuk-tag govuk-tag--green">Green*</strong>' in html  # overridden
    assert "Number of risks by likelihood and impact (Adult Social Care)" in html
    assert "SCS02 rated Red" in html
    assert 'aria-current="page">Business plan</a>' in html


def test_plan_page_escapes_plan_text(client_for, demo_pack_dir, tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(demo_pack_dir, pack)
    priorities = pack / "plan" / "priorities.yaml"
    text = priorities.read_text("utf-8").replace(
        "title: Expand technology", "title: <script>alert(1)</script> Expand technology"
    )
    priorities.write_text(text, "utf-8")
    load_pack_into_db(pack, reason="Test")
    clear_cache()
    html = client_for("viewer").get(reverse("kpiboard:plan")).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Expand technology" in html
    clear_cache()


def test_priorities_page_shows_the_hierarchy_with_ratings_rag_and_scores(client_for):
    response = client_for("viewer").get(reverse("kpiboard:priorities"))
    assert response.status_code == 200
    html = response.content.decode()
    ambition = '<h2 class="govuk-heading-l" id="priority-BS-IND-h">Help older and disabled'
    objective = '<h4 class="govuk-heading-s" id="priority-BS-IND-3a-h">Reduce delays in leaving'
    assert ambition in html and objective in html
    item = html[html.index('id="priority-BS-IND-3"') : html.index('id="priority-BS-IND-3a"')]
    asc07 = reverse("kpiboard:indicator", args=["ASC07"])
    rated = rf'kpi-rating--amber">Amber</strong>\s*<a class="govuk-link" href="{asc07}">ASC07 '
    assert re.search(rated, item)
    assert '<strong class="govuk-tag govuk-tag--red">Red</strong> <a class="govuk-link"' in item
    assert "Extend the enablement service to weekends</a>" in item
    assert '<strong class="govuk-tag govuk-tag--red">16 Very high</strong>' in item  # R-HOSP 4x4
    assert f'href="{reverse("kpiboard:dashboard")}?priority=BS-IND-3"' in item
    assert 'aria-current="page">Business plan</a>' not in html  # beneath the menu's page
    assert "govuk-header__navigation-item--active" in html


def test_plan_page_links_to_the_priorities_page(client_for):
    html = client_for("viewer").get(reverse("kpiboard:plan")).content.decode()
    assert f'href="{reverse("kpiboard:priorities")}"' in html
