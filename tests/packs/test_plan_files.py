"""The business plan files (plan/*.yaml): read, cross-checked, and every mistake named by line."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from click.testing import CliRunner

from kpiboard.cli import main
from kpiboard.core.actions import ActionRag, ActionStatus
from kpiboard.core.kri import SpcTrigger
from kpiboard.core.plan import PriorityLevel
from kpiboard.core.rating import Rating
from kpiboard.packs.loader import check_pack, load_pack
from kpiboard.packs.problems import PackError

PRIORITIES = """\
priorities:
  - id: P1
    title: People live independently
    indicators: [ASC01]
    tags: [bold-steps]
  - id: P1.1
    parent: P1
    title: More personal budgets
  - id: P1.1.a
    parent: P1.1
    title: Direct payments first
    indicators: [ASC02]
"""

ACTIONS = """\
rag: {amber_after: 5, red_after: 20}
actions:
  - id: A1
    title: Offer direct payments first
    section: asc
    owner: Head of Personalisation
    start: 2013-04-01
    due: 2014-03-31
    priorities: [P1.1.a]
    indicators: [ASC02]
    risks: [R1]
    milestones:
      - {title: Guidance revised, due: 2013-07-31, done: 2013-07-20}
    updates:
      - {period: 2013-06, status: on_track, progress: 20}
      - period: 2013-09
        status: at_risk
        progress: 42
        text: Behind after procurement slipped.
        override: {rag: green, reason: Recovered in October, by: Director}
"""

RISKS = """\
matrix:
  likelihood: [Low, Medium, High]
  impact: [Low, Medium, High]
  bands:
    - {name: Tolerable, up_to: 3, colour: green}
    - {name: Intolerable, up_to: 9, colour: red}
  appetite: 3
risks:
  - id: R1
    title: Providers leave
    section: asc
    owner: Head of Commissioning
    cause: Costs rise
    event: A provider withdraws
    effect: People wait for care
    inherent: {likelihood: 3, impact: 3}
    target: {likelihood: 1, impact: 2}
    reviews:
      - {period: 2013-09, likelihood: 2, impact: 3}
      - {period: 2013-06, likelihood: 2, impact: 2}
    review_date: 2013-12-31
    controls: [Quarterly checks]
    actions: [A1]
    priorities: [P1]
    indicators:
      - {indicator: ASC01, rating: amber, spc: concern}
