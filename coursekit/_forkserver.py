"""A warm Python that starts the course's Python servers by forking itself.

Usage: ``python _forkserver.py SOCKET_PATH``

Every daphne, runworker or uvicorn the course starts would otherwise be a new
Python importing Twisted, Django, Channels and Redis's client from scratch:
most of a second of CPU each, and the course starts hundreds. This process
imports them once (no settings, no project, no event loop), then listens on
the unix socket ``SOCKET_PATH``. For each request (see
:mod:`coursekit.forkserver`) it forks a copy that runs the server with the
request's arguments, environment, folder and log file, and only that work.

Each fork keeps the watchdog's promise (see ``_watchdog.py``): it splits into
a watchdog, in a session of its own, and the server under it. The watchdog's
lifeline is the request's connection: when whoever asked is gone, however it
ended, the connection reads empty and the watchdog ends the server's process
group. The watchdog reports the server's exit code on the same connection.

Like ``_watchdog.py``, it is a plain script, not an import of the coursekit
package, so nothing of the course is in memory when a server forks from it.
"""

import importlib
import io
import json
import os
import select
import signal
import socket
import sys
import types

from _watchdog import end_group

# Imported once, before any fork: each one is what a server would import anyway, and none reads
# settings, installs Twisted's reactor (daphne.server does that, in the server) or starts a thread.
WARM = """
    twisted.internet.asyncioreactor twisted.internet.endpoints twisted.logger twisted.web.http
    twisted.protocols.tls autobahn.twisted.websocket daphne.ws_protocol daphne.http_protocol
    daphne.access daphne.endpoints daphne.utils
    django.core.asgi django.core.handlers.asgi django.db.models django.http django.urls
    django.core.management django.db.backends.sqlite3.base django.contrib.staticfiles.handlers
    django.contrib.auth django.contrib.admin django.contrib.sessions.backends.db
    django.template.defaulttags django.views.generic
    channels.routing channels.generic.websocket channels.layers channels.auth
    channels.security.websocket channels.db channels_redis.core channels_redis.pubsub redis.asyncio
    uvicorn.main uvicorn.config
""".split()


def warm_up() -> None:
    for name in WARM:
        try:
            importlib.import_module(name)
        except Exception:  # an optional part missing: the server imports what it needs itself
            pass
    if "twisted.internet.reactor" in sys.modules:
        raise SystemExit("_forkserver: a warm import installed Twisted's reactor; forks would share it")


def read_request(connection: socket.socket) -> tuple[dict, int]:
    """The request (one JSON line) and the log file descriptor sent with it."""
    data, fds, _flags, _address = socket.recv_fds(connection, 65536, 1)
    while not data.endswith(b"\n"):
        more = connection.recv(65536)
        if not more:
            raise ConnectionError("the request ended early")
        data += more
    if len(fds) != 1:
        raise ConnectionError("a request comes with exactly one log file")
    return json.loads(data), fds[0]


def watch(connection: socket.socket, request: dict, log_fd: int) -> None:
    """In the fork: become the server's watchdog, in a session of its own. Never returns."""
    os.setsid()
    title(f"_watchdog.py -- {request['title']}")
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # this process waits for its server
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # it ends the group with SIGTERM and must survive it
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    server = os.fork()
    if server == 0:
        connection.close()
        serve(request, log_fd)
    os.close(log_fd)
    connection.sendall(f"started {os.getpid()}\n".encode())
    while True:
        done, status = os.waitpid(server, os.WNOHANG)
        if done:
            connection.sendall(f"exit {os.waitstatus_to_exitcode(status)}\n".encode())
            os._exit(0)
        readable, _, _ = select.select([connection], [], [], 0.1)
        if readable and not connection.recv(4096):
            end_group(lambda: os.waitpid(server, os.WNOHANG)[0] != 0)
            os._exit(0)


def serve(request: dict, log_fd: int) -> None:
    """In the watchdog's fork: run the request's program as a fresh Python would. Never returns."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    os.close(log_fd)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False))
    # Unbuffered, as PYTHONUNBUFFERED=1 makes them: log lines reach the file as they happen.
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), write_through=True, line_buffering=True)
    sys.stderr = io.TextIOWrapper(
        io.FileIO(2, "w", closefd=False), write_through=True, line_buffering=True, errors="backslashreplace"
    )
    title(request["title"])  # before the environment changes: setproctitle moves it to make room
    env = request["env"]
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(env)
    sys.dont_write_bytecode = bool(env.get("PYTHONDONTWRITEBYTECODE"))
    script = request["script"]
    # As for `python SCRIPT`: the script's folder first, then PYTHONPATH, then the environment's own.
    pythonpath = filter(None, env.get("PYTHONPATH", "").split(os.pathsep))
    sys.path[:] = [os.path.dirname(script), *pythonpath, *BASE_PATH]
    sys.argv = [request["argv0"], *request["args"]]  # as typed: a relative script stays relative
    code = 0
    try:
        run_as_main(script)
    except SystemExit as exit:
        code = exit_code(exit)
    except BaseException as error:
        code = 130 if isinstance(error, KeyboardInterrupt) else 1
        error.__traceback__ = without_own_frames(error.__traceback__, script)
        sys.excepthook(type(error), error, error.__traceback__)
    finally:
        try:
            import atexit
            import threading

            threading._shutdown()  # what the interpreter does at exit: wait for non-daemon threads
            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def run_as_main(script: str) -> None:
    """Run ``script`` as ``python SCRIPT`` runs it: a fresh ``__main__`` module, its absolute ``__file__``.

    (``runpy.run_path`` would put its own frames in tracebacks and ``SCRIPT``'s full path in ``sys.argv[0]``.)
    """
    main = types.ModuleType("__main__")
    main.__file__ = script
    main.__cached__ = None
    sys.modules["__main__"] = main
    with open(script, "rb") as source:
        code = compile(source.read(), script, "exec", dont_inherit=True)
    exec(code, main.__dict__)


def title(text: str) -> None:
    """Show ``text`` as this process's command in ``ps``, in place of this script's."""
    try:
        import setproctitle
    except ImportError:  # a checkout installed before it was pinned: ps shows _forkserver.py
        return
    setproctitle.setproctitle(text)


def exit_code(exit: SystemExit) -> int:
    """The process's exit code for ``sys.exit(value)``, as the interpreter computes it."""
    if exit.code is None:
        return 0
    if isinstance(exit.code, int):
        return exit.code & 0xFF
    print(exit.code, file=sys.stderr)
    return 1


def without_own_frames(tb, script):
    """The traceback from the program's first frame on, as ``python SCRIPT`` would show it."""
    start = tb
    while start is not None and start.tb_frame.f_code.co_filename != script:
        start = start.tb_next
    return start or tb


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: _forkserver.py SOCKET_PATH", file=sys.stderr)
        return 2
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(argv[0] + ".new")
    listener.listen(64)  # requests wait in the backlog while the imports below run
    os.rename(argv[0] + ".new", argv[0])  # the socket appears at its path only once it listens
    warm_up()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the watchdogs reap themselves
    while True:
        connection, _ = listener.accept()
        try:
            request, log_fd = read_request(connection)
        except (OSError, ValueError) as error:
            print(f"_forkserver: a request failed: {error}", file=sys.stderr, flush=True)
            connection.close()
            continue
        if os.fork() == 0:
            listener.close()
            try:
                watch(connection, request, log_fd)
            finally:
                os._exit(1)  # only if the fork itself failed to start its server
        os.close(log_fd)
        connection.close()


# The import path of a fresh Python, without this script's folder: a server's own goes in front.
BASE_PATH = list(sys.path[1:])

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
