"""Starting the course's Python servers from a warm process: same servers, a fraction of the CPU.

A lesson starts daphne again and again (after each change to the project),
plus runworker, runserver and uvicorn, and each is a new Python importing
Twisted, Django and Channels: about a second of CPU. :func:`launch` asks a
forkserver (``_forkserver.py``) instead, which has those imports done and
forks a copy per server. Each copy still runs the server's own entry point
with its own arguments, environment, folder and log, under its own watchdog,
so a forked server behaves, logs and dies exactly like one started with
:func:`processes.start`'s plain ``Popen``; only faster.

One forkserver per Python process that starts many servers (a lesson's
kernel, a test worker, ``coursekit bench``), started by :func:`warm` and ended
with that process by the usual watchdog; a process that never calls it (the
CLI starting one server) starts its servers the plain way, which is cheaper
than warming a forkserver for one. It runs on Linux, where forking a
Python that has imported these libraries is safe; elsewhere, or with
``COURSE_FORKSERVER=0``, :func:`launch` says no and servers start the plain way.
"""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import paths, supervised
from .errors import CourseError

SCRIPT = Path(__file__).with_name("_forkserver.py")
# The programs worth a warm start: what the course runs often, from this environment.
PROGRAMS = ("daphne", "uvicorn", "manage.py")
ANSWER_TIMEOUT = 60.0  # a first request waits for the forkserver's imports, slower on a busy machine

_server = None  # (owner pid, Supervised forkserver, socket path)
_wanted_by: int | None = None  # the pid of the process that called warm()


def enabled() -> bool:
    """True when this process asked for a forkserver (:func:`warm`) and this machine runs one."""
    return (
        _wanted_by == os.getpid() and sys.platform == "linux" and os.environ.get("COURSE_FORKSERVER", "1") != "0"
    )


