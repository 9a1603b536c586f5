"""Background servers that die with whoever started them.

Every server the course starts goes through :func:`start`. It runs the server
under a small watchdog (see :mod:`supervised` and ``_watchdog.py``) tied to
this process: when this process ends, however it ends, the watchdog ends the
server's process group within a fraction of a second. Output goes to a log
file, never to the notebook, because background output would land in
whatever cell runs next.
"""

from __future__ import annotations

import socket
from pathlib import Path

from . import forkserver
from .logs import LogReader
from .supervised import WATCHDOG, Supervised, accepts_connections, spawn

__all__ = [
    "WATCHDOG", "Supervised", "accepts_connections", "free_port", "port_is_free", "running", "spawn", "start",
    "stop_all",
]

# Every server this process started, so a lesson's teardown can stop them all,
# including any a learner started by hand.
_started: list[Supervised] = []


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """True when a server could listen on ``port`` (closed connections in TIME_WAIT don't count)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def start(
    name: str,
    command: list[str],
    log_path: Path,
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    port: int | None = None,
    project: Path | None = None,
) -> Supervised:
    """Start ``command`` in the background under a watchdog, logging to ``log_path``.

    This is the one way the course runs anything in the background. ``port``
    is recorded for :meth:`Supervised.wait_until_listening`; ``project`` is
    the folder the log reader shows as ``<project>``. Nothing waits here:
    call one of the ``wait_`` methods for readiness. A daphne, uvicorn or
    ``manage.py`` of this environment is forked from a warm Python (see
    :mod:`forkserver`); anything else, or when that can't, runs as a new process.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    forked = forkserver.launch(command, log_path, cwd, env)
    process, release = (forked, forked.release) if forked else spawn(name, command, log_path, cwd=cwd, env=env)
    supervised = Supervised(name, command, log_path, process, release, LogReader(log_path, project), port)
    _started.append(supervised)
    return supervised


def running() -> list[Supervised]:
    """The servers started by this process that are still running."""
    _started[:] = [process for process in _started if process.alive()]
    return list(_started)


def stop_all() -> int:
    """Stop every server this process started; returns how many were running."""
    alive = running()
    for process in alive:
        process.stop()
    return len(alive)
