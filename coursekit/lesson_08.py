"""A helper for lesson 08 (testing consumers): run the project's tests with a report that reads the same everywhere.

``run_tests("chat", "-v", "2")`` is ``python manage.py test chat -v 2`` in the
course project, run like ``course.manage("test", ...)``, with the runner's
report printed so that it can be compared from run to run:

- what the runner writes to stdout and to stderr comes in the order it was
  written (``course.manage`` prints all of stdout, then all of stderr);
- a traceback keeps only the frames in the project's own files, or, when it
  has none, the frame that raised. The frames inside asgiref, Django and
  Python itself differ between machines and Python versions, and a test never
  goes wrong there. Python's ``^^^^`` markers under a line go too. A ``⋮``
  line says where frames were left out.

It never raises: a failing test is what the report is for.
"""

from __future__ import annotations

import re
import subprocess
import sys

from . import lessons
from .daphne import sanitize_block
from .errors import CourseError

_MARKERS = re.compile(r"^\s*[\^~]+\s*$")  # the ^^^^ (and ~~~~) Python prints under a line
_SITE_PACKAGES = re.compile(r"<venv>/lib/python3\.\d+/site-packages/")


def _frames(lines: list[str], start: int) -> tuple[list[list[str]], int]:
    """The frames of the traceback whose first frame line is ``lines[start]``, and where it ends."""
    frames: list[list[str]] = []
    index = start
    while index < len(lines) and lines[index].startswith("  "):
        line = lines[index]
        if line.startswith("  File "):
            frames.append([line])
        elif frames and not _MARKERS.match(line):
            frames[-1].append(line)
        index += 1
    return frames, index


def trim_tracebacks(text: str) -> str:
    """``text`` with each traceback cut down to the project's frames (see the module's docstring)."""
    lines = text.splitlines()
    kept: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        kept.append(line)
        index += 1
        if line.startswith("Traceback (most recent call last):"):
            frames, index = _frames(lines, index)
            ours = [frame for frame in frames if frame[0].startswith('  File "<project>/')] or frames[-1:]
            if len(ours) < len(frames):
                kept.append("  ⋮")
            for frame in ours:
                kept.extend(frame)
    return "\n".join(_SITE_PACKAGES.sub("<site-packages>/", line) for line in kept)


def run_tests(*args: str, timeout: float = 60) -> None:
    """Run ``python manage.py test ARGS`` in the course project and print the runner's report."""
    course = lessons.active()
    if course is None:
        raise CourseError("Run the lesson's setup cell first: course = setup(8).")
    env = course.environment()
    env["PYTHONUNBUFFERED"] = "1"  # stdout and stderr interleave as they were written
    result = subprocess.run(
        [sys.executable, "manage.py", "test", *args],
        cwd=course.project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, timeout=timeout,
    )
    print(trim_tracebacks(sanitize_block(result.stdout, course.project)))
