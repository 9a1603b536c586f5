"""Checks for exercises/05_daphne_command.py: the argv that starts daphne.

The list is read by daphne's own argument parser (so any spelling daphne
accepts passes), then run for real: daphne serves a tiny echo ASGI app from a
temporary folder and a WebSocket client talks to it.
"""

import contextlib
import io
import os
import sys
import tempfile
import time
from pathlib import Path

from coursekit import processes
from coursekit.checking import check

TITLE = "the daphne command line"

APP = "mysite.asgi:application"

# A whole ASGI application without Django: it accepts every WebSocket and echoes its text.
ECHO_APP = '''
async def application(scope, receive, send):
    if scope["type"] != "websocket":
        return
    while True:
        event = await receive()
        if event["type"] == "websocket.connect":
            await send({"type": "websocket.accept"})
        elif event["type"] == "websocket.receive":
            await send({"type": "websocket.send", "text": event.get("text") or ""})
        elif event["type"] == "websocket.disconnect":
            return
'''


def argv_of(exercise, *args, **kwargs) -> list[str]:
    argv = exercise.daphne_command(*args, **kwargs)
    assert isinstance(argv, list), f"it returned {type(argv).__name__}, not a list"
    for index, item in enumerate(argv):
        assert isinstance(item, str), (
            f"item {index} ({item!r}) is {type(item).__name__}: every item of an argv is a str"
        )
    assert argv and argv[0] == "daphne", f'the list starts with {argv[0] if argv else "nothing"!r}, not "daphne"'
    return argv


def parsed(argv: list[str]):
    """What daphne makes of ``argv`` (its own parser, as `daphne ARGS` would)."""
    from daphne.cli import CommandLineInterface

    errors = io.StringIO()
    try:
        with contextlib.redirect_stderr(errors):
            return CommandLineInterface().parser.parse_args(argv[1:])
    except SystemExit:
        last = (errors.getvalue().strip().splitlines() or ["it cannot parse the list"])[-1]
        message = last.split("error: ", 1)[-1]
        raise AssertionError(f"daphne rejects {' '.join(argv[1:])!r}: {message}") from None


@check('daphne_command returns a list of str starting with "daphne"',
       hint='e.g. ["daphne", "-b", host, "-p", str(port), application]; str(port), not port')
def returns_argv(exercise):
    argv_of(exercise, APP, 8001)


@check("daphne reads the application, the host (-b) and the port (-p) from it",
       hint="-b HOST -p PORT, then the application as the last word")
def host_and_port(exercise):
    for kwargs, host in [({}, "127.0.0.1"), ({"host": "0.0.0.0"}, "0.0.0.0")]:
        args = parsed(argv_of(exercise, APP, 8001, **kwargs))
        assert args.application == APP, f"daphne's application is {args.application!r}, not {APP!r}"
        assert args.host == host, f"with {kwargs or 'the defaults'}, daphne binds to {args.host!r}, not {host!r}"
        assert args.port == 8001, f"daphne's port is {args.port!r}, not 8001"


@check("access_log and verbosity become --access-log FILE and -v N",
       hint="add --access-log only when access_log is given; -v takes the level as a str")
def logging_options(exercise):
    args = parsed(argv_of(exercise, APP, 8001))
    assert args.access_log is None, f"with access_log=None daphne gets --access-log {args.access_log!r}"
    assert args.verbosity == 1, f"with verbosity=1 daphne's verbosity is {args.verbosity}"
    args = parsed(argv_of(exercise, APP, 8001, access_log="access.log", verbosity=0))
    assert args.access_log == "access.log", f"daphne's access log is {args.access_log!r}, not 'access.log'"
    assert args.verbosity == 0, f"with verbosity=0 daphne's verbosity is {args.verbosity}"
    args = parsed(argv_of(exercise, APP, 8001, verbosity=2))
    assert args.verbosity == 2, f"with verbosity=2 daphne's verbosity is {args.verbosity}"


@check("websocket_timeout becomes daphne's --websocket_timeout option",
       hint="look at `daphne --help`: this option is spelled with underscores, not dashes")
def timeout_option(exercise):
    args = parsed(argv_of(exercise, APP, 8001))
    assert args.websocket_timeout == 86400, (
        f"with websocket_timeout=None daphne's timeout should stay its default 86400, not {args.websocket_timeout}"
    )
    args = parsed(argv_of(exercise, APP, 8001, websocket_timeout=30))
    assert args.websocket_timeout == 30, f"with websocket_timeout=30 daphne's timeout is {args.websocket_timeout}"


@check("the command really starts daphne, which answers a WebSocket and logs it",
       hint="the same list, run as it is: it must work in a terminal too")
async def really_runs(exercise):
    import websockets

    argv_of(exercise, APP, 8001)  # a wrong list fails here, with a message that names no random port
    port = processes.free_port()
    with tempfile.TemporaryDirectory(prefix="course-check-") as scratch:
        folder = Path(scratch)
        (folder / "echo_app.py").write_text(ECHO_APP)
        access_log = folder / "access.log"
        argv = argv_of(exercise, "echo_app:application", port, access_log=str(access_log), verbosity=0,
                       websocket_timeout=60)
        bin_dir = str(Path(sys.executable).parent)  # where this environment's `daphne` script is
        env = {**os.environ, "PATH": os.pathsep.join([bin_dir, os.environ.get("PATH", "")])}
        server = processes.start("daphne", argv, folder / "daphne.log", cwd=folder, env=env)
        try:
            deadline = time.monotonic() + 8
            while not processes.accepts_connections(port):
                if not server.alive():
                    last = (server.log_tail().strip().splitlines() or ["no output"])[-1]
                    raise AssertionError(f"daphne exited at start: {last.replace(scratch, '<folder>')}")
                assert time.monotonic() < deadline, "daphne did not listen on the port within 8 s"
                time.sleep(0.02)
            async with websockets.connect(f"ws://127.0.0.1:{port}/echo/") as ws:
                await ws.send("ping")
                reply = await ws.recv()
            assert reply == "ping", f"the echo app answered {reply!r}"
            deadline = time.monotonic() + 2
            while "WSDISCONNECT /echo/" not in (access_log.read_text() if access_log.exists() else ""):
                assert time.monotonic() < deadline, "daphne wrote no access log lines to the access_log file"
                time.sleep(0.05)
        finally:
            server.stop()
