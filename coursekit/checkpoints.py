"""The state of the course project at the start of every lesson.

There is one source of truth for the project's code: the file cells in the
notebooks. A cell that begins with ``%%project_file PATH`` gives a whole
file; one that begins with ``%%project_update PATH`` gives only the top-level
definitions it changes in a Python file (see :mod:`pyedit`). The state at the
start of lesson N is the start project plus every file cell of lessons
0 … N-1, applied in order, so a checkpoint can never drift from what the
lessons teach. The start project is what ``django-admin startproject mysite``
creates, with a fixed development secret key so it is the same everywhere.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import cache, paths, pyedit

FILE_MAGIC = "%%project_file"
UPDATE_MAGIC = "%%project_update"
MAGICS = {FILE_MAGIC: "file", UPDATE_MAGIC: "update"}
PROJECT_PACKAGE = "mysite"
SECRET_KEY_LINE = 'SECRET_KEY = "django-insecure-course-only-never-use-this-key-in-production"'

Files = dict[str, str]


@dataclass(frozen=True)
class FileCell:
    lesson: int
    path: str
    content: str
    mode: str = "file"

    def apply(self, old: str | None) -> str:
        return apply(self.mode, old, self.content)


def apply(mode: str, old: str | None, content: str) -> str:
    """The file after a cell of ``mode`` with ``content`` is run on a file holding ``old``."""
    if mode == "update":
        return pyedit.update(old or "", content)
    return content


def notebook_path(lesson: int) -> Path | None:
    matches = sorted(paths.NOTEBOOKS.glob(f"{lesson:02d}_*.ipynb"))
    return matches[0] if matches else None


def lesson_numbers() -> list[int]:
    """The numbers of the lessons that exist as notebooks, in order."""
    numbers = []
    for path in paths.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"):
        numbers.append(int(path.name[:2]))
    return sorted(numbers)


def parse_file_cell(source: str) -> tuple[str, str, str] | None:
    """``(path, content, mode)`` of a file cell's source, or None for any other cell."""
    first, _, body = source.partition("\n")
    magic, _, path = first.partition(" ")
    if magic not in MAGICS or not path.strip():
        return None
    return path.strip(), normalise(body), MAGICS[magic]


def normalise(content: str) -> str:
    """File content as the magic writes it: exactly one trailing newline."""
    return content.rstrip("\n") + "\n"


@functools.cache
def file_cells(lesson: int) -> tuple[FileCell, ...]:
    path = notebook_path(lesson)
    if path is None:
        return ()
    notebook = json.loads(path.read_text())
    cells = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        parsed = parse_file_cell(source)
        if parsed:
            cells.append(FileCell(lesson, *parsed))
    return tuple(cells)


@functools.lru_cache(maxsize=1)
def start_project() -> Files:
    """The files ``django-admin startproject mysite`` writes, with a fixed secret key.

    They depend only on Django's version, so they are kept in the course's cache
    (:mod:`coursekit.cache`) and ``startproject`` runs once per Django release.
    """
    import django

    name = cache.key("startproject", django.__version__, PROJECT_PACKAGE, SECRET_KEY_LINE)
    kept = cache.read_json("start-project", name)
    if isinstance(kept, dict) and all(isinstance(text, str) for text in kept.values()):
        return kept
    files = run_startproject()
    cache.write_json("start-project", name, files)
    return files


def run_startproject() -> Files:
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run(
            [sys.executable, "-m", "django", "startproject", PROJECT_PACKAGE, scratch],
            check=True,
            capture_output=True,
        )
        files = read_tree(Path(scratch))
    settings = f"{PROJECT_PACKAGE}/settings.py"
    files[settings] = re.sub(r"^SECRET_KEY = .*$", SECRET_KEY_LINE, files[settings], flags=re.M)
    return files


def read_tree(root: Path) -> Files:
    """The project's source files under ``root`` (no databases, caches, logs or other binary files)."""
    files = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_file() and is_source(relative):
            try:
                files[relative] = path.read_text()
            except UnicodeDecodeError:
                continue  # not text (an image a learner added, say): the course leaves it alone
    return files


def is_source(relative: str) -> bool:
    parts = relative.split("/")
    if any(part == "__pycache__" or part.startswith(".") for part in parts):
        return False
    # SQLite keeps a journal, or in WAL mode (lesson 14) a -wal and a -shm file, beside the database.
    return not relative.endswith((".pyc", ".log", ".sqlite3", ".sqlite3-journal", ".sqlite3-wal", ".sqlite3-shm"))


def state_at_start(lesson: int) -> Files:
    """The project's files at the start of ``lesson``."""
    files = dict(start_project())
    for earlier in lesson_numbers():
        if earlier >= lesson:
            break
        for cell in file_cells(earlier):
            files[cell.path] = cell.apply(files.get(cell.path))
    return files


def state_at_end(lesson: int) -> Files:
    return state_at_start(lesson + 1)


@functools.cache
def _all_versions() -> dict[str, frozenset[str]]:
    versions: dict[str, set[str]] = {path: {text} for path, text in start_project().items()}
    files = dict(start_project())
    for lesson in lesson_numbers():
        for cell in file_cells(lesson):
            files[cell.path] = cell.apply(files.get(cell.path))
            versions.setdefault(cell.path, set()).add(files[cell.path])
    return {path: frozenset(texts) for path, texts in versions.items()}


def known_versions(path: str) -> frozenset[str]:
    """Every content the course itself ever gives ``path``: not a learner's own work."""
    return _all_versions().get(path, frozenset())


def expected_before(lesson: int, path: str, content: str, mode: str = "file") -> list[str | None]:
    """What ``path`` held just before each file cell of ``lesson`` whose body is ``content``.

    One entry per matching cell, in notebook order (None when the file did not
    exist yet); an empty list when no cell of that lesson has this body (the
    learner edited the cell). A lesson may run the same cell twice, e.g. a
    setting first written right, then broken on purpose, then fixed.
    """
    content = normalise(content)
    previous = state_at_start(lesson).get(path)
    found = []
    for cell in file_cells(lesson):
        if cell.path != path:
            continue
        if cell.content == content and cell.mode == mode:
            found.append(previous)
        previous = cell.apply(previous)
    return found
