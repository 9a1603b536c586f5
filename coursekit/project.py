"""The live course project on disk: create it, move it between lessons, write files.

Moving the project to a lesson never loses work: any file whose content the
course never wrote (the learner's own edits and files) is copied to a
timestamped backup folder first.
"""

from __future__ import annotations

import difflib
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import checkpoints, paths
from .errors import CourseError

DIFF_LINES_SHOWN = 14


@dataclass
class Move:
    """What bringing the project to a checkpoint did."""

    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    backup: Path | None = None

    def backup_sentence(self) -> str:
        if self.backup is None:
            return ""
        where = self.backup
        try:
            where = self.backup.relative_to(paths.REPO)
        except ValueError:
            pass
        return f" Your own changes were copied to {where}/ first."


def ensure_writable(root: Path) -> None:
    try:
        root.mkdir(parents=True, exist_ok=True)
        probe = root / ".course-write-probe"
        probe.write_text("")
        probe.unlink()
    except OSError as error:
        raise CourseError(
            f"The project folder {root} is not writable ({error.strerror}); "
            "fix its permissions or set COURSE_PROJECT_DIR to a folder you own."
        ) from None


def bring_to(files: checkpoints.Files, root: Path | None = None) -> Move:
    """Make the project under ``root`` hold exactly ``files``, backing up the learner's work."""
    root = root or paths.project_dir()
    ensure_writable(root)
    current = checkpoints.read_tree(root)
    move = Move()
    foreign = [
        path for path, text in current.items()
        if text != files.get(path) and text not in checkpoints.known_versions(path)
    ]
    if foreign:
        move.backup = paths.state_dir() / "backups" / time.strftime("%Y%m%d-%H%M%S")
        for path in foreign:
            target = move.backup / path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / path, target)
    for path in current:
        if path not in files:
            (root / path).unlink()
            move.removed.append(path)
    for path, text in files.items():
        if current.get(path) != text:
            write(path, text, root)
            move.written.append(path)
    remove_empty_folders(root)
    return move


def set_aside(path: Path, keep_as: Path) -> None:
    """Move ``path`` (if it exists) to ``keep_as``, replacing what was kept there before."""
    if path.exists():
        keep_as.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(path, keep_as)


def remove_empty_folders(root: Path) -> None:
    for folder in sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True):
        if folder.name == "__pycache__":
            shutil.rmtree(folder, ignore_errors=True)
        elif not any(folder.iterdir()):
            folder.rmdir()


def write(path: str, text: str, root: Path | None = None) -> Path:
    root = root or paths.project_dir()
    target = root / path
    if not target.resolve().is_relative_to(root.resolve()):
        raise CourseError(f"{path} is outside the project; file cells write inside it only.")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    forget_compiled(target)
    return target


def forget_compiled(source: Path) -> None:
    """Remove the compiled copies of ``source`` that Python keeps in ``__pycache__/``.

    Python trusts a compiled module while the source's size and modification
    second match. Two file cells a moment apart that only reorder lines (lesson
    01 moves 'daphne' to the top of INSTALLED_APPS) leave both the same, and
    the next process would run the old settings.
    """
    if source.suffix == ".py":
        for compiled in source.parent.glob(f"__pycache__/{source.stem}.*.pyc"):
            compiled.unlink(missing_ok=True)


def read(path: str, root: Path | None = None) -> str | None:
    target = (root or paths.project_dir()) / path
    return target.read_text() if target.is_file() else None


def ensure_exists(root: Path | None = None) -> Path:
    """Create the project from the start state if its folder is missing or empty."""
    root = root or paths.project_dir()
    if not root.exists() or not checkpoints.read_tree(root):
        bring_to(checkpoints.start_project(), root)
    return root


def change_summary(path: str, old: str | None, new: str) -> list[str]:
    """A short, stable description of what writing ``new`` over ``old`` changes.

    Changed lines are marked ``+``/``-`` with one line of context around them,
    so a moved line reads as a move; long diffs are cut after a few lines.
    """
    lines = new.splitlines()
    if old is None:
        return [f"✎ wrote {path} (new file, {len(lines)} line{'' if len(lines) == 1 else 's'})"]
    if old == new:
        return [f"✎ {path} is unchanged"]
    diff = [
        line for line in difflib.unified_diff(old.splitlines(), lines, lineterm="", n=1)
        if not line.startswith(("+++", "---"))
    ]
    added = sum(line.startswith("+") for line in diff)
    removed = sum(line.startswith("-") for line in diff)
    shown = ["      ⋮" if line.startswith("@@") else "    " + line for line in diff][1:]
    summary = [f"✎ updated {path} (+{added} −{removed} lines)"]
    summary += shown[:DIFF_LINES_SHOWN]
    if len(shown) > DIFF_LINES_SHOWN:
        summary.append(f"      … {len(shown) - DIFF_LINES_SHOWN} more lines of difference")
    return summary
