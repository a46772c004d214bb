"""Read a pack's business plan (``plan/priorities.yaml``, ``plan/actions.yaml``,
``plan/risks.yaml``) into a :class:`~kpiboard.core.plan.Plan`, reporting every problem with its
file and line. docs/business-plan.md describes the files.

Each file is optional; references between them (an action's priorities and risks, a risk's
mitigating actions) and to the rest of the pack (sections, indicators) are checked here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..core.actions import (
    ActionRag,
    ActionStatus,
    Milestone,
    RagOverride,
    RagTolerance,
    default_progress,
)
from ..core.kri import TRIGGER_RATINGS, KeyRiskIndicator, SpcTrigger
from ..core.periods import FinancialCalendar
from ..core.plan import (
    LEVELS,
    Action,
    ActionUpdate,
    Plan,
    Priority,
    Risk,
    RiskReview,
)
from ..core.plan_cycle import next_review_problem
from .fields import FieldReader
from .plan_risks import read_matrix, read_score
from .problems import Problems
from .yamlsource import Mapping, Sequence

PRIORITIES, ACTIONS, RISKS = "plan/priorities.yaml", "plan/actions.yaml", "plan/risks.yaml"
PLAN_FILES = (PRIORITIES, ACTIONS, RISKS)
#: The RAG an owner may set in an override (Complete and Not rated follow from the status).
OVERRIDE_RAGS = {r.value.lower(): r for r in (ActionRag.RED, ActionRag.AMBER, ActionRag.GREEN)}


def read_date(r: FieldReader, key: str) -> date | None:
    value = r.mapping.get(key)
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        r.problem(key, f"{value!r} is not a date (write it as 2013-09-30)")
        return None


def _items(r: FieldReader, key: str) -> list[FieldReader]:
    """A reader for each mapping in the list at ``key`` (other items are reported)."""
    seq = r.sequence_at(key)
    out: list[FieldReader] = []
    if seq is None:
        return out
    for i, item in enumerate(seq):
        if not isinstance(item, Mapping):
            r.problems.report(r.file, seq.line_of(i), f"{r.name(key)}[{i}]", "must be a mapping")
            continue
        out.append(FieldReader(r.problems, r.file, item, f"{r.name(key)}[{i}]."))
    return out


def _top(problems: Problems, rel: str, data: Any) -> FieldReader | None:
    if not isinstance(data, Mapping):
        problems.report(rel, 0, "", "must be a mapping of keys")
        return None
    return FieldReader(problems, rel, data)


def _unique(readers: list[tuple[FieldReader, str]], what: str) -> None:
    seen: set[str] = set()
    for r, ident in readers:
        if ident in seen:
            r.problem("id", f"{what} {ident} is defined twice")
        seen.add(ident)


def read_priorities(data: Any, problems: Problems) -> tuple[Priority, ...]:
    r = _top(problems, PRIORITIES, data)
    if r is None:
        return ()
    r.check_keys(["priorities"])
    read: list[tuple[FieldReader, Priority]] = []
    for pr in _items(r, "priorities"):
        pr.check_keys(["id", "title", "parent", "description", "indicators", "tags"],
                      required=["id", "title"])  # fmt: skip
        parent = pr.ident("parent") or None
        read.append((pr, Priority(
            id=pr.ident("id"), title=pr.text("title"), parent=parent,
            description=pr.text("description"), indicators=tuple(pr.text_list("indicators")),
            tags=tuple(pr.text_list("tags")),
        )))  # fmt: skip
    _unique([(pr, p.id) for pr, p in read], "priority")
    return _levels(read)


def _levels(read: list[tuple[FieldReader, Priority]]) -> tuple[Priority, ...]:
    """Each priority with its level (its depth under its ancestors); an unknown parent, a loop
    or a hierarchy deeper than ambition > priority > objective is reported."""
    by_id = {p.id: p for _, p in read}
    out = []
    for pr, p in read:
        depth, seen, at = 0, {p.id}, p
        while at.parent is not None:
            if at.parent not in by_id:
                if at is p:
                    pr.problem("parent", f"unknown priority {at.parent!r}")
                break
            if at.parent in seen:
                pr.problem("parent", "priorities form a loop")
                break
            seen.add(at.parent)
            at, depth = by_id[at.parent], depth + 1
        if depth >= len(LEVELS):
            names = " > ".join(level.value for level in LEVELS)
            pr.problem("parent", f"nested too deep: the hierarchy is {names}")
            depth = len(LEVELS) - 1
        out.append(Priority(**{**p.__dict__, "level": LEVELS[depth]}))
    return tuple(out)


def _milestone(mr: FieldReader) -> Milestone | None:
    mr.check_keys(["title", "due", "done"], required=["title", "due"])
    due, done = read_date(mr, "due"), read_date(mr, "done")
    return Milestone(mr.text("title"), due, done) if due else None


def _override(ur: FieldReader) -> RagOverride | None:
    block = ur.mapping_at("override")
    if block is None:
        return None
    orr = FieldReader(ur.problems, ur.file, block, ur.name("override."))
    orr.check_keys(["rag", "reason", "by"], required=["rag", "reason"])
    rag = orr.choice("rag", OVERRIDE_RAGS, "")
    if not rag or not orr.text("reason"):
        return None
    return RagOverride(OVERRIDE_RAGS[rag], orr.text("reason"), orr.text("by"))


def _update(ur: FieldReader, calendar: FinancialCalendar) -> ActionUpdate | None:
    ur.check_keys(["period", "status", "progress", "text", "override"],
                  required=["period", "status"])  # fmt: skip
    period = ur.period("period", calendar)
    status = ur.choice("status", [s.value for s in ActionStatus], "")
    progress = ur.number("progress")
    if progress is not None and not 0 <= progress <= 100:
        ur.problem("progress", f"must be a percentage from 0 to 100, not {progress:g}")
        progress = None
    override = _override(ur)
    if period is None or not status:
        return None
    done = default_progress(status)
    return ActionUpdate(period, ActionStatus(status), done if progress is None else progress,
                        ur.text("text"), override)  # fmt: skip


ACTION_KEYS = ["id", "title", "description", "section", "owner", "start", "due", "milestones",
               "updates", "priorities", "indicators", "risks"]  # fmt: skip


def _action(ar: FieldReader, calendar: FinancialCalendar) -> Action | None:
    ar.check_keys(ACTION_KEYS, required=["id", "title", "section", "owner", "start", "due"])
    start, due = read_date(ar, "start"), read_date(ar, "due")
    if start and due and due < start:
        ar.problem("due", f"is before the start date ({start.isoformat()})")
    milestones = tuple(m for m in map(_milestone, _items(ar, "milestones")) if m)
    updates = [u for u in (_update(ur, calendar) for ur in _items(ar, "updates")) if u]
    periods = [u.period for u in updates]
    if len(set(periods)) != len(periods):
        ar.problem("updates", "has two updates for the same period")
    if not (start and due):
        return None
    return Action(
        id=ar.ident("id"), title=ar.text("title"), section=ar.ident("section"),
        owner=ar.text("owner"), start=start, due=due, description=ar.text("description"),
        milestones=milestones, updates=tuple(sorted(updates, key=lambda u: u.period.sort_key)),
        priorities=tuple(ar.text_list("priorities")),
        indicators=tuple(ar.text_list("indicators")), risks=tuple(ar.text_list("risks")),
    )  # fmt: skip


def read_actions(
    data: Any, problems: Problems, calendar: FinancialCalendar
) -> tuple[RagTolerance, tuple[tuple[FieldReader, Action], ...], set[str]]:
    """The RAG tolerance, the actions read whole (with their readers, for cross-checks) and
    the ids of every action written (a broken one is reported once, not again where named)."""
    r = _top(problems, ACTIONS, data)
    if r is None:
        return RagTolerance(), (), set()
    r.check_keys(["rag", "actions"])
    tolerance = RagTolerance()
    block = r.mapping_at("rag")
    if block is not None:
        rr = FieldReader(problems, ACTIONS, block, "rag.")
        rr.check_keys(["amber_after", "red_after"])
        amber = rr.number("amber_after")
        red = rr.number("red_after")
        try:
            tolerance = RagTolerance(
                tolerance.amber_after if amber is None else amber,
                tolerance.red_after if red is None else red,
            )
        except ValueError as exc:
            rr.problem("red_after", str(exc))
    read = [(ar, _action(ar, calendar)) for ar in _items(r, "actions")]
    kept = tuple((ar, a) for ar, a in read if a is not None)
    _unique([(ar, a.id) for ar, a in kept], "action")
    return tolerance, kept, {ar.text("id") for ar, _ in read}


def _kri(kr: FieldReader) -> KeyRiskIndicator:
    kr.check_keys(["indicator", "rating", "spc"], required=["indicator"])
    rating = kr.choice("rating", list(TRIGGER_RATINGS), "")
    spc = kr.choice("spc", [t.value for t in SpcTrigger], SpcTrigger.NONE.value)
    if not rating and spc == SpcTrigger.NONE.value:
        kr.problem("indicator", "give rating: (amber or red) and/or spc: (concern or any)")
    return KeyRiskIndicator(kr.text("indicator"), TRIGGER_RATINGS.get(rating), SpcTrigger(spc))


def _review(vr: FieldReader, calendar: FinancialCalendar, matrix) -> RiskReview | None:
    vr.check_keys(["period", "likelihood", "impact", "note", "next_review"],
                  required=["period", "likelihood", "impact"])  # fmt: skip
    period, score = vr.period("period", calendar), read_score(vr, None, matrix)
    following = read_date(vr, "next_review")
    if period and following and (problem := next_review_problem(following, period)):
        vr.problem("next_review", problem)
        following = None
    return RiskReview(period, score, vr.text("note"), following) if period and score else None


def _overridden_review_date(rr: FieldReader, review_date: date, reviews: list[RiskReview]) -> None:
    """Warn when the register's ``review_date`` is not the next review date in effect: a
    review's ``next_review`` wins from that review's month on (core.plan.next_review), so an
    edit to the register's date alone would have no effect, silently."""
    setting = [v for v in reviews if v.next_review]
    last = setting[-1] if setting else None
    if last is None or last.next_review == review_date:
        return
    assert last.next_review is not None
    month = last.period.label
    rr.warning(
        "review_date",
        f"{review_date.isoformat()} has no effect from {month} on: the {month} review set the "
        f"next review date {last.next_review.isoformat()} (its next_review), which wins; to move "
        "the next review, change that review's next_review (or give a new review), or make "
        "review_date the same to silence this",
    )


