"""Where the course keeps things on disk.

Everything is relative to the checkout, except the live project and the state
folder, which the environment can move (``make test`` runs every notebook
against its own temporary copy so the checkout stays clean).

``notebooks/`` and ``exercises/`` are the course's own, tracked files. The
learner works on copies of them under ``workspace/`` (git-ignored, made by
:mod:`coursekit.workspace`), so a ``git pull`` never meets their work.
"""

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
EXERCISES = REPO / "exercises"
SOLUTIONS = REPO / "solutions"
WORKSPACE = REPO / "workspace"


def project_dir() -> Path:
    """The live Django project: ``$COURSE_PROJECT_DIR`` or ``course_project/``."""
    return Path(os.environ.get("COURSE_PROJECT_DIR") or REPO / "course_project").resolve()


def state_dir() -> Path:
    """Logs, backups and served copies: ``$COURSE_STATE_DIR`` or ``.course/``."""
    path = Path(os.environ.get("COURSE_STATE_DIR") or REPO / ".course")
    path.mkdir(parents=True, exist_ok=True)
    return path


def exercises_dir() -> Path:
    """The learner's exercise files: ``$COURSE_EXERCISES_DIR`` or ``workspace/exercises/``."""
    return Path(os.environ.get("COURSE_EXERCISES_DIR") or WORKSPACE / "exercises").resolve()


def exercises_overridden() -> bool:
    """True when ``$COURSE_EXERCISES_DIR`` names the exercise files (a test, a teacher's folder)."""
    return bool(os.environ.get("COURSE_EXERCISES_DIR"))


def logs_dir() -> Path:
    path = state_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path
