"""Running an exercise's checks against a learner's file, in a process of their own.

Each exercise has a module in ``coursekit/checks/`` that declares its checks
with the :func:`check` decorator. They run in a separate process,
``python -m coursekit.checking NAME FILE --channel FD --slot FD --lifeline FD``,
started by :mod:`check_runner`, so a broken or hanging exercise can never take
the notebook's kernel down, and each run imports the learner's file afresh.

The learner's file may do anything when it is imported: print, loop forever,
exit, read stdin, start threads. So this process never speaks on stdout: it
sends its messages on the channel (see :mod:`check_protocol`), in this order::

    importing                   the checks are prepared; the learner's file is imported now
    import_failed kind why line the file did not import (the run ends here)
    imported
    start index                 check number ``index`` begins
    result index ok why         ... and ends
    done

and ``course_error why`` when the course's own code fails. A trace function
keeps the slot up to date with the line of the learner's file that runs, so
the parent can say where a file was stuck when it had to stop it. The parent
enforces every time limit; this process only reports.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import importlib
import importlib.util
import inspect
import mmap
import os
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from . import check_protocol as protocol

CHECK_TIMEOUT = 10.0


@dataclass
class Check:
    description: str
    hint: str
    function: Callable


def check(description: str, hint: str = "", **arguments) -> Callable:
    """Declare a check: ``function(exercise_module, **arguments)`` passes unless it raises.

    Stacked, the declarations make a table: one function, several checks that
    differ only in their data, run in the order they are written::

        @check("a name the route refuses gets 404", "use re.fullmatch", names=["my-room", "a.b"])
        @check("a name ending in a newline gets 404 too", "'$' matches before a newline", names=["lobby\\n"])
        def refused(exercise, names): ...
    """

    def register(function: Callable) -> Callable:
        bound = functools.partial(function, **arguments) if arguments else function
        function.course_checks = [Check(description, hint, bound), *getattr(function, "course_checks", [])]
        return function

    return register


def checks_of(module: ModuleType) -> list[Check]:
    """The checks ``module`` declares, in the order of its source."""
    return [item for value in vars(module).values() for item in getattr(value, "course_checks", [])]


def check_module_name(exercise: str) -> str:
    return "ex" + exercise


def learner_line(error: BaseException, path: Path | None) -> int | None:
    """The last line of the learner's file in ``error``'s traceback."""
    if path is None:
        return None
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if Path(frame.filename) == path:
            return frame.lineno
    return None


def reads_stdin(error: BaseException) -> bool:
    return isinstance(error, EOFError) and str(error) == "EOF when reading a line"


def error_text(error: BaseException) -> str:
    """``Type: message`` for most errors; a sentence for the ones a learner raises by accident."""
    if isinstance(error, SystemExit):
        return f"it calls sys.exit({'' if error.code is None else repr(error.code)})"
    if reads_stdin(error):
        return "it calls input(), and a check has no keyboard to answer it"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def describe_error(error: BaseException, path: Path | None = None) -> str:
    """One line about an exception, pointing at the learner's file when it is to blame."""
    if isinstance(error, AssertionError) and str(error):
        return str(error)
    if isinstance(error, SyntaxError):
        return f"SyntaxError on line {error.lineno}: {error.msg}"
    if isinstance(error, (TimeoutError, asyncio.TimeoutError)):
        return f"no answer within {CHECK_TIMEOUT:.0f} s (does something wait forever?)"
    text = error_text(error)
    line = learner_line(error, path)
    return f"{text} (line {line} of your file)" if line is not None else text


def import_problem(error: BaseException, path: Path) -> dict:
    """What the report says when importing the learner's file raised ``error``."""
    if isinstance(error, SyntaxError) and Path(error.filename or "") == path:
        return {"kind": "syntax", "why": f"{type(error).__name__}: {error.msg}", "line": error.lineno or 0}
    if isinstance(error, SystemExit):
        kind = "exit"
    elif reads_stdin(error):
        kind = "input"
    else:
        kind = "error"
    return {"kind": kind, "why": error_text(error), "line": learner_line(error, path) or 0}


class Channel:
    """The messages to the parent (see :mod:`check_protocol`)."""

    def __init__(self, fd: int, token: str):
        self.fd, self.token = fd, token

    def send(self, event: str, **fields) -> None:
        data = protocol.encode(self.token, {"event": event, **fields})
        while data:
            data = data[os.write(self.fd, data):]


class LineTracker:
    """Keeps the slot up to date with the line of the learner's file that runs.

    Only frames of that file are traced line by line; every other frame costs
    one call of :meth:`on_call`. ``threading.settrace`` covers the threads the
    checks start later (``sync_to_async``, test runners).
    """

    def __init__(self, path: Path, fd: int):
        self.filename = str(path)
        self.slot = mmap.mmap(fd, protocol.SLOT_SIZE)

    def on_call(self, frame, event, arg):
        if frame.f_code.co_filename != self.filename:
            return None
        protocol.write_slot(self.slot, frame.f_lineno or 0)
        return self.on_line

    def on_line(self, frame, event, arg):
        if event == "line":
            protocol.write_slot(self.slot, frame.f_lineno or 0)
        return self.on_line

    def start(self) -> None:
        threading.settrace(self.on_call)
        sys.settrace(self.on_call)

    def reset(self) -> None:
        protocol.write_slot(self.slot, 0)


