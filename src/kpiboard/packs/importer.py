"""Import figures from a CSV or spreadsheet file into a pack's ``data/`` folder, all or nothing.

An import is two steps. :func:`plan_import` reads the file, checks every row against the pack and
reports every problem at once (as a :class:`PackError`); when the file is clean it works out the
change set against the figures already in ``data/``. :func:`apply_import` then writes it: figures
already in a data file are updated where they stand, new figures are appended to
``data/imported.csv``. Every changed file is written beside its target and moved into place, and
the resulting pack is loaded from a temporary copy first, so an import never leaves a pack that
does not load. An empty cell means "no figure given": an import never deletes a figure.

The steps live in their own modules; this one also re-exports their names, so code written
against the single importer module keeps working:

- :mod:`.tables` reads a CSV or spreadsheet file into cells of text;
- :mod:`.import_rows` checks the rows against the pack (the long and wide layouts);
- :mod:`.import_plan` works out the changes (:func:`plan_import`);
- :mod:`.datafile_edit` rewrites single records of the data files;
- this module writes a plan (:func:`apply_import`).
"""

from __future__ import annotations

import os
import secrets
import shutil
import stat
import tempfile
from pathlib import Path

from .datafile_edit import DATA_DIR, DataFile, data_files
from .import_plan import (
    IMPORTED_FILE,
    Change,
    FigureChange,
    ImportPlan,
    new_contents,
    plan_import,
    problems_after,
)
from .import_rows import WIDE_START, ImportRow, read_import
from .loader import load_pack
from .problems import PackError, Problem
from .tables import (
    SPREADSHEET_SUFFIXES,
    Table,
    cell_text,
    column_letter,
    format_number,
    load_table,
    read_table,
)

__all__ = [
    "DATA_DIR",
    "IMPORTED_FILE",
    "SPREADSHEET_SUFFIXES",
    "WIDE_START",
    "Change",
    "DataFile",
    "FigureChange",
    "ImportPlan",
    "ImportRow",
    "Table",
    "apply_import",
    "cell_text",
    "column_letter",
    "format_number",
    "load_table",
    "plan_import",
    "read_import",
    "read_table",
]


def _validate_copy(root: Path, contents: dict[str, bytes]) -> None:
    """Load the pack as it would be after writing ``contents``, from a temporary copy."""
    with tempfile.TemporaryDirectory(prefix="kpiboard-import-") as tmp:
        copy = Path(tmp) / "pack"
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".git", ".hg", ".svn"))
        for rel, data in contents.items():
            target = copy / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        load_pack(copy)


def _write_temp(target: Path, data: bytes) -> Path:
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    with open(tmp, "xb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    if target.exists():
        os.chmod(tmp, stat.S_IMODE(target.stat().st_mode))
    return tmp


def _replace_all(root: Path, contents: dict[str, bytes], originals: dict[str, bytes]) -> None:
    """Move every new file into place; if one move fails, put back those already moved."""
    temps: dict[str, Path] = {}
    done: list[str] = []
    try:
        for rel, data in contents.items():
            temps[rel] = _write_temp(root / rel, data)
        try:
            for rel, tmp in temps.items():
                os.replace(tmp, root / rel)
                done.append(rel)
        except OSError:
            for rel in reversed(done):
                target = root / rel
                if rel in originals:
                    os.replace(_write_temp(target, originals[rel]), target)
                else:
                    target.unlink(missing_ok=True)
            raise
    finally:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)


def apply_import(plan: ImportPlan) -> list[str]:
    """Write the plan's changes, all or nothing; returns the data files written.

    Raises :class:`PackError` when the data files changed since the plan was made, or when the
    pack would not load afterwards; nothing is written then.
    """
    root = plan.pack_path
    if not plan.has_changes:
        return []
    current = data_files(root)
    if current != plan.snapshot:
        stale = sorted(
            rel for rel in set(current) | set(plan.snapshot)
            if current.get(rel) != plan.snapshot.get(rel)
        )  # fmt: skip
        raise PackError(
            [
                Problem(rel, 0, "", "changed since the import was planned; run the import again")
                for rel in stale
            ]
        )
    contents = new_contents(plan)
    try:
        _validate_copy(root, contents)
    except PackError as exc:
        raise problems_after(exc, plan.source) from None
    data_dir = root / DATA_DIR
    made_dir = not data_dir.exists()
    data_dir.mkdir(exist_ok=True)
    try:
        _replace_all(root, contents, plan.snapshot)
    except BaseException:
        if made_dir and not any(data_dir.iterdir()):
            data_dir.rmdir()
        raise
    return sorted(contents)
