"""Changing stored data behind the application's back, as the web tests need to set a scene."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from types import ModuleType

from django.db import OperationalError, connection

from kpiboard.web.models import Figure, Indicator, PlanFile
from kpiboard.web.plan_writes import item_body, item_version
from kpiboard.web.store import bump_version
from kpiboard.web.writes import ConcurrentEdit


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


def saves_at_once(
    monkeypatch, module: ModuleType, first: Callable[[], object], second: Callable[[], object]
) -> tuple[object, object]:
    """Run the save ``first`` in a thread of its own and, while its transaction holds the write
    lock (it holds on in ``module.bump_version``), the save ``second`` in another; each thread
    has its own database connection. Each one's outcome: "saved", or the ConcurrentEdit or
    OperationalError it raised."""
    real_bump = module.bump_version
    first_has_lock, release = threading.Event(), threading.Event()

    def bump_and_hold(indicators=None):
        version = real_bump(indicators)
        if not first_has_lock.is_set():
            first_has_lock.set()
            release.wait(5)
        return version

    monkeypatch.setattr(module, "bump_version", bump_and_hold)
    outcome: dict[int, object] = {}

    def run(number: int, save: Callable[[], object]) -> None:
        try:
            save()
            outcome[number] = "saved"
        except (ConcurrentEdit, OperationalError) as exc:
            outcome[number] = exc
        finally:
            connection.close()

    one = threading.Thread(target=run, args=(1, first))
    one.start()
    assert first_has_lock.wait(10)
    two = threading.Thread(target=run, args=(2, second))
    two.start()
    two.join(0.5)  # the second save is waiting for the first
    release.set()
    one.join(10)
    two.join(30)
    return outcome.get(1), outcome.get(2)
