"""Unusual room names against the chat of the latest lesson: never a server error.

`python -m coursekit serve N` runs the chat as it is at the end of the latest lesson. A client
written outside the project (plain `websockets`, with an Origin the chat allows) knocks at
`ws/chat/<room>/` with room names the route may meet and some it may not: letters outside ASCII,
names around the 80-character limit of chat/rooms.py and far beyond it, digits only, underscores,
an emoji (not a word character, so no route matches it) and percent-escapes. Each name must either
work end to end (a message sent comes back) or be refused at the handshake with a 4xx, never a 5xx;
and the room page `/chat/<room>/` must agree: 200 for the rooms the socket accepts, 404 for the others.
"""

import asyncio
import json
import re
import urllib.error
import urllib.parse
import urllib.request

import websockets

# How a room name travels in the URL: percent-encoded UTF-8, except where a case sends escapes itself.
ROOMS = {
    "lobby": "lobby",
    "café": urllib.parse.quote("café"),
    "東京": urllib.parse.quote("東京"),
    "emoji": urllib.parse.quote("🎉"),
    "79 characters": "r" * 79,
    "80 characters": "r" * 80,
    "81 characters": "r" * 81,
    "100 characters": "r" * 100,
    "300 characters": "r" * 300,
    "digits only": "2024",
    "underscores": "__snake_case__",
    "one underscore": "_",
    "%C3%A9 (café's é, escaped)": "caf%C3%A9",
    "%41%42 (AB, escaped)": "%41%42",
    "%20 (a space)": "a%20b",
    "%2F (a slash)": "a%2Fb",
    "%25 (a percent sign)": "100%25",
}
VALID = re.compile(r"[A-Za-z0-9_]{1,80}")  # chat/rooms.py: ASCII letters, digits and _, at most 80


async def try_socket(port: int, segment: str) -> str:
    """"works" when a message sent in the room comes back, "HTTP nnn" when the handshake is refused."""
    url = f"ws://127.0.0.1:{port}/ws/chat/{segment}/"
    try:
        async with websockets.connect(url, origin=f"http://127.0.0.1:{port}", open_timeout=10) as client:
            token = f"hello {segment[:20]}"
            await client.send(json.dumps({"message": token}))
            while True:  # a room's history (lesson 11) may come first
                message = json.loads(await asyncio.wait_for(client.recv(), 15))
                if message.get("message") == token and not message.get("history"):
                    return "works"
    except websockets.InvalidStatus as refused:
        return f"HTTP {refused.response.status_code}"
    except (websockets.ConnectionClosed, TimeoutError, OSError) as error:
        return f"failed: {error!r}"


def page_status(port: int, segment: str) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/chat/{segment}/", timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        error.close()
        return error.code


def test_every_room_name_works_or_is_refused_with_a_4xx_and_the_page_agrees(served):
    async def knock_everywhere():
        sockets = asyncio.gather(*(try_socket(served, segment) for segment in ROOMS.values()))
        pages = asyncio.gather(*(asyncio.to_thread(page_status, served, segment) for segment in ROOMS.values()))
        return await asyncio.gather(sockets, pages)

    sockets, pages = asyncio.run(knock_everywhere())
    wrong = []
    for (label, segment), socket, page in zip(ROOMS.items(), sockets, pages, strict=True):
        name = urllib.parse.unquote(segment)
        expected = "works" if VALID.fullmatch(name) else "HTTP 403"
        if socket != expected or page != (200 if expected == "works" else 404):
            wanted = f"{expected} and {200 if expected == 'works' else 404}"
            wrong.append(f"{label:28} socket: {socket}, page: {page}; expected {wanted}")
    assert not wrong, "room names the chat gets wrong:\n" + "\n".join(wrong)
