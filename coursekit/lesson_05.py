"""Lesson 05's helpers: daphne started with exactly the arguments you would type.

``course.daphne`` and ``course.new_daphne()`` always add ``-b 127.0.0.1 -p <free port>``
and refuse a port that is taken. Lesson 05 also starts daphne on a unix socket, on a
port that is already in use and with a wrong application path, so it needs the bare
command: :func:`daphne` runs ``daphne ARGS`` in the project, supervised like every
course server (``course.teardown()`` stops it), and when daphne gives up at start the
error names daphne's own last log line, not a traceback wall.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import paths, processes
from .daphne import DaphneServer, sanitize
from .errors import CourseError
from .lessons import Course

SOCKET_NAME = "daphne.sock"
# "[Errno 98] Address already in use" on Linux is "[Errno 48] ..." on macOS.
_ERRNO = re.compile(r"\[Errno \d+\] ")
_numbers = itertools.count(1)


def program() -> list[str]:
    """The ``daphne`` script of this environment (``python -m daphne`` if it has none)."""
    script = shutil.which("daphne", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "daphne"]


def command_line(server: DaphneServer) -> str:
    """``server``'s command as you would type it, with its port shown as ``PORT``."""
    words = ["daphne", *server.command()[3:]]
    return " ".join("PORT" if word == str(server.port) else word for word in words)


def socket_path() -> Path:
    """A path for a unix socket: short enough for the OS limit, and not left over from a crash."""
    path = paths.state_dir() / SOCKET_NAME
    if len(str(path)) > 100:  # AF_UNIX paths are limited to about 104 bytes
        path = Path(tempfile.mkdtemp(prefix="course-")) / SOCKET_NAME
    path.unlink(missing_ok=True)
    return path


@dataclass
class DaphneByHand(DaphneServer):
    """Daphne started as ``daphne ARGS``: nothing added to the arguments."""

    args: list[str] = field(default_factory=list)
    number: int = field(default_factory=lambda: next(_numbers))

    @property
    def log_path(self) -> Path:
        # Its own log, even when it is pointed at a port another server's log is named after.
        return paths.logs_dir() / f"daphne-by-hand-{os.getpid()}-{self.number}.log"

    def command(self) -> list[str]:
        return [*program(), *self.args]

    def unix_socket(self) -> Path | None:
        for flag in ("-u", "--unix-socket"):
            if flag in self.args[:-1]:
                return Path(self.args[self.args.index(flag) + 1])
        return None

    def _listening(self) -> bool:
        socket = self.unix_socket()
        if socket is not None:
            return socket.exists()
        return any("Listening on" in line for line in self._log_text().splitlines())

    def _log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def start(self, timeout: float = 10.0) -> DaphneByHand:
        """Start daphne and wait until it listens (it logs so at ``-v 1``, the default).

        Raises a CourseError quoting daphne's last log line when it exits instead.
        """
        if self.alive():
            return self
        self.process = processes.start(
            "daphne", self.command(), self.log_path, cwd=self.project, env=self.environment()
        )
        self._read_offset = 0
        deadline = time.monotonic() + timeout
        while not self._listening():
            if not self.process.alive():
                code = self.process.popen.returncode
                self.stop()
                last = (self._log_text().strip().splitlines() or ["(no output)"])[-1]
                line = _ERRNO.sub("", sanitize(last, self.project))
                raise CourseError(f"daphne exited with code {code}: {line}")
            if time.monotonic() > deadline:
                self.stop()
                raise CourseError(f"daphne did not start listening within {timeout:.0f} s.")
            time.sleep(0.02)
        return self

    def new_log_lines(self, wait: float = 0.3) -> list[str]:
        socket = self.unix_socket()
        lines = super().new_log_lines(wait)
        if socket is None:
            return lines
        return [line.replace(str(socket), SOCKET_NAME) for line in lines]


def daphne(course: Course, *args: str) -> DaphneByHand:
    """A daphne for ``course``'s project run as ``daphne ARGS`` (not started yet).

    Its ``port`` (and so ``ws_url``) is the one given with ``-p``, else daphne's default 8000.
    """
    port = 8000
    for flag in ("-p", "--port"):
        if flag in args[:-1]:
            port = int(args[args.index(flag) + 1])
    server = DaphneByHand(
        course.project, course.redis.url if course.redis else None, application=args[-1] if args else "",
        port=port, args=list(args),
    )
    course.servers.append(server)
    return server
