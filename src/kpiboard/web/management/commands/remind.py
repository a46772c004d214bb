"""``kpiboard remind``: email the reminders due today (see :mod:`kpiboard.web.reminders`)."""

from __future__ import annotations

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from ...reminders import plan, send
from ...store import generation
from ...tasks import today as calendar_today


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--today: {text!r} is not a date (write e.g. 2013-12-02)") from None


class Command(BaseCommand):
    help = (
        "Send the reminders that are due: before a due date, on it, overdue, and escalations to "
        "approvers. Each is sent once, however often this runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list them; send nothing")
        parser.add_argument("--today", help="take this date (YYYY-MM-DD) as today")
        parser.add_argument(
            "--format", choices=["text", "json"], default="text", help="json: the list alone"
        )

    def handle(self, dry_run, today, format, **options):
        on = _date(today) if today else calendar_today()
        reminders = plan(generation(), on)
        failures: list[str] = []
        if not dry_run:
            reminders, failures = send(reminders)
        if format == "json":
            self.stdout.write(json.dumps([r.as_json() for r in reminders], indent=2))
        else:
            verb = "Would send" if dry_run else "Sent"
            self.stdout.write(
                f"{verb} {len(reminders)} reminder{'s' if len(reminders) != 1 else ''} "
                f"for {on.isoformat()}"
            )
            for r in reminders:
                self.stdout.write(f"  {r.address} [{r.kind.value}] {r.line}")
        if failures:
            raise CommandError("some reminders were not sent:\n" + "\n".join(failures))
