"""A bare chat server: the chat's wire format on plain ``websockets``, nothing else.

Usage: ``python bare_chat.py PORT`` (the bench runs it as a script, through
:func:`processes.start`, so it starts without importing Django or coursekit).

It is the yardstick for the course's chat: the same rooms (``/ws/chat/<room>/``),
the same frames (a client sends ``{"message": text}``; everyone in the room,
sender included, receives ``{"message": text, "user": "anonymous"}``; bad
input gets ``{"error": reason}`` back to the sender only), but no Django, no
channel layer, no Redis, no database: one process that keeps each room's
connections in a set and hands every message to all of them with
``websockets.broadcast``, serialised once.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
from http import HTTPStatus

from websockets.asyncio.server import ServerConnection, broadcast, serve

ROOM_PATH = re.compile(r"^/ws/chat/(\w+)/$")
MAX_MESSAGE_LENGTH = 4000

rooms: dict[str, set[ServerConnection]] = {}


def message_error(content) -> str | None:
    """The chat's validation, in short."""
    if not isinstance(content, dict) or not isinstance(content.get("message"), str):
        return 'send a JSON object, e.g. {"message": "hello"}'
    if not content["message"].strip():
        return '"message" is empty'
    if len(content["message"]) > MAX_MESSAGE_LENGTH:
        return f'"message" is longer than {MAX_MESSAGE_LENGTH} characters'
    return None


def refuse_unknown_paths(connection: ServerConnection, request):
    if not ROOM_PATH.match(request.path):
        return connection.respond(HTTPStatus.NOT_FOUND, "no such room\n")
    return None


async def chat(ws: ServerConnection) -> None:
    room = ROOM_PATH.match(ws.request.path).group(1)
    members = rooms.setdefault(room, set())
    members.add(ws)
    try:
        async for raw in ws:
            try:
                content = json.loads(raw)
            except (ValueError, RecursionError):
                content = None
            error = message_error(content)
            if error:
                await ws.send(json.dumps({"error": error}))
                continue
            broadcast(members, json.dumps({"message": content["message"], "user": "anonymous"}))
    finally:
        members.discard(ws)
        if not members:
            rooms.pop(room, None)


async def main(port: int) -> None:
    async with serve(chat, "127.0.0.1", port, process_request=refuse_unknown_paths, compression=None,
                     max_size=2**20, ping_interval=None):
        print(f"bare chat listening on 127.0.0.1:{port}", flush=True)
        await asyncio.get_running_loop().create_future()  # until the process is stopped


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