RISK_KEYS = ["id", "title", "section", "owner", "cause", "event", "effect", "inherent", "target",
             "reviews", "review_date", "controls", "actions", "priorities", "indicators",
             "appetite"]  # fmt: skip


RISK_REQUIRED = ["id", "title", "section", "owner", "cause", "event", "effect", "inherent",
                 "target", "reviews", "review_date"]  # fmt: skip


def _risk(rr: FieldReader, calendar: FinancialCalendar, matrix) -> Risk | None:
    rr.check_keys(RISK_KEYS, required=RISK_REQUIRED)
    inherent, target = read_score(rr, "inherent", matrix), read_score(rr, "target", matrix)
    reviews = [v for v in (_review(vr, calendar, matrix) for vr in _items(rr, "reviews")) if v]
    reviews.sort(key=lambda v: v.period.sort_key)
    appetite = rr.integer("appetite", None, 1, matrix.top)
    review_date = read_date(rr, "review_date")
    kris = tuple(_kri(kr) for kr in _items(rr, "indicators"))
    if not (inherent and target and reviews and review_date):
        return None
    _overridden_review_date(rr, review_date, reviews)
    return Risk(
        id=rr.ident("id"), title=rr.text("title"), section=rr.ident("section"),
        owner=rr.text("owner"), cause=rr.text("cause"), event=rr.text("event"),
        effect=rr.text("effect"), inherent=inherent, target=target, reviews=tuple(reviews),
        review_date=review_date, controls=tuple(rr.text_list("controls")),
        actions=tuple(rr.text_list("actions")), priorities=tuple(rr.text_list("priorities")),
        kris=kris, appetite=appetite,
    )  # fmt: skip


