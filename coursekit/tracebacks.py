"""Short tracebacks in the notebook: the exception and the learner's own lines.

A deliberate error in a lesson (a handshake that times out, an ORM call in
async code) raises deep inside websockets, asyncio or Django, and IPython
would print screens of their frames before anything the learner wrote. In a
kernel where a lesson's setup has run, an exception shows instead:

- the learner's lines that led to it: cells (``Cell In[12], line 3``) and
  files of the course project (``chat/consumers.py, line 20``), each with its
  source line;
- the exception itself, ``TimeoutError: timed out during opening handshake``;
- one line that says how to see everything: ``%tb`` in a new cell prints the
  full traceback, as IPython would have.

Only the display changes: the exception is the same, so JupyterLab's Run All,
nbclient and nbval see the error as before.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from pathlib import Path

FULL_TRACEBACK_HINT = "(Library frames are hidden: run %tb in a new cell to see the full traceback.)"
_RED, _GREEN, _RESET = "\x1b[0;31m", "\x1b[0;32m", "\x1b[0m"


def short(
    error: BaseException, frames: list[traceback.FrameSummary], label: Callable[[str], str | None]
) -> list[str]:
    """The short traceback of ``error`` raised through ``frames``, as lines.

    ``label(filename)`` names a frame's file the way the learner knows it
    (``Cell In[12]``, ``chat/consumers.py``), or returns None for a library's
    file, whose frames are left out.
    """
    labels = [label(frame.filename) for frame in frames]
    # The frames above the first of the learner's are IPython running the cell: not worth a hint.
    first = next((index for index, where in enumerate(labels) if where is not None), 0)
    lines = []
    hidden = 0
    for frame, where in zip(frames[first:], labels[first:], strict=True):
        if where is None:
            hidden += 1
            continue
        inside = "" if frame.name in ("<module>", "<cell line: 0>") else f", in {frame.name}"
        lines.append(f"{_GREEN}{where}, line {frame.lineno}{_RESET}{inside}")
        if frame.line:
            lines.append(f"----> {frame.line.strip()}")
    message = str(error)
    lines.append(f"{_RED}{type(error).__name__}{_RESET}" + (f": {message}" if message else ""))
    if hidden:
        lines.append(FULL_TRACEBACK_HINT)
    return lines


def labeller(shell, roots: dict[Path, str]) -> Callable[[str], str | None]:
    """A ``label`` for :func:`short`: IPython's cells, and files under ``roots`` (folder: prefix)."""
    cells = getattr(shell.compile, "_filename_map", {})

    def label(filename: str) -> str | None:
        if filename in cells:
            return f"Cell In[{cells[filename]}]"
        path = Path(filename)
        for root, prefix in roots.items():
            if path.is_relative_to(root):
                return prefix + path.relative_to(root).as_posix()
        return None

    return label


def install(shell, roots: Callable[[], dict[Path, str]]) -> None:
    """Show exceptions in ``shell`` (an IPython shell) as :func:`short` tracebacks.

    ``roots()`` gives the folders whose files are the learner's own, with the
    prefix to show them under; it is called for each exception, so it may
    follow a project that moves.
    """

    def handler(self, etype, value, tb, tb_offset=None):
        if issubclass(etype, SyntaxError):
            self.showsyntaxerror()  # IPython's own display points at the column
            return None
        # What %tb (and %debug) read: the exception as raised, every frame kept.
        sys.last_type, sys.last_value, sys.last_traceback = etype, value, tb
        if sys.version_info >= (3, 12):
            sys.last_exc = value
        stb = short(value, traceback.extract_tb(tb), labeller(self, roots()))
        self._showtraceback(etype, value, stb)
        return None

    shell.set_custom_exc((Exception,), handler)
