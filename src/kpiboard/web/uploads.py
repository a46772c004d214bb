"""Uploaded import files waiting between the check and the apply, in ``DATA_DIR/imports/<token>/``
with who uploaded them. Applying claims a file by renaming its folder (atomic), so of two
"Apply" posts of one preview only one goes on; the background job that applies it removes the
folder when done, or gives it back (renames it again) when it stopped short."""

from __future__ import annotations

import contextlib
import json
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.text import get_valid_filename

KEEP_SECONDS = 24 * 3600  # uploads not applied or cancelled are removed after a day
TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")
META = "upload.json"
#: Appended to an upload's folder while it is being applied.
CLAIMED = ".applying"


def root() -> Path:
    return Path(settings.DATA_DIR) / "imports"


def tidy() -> None:
    """Remove uploads older than a day."""
    folder = root()
    if not folder.is_dir():
        return
    cutoff = time.time() - KEEP_SECONDS
    for item in folder.iterdir():
        try:
            if item.is_dir() and item.stat().st_mtime < cutoff:
                shutil.rmtree(item, ignore_errors=True)
        except OSError:  # pragma: no cover - a race with another process tidying
            continue


@dataclass
class Upload:
    token: str
    folder: Path
    name: str  # the original file name
    path: Path
    uploader: int

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def claim(self) -> Upload | None:
        """Take the upload for applying, or None when another request has taken (or applied or
        cancelled) it. :meth:`release` gives it back when applying stopped short."""
        claimed = self.folder.with_name(self.folder.name + CLAIMED)
        try:
            self.folder.rename(claimed)
        except OSError:
            return None
        return Upload(self.token, claimed, self.name, claimed / self.path.name, self.uploader)

    def release(self) -> None:
        with contextlib.suppress(OSError):  # applied and removed, or tidied away meanwhile
            self.folder.rename(self.folder.with_name(self.folder.name.removesuffix(CLAIMED)))


def store(user, uploaded) -> Upload:
    token = secrets.token_urlsafe(24)
    folder = root() / token
    folder.mkdir(parents=True, mode=0o700)
    name = Path(uploaded.name).name
    safe = get_valid_filename(name) or "upload.csv"
    path = folder / safe
    try:
        with path.open("xb") as handle:
            for chunk in uploaded.chunks():
                handle.write(chunk)
        meta = {"name": name, "file": safe, "uploader": user.pk, "at": time.time()}
        (folder / META).write_text(json.dumps(meta), "utf-8")
    except BaseException:  # e.g. the disk is full: leave nothing half-written behind
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return Upload(token, folder, name, path, user.pk)


def find(token: str, uploader: int, claimed: bool = False) -> Upload | None:
    """The upload ``token`` of ``uploader`` (the claimed one if ``claimed``), or None when it was
    applied, cancelled, has expired or is someone else's."""
    if not TOKEN.fullmatch(token):
        return None
    folder = root() / (token + CLAIMED if claimed else token)
    try:
        meta = json.loads((folder / META).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if meta.get("uploader") != uploader:
        return None
    return Upload(token, folder, meta["name"], folder / meta["file"], meta["uploader"])
