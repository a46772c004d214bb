"""The append-only step every kind of revision takes: ``Revision.objects.append``."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from kpiboard.web.models import Figure, Indicator, Narrative


def test_append_without_a_current_revision_adds_revision_one(db):
    row = Narrative.objects.append(None, name="outlook", text="First words")
    assert (row.revision, row.is_current) == (1, True)


def test_append_retires_the_current_revision_and_keeps_it(db):
    first = Narrative.objects.append(None, name="outlook", text="First words")
    second = Narrative.objects.append(first, name="outlook", text="Second words", reason="Typo")
    rows = Narrative.objects.filter(name="outlook").order_by("revision")
    assert [(r.revision, r.text, r.is_current) for r in rows] == [
        (1, "First words", False),
        (2, "Second words", True),
    ]
    assert second.reason == "Typo"


def test_current_for_update_finds_the_current_revision_of_the_key(demo_site):
    model = Indicator.objects.get(code="ASC01")
    with transaction.atomic():
        figure = Figure.objects.current_for_update(indicator=model, period="2013-09")
        assert figure is not None and figure.is_current and figure.value == 73.0
        assert Figure.objects.current_for_update(indicator=model, period="1999-01") is None


def test_a_second_append_from_a_stale_current_revision_is_refused(db):
    first = Narrative.objects.append(None, name="outlook", text="First words")
    stale = Narrative.objects.get(pk=first.pk)
    Narrative.objects.append(first, name="outlook", text="Mine")
    with pytest.raises(IntegrityError), transaction.atomic():
        Narrative.objects.append(stale, name="outlook", text="Theirs")


def test_following_is_the_unsaved_next_revision_for_bulk_paths(db):
    first = Narrative.objects.append(None, name="outlook", text="First words")
    row = Narrative.objects.following(first, name="outlook", text="Next")
    assert (row.pk, row.revision, row.is_current) == (None, 2, True)
    assert Narrative.objects.following(None, name="other", text="x").revision == 1
