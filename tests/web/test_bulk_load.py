"""Large loads take the bulk path (executemany on SQLite, COPY on PostgreSQL): the same rows as the
ORM path, all or nothing, approved periods still locked, progress heard."""

from __future__ import annotations

import shutil

import pytest
from django.db import IntegrityError, connection, transaction

from kpiboard.web import bulk_figures
from kpiboard.web.db_import import apply_db_import, plan_db_import
from kpiboard.web.models import Figure, Site
from kpiboard.web.signoff import set_signoff
from kpiboard.web.store import CHECKING, load_pack_into_db
from kpiboard.web.writes import Locked

ASC01_SEP = "ASC01,2013-09,actual,73"


class Undo(Exception):
    """Raised to roll a load back after looking at what it wrote."""


def edited_pack(demo_pack_dir, tmp_path):
    """The demo pack with a changed figure, a changed note, a withdrawn figure and new rows."""
    pack = shutil.copytree(demo_pack_dir, tmp_path / "pack")
    path = pack / "data" / "actuals.csv"
    text = path.read_text("utf-8")
    assert ASC01_SEP in text
    text = text.replace(ASC01_SEP, "ASC01,2013-09,actual,74", 1)
    path.write_text(text, "utf-8")
    (pack / "data" / "extra.csv").write_text(
        "indicator,period,series,value,note\n"
        "ASC01,2013-10,actual,76,Provisional\n"
        "ASC01,2013-10,target,80,\n",
        "utf-8",
    )
    return pack


def figure_rows() -> list[tuple]:
    """Every figure revision as the tests compare them (not the time it was created)."""
    return sorted(
        Figure.objects.values_list(
            "indicator__code", "period", "series", "value", "note", "revision", "is_current",
            "author__username", "reason",
        )
    )  # fmt: skip


def rows_after_load(pack, user, bulk: bool) -> list[tuple]:
    """The figures after loading ``pack``, then rolled back so the next load starts the same."""
    found: list[tuple] = []
    try:
        with transaction.atomic():
            load_pack_into_db(pack, user=user, reason="Corrected return", bulk=bulk)
            found.extend(figure_rows())
            raise Undo
    except Undo:
        return found
    raise AssertionError("not rolled back")


def test_the_bulk_path_writes_exactly_the_rows_of_the_orm_path(demo_site, demo_pack_dir,
                                                              tmp_path):  # fmt: skip
    pack = edited_pack(demo_pack_dir, tmp_path)
    before = figure_rows()
    orm = rows_after_load(pack, demo_site["analyst"], bulk=False)
    assert figure_rows() == before  # rolled back
    bulk = rows_after_load(pack, demo_site["analyst"], bulk=True)
    assert bulk == orm
    new = [r for r in bulk if r not in before]
    assert ("ASC01", "2013-09", "actual", 74.0, "", 2, True, "analyst", "Corrected return") in new
    assert ("ASC01", "2013-10", "actual", 76.0, "Provisional", 1, True, "analyst",
            "Corrected return") in new  # fmt: skip
    assert ("ASC01", "2013-09", "actual", 73.0, "", 1, False, None, "Demo pack") in bulk
    assert len(new) == 4  # the changed figure, its retired revision and the two new rows


@pytest.mark.parametrize("bulk", [False, True])
def test_a_load_failing_midway_writes_nothing(demo_site, demo_pack_dir, tmp_path, monkeypatch,
                                              bulk):  # fmt: skip
    pack = edited_pack(demo_pack_dir, tmp_path)
    monkeypatch.setattr(bulk_figures, "BATCH", 1)

    def progress(done, total, step, force=False):
        if step == bulk_figures.WRITING and done == 2:  # after the first figures are written
            raise RuntimeError("the disk is full")

    before, version = figure_rows(), Site.get().version
    with pytest.raises(RuntimeError, match="the disk is full"):
        load_pack_into_db(pack, reason="Half", progress=progress, bulk=bulk)
    assert figure_rows() == before
    assert Site.get().version == version


