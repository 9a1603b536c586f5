"""Background servers that die with whoever started them.

Every server the course starts goes through :func:`start`. It runs the server
under a small watchdog (see ``_watchdog.py``) tied to this process by a pipe:
when this process ends, however it ends, the watchdog ends the server's
process group within a fraction of a second. Output goes to a log file, never
to the notebook, because background output would land in whatever cell runs
next.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CourseError
from .logs import LogReader

WATCHDOG = Path(__file__).with_name("_watchdog.py")

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


def accepts_connections(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except OSError:
        return False


@dataclass
class Supervised:
    """A running background process: its watchdog, its process group and its log.

    ``log`` reads the log file (see :class:`logs.LogReader`); ``port`` is the
    TCP port it was started to listen on, when there is one.
    """

    name: str
    command: list[str]
    log_path: Path
    popen: subprocess.Popen
    _lifeline: int | None = field(default=None, repr=False)
    log: LogReader | None = None
    port: int | None = None

    def __post_init__(self) -> None:
        if self.log is None:
            self.log = LogReader(self.log_path)

    @property
    def pid(self) -> int:
        """The watchdog's pid, which is also the server's process group id."""
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log_tail(self, lines: int = 15) -> str:
        return self.log.tail(lines)

    def wait_ready(self, is_ready: Callable[[], bool], timeout: float = 10.0) -> None:
        """Poll ``is_ready`` until it is true; fail with the log tail if the process dies."""
        deadline = time.monotonic() + timeout
        while True:
            if is_ready():
                return
            if not self.alive():
                raise CourseError(
                    f"{self.name} exited while starting (exit code {self.popen.returncode}). "
                    f"The last lines of its log ({self.log_path.name} in {self.log_path.parent}):\n"
                    f"{self.log_tail()}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise CourseError(
                    f"{self.name} did not become ready within {timeout:.0f} s. "
                    f"The last lines of its log ({self.log_path.name} in {self.log_path.parent}):\n"
                    f"{self.log_tail()}"
                )
            time.sleep(0.02)

    def wait_until_listening(self, timeout: float = 10.0) -> None:
        """Wait until ``port`` accepts connections (see :meth:`wait_ready`)."""
        if self.port is None:
            raise ValueError(f"{self.name} was started without a port to wait for")
        self.wait_ready(lambda: accepts_connections(self.port), timeout)

    def wait_for_log(self, text: str, timeout: float = 10.0) -> None:
        """Wait until the log says ``text`` (see :meth:`wait_ready`)."""
        self.wait_ready(lambda: self.log.contains(text), timeout)

    def stop(self, timeout: float = 3.0) -> None:
        """End the server's process group: gracefully first, then by force."""
        if self._lifeline is not None:
            os.close(self._lifeline)  # the watchdog sees end of file and ends the group
            self._lifeline = None
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.popen.wait()


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
    call one of the ``wait_`` methods for readiness.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    read_end, write_end = os.pipe()  # both close-on-exec: no other child inherits them
    with open(log_path, "wb") as log:
        try:
            popen = subprocess.Popen(
                [sys.executable, str(WATCHDOG), "--", *command],
                stdin=read_end,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=cwd,
                env=env,
                start_new_session=True,
            )
        except OSError as error:
            os.close(write_end)
            raise CourseError(f"Could not start {name}: {error}.") from None
        finally:
            os.close(read_end)
    supervised = Supervised(name, command, log_path, popen, write_end, LogReader(log_path, project), port)
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
