"""Reading a background process's log file: the course's one log reader.

Every background process writes to a file (see :mod:`processes`). A lesson
reads it through a :class:`LogReader`, which hands over the lines written
since it last looked, made stable by :func:`stable.line` (no timestamps,
client ports or this machine's paths), so what a notebook prints is the same
on every machine.
"""

from __future__ import annotations

import time
from pathlib import Path

from . import stable


class LogReader:
    """The lines of the log file at ``path``, read on from where the last call stopped."""

    def __init__(self, path: Path, project: Path | None = None, replacements: dict[str, str] | None = None):
        self.path = Path(path)
        self.project = project
        # Extra text to replace in every line, e.g. a unix socket's temporary path.
        self.replacements = dict(replacements or {})
        self._offset = 0

    def rewind(self) -> None:
        """Read from the start of the file again (a restarted process starts a new log)."""
        self._offset = 0

    def _clean(self, text: str) -> str:
        for old, new in self.replacements.items():
            text = text.replace(old, new)
        return stable.line(text, self.project)

    def new_lines(self, wait: float = 0.3, contains: str | None = None) -> list[str]:
        """Stable lines written since the last call, after ``wait`` seconds for stragglers.

        A server writes some lines (a disconnect, say) just after the client
        has moved on, hence the short wait. With ``contains``, only the lines
        that contain it; the others are read and skipped all the same.
        """
        if wait:
            time.sleep(wait)
        try:
            with open(self.path, "rb") as log:
                log.seek(self._offset)
                data = log.read()
        except FileNotFoundError:
            return []
        complete = data[: data.rfind(b"\n") + 1]  # a half-written last line waits for next time
        self._offset += len(complete)
        lines = [self._clean(each) for each in complete.decode(errors="replace").splitlines()]
        return [each for each in lines if contains is None or contains in each]

    def show(self, wait: float = 0.3, contains: str | None = None) -> None:
        """Print :meth:`new_lines`."""
        for each in self.new_lines(wait, contains):
            print(each)

    def text(self) -> str:
        """The whole log so far, as written (not made stable)."""
        try:
            return self.path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def contains(self, text: str) -> bool:
        """True when the log's complete lines hold ``text``: a readiness test for servers that say so.

        A line still being written is not read yet, so a cell that waits for a
        line and then prints :meth:`new_lines` always finds it whole.
        """
        written = self.text()
        return text in written[: written.rfind("\n") + 1]

    def tail(self, lines: int = 15) -> str:
        """The last ``lines`` lines, made stable: what an error message quotes."""
        return "\n".join(self._clean(each) for each in self.text().splitlines()[-lines:])