"""


def write(pack_dir, **files):
    (pack_dir / "plan").mkdir(exist_ok=True)
    for name, text in files.items():
        (pack_dir / "plan" / f"{name}.yaml").write_text(text, "utf-8")


@pytest.fixture
def plan_pack(pack_dir):
    write(pack_dir, priorities=PRIORITIES, actions=ACTIONS, risks=RISKS)
    return pack_dir


def test_plan_files_load_into_the_pack(plan_pack):
    plan = load_pack(plan_pack).plan
    assert [(p.id, p.level) for p in plan.priorities] == [
        ("P1", PriorityLevel.AMBITION),
        ("P1.1", PriorityLevel.PRIORITY),
        ("P1.1.a", PriorityLevel.OBJECTIVE),
    ]
    (action,) = plan.actions
    assert (action.start, action.due) == (date(2013, 4, 1), date(2014, 3, 31))
    assert action.milestones[0].done == date(2013, 7, 20)
    assert [u.status for u in action.updates] == [ActionStatus.ON_TRACK, ActionStatus.AT_RISK]
    assert action.updates[1].override.rag is ActionRag.GREEN
    assert (plan.tolerance.amber_after, plan.tolerance.red_after) == (5, 20)
    (risk,) = plan.risks
    assert [r.period.label for r in risk.reviews] == ["2013-06", "2013-09"]  # sorted
    assert plan.matrix.top == 9 and plan.matrix.appetite == 3
    assert risk.kris[0].rating is Rating.AMBER and risk.kris[0].spc is SpcTrigger.CONCERN


def test_a_pack_without_plan_files_has_an_empty_plan(pack_dir):
    assert not load_pack(pack_dir).plan


def messages(pack_dir) -> list[str]:
    return [str(p) for p in check_pack(pack_dir)]


def test_unknown_references_are_named_with_file_and_line(pack_dir):
    write(
        pack_dir,
        priorities=PRIORITIES.replace("[ASC02]", "[ASC99]"),
        actions=ACTIONS.replace("section: asc", "section: nope").replace("[R1]", "[R9]"),
        risks=RISKS.replace("actions: [A1]", "actions: [A7]"),
    )
    assert messages(pack_dir) == [
        "plan/actions.yaml:5: actions[0].section: unknown section 'nope' (the manifest has asc)",
        "plan/actions.yaml:11: actions[0].risks[0]: unknown risk 'R9'",
        "plan/priorities.yaml:12: priorities[2].indicators[0]: unknown indicator 'ASC99'",
        "plan/risks.yaml:23: risks[0].actions[0]: unknown action 'A7'",
    ]


def test_bad_values_are_named_with_file_and_line(pack_dir):
    bad_actions = (
        ACTIONS.replace("due: 2014-03-31", "due: 2013-03-31")
        .replace("progress: 42", "progress: 142")
        .replace("status: at_risk", "status: late")
        .replace("{rag: green, reason: Recovered in October, by: Director}", "{rag: green}")
    )
    bad_risks = RISKS.replace("{likelihood: 3, impact: 3}", "{likelihood: 4, impact: 3}").replace(
        "rating: amber, spc: concern", "rating: pink"
    )
    write(pack_dir, priorities=PRIORITIES, actions=bad_actions, risks=bad_risks)
    assert messages(pack_dir) == [
        "plan/actions.yaml:8: actions[0].due: is before the start date (2013-04-01)",
        "plan/actions.yaml:17: actions[0].updates[1].status: 'late' is not one of: "
        "not_started, on_track, at_risk, off_track, complete, cancelled",
        "plan/actions.yaml:18: actions[0].updates[1].progress: "
        "must be a percentage from 0 to 100, not 142",
        "plan/actions.yaml:20: actions[0].updates[1].override.reason: required but missing",
        "plan/risks.yaml:16: risks[0].inherent.likelihood: "
        "must be a whole number from 1 to 3, not 4",
        "plan/risks.yaml:26: risks[0].indicators[0].indicator: "
        "give rating: (amber or red) and/or spc: (concern or any)",
        "plan/risks.yaml:26: risks[0].indicators[0].rating: 'pink' is not one of: amber, red",
    ]


def test_a_reviews_next_review_date_is_read_and_checked(pack_dir):
    later = RISKS.replace(
        "{period: 2013-09, likelihood: 2, impact: 3}",
        "{period: 2013-09, likelihood: 2, impact: 3, next_review: 2014-01-31}",
    )
    write(pack_dir, priorities=PRIORITIES, actions=ACTIONS, risks=later)
    (risk,) = load_pack(pack_dir).plan.risks
    assert [v.next_review for v in risk.reviews] == [None, date(2014, 1, 31)]
    early = later.replace("next_review: 2014-01-31", "next_review: 2013-09-01")
    write(pack_dir, priorities=PRIORITIES, actions=ACTIONS, risks=early)
    assert messages(pack_dir) == [
        "plan/risks.yaml:19: risks[0].reviews[0].next_review: must not be before the end of "
        "the period reviewed (30 September 2013)"
    ]


def test_a_register_review_date_a_review_overrides_is_warned_of(pack_dir):
    later = RISKS.replace(
        "{period: 2013-09, likelihood: 2, impact: 3}",
        "{period: 2013-09, likelihood: 2, impact: 3, next_review: 2014-01-31}",
    )
    write(pack_dir, priorities=PRIORITIES, actions=ACTIONS, risks=later)
    pack = load_pack(pack_dir)  # valid: a warning never stops a pack loading
    (warning,) = [str(w) for w in pack.warnings]
    line = 1 + later.splitlines().index(next(ln for ln in later.splitlines()
                                              if "review_date:" in ln))  # fmt: skip
    assert warning.startswith(
        f"plan/risks.yaml:{line}: risks[0].review_date: 2013-12-31 has no effect from 2013-09 "
        "on: the 2013-09 review set the next review date 2014-01-31 (its next_review), which wins"
    )
    result = CliRunner().invoke(main, ["check", str(pack_dir)])
    assert result.exit_code == 0 and f"warning: {warning}" in result.output
    same = later.replace("review_date: 2013-12-31", "review_date: 2014-01-31")
    write(pack_dir, priorities=PRIORITIES, actions=ACTIONS, risks=same)
    assert load_pack(pack_dir).warnings == ()
    write(pack_dir, priorities=PRIORITIES, actions=ACTIONS, risks=RISKS)  # no review set one
    assert load_pack(pack_dir).warnings == ()


def test_hierarchy_problems_are_reported(pack_dir):
    looped = PRIORITIES.replace(
        "    title: People live independently",
        "    parent: P1.1.a\n    title: People live independently",
    )
    write(pack_dir, priorities=looped)
    assert "plan/priorities.yaml:3: priorities[0].parent: priorities form a loop" in (
        messages(pack_dir)
    )
    deep = PRIORITIES + "  - {id: P1.1.a.i, parent: P1.1.a, title: Too deep}\n"
    write(pack_dir, priorities=deep)
    assert messages(pack_dir) == [
        "plan/priorities.yaml:13: priorities[3].parent: "
        "nested too deep: the hierarchy is ambition > priority > objective"
    ]


def test_unknown_keys_files_and_duplicates_are_reported(pack_dir):
    write(pack_dir, actions=ACTIONS.replace("    owner:", "    ownr: x\n    owner:"),
          budget="lines: []\n")  # fmt: skip
    found = messages(pack_dir)
    assert "plan/actions.yaml:6: actions[0].ownr: unknown key (did you mean 'owner'?)" in found
    assert any(m.startswith("plan/budget.yaml: unknown plan file") for m in found)
    twice = ACTIONS + ACTIONS.split("actions:\n")[1]
    write(pack_dir, priorities=PRIORITIES, actions=twice, risks=RISKS)
    (pack_dir / "plan" / "budget.yaml").unlink()
    assert "plan/actions.yaml:21: actions[1].id: action A1 is defined twice" in messages(pack_dir)


def test_bad_matrix_is_reported(pack_dir):
    write(pack_dir, risks=RISKS.replace("up_to: 9, colour: red", "up_to: 8, colour: red"))
    assert (
        "plan/risks.yaml:4: matrix.bands: band up_to values must rise and the last must be 9"
        in (messages(pack_dir))
    )


def test_plan_may_name_an_indicator_the_manifest_lists_as_retired(tmp_path, demo_pack_dir):
    folder = tmp_path / "pack"
    shutil.copytree(demo_pack_dir, folder)
    (folder / "indicators" / "ASC07.yaml").unlink()
    (folder / "commentary" / "ASC07.md").unlink(missing_ok=True)
    for data in (folder / "data").glob("*.csv"):
        lines = data.read_text("utf-8").splitlines(True)
        kept = [line for line in lines if not line.startswith("ASC07,")]
        data.write_text("".join(kept), "utf-8")
    manifest = folder / "kpiboard.yaml"
    text = manifest.read_text("utf-8").replace("ASC07, ", "").replace(", ASC07", "")
    manifest.write_text(text, "utf-8")
    with pytest.raises(PackError, match="unknown indicator 'ASC07'"):
        load_pack(folder)
    manifest.write_text(text + "retired_indicators: [ASC07]\n", "utf-8")
    pack = load_pack(folder)
    assert "ASC07" not in pack.indicators
    assert any(k.indicator == "ASC07" for r in pack.plan.risks for k in r.kris)


def test_an_indicator_both_defined_and_retired_is_refused_at_its_file(tmp_path, demo_pack_dir):
    folder = tmp_path / "pack"
    shutil.copytree(demo_pack_dir, folder)
    manifest = folder / "kpiboard.yaml"
    manifest.write_text(manifest.read_text("utf-8") + "retired_indicators: [ASC07]\n", "utf-8")
    with pytest.raises(PackError) as caught:
        load_pack(folder)
    assert "indicators/ASC07.yaml:1: id: indicator ASC07 is listed under retired_indicators" in str(
        caught.value
    )
