"""Which lesson the course project is at, and which notebook put it there.

Every lesson shares one project folder. When a learner runs lesson 07 part
way, opens lesson 04 and runs its setup, the project moves to lesson 04
under lesson 07's feet. So each setup *claims* the project: it writes a small
marker (the lesson and a random token) into the project folder, and keeps the
token. Before a cell of lesson 07 touches the project or its servers, it
compares the marker with its token; when another setup (or ``coursekit
reset``) has claimed the project since, it stops with one sentence that
says what happened and what to do, instead of running on the wrong state.

This module also holds the kernel's active claim, so the file-cell magics can
check it without importing the lessons module (which registers them).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path

from .errors import CourseError

MARKER = ".course-lesson.json"
RESET = "reset"


@dataclass(frozen=True)
class Claim:
    """Lesson ``lesson`` set up ``root``; ``token`` tells this setup from any other."""

    root: Path
    lesson: int
    token: str

    def write(self) -> None:
        (self.root / MARKER).write_text(json.dumps({"lesson": self.lesson, "token": self.token}) + "\n")

    def moved_by(self) -> Claim | None:
        """The claim that replaced this one, or None while the project is still this lesson's."""
        now = current(self.root)
        if now is not None and now.token == self.token:
            return None
        return now or Claim(self.root, -1, RESET)

    def ensure_current(self, lesson: int | None = None) -> None:
        """Raise a CourseError when another setup or a reset has moved the project since this claim.

        ``lesson`` is the lesson whose setup the learner should run again
        (default: the lesson of this claim).
        """
        other = self.moved_by()
        if other is None:
            return
        by = "by coursekit reset" if other.token == RESET else "by another notebook's setup"
        where = f"to lesson {other.lesson:02d}" if other.lesson >= 0 else "elsewhere"
        raise CourseError(
            f"The course project was moved {where} {by}, so this lesson's state is gone: "
            f"run this lesson's setup cell again, course = setup({self.lesson if lesson is None else lesson}), "
            "to carry on."
        )


def claim(root: Path, lesson: int, token: str | None = None) -> Claim:
    """Record that ``lesson`` now owns the project at ``root`` (a new token unless one is given)."""
    made = Claim(root, lesson, token or uuid.uuid4().hex)
    made.write()
    return made


def current(root: Path) -> Claim | None:
    """The claim recorded in ``root``, or None when there is none (or it cannot be read)."""
    try:
        data = json.loads((root / MARKER).read_text())
        return Claim(root, int(data["lesson"]), str(data["token"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


# The claim of this kernel's (or CLI's) active lesson, if any.
active: Claim | None = None