class Forked:
    """A server forked by the forkserver, seen through its watchdog's connection, like a ``Popen``.

    ``pid`` is the watchdog's, which is also the server's process group id.
    """

    def __init__(self, pid: int, connection: socket.socket, args: list[str]):
        self.pid = pid
        self.args = args
        self.returncode: int | None = None
        self._connection = connection
        self._pending = b""

    def _read(self, timeout: float | None) -> None:
        """Read what the watchdog says within ``timeout`` seconds: its server's exit code, or its end."""
        if self.returncode is not None:
            return
        readable, _, _ = select.select([self._connection], [], [], timeout)
        if not readable:
            return
        try:
            data = self._connection.recv(4096)
        except OSError:
            data = b""
        self._pending += data
        if data:
            return
        # End of file: the watchdog has exited (as a Popen's returncode means), after saying its
        # server's exit code, or without a word when it was killed with the group.
        said = [line for line in self._pending.decode(errors="replace").splitlines() if line.startswith("exit ")]
        self.returncode = int(said[-1].split()[1]) if said else -9
        self._connection.close()

    def poll(self) -> int | None:
        self._read(0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.returncode is None:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise subprocess.TimeoutExpired(self.args, timeout)
            self._read(left)
        return self.returncode

    def release(self) -> None:
        """Let go of the lifeline: the watchdog sees end of file and ends the server's group."""
        if self.returncode is None:
            try:
                self._connection.shutdown(socket.SHUT_WR)
            except OSError:
                pass


def request_for(command: list[str]) -> dict | None:
    """What the forkserver needs to run ``command``, or None when it is not one worth a warm start."""
    bin_dir = Path(sys.executable).parent
    if len(command) >= 2 and command[0] == sys.executable and Path(command[1]).name == "manage.py":
        return {"script": command[1], "argv0": command[1], "args": command[2:]}
    program = Path(command[0])
    if program.parent == bin_dir and program.name in PROGRAMS:
        return {"script": str(program), "argv0": str(program), "args": command[1:]}
    return None


def launch(command: list[str], log_path: Path, cwd: Path | None, env: dict[str, str] | None) -> Forked | None:
    """Start ``command`` by a fork of the warm forkserver; None when it can't, so the caller starts it plainly."""
    request = request_for(command) if enabled() else None
    if request is None:
        return None
    path = _socket()
    if path is None:
        return None
    env = dict(os.environ if env is None else env)
    request.update(env=env, cwd=str(Path(cwd or os.getcwd()).resolve()), title=_title(command))
    if not Path(request["script"]).is_absolute():
        request["script"] = str(Path(request["cwd"]) / request["script"])
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.settimeout(ANSWER_TIMEOUT)
        connection.connect(str(path))
        with open(log_path, "wb") as log:
            socket.send_fds(connection, [json.dumps(request).encode() + b"\n"], [log.fileno()])
        answer = b""
        while not answer.endswith(b"\n"):
            more = connection.recv(4096)
            if not more:
                raise ConnectionError("the forkserver ended the request")
            answer += more
        word, pid = answer.decode().split()
        if word != "started":
            raise ConnectionError(f"the forkserver answered {answer!r}")
    except (OSError, ValueError):
        connection.close()  # a fork that did start sees its lifeline end, and stops
        _forget()
        return None
    connection.settimeout(None)
    return Forked(int(pid), connection, command)


def run(command: list[str], cwd: Path, env: dict[str, str], timeout: float) -> tuple[int, str] | None:
    """Run ``command`` to its end by a fork: its exit code and its output (stdout and stderr, in order).

    None when the forkserver can't run it; ``subprocess.TimeoutExpired`` (after the
    program's group is ended) when it takes longer than ``timeout`` seconds.
    """
    if (request_for(command) if enabled() else None) is None:
        return None
    handle, name = tempfile.mkstemp(prefix="output-", suffix=".log", dir=paths.logs_dir())
    os.close(handle)
    output = Path(name)
    try:
        forked = launch(command, output, cwd, env)
        if forked is None:
            return None
        try:
            code = forked.wait(timeout)
        except subprocess.TimeoutExpired:
            forked.release()
            forked.wait()
            raise
        return code, output.read_text(errors="replace")
    finally:
        output.unlink(missing_ok=True)


def warm() -> None:
    """Start this process's forkserver now, so its imports are done by the time a server is wanted.

    From then on this process starts its Python servers from it (and a new one if it dies).
    """
    global _wanted_by
    _wanted_by = os.getpid()
    if enabled():
        _socket()


def _title(command: list[str]) -> str:
    """What ``ps`` shows for the server: its command as typed, with this environment's paths shortened."""
    words = list(command)
    if words[0] == sys.executable:
        words[0] = "python"
    else:
        words[0] = Path(words[0]).name
    return " ".join(words)


def _socket() -> Path | None:
    """The socket of this process's running forkserver, started if need be; None when it can't run."""
    global _server
    if _server is not None:
        owner, server, path = _server
        if owner == os.getpid() and server.alive():
            return path
        _forget()
    path = paths.state_dir() / f"forkserver-{os.getpid()}.sock"
    if len(str(path)) > 100:  # AF_UNIX paths are limited to about 104 bytes
        path = Path(tempfile.mkdtemp(prefix="course-")) / "forkserver.sock"
    path.unlink(missing_ok=True)
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE")}
    log_path = paths.logs_dir() / f"forkserver-{os.getpid()}.log"
    try:
        command = [sys.executable, str(SCRIPT), str(path)]
        popen, release = supervised.spawn("the forkserver", command, log_path, cwd=paths.state_dir(), env=env)
        server = supervised.Supervised("the forkserver", command, log_path, popen, release)
        # It listens before its imports, so a request can be sent at once; only the answer waits.
        server.wait_ready(path.exists, timeout=10)
    except CourseError:  # it could not start, or died starting: servers start the plain way
        return None
    _server = (os.getpid(), server, path)
    return path


def _forget() -> None:
    """Stop using this process's forkserver (it failed), and stop it."""
    global _server
    if _server is not None:
        _owner, server, path = _server
        _server = None
        if _owner == os.getpid():
            server.stop()
        path.unlink(missing_ok=True)
