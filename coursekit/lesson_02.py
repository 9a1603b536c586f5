"""Helpers for lesson 02: print channel names, Redis keys and errors without their random parts.

Channel names and the Redis keys channels_redis derives from them carry random
hexadecimal ids (``specific.3f2a…!9c1b…``), and a connection error names the
port it tried. A notebook output that holds them would differ on every run,
so the lesson prints them through :func:`redact` and :func:`describe_error`,
which keep the shape and replace only what is random.
"""

from __future__ import annotations

import errno
import re

_SPECIFIC = re.compile(r"specific\.[0-9a-f]{32}!([0-9a-f]{32})?")
_ERROR_NUMBER = re.compile(r"\bError (\d+)\b")


def _specific(match: re.Match) -> str:
    return "specific.<process>!" + ("<channel>" if match.group(1) else "")


def redact(text) -> str:
    """``text`` (or a list of names) with channel ids replaced by ``<process>`` and ``<channel>``.

    ``specific.3f2a…!9c1b…`` becomes ``specific.<process>!<channel>``; the Redis
    key ``asgispecific.3f2a…!`` becomes ``asgispecific.<process>!``.
    """
    if isinstance(text, bytes):
        text = text.decode()
    if isinstance(text, (list, tuple, set)):
        return sorted(redact(item) for item in text)
    return _SPECIFIC.sub(_specific, str(text))


def _errno_name(number: int) -> str:
    return errno.errorcode.get(number, str(number))


def describe_error(error: BaseException, port: int | None = None) -> str:
    """``module.Class: message`` with the port shown as PORT and the OS error number by name.

    The number differs between systems (connection refused is 111 on Linux,
    61 on macOS); its name, ECONNREFUSED, does not.
    """
    message = str(error)
    if port is not None:
        message = message.replace(str(port), "PORT")
    message = _ERROR_NUMBER.sub(lambda m: f"Error {_errno_name(int(m.group(1)))}", message)
    return f"{type(error).__module__}.{type(error).__qualname__}: {message}"