def test_the_bulk_path_still_refuses_approved_periods(demo_site, demo_pack_dir, tmp_path):
    set_signoff(demo_site["owner"], "asc", "2013-09", "submitted")
    set_signoff(demo_site["approver"], "asc", "2013-09", "approved")
    pack = edited_pack(demo_pack_dir, tmp_path)
    before = figure_rows()
    with pytest.raises(Locked) as caught:
        load_pack_into_db(pack, reason="Corrected return", bulk=True)
    assert "(ASC01 actual 2013-09)" in caught.value.errors[""]
    assert figure_rows() == before
    load_pack_into_db(pack, user=demo_site["analyst"], reason="Corrected return", bulk=True)
    figure = Figure.objects.get(indicator__code="ASC01", period="2013-09", series="actual",
                                is_current=True)  # fmt: skip
    assert (figure.value, figure.revision, figure.author) == (74.0, 2, demo_site["analyst"])


def test_a_load_reports_checking_then_each_batch_written(demo_site, demo_pack_dir, tmp_path,
                                                         monkeypatch):  # fmt: skip
    monkeypatch.setattr(bulk_figures, "BATCH", 2)
    heard = []
    load_pack_into_db(
        edited_pack(demo_pack_dir, tmp_path), progress=lambda *a, **k: heard.append(a), bulk=True
    )
    assert heard == [(0, 0, CHECKING), (2, 3, bulk_figures.WRITING), (3, 3, bulk_figures.WRITING)]


def test_large_loads_take_the_bulk_path_small_ones_the_orm(demo_site, demo_pack_dir, tmp_path,
                                                           monkeypatch):  # fmt: skip
    taken = []
    monkeypatch.setattr(bulk_figures, "_orm", lambda *a: taken.append("orm"))
    fast = "_copy" if bulk_figures.connection.vendor == "postgresql" else "_executemany"
    monkeypatch.setattr(bulk_figures, fast, lambda *a: taken.append("bulk"))
    rows = [(1, "2013-10", "actual", 1.0, "", 1, "")] * 3
    bulk_figures.add(rows, None, "Why")
    monkeypatch.setattr(bulk_figures, "BULK_FROM", 3)
    bulk_figures.add(rows, None, "Why")
    assert taken == ["orm", "bulk"]


def test_a_web_import_on_the_bulk_path_keeps_the_revision_rules(demo_site, tmp_path,
                                                                monkeypatch):  # fmt: skip
    monkeypatch.setattr(bulk_figures, "BULK_FROM", 1)
    path = tmp_path / "figures.csv"
    path.write_text(
        "indicator,period,series,value,note\n"
        "ASC01,2013-10,actual,75,Provisional\n"
        "ASC01,2013-09,actual,74,\n",
        "utf-8",
    )
    heard = []
    result = apply_db_import(
        demo_site["analyst"], plan_db_import(path), "Late return",
        progress=lambda *a, **k: heard.append(a[:2]),
    )  # fmt: skip
    assert (result.new, result.changed) == (1, 1)
    rows = {r[:3]: r[3:] for r in figure_rows() if r[6]}
    reason = "Imported from figures.csv: Late return"
    assert rows["ASC01", "2013-09", "actual"] == (74.0, "", 2, True, "analyst", reason)
    assert rows["ASC01", "2013-10", "actual"] == (75.0, "Provisional", 1, True, "analyst", reason)
    assert Figure.objects.filter(indicator__code="ASC01", period="2013-09", series="actual",
                                 revision=1, is_current=False).exists()  # fmt: skip
    assert heard[-1] == (4, 4)


