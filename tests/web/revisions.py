"""Changing stored data behind the application's back, as the web tests need to set a scene."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from kpiboard.web.models import Figure, Indicator, PlanFile
from kpiboard.web.plan_writes import item_body, item_version
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


def plan_version(key: str, ident: str) -> str:
    """The version of the plan's action or risk ``ident`` (``key``: actions or risks) that its
    form, opened now, would carry."""
    plan_file = PlanFile.objects.get(name=f"plan/{key}.yaml", is_current=True)
    return item_version(item_body(plan_file, key, ident))


def save_between_the_reads(
    monkeypatch, reads: Iterable[tuple[object, str]], save: Callable
) -> None:
    """Make ``save`` land just after the first of a page's reads (``reads``: the functions, as
    (module, name), giving the values its form shows and the base it carries), whichever comes
    first: the form must then carry a base no newer than the values shown."""
    landed: list[bool] = []
    for owner, name in reads:
        real = getattr(owner, name)

        def read_then_save(*args, real=real, **kwargs):
            result = real(*args, **kwargs)
            if not landed:
                landed.append(True)
                save()
            return result

        monkeypatch.setattr(owner, name, read_then_save)


def hidden(html: str, name: str = "base_revision") -> str:
    """The value of the hidden input ``name`` on a page (the base its form carries)."""
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found is not None, f"no {name} on the page"
    return found.group(1)
