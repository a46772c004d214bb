"""The kpiboard command line: a thin front end over kpiboard's packs, core and report."""

from __future__ import annotations

import csv
import gc
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC
from pathlib import Path
from typing import Any

import click

from .core.periods import PeriodError
from .demo import DESCRIPTIONS, DemoKind
from .packs.problems import PackError
from .progress import TerminalProgress
from .report.formats import OUTPUT_FORMATS, format_of_path, one_of

READING = "Reading and checking the pack"


def _load(pack_path: str):
    """The pack, or its problems listed and exit status 1.

    The pack's objects live until the command ends and form no cycles, so they are frozen out
    of the garbage collector's sight until then: its first pass after loading would otherwise
    walk all of them (a million objects for a large pack), and every full pass after that
    again."""
    from .packs.loader import load_pack

    was = gc.isenabled()
    gc.disable()
    try:
        with TerminalProgress() as progress:
            progress(0, 0, READING, force=True)
            return load_pack(pack_path)
    except PackError as exc:
        _fail_with_problems(exc)
    finally:
        gc.freeze()
        context = click.get_current_context(silent=True)
        if context is not None:  # a process that goes on (the tests) collects them again
            context.call_on_close(gc.unfreeze)
        if was:
            gc.enable()


def _goes_ahead(description: str, dry_run: bool, changes: bool) -> bool:
    """Print what a command would change; whether it should go on and write it."""
    click.echo(description)
    if dry_run:
        click.echo("Dry run: nothing written.")
    elif not changes:
        click.echo("Nothing to change.")
    return changes and not dry_run


def _fail_with_problems(exc: PackError) -> None:
    for problem in exc.problems:
        click.echo(str(problem), err=True)
    count = len(exc.problems)
    click.echo(f"{count} problem{'s' if count != 1 else ''} found.", err=True)
    sys.exit(1)


def _check_out(out: str) -> None:
    """Stop at once, in one line, when ``--out`` is plainly not writable (a folder, or a folder
    we may not write in), before any work is done; :func:`_writing` catches the rest."""
    path = Path(out)
    if path.is_dir():
        raise click.ClickException(f"cannot write {out}: it is a folder; give a file name")
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise click.ClickException(f"cannot write {out}: {parent} is not a folder")
    if not path.exists() and not os.access(parent, os.W_OK | os.X_OK):
        raise click.ClickException(f"cannot write {out}: no permission to write in {parent}")


@contextmanager
def _writing(out: str):
    """Turn a failure to write ``out`` (permissions, a full disk, a special file) into one
    clear line and exit status 1 instead of a traceback."""
    try:
        yield
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise click.ClickException(f"cannot write {out}: {reason}") from None


def _as_at(pack, text: str | None):
    if not text:
        return None
    try:
        return pack.calendar.parse(text)
    except PeriodError as exc:
        raise click.BadParameter(str(exc), param_hint="--as-at") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kpiboard")
def main() -> None:
    """kpiboard: performance indicators, RAG ratings and committee reports for public services."""


@main.command()
@click.argument("pack", type=click.Path(exists=True, file_okay=False))
def check(pack: str) -> None:
    """Validate PACK and list every problem in it (exit 1 if any), then every warning: what is
    valid but has no effect (exit 0)."""
    p = _load(pack)
    click.echo(
        f"{pack}: valid pack: {len(p.indicators)} indicators in {len(p.sections)} sections, "
        f"as at {p.as_at.display}."
    )
    for warning in p.warnings:
        click.echo(f"warning: {warning}")


@main.command()
@click.argument("pack", type=click.Path(exists=True, file_okay=False))
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
@click.option("--as-at", help="Evaluate as at this period instead of the pack's (e.g. 2013-08).")
@click.option("--indicator", "only", multiple=True, help="Only these indicator ids.")
def rate(pack: str, fmt: str, as_at: str | None, only: tuple[str, ...]) -> None:
    """Rate every indicator and period in PACK: rating, override and direction of travel."""
    from .packs.exporter import result_rows
    from .packs.spreadsheet_safety import neutralise_formula

    p = _load(pack)
    with TerminalProgress() as progress:
        progress(0, 0, "Rating", force=True)
        rows = result_rows(p, _as_at(p, as_at))
    if only:
        unknown = sorted(set(only) - set(p.indicators))
        if unknown:
            raise click.BadParameter(
                f"unknown indicator(s): {', '.join(unknown)}", param_hint="--indicator"
            )
        rows = [r for r in rows if r["indicator"] in only]
    if fmt == "json":
        for piece in _json_lines(rows):
            click.echo(piece, nl=False)
    elif fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["indicator"])
        writer.writeheader()
        # Override reasons and titles are free text: none may open as a formula in a spreadsheet.
        writer.writerows({k: neutralise_formula(v) for k, v in r.items()} for r in rows)
    else:
        _print_table(p, rows)


