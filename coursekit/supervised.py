"""One background process under a watchdog: how it starts, what it is, how it stops.

:func:`spawn` runs a command under ``_watchdog.py``, tied to this process by a
pipe: when this process ends, however it ends, the watchdog ends the command's
process group within a fraction of a second. :class:`Supervised` is the handle
on it (or on a server the forkserver forked, which keeps the same promise).
:mod:`processes` is what the rest of the course calls.
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
from typing import Protocol

from .errors import CourseError
from .logs import LogReader

WATCHDOG = Path(__file__).with_name("_watchdog.py")


def accepts_connections(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except OSError:
        return False


class Process(Protocol):
    """What :class:`Supervised` needs of its process: a ``subprocess.Popen``, or a ``forkserver.Forked``."""

    pid: int
    returncode: int | None

    def poll(self) -> int | None: ...

    def wait(self, timeout: float | None = None) -> int: ...


@dataclass
class Supervised:
    """A running background process: its watchdog, its process group and its log.

    ``log`` reads the log file (see :class:`logs.LogReader`); ``port`` is the
    TCP port it was started to listen on, when there is one.
    """

    name: str
    command: list[str]
    log_path: Path
    popen: Process  # the watchdog's
    # Lets go of the lifeline, so the watchdog ends the server's group.
    _release: Callable[[], None] | None = field(default=None, repr=False)
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
        if self._release is not None:
            self._release()  # the watchdog sees end of file and ends the group
            self._release = None
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.popen.wait()


def spawn(
    name: str, command: list[str], log_path: Path, *, cwd: Path | None = None, env: dict[str, str] | None = None,
) -> tuple[subprocess.Popen, Callable[[], None]]:
    """Start ``command`` as a new process under ``_watchdog.py``, logging to ``log_path``.

    Returns the watchdog's ``Popen`` and what lets go of its lifeline, for a
    :class:`Supervised`. :func:`processes.start` is what the course calls; this is its plain way.
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
    return popen, lambda: os.close(write_end)
