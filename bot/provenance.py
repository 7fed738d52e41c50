"""Which index an answer came from: a short content hash of briefs and seeds, and when it was last curated.

Two answers from two index versions can then be told apart (`/about`, the footer of full replies, the
exports' metadata). The version depends only on the files' names and bytes, so the same checkout gives
the same version on every machine; "curated as of" is the newest change to a brief: the last commit that
touched `briefs/` when the folder is a clean git checkout (a fresh clone's file times say nothing), else
the newest file modification time (a curator's edit on a bind mount, the Docker image's copied files).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

VERSION_CHARS = 10  # hex characters shown: enough to tell versions apart, short enough to read out


@dataclass(frozen=True)
class Provenance:
    version: str  # e.g. "3f9a1c07be"
    curated: date | None  # the newest brief change, None when no brief exists

    @property
    def curated_text(self) -> str:
        return self.curated.isoformat() if self.curated else "-"


def _files(folder: Path, suffixes: tuple[str, ...] | None) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")
                  and "__pycache__" not in p.parts and (suffixes is None or p.suffix in suffixes))


def index_version(briefs_dir: Path, seeds_dir: Path) -> str:
    """A short hash over every brief and seed file (relative name and bytes), independent of where they are."""
    digest = hashlib.sha256()
    for label, folder, suffixes in (("briefs", briefs_dir, (".yaml", ".yml")), ("seeds", seeds_dir, None)):
        for path in _files(Path(folder), suffixes):
            name = f"{label}/{path.relative_to(folder).as_posix()}"
            try:
                data = path.read_bytes()
            except OSError:
                data = b""
            digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()[:VERSION_CHARS]


def _git_date(folder: Path) -> date | None:
    """The last commit touching `folder`, if it is inside a git work tree with no uncommitted brief changes."""
    git = shutil.which("git")
    if git is None:
        return None
    try:
        status = subprocess.run([git, "status", "--porcelain", "--", "."], cwd=folder, capture_output=True,
                                text=True, timeout=5)
        if status.returncode != 0 or status.stdout.strip():
            return None  # not a checkout, or edited since the last commit: the files' own times are newer
        log = subprocess.run([git, "log", "-1", "--format=%cI", "--", "."], cwd=folder, capture_output=True,
                             text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    text = log.stdout.strip()
    if log.returncode != 0 or not text:
        return None
    try:
        return datetime.fromisoformat(text).astimezone(UTC).date()
    except ValueError:
        return None


def curated_as_of(briefs_dir: Path) -> date | None:
    folder = Path(briefs_dir)
    files = _files(folder, (".yaml", ".yml"))
    if not files:
        return None
    if (committed := _git_date(folder)) is not None:
        return committed
    newest = max(p.stat().st_mtime for p in files)
    return datetime.fromtimestamp(newest, UTC).date()


def provenance(briefs_dir: Path, seeds_dir: Path) -> Provenance:
    return Provenance(index_version(Path(briefs_dir), Path(seeds_dir)), curated_as_of(Path(briefs_dir)))
