"""Helpers for lesson 09 (JSON and validation): what a client hears, and what daphne reports.

:func:`heard` waits for a notebook client's next message and sums it up in one
stable line: the message (shortened when long), how the connection ended, or
that nothing came. A consumer that raises is noticed by daphne on its next
check of its applications, which runs once a second, so the 1011 close reaches
the client up to a second after the crash: the default wait is longer than that.

:func:`exceptions` picks the exception lines (``KeyError: 'message'``) out of
daphne's log, so a lesson can show what went wrong without a traceback wall.
"""

from __future__ import annotations

import asyncio
import re

import websockets
from websockets.frames import CLOSE_CODE_EXPLANATIONS


def shorten(text: str, width: int = 48) -> str:
    """``text``, cut to ``width`` characters with its full length said when it is longer."""
    if len(text) <= width:
        return text
    return f"{text[:width]}… ({len(text):,} characters in all)"


async def heard(ws, timeout: float = 1.5, width: int = 48) -> str:
    """What ``ws`` receives next: a message, how its connection ended, or nothing."""
    try:
        message = await asyncio.wait_for(ws.recv(), timeout)
    except TimeoutError:
        return f"nothing within {timeout:g} s"
    except websockets.ConnectionClosed as closed:
        return closing(closed)
    if isinstance(message, bytes):
        return f"{len(message)} bytes"
    return shorten(message, width)


def closing(closed: websockets.ConnectionClosed) -> str:
    """How a connection ended, in words: who closed it, with which code."""
    if closed.rcvd is not None:
        who, code = "the server", closed.rcvd.code
    elif closed.sent is not None:
        who, code = "this client", closed.sent.code
    else:
        return "dropped without a close frame"
    return f"closed by {who}: {code} ({CLOSE_CODE_EXPLANATIONS.get(code, 'unknown')})"


_EXCEPTION = re.compile(r"^[\w.]*(Error|Exception)(: |$)")


def exceptions(lines: list[str]) -> list[str]:
    """The lines of a daphne log that name an exception, e.g. ``KeyError: 'message'``."""
    return [line for line in lines if _EXCEPTION.match(line)]