def exit_with_parent(fd: int) -> None:
    """End this process when the parent is gone (its end of the ``fd`` pipe closes), however it ended."""

    def wait():
        while os.read(fd, 1):
            pass
        os._exit(70)

    threading.Thread(target=wait, name="coursekit-lifeline", daemon=True).start()


def prepared_checks(name: str) -> ModuleType:
    """The checks module of exercise ``name``, its ``prepare()`` run (outside any event loop)."""
    checks_module = importlib.import_module(f"coursekit.checks.{check_module_name(name)}")
    prepare = getattr(checks_module, "prepare", None)
    if prepare is not None:
        prepare()
    return checks_module


def load_file(path: Path, name: str = "exercise") -> ModuleType:
    """Import ``path`` as the module ``name``. Compiled apart, so a syntax error is told from the rest."""
    code = compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    exec(code, module.__dict__)
    return module


async def run_one(item: Check, module: ModuleType, path: Path) -> dict:
    try:
        result = item.function(module)
        if inspect.isawaitable(result):
            await asyncio.wait_for(result, CHECK_TIMEOUT)
    except BaseException as error:  # every failure becomes a line of the report, sys.exit() too
        return {"ok": False, "why": describe_error(error, path)}
    return {"ok": True}


async def run(items: list[Check], module: ModuleType, path: Path, channel: Channel, tracker: LineTracker) -> None:
    for index, item in enumerate(items):
        tracker.reset()
        channel.send("start", index=index)
        channel.send("result", index=index, **await run_one(item, module, path))
    channel.send("done")


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m coursekit.checking")
    parser.add_argument("name")
    parser.add_argument("file", type=Path)
    parser.add_argument("--channel", type=int, required=True, help="the pipe to write messages to")
    parser.add_argument("--slot", type=int, required=True, help="the shared file that holds the current line")
    parser.add_argument("--lifeline", type=int, required=True, help="a pipe that closes when the parent ends")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = arguments(argv)
    for fd in (args.channel, args.slot, args.lifeline):
        os.set_inheritable(fd, False)  # nothing the learner's file starts holds them open
    channel = Channel(args.channel, os.environ.pop(protocol.TOKEN_ENV, ""))
    exit_with_parent(args.lifeline)
    path = args.file.resolve()
    try:
        items = checks_of(prepared_checks(args.name))
        tracker = LineTracker(path, args.slot)
    except BaseException as error:  # the course's own code failed: say so, briefly
        channel.send("course_error", why=describe_error(error))
        return 1
    channel.send("importing")
    tracker.start()
    try:
        module = load_file(path)
    except BaseException as error:  # whatever the file raised, sys.exit() included
        channel.send("import_failed", **import_problem(error, path))
        return 0
    channel.send("imported")
    asyncio.run(run(items, module, path, channel, tracker))
    return 0



def configure_django(channel_layer: str = "memory", **settings) -> str | None:
    """Configure Django for checks that need it; returns the Redis URL when one is used.

    ``channel_layer`` is ``"memory"`` (Channels' in-memory layer, one process),
    ``"redis"`` (a real Valkey server started for this check run and stopped
    when it ends) or ``"none"``.
    """
    import django
    from django.conf import settings as django_settings

    redis_url = None
    layers = {}
    if channel_layer == "memory":
        layers = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    elif channel_layer == "redis":
        from . import redis

        redis_url = redis.start().url
        # A prefix of this run's own: on a learner's Redis (COURSE_REDIS_URL) the checks' keys,
        # and the flush() between checks, stay clear of the channel layer their servers use.
        prefix = f"asgi-check-{os.getpid()}"
        layers = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer",
                              "CONFIG": {"hosts": [redis_url], "prefix": prefix}}}
    base = {
        "INSTALLED_APPS": ["django.contrib.contenttypes", "django.contrib.auth", "channels"],
        "CHANNEL_LAYERS": layers,
        "DATABASES": {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        "SECRET_KEY": "checks-only",
        "ALLOWED_HOSTS": ["*"],
        "USE_TZ": True,
    }
    base.update(settings)
    django_settings.configure(**base)
    django.setup()
    return redis_url


if __name__ == "__main__":
    try:
        code = main(sys.argv[1:])
    except BaseException:  # a fault of the course's own code: the parent quotes the last line
        traceback.print_exc()
        code = 1
    try:
        sys.stderr.flush()
    except Exception:  # the learner's file may have closed it
        pass
    # os._exit: threads the learner's file started must not hold up the end of the run.
    os._exit(code)