def _json_lines(rows: list[dict], per_piece: int = 1000) -> Iterator[str]:
    """``rows`` (flat objects, each with the same first key) as a JSON array with one row on
    each line, like the CSV, in pieces of ``per_piece`` rows so the whole text is never held.

    Each piece is one call of the json module's C encoder (the indented layout is the pure-Python
    encoder, which took longer than the rating), and the line breaks go where it wrote ``}, {``
    and the first key: only the start of a row can look like that, because inside a string a
    ``"`` is always written escaped."""
    if not rows:
        yield "[]\n"
        return
    first = json.dumps(next(iter(rows[0]), ""))
    between, broken = "}, {" + first + ": ", "},\n{" + first + ": "
    for start in range(0, len(rows), per_piece):
        text = json.dumps(rows[start : start + per_piece])[1:-1]
        yield ("[\n" if start == 0 else ",\n") + text.replace(between, broken)
    yield "\n]\n"


def _print_table(pack, rows: list[dict]) -> None:
    """Figures in each indicator's unit, as the report writes them but with every decimal
    (csv and json keep the raw numbers as written in the data, with a ``unit`` column)."""
    headings = ["Indicator", "Period", "Actual", "Target", "Rating", "Direction"]
    body = []
    for r in rows:
        unit = pack.indicators[r["indicator"]].unit
        rating = r["rating"] + (" (override)" if r["overridden"] else "")
        body.append([
            r["indicator"], r["period_label"], unit.format_full(r["actual"]),
            unit.format_full(r["target"]), rating, r["direction"].replace("_", " "),
        ])  # fmt: skip
    widths = [max(len(h), *(len(str(row[i])) for row in body)) for i, h in enumerate(headings)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(headings, widths, strict=True)))
    click.echo("  ".join("-" * w for w in widths))
    for row in body:
        click.echo("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


@main.command()
@click.argument("pack", type=click.Path(exists=True, file_okay=False))
@click.option("--format", "fmt", type=click.Choice(list(OUTPUT_FORMATS)), default=None,
              help="Output format (default: from the --out suffix).")  # fmt: skip
@click.option("--out", "out", type=click.Path(), required=True, help="File to write.")
@click.option("--tag", "tags", multiple=True, help="Only indicators with this tag (repeatable).")
@click.option("--subset", help="A named subset from the manifest (e.g. bold-steps).")
@click.option("--as-at", help="Report as at this period instead of the pack's.")
def report(pack: str, fmt: str | None, out: str, tags: tuple[str, ...], subset: str | None,
           as_at: str | None) -> None:  # fmt: skip
    """Build the committee report for PACK as HTML or PDF."""
    from .report import build_report
    from .report import write as write_report
    from .report.pdf import PdfRenderError

    p = _load(pack)
    _check_out(out)
    chosen = OUTPUT_FORMATS[fmt] if fmt else format_of_path(out)
    if chosen is None:
        suffixes = one_of([f.suffix for f in OUTPUT_FORMATS.values()])
        raise click.BadParameter(
            f"give --format {one_of(list(OUTPUT_FORMATS))}, or an --out ending {suffixes}"
        )
    title = ""
    if subset:
        if subset not in p.subsets:
            names = ", ".join(p.subsets) or "none defined"
            raise click.BadParameter(f"unknown subset {subset!r} ({names})", param_hint="--subset")
        tags = tags + p.subsets[subset].tags
        title = p.subsets[subset].title
    if tags:
        known = {t for ind in p.indicators.values() for t in ind.tags}
        unknown = sorted(set(tags) - known)
        if unknown:
            raise click.BadParameter(
                f"no indicator has tag(s) {', '.join(unknown)}", param_hint="--tag"
            )
        title = title or "Indicators tagged " + ", ".join(p.tag_label(t) for t in tags)
    with TerminalProgress() as progress:
        tick = progress.counter(len(p.indicators), "Building pages")
        model = build_report(
            p, tags=tags, as_at=_as_at(p, as_at), subset_title=title, progress=tick
        )
        progress(0, 0, f"Rendering the {chosen.name.upper()}", force=True)
        with _writing(out):
            Path(out).parent.mkdir(parents=True, exist_ok=True)
            try:
                size = write_report(model, chosen.name, Path(out))
            except PdfRenderError as exc:
                raise click.ClickException(str(exc)) from None
    click.echo(f"Wrote {out} ({size / 1024:.0f} KiB, {len(model.pages)} indicator pages).")


@main.command()
@click.argument("pack", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--out",
    "out",
    type=click.Path(),
    required=True,
    help="New (or empty) folder to write the public site and its data into.",
)
@click.option("--as-at", help="Publish up to this period instead of the pack's as_at.")
def publish(pack: str, out: str, as_at: str | None) -> None:
    """Publish PACK as open data: a static public site with its data as CSV and JSON, described
    by a Frictionless Data Package. A pack's figures up to its as_at period (or --as-at, which
    may only be earlier) count as approved; nothing after it is published."""
    import getpass
    from datetime import datetime

    from .publish import Part, Publisher, PublishError, build, write_folder

    p = _load(pack)
    when = _as_at(p, as_at) or p.as_at
    if p.as_at < when:
        raise click.BadParameter(
            f"{when.label} is after the pack's as_at period ({p.as_at.label}): figures after "
            "as_at are not approved",
            param_hint="--as-at",
        )
    part = Part(p, tuple(s.id for s in p.sections), when, f"the pack's figures up to {when.label}")
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this account
        user = str(os.getuid())
    publisher = Publisher(user, datetime.now(UTC), "kpiboard publish")
    try:
        files = build([part], publisher)
        with _writing(out):
            write_folder(files, out)
    except PublishError as exc:
        raise click.ClickException(str(exc)) from None
    pages = sum(name.endswith(".html") for name in files)
    click.echo(f"Published {out}: {pages} pages and {len(files) - pages} other files, "
               f"figures up to {when.long_display}.")  # fmt: skip


@main.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--pack", required=True, type=click.Path(exists=True, file_okay=False),
              help="The pack to import into.")  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Show what would change and write nothing.")