def read_risks(data: Any, problems: Problems, calendar: FinancialCalendar):
    r = _top(problems, RISKS, data)
    if r is None:
        return read_matrix(None), (), set()
    r.check_keys(["matrix", "risks"])
    matrix = read_matrix(r)
    read = [(rr, _risk(rr, calendar, matrix)) for rr in _items(r, "risks")]
    kept = tuple((rr, k) for rr, k in read if k is not None)
    _unique([(rr, k.id) for rr, k in kept], "risk")
    return matrix, kept, {rr.text("id") for rr, _ in read}


def _section(r: FieldReader, section: str, sections: set[str]) -> None:
    if section not in sections:
        have = ", ".join(sorted(sections)) or "none"
        r.problem("section", f"unknown section {section!r} (the manifest has {have})")


def _refs(r: FieldReader, key: str, ids: list[str], known: set[str], what: str) -> None:
    seq = r.mapping.get(key)
    for i, ident in enumerate(ids):
        if ident not in known:
            line = seq.line_of(i) if isinstance(seq, Sequence) else r.line(key)
            r.problems.report(r.file, line, f"{r.name(key)}[{i}]", f"unknown {what} {ident!r}")


def read_plan(
    files: dict[str, Any], problems: Problems, calendar: FinancialCalendar,
    sections: set[str], indicators: set[str],
) -> Plan:  # fmt: skip
    """The plan from the parsed ``plan/`` files (file name -> YAML data), checked against the
    pack's ``sections`` and ``indicators``."""
    for rel in files:
        if rel not in PLAN_FILES:
            problems.report(rel, 0, "", f"unknown plan file (the plan files are "
                            f"{', '.join(PLAN_FILES)})")  # fmt: skip
    priorities = read_priorities(files[PRIORITIES], problems) if PRIORITIES in files else ()
    tolerance = RagTolerance()
    actions: tuple[tuple[FieldReader, Action], ...] = ()
    action_ids: set[str] = set()
    if ACTIONS in files:
        tolerance, actions, action_ids = read_actions(files[ACTIONS], problems, calendar)
    matrix, risks, risk_ids = (read_risks(files[RISKS], problems, calendar) if RISKS in files
                               else (read_matrix(None), (), set()))  # fmt: skip
    priority_ids = {p.id for p in priorities}
    _check_priority_refs(files.get(PRIORITIES), problems, indicators)
    for ar, a in actions:
        _section(ar, a.section, sections)
        _refs(ar, "priorities", list(a.priorities), priority_ids, "priority")
        _refs(ar, "indicators", list(a.indicators), indicators, "indicator")
        _refs(ar, "risks", list(a.risks), risk_ids, "risk")
    for rr, k in risks:
        _section(rr, k.section, sections)
        _refs(rr, "actions", list(k.actions), action_ids, "action")
        _refs(rr, "priorities", list(k.priorities), priority_ids, "priority")
        for i, kri in enumerate(k.kris):
            if kri.indicator not in indicators:
                line = rr.mapping["indicators"].line_of(i)
                problems.report(rr.file, line, f"{rr.name('indicators')}[{i}].indicator",
                                f"unknown indicator {kri.indicator!r}")  # fmt: skip
    return Plan(priorities, tuple(a for _, a in actions), tuple(k for _, k in risks), matrix,
                tolerance)  # fmt: skip


def _check_priority_refs(data: Any, problems: Problems, indicators: set[str]) -> None:
    if not isinstance(data, Mapping) or not isinstance(data.get("priorities"), Sequence):
        return
    for i, item in enumerate(data["priorities"]):
        if isinstance(item, Mapping) and isinstance(item.get("indicators"), Sequence):
            r = FieldReader(problems, PRIORITIES, item, f"priorities[{i}].")
            _refs(r, "indicators", [str(x) for x in item["indicators"]], indicators, "indicator")
