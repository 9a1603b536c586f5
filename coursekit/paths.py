"""Where the course keeps things on disk.

Everything is relative to the checkout, except the live project and the state
folder, which the environment can move (``make test`` runs every notebook
against its own temporary copy so the checkout stays clean).
"""

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
EXERCISES = REPO / "exercises"
SOLUTIONS = REPO / "solutions"


def project_dir() -> Path:
    """The live Django project: ``$COURSE_PROJECT_DIR`` or ``course_project/``."""
    return Path(os.environ.get("COURSE_PROJECT_DIR") or REPO / "course_project").resolve()


def state_dir() -> Path:
    """Logs, backups and served copies: ``$COURSE_STATE_DIR`` or ``.course/``."""
    path = Path(os.environ.get("COURSE_STATE_DIR") or REPO / ".course")
    path.mkdir(parents=True, exist_ok=True)
    return path


def exercises_dir() -> Path:
    """The learner's exercise files: ``$COURSE_EXERCISES_DIR`` or ``exercises/``."""
    return Path(os.environ.get("COURSE_EXERCISES_DIR") or EXERCISES).resolve()


def logs_dir() -> Path:
    path = state_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path
