"""Running the course project's ``manage.py``: the one way the course does it.

The output comes back as one text, stdout and stderr in the order they were
written (as a terminal shows them), made stable (no paths of this machine),
and with every traceback cut down to the project's own frames.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from . import forkserver, stable
from .errors import CourseError


def run(project: Path, env: dict[str, str], *args: str, timeout: float = 60) -> tuple[int, str]:
    """``python manage.py ARGS`` in ``project``: its exit code and its stable output."""
    command = [sys.executable, "manage.py", *args]
    env = {**env, "PYTHONUNBUFFERED": "1"}
    try:
        ran = forkserver.run(command, project, env, timeout)  # the same run, from a warm Python
        if ran is None:
            done = subprocess.run(
                command, cwd=project, env=env,
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                text=True, timeout=timeout,
            )
            ran = done.returncode, done.stdout
    except subprocess.TimeoutExpired:
        raise CourseError(f"manage.py {' '.join(args)} did not finish within {timeout:.0f} s.") from None
    code, output = ran
    return code, stable.trim_tracebacks(stable.block(output, project))
