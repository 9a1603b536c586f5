"""Showing a page of the course project inside the notebook (an IFrame).

Django's ``XFrameOptionsMiddleware`` sends ``X-Frame-Options: DENY`` with
every page: no page may show it in a frame, whatever its origin, the
project's own pages included (clickjacking protection). So a notebook's
IFrame of the chat page would stay empty. :func:`allow_frames` restarts a
lesson's daphne, on the same port, serving the project through
:func:`framable`, which drops that one header and changes nothing else. The
project's files and settings stay as they are.
"""

from __future__ import annotations

import importlib

from .daphne import DEFAULT_APPLICATION, DaphneServer

FRAMABLE_APPLICATION = "coursekit.framing:application"


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
    if server.application not in (DEFAULT_APPLICATION, FRAMABLE_APPLICATION):
        raise ValueError(f"allow_frames wraps {DEFAULT_APPLICATION}, not {server.application}")
    server.application = FRAMABLE_APPLICATION
    server.restart()
    print(
        f"daphne restarted on the same port, serving {DEFAULT_APPLICATION} without "
        "X-Frame-Options (for this notebook only; the project is unchanged)."
    )


def __getattr__(name: str):
    # daphne imports "coursekit.framing:application" in its own process, where
    # the project is on the path; the notebook's kernel never loads the project.
    if name == "application":
        module, _, attribute = DEFAULT_APPLICATION.partition(":")
        return framable(getattr(importlib.import_module(module), attribute))
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