def test_the_bulk_path_stores_awkward_text_and_empty_values_exactly(demo_site):
    from kpiboard.web.models import Indicator

    indicator = Indicator.objects.get(code="ASC01")
    note = 'Tab\there, a new\nline, a back\\slash, \\N and "quotes"'
    fetched = "data/fingertips.csv"
    rows = [(indicator.id, "2020-01", "actual", None, note, 1, ""),
            (indicator.id, "2020-02", "actual", 0.1 + 0.2, "", 1, fetched)]  # fmt: skip
    bulk_figures.add(rows, demo_site["analyst"], "Why\\not\tthis", bulk=True)
    stored = {
        f.period: f
        for f in Figure.objects.filter(indicator=indicator, period__in=["2020-01", "2020-02"])
    }
    assert (stored["2020-01"].value, stored["2020-01"].note) == (None, note)
    assert stored["2020-02"].value == 0.1 + 0.2
    assert [stored[p].fetched_file for p in ("2020-01", "2020-02")] == ["", fetched]
    assert {f.reason for f in stored.values()} == {"Why\\not\tthis"}
    assert {f.author for f in stored.values()} == {demo_site["analyst"]}
    assert all(f.is_current and f.created is not None for f in stored.values())


def figure_schema() -> dict:
    """The figure table's indexes and constraints as the database's catalogue describes them."""
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, Figure._meta.db_table)


def test_a_first_load_builds_the_indexes_after_the_rows_and_keeps_every_one(db, demo_pack_dir):
    from kpiboard.web.models import Indicator

    before = figure_schema()
    heard = []
    load_pack_into_db(demo_pack_dir, progress=lambda *a, **k: heard.append(a[2]), bulk=True)
    assert figure_schema() == before
    assert heard[-2:] == [bulk_figures.WRITING, bulk_figures.INDEXING]
    assert Figure.objects.filter(is_current=True, revision=1).count() == Figure.objects.count() > 0
    first = Figure.objects.filter(indicator__code="ASC01").order_by("period").first()
    with pytest.raises(IntegrityError), transaction.atomic():  # one current revision, still
        Figure.objects.create(indicator=first.indicator, period=first.period,
                              series=first.series, revision=2, value=1.0)  # fmt: skip
    with transaction.atomic():  # and the indicator must exist, checked as the commit would
        Figure.objects.create(indicator_id=Indicator.objects.count() + 99, period="2013-09",
                              series="actual", revision=1, value=1.0)  # fmt: skip
        with pytest.raises(IntegrityError):
            connection.check_constraints([Figure._meta.db_table])
        transaction.set_rollback(True)


def test_the_same_rows_whether_the_first_load_sets_the_indexes_aside_or_not(db, demo_pack_dir):
    aside = rows_after_load(demo_pack_dir, None, bulk=True)
    assert not Figure.objects.exists()
    assert rows_after_load(demo_pack_dir, None, bulk=False) == aside


def test_a_first_load_failing_midway_leaves_no_rows_and_every_index(db, demo_pack_dir,
                                                                    monkeypatch):  # fmt: skip
    monkeypatch.setattr(bulk_figures, "BATCH", 1)
    before = figure_schema()

    def progress(done, total, step, force=False):
        if step == bulk_figures.WRITING and done == 2:
            raise RuntimeError("the disk is full")

    with pytest.raises(RuntimeError, match="the disk is full"):
        load_pack_into_db(demo_pack_dir, progress=progress, bulk=True)
    assert not Figure.objects.exists()
    assert figure_schema() == before


def test_an_import_from_the_web_never_sets_the_indexes_aside(db, demo_pack_dir, tmp_path,
                                                             monkeypatch):  # fmt: skip
    from kpiboard.web.accounts import create_person
    from kpiboard.web.models import Role

    load_pack_into_db(demo_pack_dir, bulk=True)
    Figure.objects.all().delete()  # indicators without figures: the table is empty again
    analyst, _ = create_person("ana", Role.ANALYST, password="x" * 20)
    monkeypatch.setattr(bulk_figures, "BULK_FROM", 1)
    path = tmp_path / "figures.csv"
    path.write_text("indicator,period,series,value\nASC01,2013-10,actual,75\n", "utf-8")
    heard = []
    apply_db_import(analyst, plan_db_import(path), "Why",
                    progress=lambda *a, **k: heard.append(a[2]))  # fmt: skip
    assert Figure.objects.count() == 1
    assert bulk_figures.WRITING in heard and bulk_figures.INDEXING not in heard
