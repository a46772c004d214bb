"""Changing stored data behind the application's back, as the web tests need to set a scene."""

from __future__ import annotations

from kpiboard.web.models import Figure, Indicator
from kpiboard.web.store import bump_version


def change_figure(code, period, series, value, *, user=None, reason="test"):
    """A new current revision of one figure (by ``user``, with ``reason``), and a new version."""
    indicator = Indicator.objects.get(code=code)
    current = Figure.objects.get(indicator=indicator, period=period, series=series, is_current=True)
    current.is_current = False
    current.save(update_fields=["is_current"])
    Figure.objects.create(
        indicator=indicator, period=period, series=series, value=value,
        revision=current.revision + 1, author=user, reason=reason,
    )  # fmt: skip
    bump_version()
