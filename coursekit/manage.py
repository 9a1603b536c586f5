"""Running the course project's ``manage.py``: the one way the course does it.

The output comes back as one text, stdout and stderr in the order they were
written (as a terminal shows them), made stable (no paths of this machine),
and with every traceback cut down to the project's own frames.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from . import stable
from .errors import CourseError


def run(project: Path, env: dict[str, str], *args: str, timeout: float = 60) -> tuple[int, str]:
    """``python manage.py ARGS`` in ``project``: its exit code and its stable output."""
    try:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=project, env={**env, "PYTHONUNBUFFERED": "1"},
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise CourseError(f"manage.py {' '.join(args)} did not finish within {timeout:.0f} s.") from None
    return done.returncode, stable.trim_tracebacks(stable.block(done.stdout, project))
