"""``kpiboard remind``: reminders before, on and after due dates, escalation to approvers, JSON
output, and each reminder sent once however often it runs (Django's locmem email backend, the
clock frozen with --today)."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from click.testing import CliRunner
from django.contrib.auth import get_user_model
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command

from kpiboard.cli import main as cli
from kpiboard.web.models import SentReminder
from kpiboard.web.reminders import plan, send
from kpiboard.web.signoff import set_signoff
from kpiboard.web.store import current_pack, generation
from kpiboard.web.writes import save_period_entry

#: On 2 December 2013: 13 about figures and commentary, and 16 about the business plan (the scs
#: owner's 6 October updates and reviews, and the asc approver's 10 escalated ones).
ON_DEC_2 = 29
#: The ten monthly Adult Social Care indicators (ASC06 is irregular: it never falls due).
ASC_MONTHLY = {f"ASC{n:02d}" for n in range(1, 12)} - {"ASC06"}
KEYS = {"recipient", "username", "indicator", "period", "kind", "due", "section"}
#: A business plan task's reminder says which task instead of an indicator.
PLAN_KEYS = KEYS | {"plan_task", "item"}


@pytest.fixture
def people(demo_site):
    """The demo people, with addresses for the owner of ASC01 and the asc approver."""
    for name in ("owner", "approver", "section_owner"):
        demo_site[name].email = f"{name}@example.org"
        demo_site[name].save()
    return demo_site


def remind(*args: str) -> list[dict]:
    out = io.StringIO()
    call_command("remind", "--format", "json", *args, stdout=out)
    return json.loads(out.getvalue())


def about(messages: list[dict], **match) -> list[dict]:
    return [m for m in messages if all(m.get(k) == v for k, v in match.items())]


def figures(messages: list[dict]) -> list[dict]:
    """The reminders about indicators' figures and commentary (not the business plan's)."""
    return [m for m in messages if m["indicator"] is not None]


def test_remind_dry_run_lists_the_reminders_and_sends_nothing(people, mailoutbox):
    found = remind("--dry-run", "--today", "2013-12-02")
    assert found and all(set(m) == (KEYS if m["indicator"] else PLAN_KEYS) for m in found)
    owner = about(found, recipient="owner@example.org")
    assert owner == [
        {
            "recipient": "owner@example.org", "username": "owner", "indicator": "ASC01",
            "period": "2013-10", "kind": "overdue", "due": "2013-11-14", "section": "asc",
        }
    ]  # fmt: skip
    escalated = figures(about(found, recipient="approver@example.org"))
    assert {m["indicator"] for m in escalated} == ASC_MONTHLY
    assert {m["kind"] for m in escalated} == {"escalation"}
    assert mailoutbox == [] and not SentReminder.objects.exists()


def test_remind_sends_what_the_dry_run_listed_once_and_then_nothing(people, mailoutbox):
    planned = remind("--dry-run", "--today", "2013-12-02")
    assert remind("--today", "2013-12-02") == planned
    assert sorted(m.to[0] for m in mailoutbox) == [
        "approver@example.org",
        "owner@example.org",
        "section_owner@example.org",
    ]  # one email per person, listing all their reminders
    approver = next(m for m in mailoutbox if m.to == ["approver@example.org"])
    assert approver.subject == "20 reminders about performance figures (20 overdue)"  # 10 plan
    assert "ASC02 Direct Payments, October 2013: figures due 14 November 2013" in approver.body
    assert "http://127.0.0.1:8000/entry/ASC02/2013-10/\n" in approver.body
    assert SentReminder.objects.count() == len(planned)
    assert remind("--today", "2013-12-02") == []
    assert remind("--dry-run", "--today", "2013-12-02") == []
    assert len(mailoutbox) == 3


def test_remind_escalates_to_the_approver_after_five_working_days(people):
    # October's figures were due on Thursday 14 November.
    late = figures(remind("--dry-run", "--today", "2013-11-20"))
    assert {m["kind"] for m in late} == {"overdue"}
    later = remind("--dry-run", "--today", "2013-11-21")
    assert {m["kind"] for m in about(later, recipient="approver@example.org")} == {"escalation"}
    assert about(later, recipient="owner@example.org", kind="overdue")


def test_remind_before_and_on_the_due_date(people):
    assert remind("--dry-run", "--today", "2013-11-08") == []
    soon = remind("--dry-run", "--today", "2013-11-11")
    assert about(soon, recipient="owner@example.org") == [
        {
            "recipient": "owner@example.org", "username": "owner", "indicator": "ASC01",
            "period": "2013-10", "kind": "before_due", "due": "2013-11-14", "section": "asc",
        }
    ]  # fmt: skip
    assert {m["kind"] for m in figures(remind("--dry-run", "--today", "2013-11-14"))} == {"due"}


def test_remind_counts_quarterly_indicators_only_when_their_quarter_ends(people):
    scs = {m["indicator"] for m in about(remind("--dry-run", "--today", "2014-01-20"))}
    assert "SCS01" in scs  # the quarter to December fell due on 15 January
    early = {m["indicator"] for m in figures(remind("--dry-run", "--today", "2013-12-30"))}
    assert not any(code.startswith("SCS") for code in early)


def test_remind_nothing_for_work_entered_and_submitted(people):
    owner = people["owner"]
    save_period_entry(owner, "ASC01", "2013-10", {"actual": 75.0}, {"actual": 0}, None, 0, "")
    # The figure is in but not submitted: still overdue (a task completes on submission).
    assert about(remind("--dry-run", "--today", "2013-12-02"), indicator="ASC01")
    save_period_entry(owner, "ASC01", "2013-10", {}, {}, "Steady.", 0, "")
    set_signoff(owner, "asc", "2013-10", "submitted")
    assert about(remind("--dry-run", "--today", "2013-12-02"), indicator="ASC01") == []


def test_remind_figures_in_the_commentary_still_due(people):
    owner = people["owner"]
    save_period_entry(owner, "ASC01", "2013-10", {"actual": 75.0}, {"actual": 0}, None, 0, "")
    set_signoff(owner, "asc", "2013-10", "submitted")
    found = about(remind("--dry-run", "--today", "2013-11-21"), recipient="owner@example.org")
    assert [(m["indicator"], m["kind"], m["due"]) for m in found] == [
        ("ASC01", "due", "2013-11-21")  # the commentary's due date
    ]


def test_remind_leaves_out_people_without_an_address(demo_site):
    get_user_model().objects.update(email="")
    assert remind("--dry-run", "--today", "2013-12-02") == []


class RefusingBackend(BaseEmailBackend):
    """The mail server refusing: the network edge."""

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_remind_failed_email_reported_and_tried_again_next_run(people, settings, mailoutbox):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    with pytest.raises(CommandError, match=r"owner@example\.org: not sent .*mail server down"):
        remind("--today", "2013-12-02")
    assert not SentReminder.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert len(remind("--today", "2013-12-02")) == ON_DEC_2


def test_remind_bad_date_is_a_clear_error(people):
    with pytest.raises(CommandError, match="--today: '2013-02-30' is not a date"):
        remind("--today", "2013-02-30")


def test_remind_cli_json_output_is_only_the_list(people, mailoutbox):
    result = CliRunner().invoke(
        cli, ["remind", "--dry-run", "--today", "2013-12-02", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == ON_DEC_2
    text = CliRunner().invoke(cli, ["remind", "--dry-run", "--today", "2013-12-02"])
    assert text.stdout.startswith(f"Would send {ON_DEC_2} reminders for 2013-12-02\n")


@pytest.mark.django_db
def test_remind_on_the_demo_database_overdue_october_then_sent_once(mailoutbox):
    """The acceptance check: the demo as ``kpiboard manage setupdemo`` leaves it."""
    call_command("setupdemo", stdout=io.StringIO())
    planned = remind("--dry-run", "--today", "2013-12-02")
    assert {(m["period"], m["kind"]) for m in figures(planned)} == {
        ("2013-10", "overdue"),
        ("2013-10", "escalation"),
    }
    monthly = ASC_MONTHLY | {"LEAD05", "LEAD06"}
    for kind, role in (("overdue", "owner"), ("escalation", "approver")):
        sent = figures(about(planned, kind=kind))
        assert {m["indicator"] for m in sent} == monthly
        assert all(m["recipient"] == f"{m['section']}-{role}@example.org" for m in sent)
    assert remind("--today", "2013-12-02") == planned
    assert len(mailoutbox) == 4  # an owner and an approver for each of the two sections
    assert remind("--today", "2013-12-02") == []
    assert len(mailoutbox) == 4


def test_remind_two_runs_planned_at_once_send_each_reminder_once(people, mailoutbox):
    """Two runs that both planned before either sent (overlapping cron jobs): the second finds
    the reminders recorded by the first and sends none of them."""
    made = generation()
    on = date(2013, 12, 2)
    first, second = plan(made, on), plan(made, on)
    assert len(first) == len(second) == ON_DEC_2
    assert len(send(first)[0]) == ON_DEC_2
    assert send(second) == ([], [])
    assert len(mailoutbox) == 3 and SentReminder.objects.count() == ON_DEC_2


def test_remind_section_owner_about_october_plan_updates_and_reviews(people, mailoutbox):
    found = about(remind("--today", "2013-12-02"), recipient="section_owner@example.org")
    plan_ones = [(m["plan_task"], m["item"], m["kind"], m["due"]) for m in found
                 if m["indicator"] is None]  # fmt: skip
    assert plan_ones == [
        ("action_update", "ACT-RECRUIT", "overdue", "2013-11-21"),
        ("action_update", "ACT-TRIAGE", "overdue", "2013-11-21"),
        ("action_update", "ACT-ADOPT", "overdue", "2013-11-21"),
        ("action_update", "ACT-PLACE", "overdue", "2013-11-21"),
        ("risk_review", "R-WORK", "overdue", "2013-11-21"),  # SCS02 rated Red
        ("risk_review", "R-PLACE", "overdue", "2013-11-21"),  # SCS06 rated Amber
    ]
    body = next(m for m in mailoutbox if m.to == ["section_owner@example.org"]).body
    assert "business plan updates need your attention" in body
    assert "Progress update: ACT-RECRUIT Recruit permanent social workers" in body
    assert "/plan/actions/ACT-RECRUIT/update/2013-10/" in body
    assert SentReminder.objects.filter(plan_task="risk_review", plan_item="R-WORK").count() == 1
    assert about(remind("--today", "2013-12-02"), recipient="section_owner@example.org") == []


def test_remind_nothing_for_a_plan_update_given(people):
    from kpiboard.core.actions import ActionStatus
    from kpiboard.web.plan_writes import (
        current_actions,
        item_body,
        item_version,
        save_action_update,
    )

    october = current_pack().calendar.parse("2013-10")
    save_action_update(
        people["section_owner"], "ACT-RECRUIT", october, status=ActionStatus.ON_TRACK,
        progress=35, text="Offers accepted.",
        base_version=item_version(item_body(current_actions(), "actions", "ACT-RECRUIT")),
    )  # fmt: skip
    found = remind("--dry-run", "--today", "2013-12-02")
    assert about(found, item="ACT-TRIAGE") and not about(found, item="ACT-RECRUIT")
