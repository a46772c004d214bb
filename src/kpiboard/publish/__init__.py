"""Open data: a publication of approved figures as a static public site with its data.

:func:`build` turns :class:`Part` s (sections of a pack up to an approved period) into every
file of the publication: the site's pages (:mod:`kpiboard.report.site`), the data as CSV and
JSON (:mod:`.open_data`), ``datapackage.json`` and ``publication.json``, the record of what
was published, when and by whom. :func:`write_folder` and :func:`write_zip` put them on disk,
all or nothing. The command line (``kpiboard publish``) and the web's Publish action both use
these; what counts as approved is for each of them to say (see docs/publishing.md).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import BinaryIO

from ..report import build_report
from ..report.model import ReportModel
from ..report.site import DataFile, SiteInfo, render_site
from . import open_data
from .parts import Part, up_to

RECORD = "publication.json"
DATAPACKAGE = "datapackage.json"


class PublishError(Exception):
    """A publication that cannot be made; the message says why."""


@dataclass(frozen=True)
class Publisher:
    """Who publishes, and who pressed the button."""

    by: str  # the person (web) or the account (command line) that published
    when: datetime
    how: str  # "kpiboard publish" or "web"


def _model(parts: Sequence[Part], when: datetime) -> ReportModel:
    """One report model of every part's sections, each as at its own period."""
    model: ReportModel | None = None
    for part in parts:
        built = build_report(part.pack, as_at=part.as_at, today=when.date(), analyses=part.analyses)
        built.sections = [s for s in built.sections if s.id in part.section_ids]
        if model is None:
            model = built
        else:
            model.sections += built.sections
    if model is None or not model.sections:
        raise PublishError("There is nothing to publish: no section has an approved period")
    return model


def _version() -> str:
    try:
        return metadata.version("kpiboard")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree
        return ""


def _day(when: datetime) -> str:
    return f"{when.day} {when:%B %Y}"


def _record(parts: Sequence[Part], publisher: Publisher, files: Sequence[str]) -> dict:
    sections = []
    for part in parts:
        for section in part.sections:
            periods = sorted(
                {p for i in section.indicator_ids for p in part.periods(i)},
                key=lambda p: p.sort_key,
            )
            sections.append({
                "id": section.id, "title": section.title, "published_to": part.as_at.label,
                "approved": part.approved, "periods": [p.label for p in periods],
            })  # fmt: skip
    return {
        "published_at": publisher.when.isoformat(timespec="seconds"),
        "published_by": publisher.by,
        "how": publisher.how,
        "kpiboard_version": _version(),
        "sections": sections,
        "files": sorted(files),
    }


def build(parts: Sequence[Part], publisher: Publisher) -> dict[str, bytes]:
    """Every file of the publication, by its path in the folder."""
    parts = [replace(part, pack=up_to(part.pack, part.as_at)) for part in parts]
    model = _model(parts, publisher.when)
    pack = parts[0].pack
    publishing = pack.publishing
    organisation = publishing.publisher or pack.organisation or pack.title
    tables = open_data.tables(parts)
    files: dict[str, bytes] = {}
    listed = []
    for table in tables:
        for fmt, encode in (("csv", open_data.to_csv), ("json", open_data.to_json)):
            path = f"data/{table.name}.{fmt}"
            files[path] = encode(table)
            listed.append(DataFile(path, f"{table.title} ({fmt.upper()})", table.description))
    descriptor = open_data.datapackage(
        name="kpiboard-" + "".join(c if c.isalnum() else "-" for c in pack.title.lower())[:60],
        title=pack.title,
        description=f"{pack.title}: approved performance figures published by {organisation}.",
        publisher=organisation,
        licence=publishing.licence,
        created=publisher.when.isoformat(timespec="seconds"),
        tables_=tables,
    )
    files[DATAPACKAGE] = (json.dumps(descriptor, ensure_ascii=False, indent=1) + "\n").encode()
    info = SiteInfo(
        publisher=organisation,
        licence_title=publishing.licence.title,
        licence_url=publishing.licence.url,
        published=_day(publisher.when),
        periods=[
            (s.title, f"figures up to {part.as_at.long_display}")
            for part in parts
            for s in part.sections
        ],
        files=listed,
        contact=publishing.contact,
    )
    for name, html in render_site(model, info).items():
        files[name] = html.encode("utf-8")
    record = _record(parts, publisher, [*files, RECORD])
    files[RECORD] = (json.dumps(record, ensure_ascii=False, indent=1) + "\n").encode()
    return files


def write_folder(files: dict[str, bytes], out: str | Path) -> Path:
    """Write the publication into ``out`` (a new or empty folder), all or nothing: the files
    go into a hidden folder beside it, renamed into place only when every one is written."""
    out = Path(out)
    if out.exists() and not (out.is_dir() and not any(out.iterdir())):
        raise PublishError(f"{out} already exists and is not empty: publish to a new folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for name, content in files.items():
            target = work / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        os.chmod(work, 0o755)
        if out.exists():
            out.rmdir()
        work.rename(out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return out


def write_zip(files: dict[str, bytes], target: Path | BinaryIO, folder: str) -> None:
    """The publication as a zip file whose entries sit in ``folder``/."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            archive.writestr(f"{folder}/{name}", files[name])


__all__ = ["Part", "PublishError", "Publisher", "build", "write_folder", "write_zip"]
