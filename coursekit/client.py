"""The notebook's side of the conversation: fetch a page, hear a WebSocket, wait for an effect.

- :func:`fetch` gets a page the way a browser would and keeps what a lesson
  prints of it (status, title, element ids), even when the server answers
  404 or 500, so a broken page can be looked at instead of raising.
- :func:`heard` waits for a WebSocket client's next message and sums it up in
  one stable line: the message (shortened when long), how the connection
  ended, or that nothing came.
- :func:`eventually` waits for something a server does a moment later (a
  ``group_discard`` after a client closes) without a fixed sleep that is too
  short on a busy machine and too long everywhere else.
"""

from __future__ import annotations

import asyncio
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from html.parser import HTMLParser

import websockets
from websockets.frames import CLOSE_CODE_EXPLANATIONS

from .stable import shorten

# Pages --------------------------------------------------------------------------


class _Outline(HTMLParser):
    """Collects the ``id`` of every element and the text of ``<title>``."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        self._in_title = tag == "title"
        self.ids += [value for name, value in attrs if name == "id" and value]

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


@dataclass
class Page:
    """What came back for one GET: status, headers and the HTML."""

    status: int
    headers: Message = field(repr=False)
    html: str = field(repr=False)

    def _outline(self) -> _Outline:
        outline = _Outline()
        outline.feed(self.html)
        return outline

    @property
    def title(self) -> str:
        """The ``<title>``, with its white space collapsed."""
        return " ".join(self._outline().title.split())

    @property
    def ids(self) -> list[str]:
        """The ids of the page's elements, in document order."""
        return self._outline().ids

    def lines(self, containing: str) -> list[str]:
        """The page's source lines that contain ``containing``, stripped."""
        return [line.strip() for line in self.html.splitlines() if containing in line]


def fetch(url: str, timeout: float = 5.0, headers: dict[str, str] | None = None) -> Page:
    """GET ``url``; an error status (404, 500, …) is returned as a Page, not raised."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Page(response.status, response.headers, response.read().decode())
    except urllib.error.HTTPError as error:
        with error:
            return Page(error.code, error.headers, error.read().decode(errors="replace"))


# WebSockets ---------------------------------------------------------------------


async def heard(ws, timeout: float = 1.5, width: int = 48) -> str:
    """What ``ws`` receives next: a message, how its connection ended, or nothing.

    A consumer that raises is noticed by daphne on its next check of its
    applications, once a second, so a 1011 close can reach the client a second
    after the crash: the default wait is longer than that.
    """
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


# Waiting ------------------------------------------------------------------------


async def eventually(condition: Callable[[], bool], timeout: float = 10.0, interval: float = 0.05) -> bool:
    """Wait until ``condition()`` is true (True) or ``timeout`` seconds pass (False).

    It returns as soon as the condition holds, so the generous default costs a
    fast machine nothing and spares a loaded one (a busy CI runner) a false alarm.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(interval)
    return True
