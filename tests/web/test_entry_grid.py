"""The bulk entry grid: rows for a person's indicators due in the month, plausibility warnings
confirmed before saving, commas and % read, and every row saved or none."""

from __future__ import annotations

import re

from kpiboard.web.models import CommentaryText, Figure

GRID = "/enter/2013-10/"


def html(response) -> str:
    return response.content.decode()


def current(code="ASC01", period="2013-10") -> Figure | None:
    return Figure.objects.filter(
        indicator__code=code, period=period, series="actual", is_current=True
    ).first()


def grid_data(response) -> dict[str, str]:
    """The grid's fields as rendered (inputs and textareas)."""
    page = html(response)
    data = {}
    for tag in re.findall(r"<input [^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and name[1] != "csrfmiddlewaretoken" and 'type="checkbox"' not in tag:
            data[name[1]] = value[1] if value else ""
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        data[name] = text
    return data


def codes(data: dict[str, str]) -> list[str]:
    return [v for k, v in sorted(data.items()) if k.endswith("-code")]


def row_of(data: dict[str, str], code: str) -> str:
    return next(k for k, v in data.items() if k.endswith("-code") and v == code)[: -len("-code")]


def test_the_grid_has_a_row_for_each_indicator_the_owner_enters_that_is_due(client_for):
    response = client_for("owner").get(GRID)
    assert response.status_code == 200
    assert codes(grid_data(response)) == ["ASC01"]
    analyst = grid_data(client_for("analyst").get(GRID))
    assert "ASC02" in codes(analyst) and "LEAD05" in codes(analyst)
    assert "SCS01" not in codes(analyst)  # quarterly: due with December, not October


def test_the_grid_now_opens_the_month_being_collected(client_for):
    response = client_for("owner").get("/enter/")
    assert response.status_code == 302 and response["Location"] == GRID


def test_a_first_entry_with_commas_and_percent_saves_without_a_reason(client_for):
    client = client_for("owner")
    data = grid_data(client.get(GRID))
    row = row_of(data, "ASC01")
    data.update({f"{row}-figure": "74.5%", f"{row}-commentary": "Steady.", f"{row}-note": "Final"})
    response = client.post(GRID, data)
    assert response.status_code == 302, html(response)
    assert response["Location"] == "/entry/"
    saved = current()
    assert (saved.value, saved.note, saved.reason) == (74.5, "Final", "")
    assert CommentaryText.objects.get(indicator__code="ASC01", period="2013-10").text == "Steady."


def test_an_implausible_figure_is_warned_and_saved_only_once_confirmed(client_for):
    client = client_for("owner")
    data = grid_data(client.get(GRID))
    row = row_of(data, "ASC01")
    data[f"{row}-figure"] = "740"
    response = client.post(GRID, data)
    assert response.status_code == 400
    page = html(response)
    assert "740% is a percentage over 100" in page
    assert "ASC01: check the figure" in page
    assert current() is None
    data[f"{row}-confirm"] = "on"
    assert client.post(GRID, data).status_code == 302
    assert current().value == 740.0


def test_a_figure_that_cannot_be_read_names_the_row_and_saves_nothing(client_for):
    client = client_for("analyst")
    data = grid_data(client.get(GRID))
    data[f"{row_of(data, 'ASC01')}-figure"] = "75"
    data[f"{row_of(data, 'ASC02')}-figure"] = "1,24"
    response = client.post(GRID, data)
    assert response.status_code == 400
    assert "ASC02: Enter the number with commas only between thousands" in html(response)
    assert current() is None  # ASC01 was fine, but nothing is saved


def test_a_row_refused_by_the_save_rolls_back_the_rows_before_it(client_for):
    client = client_for("analyst")
    data = grid_data(client.get(GRID))
    data[f"{row_of(data, 'ASC01')}-figure"] = "75"
    data[f"{row_of(data, 'ASC03')}-figure"] = "1e20"  # beyond the bound for a count
    data[f"{row_of(data, 'ASC03')}-confirm"] = "on"
    response = client.post(GRID, data)
    assert response.status_code == 400
    assert current() is None and current("ASC03") is None


def test_someone_elses_save_meanwhile_refuses_the_whole_grid(client_for):
    owner, analyst = client_for("owner"), client_for("analyst")
    data = grid_data(owner.get(GRID))
    other = grid_data(analyst.get(GRID))
    other[f"{row_of(other, 'ASC01')}-figure"] = "71"
    assert analyst.post(GRID, other).status_code == 302
    data[f"{row_of(data, 'ASC01')}-figure"] = "72"
    response = owner.post(GRID, data)
    assert response.status_code == 400
    assert "while you were editing" in html(response)
    assert current().value == 71.0


def test_saving_and_checking_goes_to_the_sections_check_your_answers(client_for):
    client = client_for("owner")
    data = grid_data(client.get(GRID))
    data["check"] = "asc"
    response = client.post(GRID, data)
    assert response["Location"] == "/sections/asc/2013-10/check/"


def test_people_who_enter_nothing_may_not_open_the_grid(client_for):
    assert client_for("viewer").get(GRID).status_code == 403
    assert client_for("approver").get(GRID).status_code == 403
    assert client_for("owner").get("/enter/2013~14_Q3/").status_code == 404


def test_rows_that_are_not_the_pages_rows_are_refused_not_a_crash(client_for):
    client = client_for("owner")
    data = grid_data(client.get(GRID))
    extra = dict(data, **{"row-TOTAL_FORMS": "2", "row-1-code": "ASC02", "row-1-base": "0"})
    extra.update({"row-1-commentary_base": "0", "row-1-figure": "50"})
    response = client.post(GRID, extra)
    assert response.status_code == 400
    assert "The list of indicators has changed" in html(response)
    assert current("ASC02") is None
    swapped = dict(data, **{"row-0-code": "ASC02", "row-0-figure": "50"})
    response = client.post(GRID, swapped)
    assert response.status_code == 400
    assert "The list of indicators has changed" in html(response)
    assert current("ASC02") is None and current() is None
    assert client.post(GRID, {}).status_code == 400
