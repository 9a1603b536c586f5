"""Daphne, the ASGI server, running the course project in the background.

Daphne has no autoreload, so after a file cell changes the project the lesson
calls :meth:`DaphneServer.restart`. The server keeps its port across restarts,
so a URL printed earlier stays valid. Its output goes to a log file; lessons
read it through :meth:`DaphneServer.new_log_lines`, which strips what changes
from run to run (timestamps, client ports, paths) so notebook outputs are stable.

Two ways to start one:

- ``DaphneServer(project)``: the course picks a free loopback port and adds
  ``-b 127.0.0.1 -p PORT`` to the arguments;
- :func:`by_hand`: ``daphne ARGS`` exactly as typed (lesson 05 starts daphne on
  a unix socket, on a port already in use, with a wrong application path).
  When daphne gives up at start, the error quotes daphne's own last log line.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket as socket_module
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import paths, processes, stable
from .errors import CourseError
from .logs import LogReader

DEFAULT_APPLICATION = "mysite.asgi:application"
SOCKET_NAME = "daphne.sock"
_numbers = itertools.count(1)


def program() -> list[str]:
    """The ``daphne`` script of this environment (``python -m daphne`` if it has none)."""
    script = shutil.which("daphne", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "daphne"]


def project_environment(project: Path, redis_url: str | None = None) -> dict[str, str]:
    """The environment the project's processes run with: the project on the path, its settings, Redis."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(project), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"  # log lines reach the file as they happen
    env["DJANGO_SETTINGS_MODULE"] = "mysite.settings"
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def socket_path() -> Path:
    """A path for a unix socket: short enough for the OS limit, and not left over from a crash."""
    path = paths.state_dir() / SOCKET_NAME
    if len(str(path)) > 100:  # AF_UNIX paths are limited to about 104 bytes
        path = Path(tempfile.mkdtemp(prefix="course-")) / SOCKET_NAME
    path.unlink(missing_ok=True)
    return path


@dataclass
class DaphneServer:
    """Daphne serving ``application`` from ``project`` on a loopback port.

    With ``args`` set (see :func:`by_hand`) the command is ``daphne ARGS`` and
    nothing else; ``port`` is then the one the arguments name.
    """

    project: Path
    redis_url: str | None = None
    application: str = DEFAULT_APPLICATION
    port: int = field(default_factory=processes.free_port)
    extra_args: list[str] = field(default_factory=list)
    process: processes.Supervised | None = None
    args: list[str] | None = None
    number: int = field(default_factory=lambda: next(_numbers))
    log: LogReader | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ws_url(self, path: str) -> str:
        """The WebSocket address of ``path`` on this server, e.g. ``ws_url("/ws/chat/lobby/")``."""
        return f"ws://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def http_url(self, path: str = "/") -> str:
        return f"{self.url}/{path.lstrip('/')}"

    @property
    def log_path(self) -> Path:
        # Each server its own log, even when two are pointed at the same port.
        return paths.logs_dir() / f"daphne-{os.getpid()}-{self.number}.log"

    def command(self) -> list[str]:
        if self.args is not None:
            return [*program(), *self.args]
        return [*program(), "-b", "127.0.0.1", "-p", str(self.port), *self.extra_args, self.application]

    def command_line(self) -> str:
        """The command as you would type it, with the port shown as ``PORT``."""
        words = ["daphne", *self.command()[len(program()):]]
        return " ".join("PORT" if word == str(self.port) else word for word in words)

    def unix_socket(self) -> Path | None:
        for flag in ("-u", "--unix-socket"):
            if self.args and flag in self.args[:-1]:
                return Path(self.args[self.args.index(flag) + 1])
        return None

    def environment(self) -> dict[str, str]:
        return project_environment(self.project, self.redis_url)

    def _log_reader(self) -> LogReader:
        socket = self.unix_socket()
        return LogReader(self.log_path, self.project, {str(socket): SOCKET_NAME} if socket else None)

    def start(self, timeout: float = 10.0) -> DaphneServer:
        """Start daphne (unless it runs) and wait until it listens."""
        if self.alive():
            return self
        if self.args is None and not processes.port_is_free(self.port):
            raise CourseError(f"Port {self.port} is in use by another program; stop it or pick another port.")
        self.process = processes.start(
            "daphne", self.command(), self.log_path, cwd=self.project, env=self.environment(), port=self.port
        )
        self.log = self.process.log = self._log_reader()
        if self.args is None:
            self.process.wait_until_listening(timeout)
        else:
            self._wait_by_hand(timeout)
        return self

    def _wait_by_hand(self, timeout: float) -> None:
        """Wait for daphne's "Listening on" (or its socket file); its own last words if it gives up."""
        socket = self.unix_socket()
        # The socket file appears when daphne binds it, a moment before it listens: try a connection.
        listening = (lambda: _accepts_on(socket)) if socket else (lambda: self.process.log.contains("Listening on"))
        try:
            self.process.wait_ready(listening, timeout)
        except CourseError:
            code = self.process.popen.returncode
            last = (self.log.text().strip().splitlines() or ["(no output)"])[-1]
            self.stop()
            if code is None:
                raise CourseError(f"daphne did not start listening within {timeout:.0f} s.") from None
            line = stable.without_errno(stable.line(last, self.project))
            raise CourseError(f"daphne exited with code {code}: {line}") from None

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
            self.process = None

    def restart(self, timeout: float = 10.0) -> DaphneServer:
        """Stop and start again on the same port, so it loads the project's current code."""
        self.stop()
        return self.start(timeout)

    def alive(self) -> bool:
        return self.process is not None and self.process.alive()

    def new_log_lines(self, wait: float = 0.3, contains: str | None = None) -> list[str]:
        """Stable log lines written since the last call (or since the start); see :class:`LogReader`."""
        if self.log is None:
            return []
        return self.log.new_lines(wait, contains)

    def show_log(self, wait: float = 0.3, contains: str | None = None) -> None:
        """Print the new log lines, optionally only those containing ``contains``."""
        for line in self.new_log_lines(wait, contains):
            print(line)


def _accepts_on(path: Path) -> bool:
    """True when something listens on the unix socket at ``path``."""
    with socket_module.socket(socket_module.AF_UNIX, socket_module.SOCK_STREAM) as probe:
        try:
            probe.connect(str(path))
        except OSError:
            return False
        return True


def by_hand(project: Path, redis_url: str | None, *args: str) -> DaphneServer:
    """A daphne run as ``daphne ARGS``, nothing added (not started yet).

    Its ``port`` (and so ``ws_url``) is the one given with ``-p``, else daphne's default 8000.
    """
    port = 8000
    for flag in ("-p", "--port"):
        if flag in args[:-1]:
            port = int(args[args.index(flag) + 1])
    return DaphneServer(project, redis_url, application=args[-1] if args else "", port=port, args=list(args))
