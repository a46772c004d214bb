"""Where two packs differ: an export is verified by reading it back and comparing it with the
pack it was written from, so a backup that would not restore the same figures, commentary and
definitions is never reported as a success."""

from __future__ import annotations

import dataclasses

import numpy as np

from .model import Pack

_SKIP = {"path", "data", "commentary"}  # where the pack was read from; compared in detail below


def _commentary(expected: Pack, actual: Pack) -> list[str]:
    out = []
    for ind_id in sorted(expected.commentary.keys() | actual.commentary.keys()):
        want = {c.period.label: c.text for c in expected.commentary.get(ind_id, ())}
        got = {c.period.label: c.text for c in actual.commentary.get(ind_id, ())}
        for label in sorted(want.keys() | got.keys()):
            if label not in got:
                out.append(f"commentary {ind_id} {label}: missing")
            elif label not in want:
                out.append(f"commentary {ind_id} {label}: not in the original")
            elif want[label] != got[label]:
                out.append(f"commentary {ind_id} {label}: text differs")
    return out


def _data(expected: Pack, actual: Pack) -> list[str]:
    out = []
    for ind_id in sorted(expected.data.keys() | actual.data.keys()):
        a, b = expected.data.get(ind_id), actual.data.get(ind_id)
        if a is None or b is None:
            out.append(f"figures {ind_id}: {'missing' if b is None else 'not in the original'}")
            continue
        if a.periods != b.periods:
            out.append(f"figures {ind_id}: periods differ")
            continue
        for series in sorted(a.values.keys() | b.values.keys()):
            x, y = a.values.get(series), b.values.get(series)
            if x is None or y is None or not np.array_equal(x, y, equal_nan=True):
                out.append(f"figures {ind_id} {series}: values differ")
    return out


def differences(expected: Pack, actual: Pack) -> list[str]:
    """What differs between two packs, one line per difference; empty when they are the same."""
    out: list[str] = []
    for f in dataclasses.fields(Pack):
        if f.name not in _SKIP and getattr(expected, f.name) != getattr(actual, f.name):
            if f.name == "indicators":
                ids = sorted(expected.indicators.keys() | actual.indicators.keys())
                out.extend(
                    f"indicator {i}: definition differs"
                    for i in ids
                    if expected.indicators.get(i) != actual.indicators.get(i)
                )
            else:
                out.append(f"{f.name} differs")
    return out + _data(expected, actual) + _commentary(expected, actual)
