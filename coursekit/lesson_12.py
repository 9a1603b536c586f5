"""A helper for lesson 12 (workers): reading a background worker's log without its noise.

``manage.py runworker`` runs under :func:`coursekit.processes.start`, which
sends its output to a log file. :class:`LogReader` hands the lesson the lines
written since it last looked, with the paths of this machine (the project,
the virtual environment) replaced as daphne's log lines are, so that what the
notebook prints is the same on every machine.
"""

from __future__ import annotations

import time
from pathlib import Path

from .daphne import sanitize


class LogReader:
    """The new lines of the log file at ``path``, read from where the last call stopped."""

    def __init__(self, path: Path, project: Path | None = None):
        self.path = Path(path)
        self.project = project
        self._offset = 0

    def new_lines(self, wait: float = 0.3, contains: str | None = None) -> list[str]:
        """Sanitized lines written since the last call (after ``wait`` seconds for stragglers).

        With ``contains``, only the lines that contain it.
        """
        time.sleep(wait)
        try:
            with open(self.path, "rb") as log:
                log.seek(self._offset)
                data = log.read()
        except FileNotFoundError:
            return []
        complete = data[: data.rfind(b"\n") + 1]  # leave a half-written last line for next time
        self._offset += len(complete)
        lines = [sanitize(line, self.project) for line in complete.decode(errors="replace").splitlines()]
        return [line for line in lines if contains is None or contains in line]

    def contains(self, text: str) -> bool:
        """True when the whole log so far holds ``text`` (a readiness test for wait_ready)."""
        try:
            return text in self.path.read_text(errors="replace")
        except FileNotFoundError:
            return False
