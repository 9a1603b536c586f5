"""Make output stable: the same text on every machine and every run.

Notebook outputs are tests (nbval compares them), so what a lesson prints must
not carry what changes from run to run: timestamps, client ports, this
machine's paths, the random ids in channel names, OS error numbers, the
library frames of a traceback. Every lesson and every log reader prints
through the functions here; each keeps the shape of the text and replaces
only what varies.
"""

from __future__ import annotations

import errno
import re
import sys
from pathlib import Path

from . import paths

_LOG_NOISE = [
    # "2026-11-25 08:00:00,123 INFO     Starting server" -> "INFO     Starting server"
    (re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ "), ""),
    # access log: "127.0.0.1:53412 - - [25/Nov/2026:08:00:00] ..." -> "client - - ..."
    (re.compile(r"^127\.0\.0\.1:\d+ - - \[[^\]]+\] "), "client "),
    (re.compile(r"^None - - \[[^\]]+\] "), "client "),  # a client on a unix socket
    (re.compile(r"port=\d+"), "port=PORT"),
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:PORT"),
]


def line(text: str, project: Path | None = None) -> str:
    """One log line without its timestamp, client port and this machine's paths."""
    for pattern, replacement in _LOG_NOISE:
        text = pattern.sub(replacement, text)
    if project is not None:
        text = text.replace(str(project), "<project>")
    return text.replace(sys.prefix, "<venv>").replace(str(paths.REPO), "<course>")


def block(text: str, project: Path | None = None) -> str:
    """Several lines at once, trailing white space dropped (see :func:`line`)."""
    return "\n".join(line(each, project) for each in text.rstrip().splitlines())


# Channel names ------------------------------------------------------------------

_SPECIFIC = re.compile(r"specific\.[0-9a-f]{32}!([0-9a-f]{32})?")


def _specific(match: re.Match) -> str:
    return "specific.<process>!" + ("<channel>" if match.group(1) else "")


def redact(text) -> str | list[str]:
    """``text`` (or a list of names) with channel ids replaced by ``<process>`` and ``<channel>``.

    ``specific.3f2a…!9c1b…`` becomes ``specific.<process>!<channel>``; the Redis
    key ``asgispecific.3f2a…!`` becomes ``asgispecific.<process>!``.
    """
    if isinstance(text, bytes):
        text = text.decode()
    if isinstance(text, (list, tuple, set)):
        return sorted(redact(item) for item in text)
    return _SPECIFIC.sub(_specific, str(text))


# Errors -------------------------------------------------------------------------

_ERROR_NUMBER = re.compile(r"\bError (\d+)\b")
_BRACKETED_ERRNO = re.compile(r"\[Errno \d+\] ")


def describe_error(error: BaseException, port: int | None = None) -> str:
    """``module.Class: message`` with the port shown as PORT and the OS error number by name.

    The number differs between systems (connection refused is 111 on Linux,
    61 on macOS); its name, ECONNREFUSED, does not.
    """
    message = str(error)
    if port is not None:
        message = message.replace(str(port), "PORT")
    message = _ERROR_NUMBER.sub(lambda m: f"Error {errno.errorcode.get(int(m.group(1)), m.group(1))}", message)
    return f"{type(error).__module__}.{type(error).__qualname__}: {message}"


def without_errno(text: str) -> str:
    """``[Errno 98] Address already in use`` (48 on macOS) becomes ``Address already in use``."""
    return _BRACKETED_ERRNO.sub("", text)


_EXCEPTION = re.compile(r"^[\w.]*(Error|Exception)(: |$)")


def exceptions(lines: list[str]) -> list[str]:
    """The lines of a log that name an exception, e.g. ``KeyError: 'message'``."""
    return [each for each in lines if _EXCEPTION.match(each)]


def shorten(text: str, width: int = 48) -> str:
    """``text``, cut to ``width`` characters with its full length said when it is longer."""
    if len(text) <= width:
        return text
    return f"{text[:width]}… ({len(text):,} characters in all)"


# Tracebacks in a log or a test runner's report ------------------------------------

_MARKERS = re.compile(r"^\s*[\^~]+\s*$")  # the ^^^^ (and ~~~~) Python prints under a line
_SITE_PACKAGES = re.compile(r"<venv>/lib/python3\.\d+/site-packages/")


def _frames(lines: list[str], start: int) -> tuple[list[list[str]], int]:
    """The frames of the traceback whose first frame line is ``lines[start]``, and where it ends."""
    frames: list[list[str]] = []
    index = start
    while index < len(lines) and lines[index].startswith("  "):
        text = lines[index]
        if text.startswith("  File "):
            frames.append([text])
        elif frames and not _MARKERS.match(text):
            frames[-1].append(text)
        index += 1
    return frames, index


def trim_tracebacks(text: str) -> str:
    """``text`` with each traceback cut down to the project's own frames.

    Frames inside asgiref, Django and Python itself differ between machines
    and Python versions, and a test never goes wrong there: only the frames in
    ``<project>/`` files are kept, or, when there are none, the frame that
    raised. A ``⋮`` line says where frames were left out. Run the text through
    :func:`block` first, so project paths read ``<project>/``.
    """
    lines = text.splitlines()
    kept: list[str] = []
    index = 0
    while index < len(lines):
        current = lines[index]
        kept.append(current)
        index += 1
        if current.startswith("Traceback (most recent call last):"):
            frames, index = _frames(lines, index)
            ours = [frame for frame in frames if frame[0].startswith('  File "<project>/')] or frames[-1:]
            if len(ours) < len(frames):
                kept.append("  ⋮")
            for frame in ours:
                kept.extend(frame)
    return "\n".join(_SITE_PACKAGES.sub("<site-packages>/", each) for each in kept)
