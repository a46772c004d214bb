"""``kpiboard benchmarks``: comparator series and peer figures from Fingertips, into a pack.

Kept beside :mod:`.cli` (which registers it) so the main command module stays small; like every
command it is a thin front end: the work is in :mod:`.packs.benchmark_files`.
"""

from __future__ import annotations

from pathlib import Path

import click

from .packs.fingertips_fetch import API_URL, MAX_BYTES, TIMEOUT, FetchError, data_url, download
from .packs.problems import PackError


@click.group()
def benchmarks() -> None:
    """Comparators and peer figures from Fingertips (docs/benchmarking-and-forecasts.md)."""


def _read_download(path: str) -> str:
    if Path(path).stat().st_size > MAX_BYTES:
        raise click.ClickException(f"{path}: larger than {MAX_BYTES:,} bytes")
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise click.ClickException(f"{path}: not UTF-8 text (not a Fingertips CSV)") from None
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror or exc}") from None


def _downloads(root: Path, api_url: str, timeout: float) -> list[tuple[str, str]]:
    from .packs.benchmark_files import mapped_pack

    mapping = mapped_pack(root)
    out = []
    for fingertips_id, link in {link.fingertips_id: link for link in mapping.links}.items():
        url = data_url(api_url, mapping, link)  # one download serves every link to the id
        click.echo(f"Fetching {url}", err=True)
        out.append((f"Fingertips indicator {fingertips_id}", download(url, timeout=timeout)))
    return out


@benchmarks.command("fetch")
@click.argument("pack", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--from-file", "files", multiple=True, type=click.Path(exists=True, dir_okay=False),
    help="A Fingertips CSV already downloaded (repeatable): read it instead of the API.",
)  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Show what would change and write nothing.")
@click.option("--api-url", default=API_URL, show_default=True, help="The Fingertips API to ask.")
@click.option(
    "--timeout", type=click.FloatRange(1, 600), default=TIMEOUT, show_default=True,
    help="Seconds to wait for each answer.",
)  # fmt: skip
def fetch(pack: str, files: tuple[str, ...], dry_run: bool, api_url: str, timeout: float) -> None:
    """Fill PACK's comparator and peer figures from Fingertips, as its benchmarks.yaml maps
    them: into data/fingertips.csv and peers/fingertips.csv, all or nothing."""
    from .cli import _fail_with_problems, _goes_ahead
    from .packs.benchmark_files import apply_benchmarks, plan_from_downloads

    root = Path(pack)
    try:
        if files:
            downloads = [(path, _read_download(path)) for path in files]
        else:
            downloads = _downloads(root, api_url, timeout)
        plan = plan_from_downloads(root, downloads)
    except PackError as exc:
        _fail_with_problems(exc)
    except FetchError as exc:
        raise click.ClickException(str(exc)) from None
    if not _goes_ahead(plan.describe(), dry_run, bool(plan.contents)):
        return
    try:
        written = apply_benchmarks(plan)
    except PackError as exc:
        _fail_with_problems(exc)
    except OSError as exc:
        raise click.ClickException(f"cannot write into {pack}: {exc.strerror or exc}") from None
    click.echo(f"Wrote {', '.join(written)} in {pack}.")
