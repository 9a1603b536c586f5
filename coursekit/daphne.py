"""Daphne, the ASGI server, running the course project in the background.

Daphne has no autoreload, so after a file cell changes the project the lesson
calls :meth:`DaphneServer.restart`. The server keeps its port across restarts,
so a URL printed earlier stays valid. Its output goes to a log file; lessons
read it through :meth:`DaphneServer.new_log_lines`, which strips what changes
from run to run (timestamps, client ports, paths) so notebook outputs are stable.
"""

from __future__ import annotations

import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import paths, processes
from .errors import CourseError

DEFAULT_APPLICATION = "mysite.asgi:application"

_NOISE = [
    # "2026-11-25 08:00:00,123 INFO     Starting server" -> "INFO     Starting server"
    (re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ "), ""),
    # access log: "127.0.0.1:53412 - - [25/Nov/2026:08:00:00] ..." -> "client - - ..."
    (re.compile(r"^127\.0\.0\.1:\d+ - - \[[^\]]+\] "), "client "),
    (re.compile(r"^None - - \[[^\]]+\] "), "client "),  # a client on a unix socket
    (re.compile(r"port=\d+"), "port=PORT"),
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:PORT"),
]


def sanitize(line: str, project: Path | None = None) -> str:
    for pattern, replacement in _NOISE:
        line = pattern.sub(replacement, line)
    if project is not None:
        line = line.replace(str(project), "<project>")
    return line.replace(sys.prefix, "<venv>").replace(str(paths.REPO), "<course>")


@dataclass
class DaphneServer:
    """Daphne serving ``application`` from ``project`` on a loopback port."""

    project: Path
    redis_url: str | None = None
    application: str = DEFAULT_APPLICATION
    port: int = field(default_factory=processes.free_port)
    extra_args: list[str] = field(default_factory=list)
    process: processes.Supervised | None = None
    _read_offset: int = 0

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
        return paths.logs_dir() / f"daphne-{os.getpid()}-{self.port}.log"

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "daphne",
            "-b", "127.0.0.1", "-p", str(self.port),
            *self.extra_args,
            self.application,
        ]

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(self.project), env.get("PYTHONPATH")]))
        env["PYTHONUNBUFFERED"] = "1"  # log lines reach the file as they happen
        env.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        return env

    def start(self, timeout: float = 10.0) -> DaphneServer:
        if self.process is not None and self.process.alive():
            return self
        if not processes.port_is_free(self.port):
            raise CourseError(
                f"Port {self.port} is in use by another program; stop it or pick another port."
            )
        self.process = processes.start(
            "daphne", self.command(), self.log_path, cwd=self.project, env=self.environment()
        )
        self._read_offset = 0
        self.process.wait_ready(lambda: processes.accepts_connections(self.port), timeout)
        return self

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

    def new_log_lines(self, wait: float = 0.3) -> list[str]:
        """Sanitized log lines written since the last call (or since the start).

        Waits briefly first: daphne writes some lines (a disconnect, say) just
        after the client has moved on.
        """
        time.sleep(wait)
        try:
            with open(self.log_path, "rb") as log:
                log.seek(self._read_offset)
                data = log.read()
        except FileNotFoundError:
            return []
        complete = data[: data.rfind(b"\n") + 1]
        self._read_offset += len(complete)
        text = complete.decode(errors="replace")
        return [sanitize(line, self.project) for line in text.splitlines()]

    def show_log(self, wait: float = 0.3, contains: str | None = None) -> None:
        """Print the new log lines, optionally only those containing ``contains``."""
        for line in self.new_log_lines(wait):
            if contains is None or contains in line:
                print(line)


def sanitize_block(text: str, project: Path | None = None) -> str:
    return "\n".join(sanitize(line, project) for line in text.rstrip().splitlines())