@click.option("--sheet", help="Worksheet name (XLSX), default the first.")
def import_(file: str, pack: str, dry_run: bool, sheet: str | None) -> None:
    """Import figures from a CSV or XLSX FILE (long or wide layout) into PACK, all or nothing.

    A sheet whose first column is 'action' or 'risk' (the Actions or Risks sheet of `kpiboard
    export`, filled in) brings the business plan's progress updates or risk reviews instead.
    """
    from .packs.importer import apply_import, plan_import
    from .packs.plan_updates import apply_plan_updates, plan_plan_updates, sheet_kind
    from .packs.tables import load_table

    planned: Any
    apply: Callable[[Any], object]
    try:
        with TerminalProgress() as progress:
            progress(0, 0, f"Checking {Path(file).name} against the pack", force=True)
            if sheet_kind(load_table(file, sheet)) is None:
                planned, apply = plan_import(pack, file, sheet=sheet), apply_import
            else:
                planned, apply = plan_plan_updates(pack, file, sheet), apply_plan_updates
    except PackError as exc:
        _fail_with_problems(exc)
    if not _goes_ahead(planned.describe(), dry_run, planned.has_changes):
        return
    try:
        with TerminalProgress() as progress:
            progress(0, 0, f"Writing into {pack}", force=True)
            apply(planned)
    except PackError as exc:
        _fail_with_problems(exc)
    click.echo(f"Imported into {pack}.")


