"""The learner's working copies of the lessons and exercises, under ``workspace/``.

The course's own ``notebooks/`` and ``exercises/`` are tracked by git and stay
as the course wrote them. The learner opens, runs and saves
``workspace/notebooks/NN_slug.ipynb`` and edits ``workspace/exercises/NN_name.py``
(a git-ignored folder with the same layout, so a lesson's link
``../exercises/04_echo.py`` opens the learner's copy). A copy is made the first
time it is needed and never overwritten afterwards; lessons and exercises that
a ``git pull`` adds are copied the next time. :func:`restore` brings back the
course's copy of one lesson or exercise, after moving the learner's copy to a
timestamped folder in ``.course/backups/``, so nothing is lost.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from . import paths
from .errors import CourseError

# What the workspace mirrors: (the course's folder, the file names it copies).
KINDS = {"notebooks": "[0-9][0-9]_*.ipynb", "exercises": "[0-9][0-9]_*.py"}


def pristine(kind: str) -> dict[str, Path]:
    """The course's tracked files of one kind (``notebooks`` or ``exercises``), by file name."""
    return {path.name: path for path in sorted((paths.REPO / kind).glob(KINDS[kind]))}


def folder(kind: str) -> Path:
    """Where the learner's copies of one kind live."""
    return paths.exercises_dir() if kind == "exercises" else paths.WORKSPACE / kind


def copy_if_missing(source: Path, target: Path) -> bool:
    """Copy ``source`` to ``target`` unless ``target`` exists; True when it copied.

    The copy is written beside the target and linked into place, so a second
    process doing the same at the same moment never overwrites the first, and
    nobody reads a half-written file.
    """
    if target.exists():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(handle)
    try:
        shutil.copyfile(source, temporary)
        os.link(temporary, target)
        return True
    except FileExistsError:
        return False
    finally:
        os.unlink(temporary)


def ensure(*kinds: str) -> list[Path]:
    """Copy every lesson and exercise the learner has no copy of yet; returns the copies made.

    With ``$COURSE_EXERCISES_DIR`` set, that folder is the learner's and is left alone.
    """
    made = []
    for kind in kinds or tuple(KINDS):
        if kind == "exercises" and paths.exercises_overridden():
            continue
        target = folder(kind)
        for name, source in pristine(kind).items():
            if copy_if_missing(source, target / name):
                made.append(target / name)
    return made


def ensure_exercise(name: str) -> Path:
    """The learner's copy of exercise ``name`` (``04_echo``), copied from the course's if missing."""
    target = paths.exercises_dir() / f"{name}.py"
    source = paths.EXERCISES / f"{name}.py"
    if not paths.exercises_overridden() and source.exists():
        copy_if_missing(source, target)
    return target


def shown(path: Path) -> str:
    """``path`` relative to the checkout when it is inside it."""
    try:
        return str(path.relative_to(paths.REPO))
    except ValueError:
        return str(path)


def resolve(name: str) -> tuple[str, str]:
    """The kind and file name that ``name`` means: ``04`` is lesson 04, ``04_echo`` an exercise.

    A lesson's slug (``04_first_consumer``) and file names with their suffix also work.
    """
    wanted = name.strip().removesuffix(".ipynb").removesuffix(".py")
    lessons, exercises = pristine("notebooks"), pristine("exercises")
    if wanted.isdigit():
        number = f"{int(wanted):02d}"
        found = [file for file in lessons if file.startswith(number + "_")]
        if found:
            return "notebooks", found[0]
    for kind, files in (("exercises", exercises), ("notebooks", lessons)):
        if f"{wanted}{'.py' if kind == 'exercises' else '.ipynb'}" in files:
            return kind, f"{wanted}{'.py' if kind == 'exercises' else '.ipynb'}"
    numbers = sorted({file[:2] for file in lessons})
    names = ", ".join(Path(file).stem for file in exercises)
    raise CourseError(
        f"There is no lesson or exercise named '{name}' to restore; name a lesson by its number "
        f"({numbers[0]}–{numbers[-1]}) or an exercise by its name ({names})."
    )


def backup_folder() -> Path:
    """A new folder in ``.course/backups/`` named by the time (with a suffix if that name is taken)."""
    base = paths.state_dir() / "backups" / time.strftime("%Y%m%d-%H%M%S")
    candidate, count = base, 1
    while candidate.exists():
        count += 1
        candidate = base.with_name(f"{base.name}-{count}")
    return candidate


def restore(name: str) -> str:
    """Put the course's copy of lesson or exercise ``name`` in the workspace; returns what was done, in a sentence.

    The learner's copy, when it differs from the course's, is moved to
    ``.course/backups/<timestamp>/<kind>/`` first.
    """
    kind, file = resolve(name)
    source = pristine(kind)[file]
    target = folder(kind) / file
    if target.exists() and target.read_bytes() == source.read_bytes():
        return f"{shown(target)} is already the course's copy; nothing to restore."
    moved = None
    if target.exists():
        moved = backup_folder() / kind / file
        moved.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(target, moved)
    copy_if_missing(source, target)
    if moved is None:
        return f"{shown(target)} is the course's copy again (you had none)."
    return f"{shown(target)} is the course's copy again; yours was moved to {shown(moved)}."
