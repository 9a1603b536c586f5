"""Lesson 07 (frontend client): read the chat's pages, and show them inside the notebook.

``fetch(url)`` gets a page the way a browser would and keeps what the lesson
prints of it (status, title, element ids), even when the server answers 404 or
500, so a broken page can be looked at instead of raising.

``allow_frames(server)`` is about JupyterLab, not about the project. Django's
``XFrameOptionsMiddleware`` sends ``X-Frame-Options: DENY`` with every page, so
that no other site can show it in a frame (clickjacking protection). The
notebook is another site (another port), so a browser would leave an IFrame of
the chat page empty. ``allow_frames`` restarts the lesson's daphne, on the same
port, serving the project through :func:`framable`, which drops that one header
and changes nothing else. The project's files and settings stay as they are.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.message import Message
from html.parser import HTMLParser

from .daphne import DEFAULT_APPLICATION, DaphneServer

FRAMABLE_APPLICATION = "coursekit.lesson_07:application"


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


def fetch(url: str, timeout: float = 5.0) -> Page:
    """GET ``url``; an error status (404, 500, …) is returned as a Page, not raised."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return Page(response.status, response.headers, response.read().decode())
    except urllib.error.HTTPError as error:
        with error:
            return Page(error.code, error.headers, error.read().decode(errors="replace"))


def framable(app):
    """``app`` (an ASGI application) with ``X-Frame-Options`` removed from its HTTP responses."""

    async def application(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)

        async def send_without_frame_denial(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-frame-options"]
                message = {**message, "headers": headers}
            await send(message)

        return await app(scope, receive, send_without_frame_denial)

    return application


def allow_frames(server: DaphneServer) -> None:
    """Restart ``server`` (same port) serving the project through :func:`framable`."""
    if server.application != DEFAULT_APPLICATION and server.application != FRAMABLE_APPLICATION:
        raise ValueError(f"allow_frames wraps {DEFAULT_APPLICATION}, not {server.application}")
    server.application = FRAMABLE_APPLICATION
    server.restart()
    print(
        f"daphne restarted on the same port, serving {DEFAULT_APPLICATION} without "
        "X-Frame-Options (for this notebook only; the project is unchanged)."
    )


def __getattr__(name: str):
    # daphne imports "coursekit.lesson_07:application" in its own process, where
    # the project is on the path; the notebook's kernel never loads the project.
    if name == "application":
        module, _, attribute = DEFAULT_APPLICATION.partition(":")
        import importlib

        return framable(getattr(importlib.import_module(module), attribute))
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
