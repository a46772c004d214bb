"""The priority hierarchy: which priorities an indicator measures, those above included."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kpiboard.core.plan import Plan, Priority, indicator_priorities

PLAN = Plan(
    priorities=(
        Priority("A", "Ambition", indicators=("I1",)),
        Priority("A-1", "Priority", parent="A", indicators=("I2",)),
        Priority("A-1a", "Objective", parent="A-1", indicators=("I3", "I2")),
        Priority("A-2", "Other priority", parent="A"),
        Priority("B", "Second ambition", indicators=("I3",)),
    )
)


def under(plan: Plan, priority_id: str) -> set[str]:
    """The priority and every one below it, by walking down from it."""
    out, todo = {priority_id}, [priority_id]
    while todo:
        parent = todo.pop()
        below = [p.id for p in plan.priorities if p.parent == parent]
        out.update(below)
        todo.extend(below)
    return out


def test_indicator_priorities_include_the_priorities_above():
    assert indicator_priorities(PLAN) == {
        "I1": frozenset({"A"}),
        "I2": frozenset({"A", "A-1", "A-1a"}),
        "I3": frozenset({"A", "A-1", "A-1a", "B"}),
    }


@st.composite
def plans(draw) -> Plan:
    """A random forest of up to 12 priorities, each with some of five indicators."""
    count = draw(st.integers(1, 12))
    out = []
    for n in range(count):
        parent = draw(st.one_of(st.none(), st.integers(0, n - 1))) if n else None
        codes = draw(st.lists(st.sampled_from(["I1", "I2", "I3", "I4", "I5"]), max_size=3))
        out.append(Priority(f"P{n}", f"P{n}", parent=None if parent is None else f"P{parent}",
                            indicators=tuple(codes)))  # fmt: skip
    return Plan(priorities=tuple(out))


@given(plans())
def test_indicator_priorities_agree_with_under(plan):
    """An indicator is linked to a priority exactly when it measures something under it."""
    linked = indicator_priorities(plan)
    for p in plan.priorities:
        covered = {c for q in plan.priorities if q.id in under(plan, p.id) for c in q.indicators}
        assert {c for c, ids in linked.items() if p.id in ids} == covered