@main.command()
@click.argument("pack", type=click.Path(exists=True, file_okay=False))
@click.option("--out", required=True, type=click.Path(), help="A .csv or .xlsx file.")
@click.option(
    "--layout",
    type=click.Choice(["results", "wide"]),
    default="results",
    help="results: ratings by indicator and period; wide: data as trend tables.",
)
@click.option("--as-at", help="Evaluate as at this period.")
def export(pack: str, out: str, layout: str, as_at: str | None) -> None:
    """Export PACK's results (or its data in the wide layout) to CSV or XLSX."""
    from .packs.exporter import export_results, export_wide

    p = _load(pack)
    _check_out(out)
    try:
        with _writing(out), TerminalProgress() as progress:
            progress(0, 0, f"Writing {out}", force=True)
            if layout == "wide":
                export_wide(p, out)
            else:
                export_results(p, out, _as_at(p, as_at))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--out") from None
    click.echo(f"Wrote {out}.")


@main.command()
@click.argument("pack", type=click.Path(exists=True, file_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              help="json: a list for scripts.")  # fmt: skip
@click.option("--as-at", help="Draft as at this period instead of the pack's.")
@click.option("--indicator", "only", multiple=True, help="Only these indicator ids.")
@click.option(
    "--plan",
    "plan",
    is_flag=True,
    help="Draft a progress summary of each section's business plan instead.",
)
def draft(pack: str, fmt: str, as_at: str | None, only: tuple[str, ...], plan: bool) -> None:
    """Draft commentary for every indicator in PACK from its figures, for officers to edit."""
    from .core.draft import draft_commentary

    p = _load(pack)
    if plan:
        _draft_plan(p, fmt, as_at)
        return
    unknown = sorted(set(only) - set(p.indicators))
    if unknown:
        raise click.BadParameter(
            f"unknown indicator(s): {', '.join(unknown)}", param_hint="--indicator"
        )
    analyses = p.analyse(_as_at(p, as_at))
    drafts = []
    for ind_id, analysis in analyses.items():
        if only and ind_id not in only:
            continue
        latest = analysis.result.latest
        drafts.append(
            {
                "indicator": ind_id,
                "title": analysis.indicator.title,
                "period": latest.period.label if latest else None,
                "draft": draft_commentary(analysis),
            }
        )
    if fmt == "json":
        click.echo(json.dumps(drafts, indent=2, ensure_ascii=False))
        return
    click.echo("Drafted by kpiboard from the figures: check and edit before use.\n")
    for item in drafts:
        click.echo(f"{item['indicator']} {item['title']}")
        if item["period"]:
            click.echo(f"  ({item['period']})")
        click.echo(f"  {item['draft'] or 'No figure yet: nothing to draft.'}\n")


def _draft_plan(p, fmt: str, as_at: str | None) -> None:
    """``draft --plan``: each section's business plan summarised, from the assessed plan."""
    from .core.plan import assess
    from .core.plan_draft import draft_plan_summary

    if not p.plan:
        raise click.UsageError("this pack has no business plan (plan/ files): nothing to draft")
    when = _as_at(p, as_at) or p.as_at
    status = assess(p.plan, when, p.analyse(when))
    drafts = [
        {"section": s.id, "title": s.title, "period": when.label,
         "draft": draft_plan_summary(status, s.id)}
        for s in p.sections
    ]  # fmt: skip
    if fmt == "json":
        click.echo(json.dumps(drafts, indent=2, ensure_ascii=False))
        return
    click.echo("Drafted by kpiboard from the business plan: check and edit before use.\n")
    for item in drafts:
        click.echo(f"{item['title']} ({item['period']})")
        click.echo(f"  {item['draft'] or 'No actions or risks in this section.'}\n")


@main.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option(
    "--kind",
    type=click.Choice([k.value for k in DemoKind]),
    default=DemoKind.COUNCIL.value,
    show_default=True,
    help="council: a county council's 2013 report; nhs-trust: an NHS trust's board report.",
)
@click.option("--report", "with_report", is_flag=True, help="Also build the HTML and PDF reports.")
def demo(directory: str, kind: str, with_report: bool) -> None:
    """Write a demo pack to DIRECTORY (see --kind)."""
    from .demo import write_demo

    try:
        path = write_demo(directory, kind=kind)
    except FileExistsError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Demo pack ({DESCRIPTIONS[DemoKind(kind)]}) written to {path}")
    if with_report:
        from .packs.loader import load_pack
        from .report import build_report, write

        p = load_pack(path)
        model = build_report(p)
        for fmt in OUTPUT_FORMATS.values():
            out = path / f"report{fmt.suffix}"
            write(model, fmt.name, out)
            click.echo(f"Report ({fmt.name.upper()}): {out.resolve()}")


def _django(data_dir: str | None = None) -> None:
    """Set up Django; settings that refuse to start (production safety checks, bad values) stop
    the command with their one-line message, not a traceback."""
    import os

    if data_dir:
        os.environ["KPIBOARD_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpiboard.web.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        click.echo(f"kpiboard: {exc}", err=True)
        sys.exit(1)


@main.command(
    add_help_option=False,
    options_metavar="COMMAND [ARGUMENTS]...",
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
)
@click.pass_context
def manage(ctx: click.Context) -> None:
    """Run a Django management command for the web application (migrate, loadpack, ...).

    `kpiboard manage COMMAND --help` shows the help of COMMAND; `kpiboard manage` alone lists the
    commands.
    \f
    Click's own help option is off here so that ``kpiboard manage NAME --help`` reaches Django and
    shows NAME's help; ``kpiboard manage -h`` or ``--help`` shows this one, and ``kpiboard
    manage`` alone Django's list of commands."""
    if ctx.args[:1] and ctx.args[0] in ctx.help_option_names:
        click.echo(ctx.get_help())
        return
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kpiboard manage", *ctx.args])


def _worker_command(max_tasks: int | None = None, batch: bool = False) -> list[str]:
    """django-tasks' database worker, with a worker id naming this machine and process, which is
    what lets the next worker here tell that a job's worker died (see web.jobs)."""
    from .web import jobs

    args = ["db_worker", "--no-reload", "--worker-id", jobs.worker_id(), "--interval", "1"]
    if max_tasks:
        args += ["--max-tasks", str(max_tasks)]
    if batch:
        args.append("--batch")
    return args


@main.command()
@click.option("--batch", is_flag=True, help="Run the jobs waiting now, then stop.")
@click.option("--max-tasks", type=int, default=None, help="Stop after running this many jobs.")
def worker(batch: bool, max_tasks: int | None) -> None:
    """Run a worker for background jobs (imports and large reports) until stopped."""
    _django()
    from django.core.management import call_command

    from .web import jobs

    failed = jobs.fail_abandoned()
    if failed:
        click.echo(f"Marked {failed} job(s) failed: their worker stopped while running them")
    jobs.tidy()
    command, *args = _worker_command(max_tasks, batch)
    call_command(command, *args)


@main.group()
def token() -> None:
    """Personal API tokens (see docs/api.md), on the database DATABASE_URL or KPIBOARD_DATA_DIR
    names."""


@token.command("create")
@click.argument("username")
@click.option("--scope", type=click.Choice(["read", "write"]), required=True,
              help="read: the read endpoints; write: also the write endpoints.")  # fmt: skip
@click.option("--days", type=int, default=90, show_default=True, help="Days until it expires.")
@click.option("--name", default="", help="What the token is for (shown on the tokens page).")
def token_create(username: str, scope: str, days: int, name: str) -> None:
    """Make a token for USERNAME and print it alone (it is never shown again)."""
    _django()
    from django.contrib.auth import get_user_model

    from .web.api_tokens import TokenError, create_token

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        click.echo(f"kpiboard token create: there is nobody called {username!r}", err=True)
        sys.exit(1)
    try:
        made = create_token(user, scope=scope, days=days, name=name or "Made on the command line")
    except TokenError as exc:
        click.echo(f"kpiboard token create: {exc}", err=True)
        sys.exit(1)
    click.echo(made.secret)


@token.command("revoke")
@click.argument("token_or_prefix")
def token_revoke(token_or_prefix: str) -> None:
    """Revoke a token, given whole or by the first 12 characters the tokens page shows."""
    _django()
    from .web.api_tokens import SHOWN, digest, revoke_token
    from .web.models import ApiToken

    text = token_or_prefix.strip()
    matching = ApiToken.objects.filter(digest=digest(text)) | ApiToken.objects.filter(
        prefix=text[:SHOWN] if len(text) == SHOWN else None
    )
    found = list(matching.select_related("user"))
    if len(found) != 1:
        click.echo(
            "kpiboard token revoke: "
            + ("no token matches" if not found else "more than one token matches: give it whole"),
            err=True,
        )
        sys.exit(1)
    revoked = revoke_token(found[0])
    click.echo(f"Revoked {found[0]}." if revoked else f"{found[0]} was already revoked.")


@main.command()
@click.option("--dry-run", is_flag=True, help="List the reminders that are due; send nothing.")
@click.option("--today", "on", metavar="DATE", help="Take DATE (YYYY-MM-DD) as today.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def remind(dry_run: bool, on: str | None, fmt: str) -> None:
    """Email the reminders that are due, on the database DATABASE_URL or KPIBOARD_DATA_DIR names.

    Before a due date, on it, overdue, and escalations to the section's approvers; each is sent
    once however often this runs (run it daily from cron or a systemd timer). With --format json,
    standard output holds only the list of reminders sent (or, with --dry-run, that would be).
    """
    _django()
    from django.core.management import call_command
    from django.core.management.base import CommandError

    args = ["--format", fmt] + (["--dry-run"] if dry_run else []) + (["--today", on] if on else [])
    try:
        call_command("remind", *args)
    except CommandError as exc:
        click.echo(f"kpiboard remind: {exc}", err=True)
        sys.exit(1)


@main.command()
@click.option(
    "--demo",
    type=click.Choice([k.value for k in DemoKind]),
    is_flag=False,
    flag_value=DemoKind.COUNCIL.value,
    default=None,
    help="Load a demo pack (council when no kind is given) into a fresh embedded database.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="The port to listen on.")
@click.option("--workers", default=2, show_default=True, type=int,
              help="gunicorn processes answering requests.")  # fmt: skip
def serve(demo: str | None, host: str, port: int, workers: int) -> None:
    """Start the web application with gunicorn (SQLite by default, or DATABASE_URL)."""
    import os
    import tempfile

    data_dir = tempfile.mkdtemp(prefix="kpiboard-demo-") if demo else None
    if demo:
        os.environ.pop("DATABASE_URL", None)  # the demo always gets its own embedded database
    os.environ.setdefault("KPIBOARD_DEBUG", "false")
    if demo:
        from .demo import DEMO_TODAY

        fixed = DEMO_TODAY[DemoKind(demo)]
        if fixed is not None:  # the council's cycle shown in its own year
            os.environ.setdefault("KPIBOARD_TODAY", fixed.isoformat())
    _django(data_dir)
    from django.conf import settings
    from django.core.management import call_command

    Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)
    call_command("migrate", verbosity=0, interactive=False)
    if demo:
        from .demo import pack_source
        from .web.accounts import DEMO_ADMINISTRATOR, create_person
        from .web.demo_people import create_demo_people
        from .web.models import Role
        from .web.store import load_pack_into_db

        load_pack_into_db(pack_source(demo), reason="Demo pack")
        user, password = create_person("admin", Role.ADMINISTRATOR, **DEMO_ADMINISTRATOR)
        click.echo(f"Demo data loaded into {settings.DATABASES['default']['NAME']}")
        click.echo(f"Sign in as:  {user.get_username()}  /  {password}")
        for person, secret in create_demo_people():
            click.echo(f"         or:  {person.get_username()}  /  {secret}")
    click.echo(f"kpiboard is running at http://{host}:{port}/  (Ctrl+C to stop)")
    import sys as _sys

    from gunicorn.app.wsgiapp import run

    helper = _start_worker() if demo else None
    _sys.argv = ["gunicorn", "kpiboard.web.wsgi:application", "--bind", f"{host}:{port}",
                 "--workers", str(workers), "--access-logfile", "-"]  # fmt: skip
    try:
        run()
    finally:
        if helper is not None:
            _stop_worker(helper)


def _start_worker():
    """A ``kpiboard worker`` process beside the demo's gunicorn, with the same environment."""
    import os
    import subprocess

    click.echo("A worker for background jobs is running beside it")
    return subprocess.Popen([sys.executable, "-m", "kpiboard.cli", "worker"], env=dict(os.environ))


def _stop_worker(helper) -> None:
    import subprocess

    helper.terminate()  # the worker finishes the job in hand, or stops between jobs
    try:
        helper.wait(timeout=30)
    except subprocess.TimeoutExpired:  # pragma: no cover - a job longer than the grace period
        helper.kill()
        helper.wait()


def _register() -> None:
    from .cli_benchmarks import benchmarks

    main.add_command(benchmarks)


_register()

if __name__ == "__main__":  # pragma: no cover
    main()
