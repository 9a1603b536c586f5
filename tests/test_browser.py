"""The lesson-07 chat against `coursekit serve 7`: WebSocket clients and real Chromium.

The browser scenarios are the official Channels tutorial's: a message typed in one
room reaches another window in the same room, never a window in another room, and
markup in a message is shown as text, never run. Lesson 07's page also reconnects
after the server restarts, and stops on an application close code. Chromium is Debian's
(/usr/bin/chromium), driven by Playwright; `.ci/run` installs it. Outside CI a
machine without Chromium skips these tests; with CI=true they fail instead.
"""

import asyncio
import concurrent.futures
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
from urllib.parse import quote

import pytest
import websockets
from websockets.exceptions import InvalidStatus

from coursekit import lessons, paths, processes
from coursekit.client import fetch

import support


@contextlib.contextmanager
def serve(lesson: int, port: int | None = None):
    """`python -m coursekit serve LESSON` on ``port`` (a free one by default); yields its host:port."""
    port = port or processes.free_port()
    with tempfile.TemporaryDirectory() as state:
        env = {**os.environ, "COURSE_STATE_DIR": state}
        server = subprocess.Popen([sys.executable, "-m", "coursekit", "serve", str(lesson), "--port", str(port)],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                  cwd=paths.REPO, env=env)
        try:
            first = server.stdout.readline()
            assert first.startswith("Serving the project"), first + server.stdout.read()
            yield f"127.0.0.1:{port}"
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(10)


@pytest.fixture(scope="module")
def served():
    """The lesson-07 chat, the end of the seed's steps."""
    with serve(7) as address:
        yield address


@pytest.fixture(scope="module")
def served_latest():
    """The chat at the end of the last lesson written."""
    with serve(lessons.available()[-1].number) as address:
        yield address


def test_a_message_reaches_its_whole_room_and_no_other(served):
    async def scenario():
        url = f"ws://{served}/ws/chat/"
        async with websockets.connect(url + "lobby/") as alice, \
                websockets.connect(url + "lobby/") as bob, \
                websockets.connect(url + "kitchen/") as carol:
            await alice.send(json.dumps({"message": "hello lobby"}))
            for client in (alice, bob):
                assert json.loads(await asyncio.wait_for(client.recv(), 5))["message"] == "hello lobby"
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(carol.recv(), 0.5)

    asyncio.run(scenario())


@pytest.fixture(scope="module")
def browser():
    with support.chromium() as chromium:
        yield chromium


def open_room(browser, base, room):
    page = browser.new_page()
    page.goto(f"http://{base}/chat/")
    page.locator("#room-name-input").press_sequentially(room)  # the input has focus on load
    page.keyboard.press("Enter")
    page.wait_for_url(f"http://{base}/chat/{room}/")
    page.wait_for_function("() => typeof chatSocket !== 'undefined' && chatSocket.readyState === 1")
    return page


def send(page, text):
    page.keyboard.type(text)  # the message input has focus
    page.keyboard.press("Enter")


def test_browser_same_room_sees_the_message(browser, served):
    first, second = open_room(browser, served, "room_1"), open_room(browser, served, "room_1")
    assert first.evaluate("document.activeElement.id") == "chat-message-input"
    send(first, "hello")
    second.wait_for_function("() => document.querySelector('#chat-log').value === 'hello\\n'")
    first.wait_for_function("() => document.querySelector('#chat-log').value === 'hello\\n'")


def test_browser_other_room_does_not(browser, served):
    first, second = open_room(browser, served, "room_a"), open_room(browser, served, "room_b")
    send(first, "only for room a")
    first.wait_for_function("() => document.querySelector('#chat-log').value.includes('only for room a')")
    second.wait_for_timeout(500)
    assert second.evaluate("document.querySelector('#chat-log').value") == ""


def test_browser_shows_markup_as_text(browser, served):
    page = open_room(browser, served, "markup")
    markup = '<img src=x onerror="window.ranMarkup = true"><b>bold</b>'
    send(page, markup)
    page.wait_for_function("() => document.querySelector('#chat-log').value.length > 0")
    assert page.evaluate("document.querySelector('#chat-log').value") == markup + "\n"
    assert page.evaluate("window.ranMarkup === undefined")
    assert page.locator("b").count() == 0


def status(page) -> str:
    return page.evaluate("document.querySelector('#chat-status').textContent")


def test_browser_page_reconnects_after_the_server_restarts(browser):
    """Lesson 07: after an unexpected close the page reconnects, with backoff, by itself."""
    port = processes.free_port()
    with serve(7, port) as address:
        page = open_room(browser, address, "restart")
        assert status(page) == "Connected."
    page.wait_for_function("() => document.querySelector('#chat-status').textContent.startsWith('Not connected')")
    with serve(7, port):
        page.wait_for_function("() => chatSocket.readyState === 1", timeout=20_000)
        assert status(page) == "Connected."
        send(page, "back again")
        page.wait_for_function("() => document.querySelector('#chat-log').value === 'back again\\n'")


def test_browser_page_stops_on_an_application_close_code(browser, served):
    """Lesson 07: a close code from 4000 to 4999 is the application's "no": the page does not retry."""
    page = browser.new_page()
    attempts = []

    def refuse(ws):  # stands in for daphne: accepts, then closes with an application code
        attempts.append(ws.url)
        ws.close(code=4003, reason="not for you")

    page.route_web_socket(re.compile(r"/ws/chat/"), refuse)
    page.goto(f"http://{served}/chat/refused/")
    page.wait_for_function("() => document.querySelector('#chat-status').textContent.includes('Not reconnecting')")
    assert status(page) == "The server closed the chat (code 4003). Not reconnecting."
    page.wait_for_timeout(1000)  # longer than the first retry's delay (at most 0.5 s)
    assert len(attempts) == 1


def test_a_room_the_chat_cannot_open_is_refused_cleanly(served):
    """Lesson 06's chat/rooms.py: a room name either works or is refused with a 4xx, never a server error."""
    async def scenario():
        outcomes = {}
        for name in ["lobby", "café", "x" * 80, "x" * 81, "x" * 100, "my-room", "a.b", "two words", "lobby\n"]:
            try:
                async with websockets.connect(f"ws://{served}/ws/chat/{quote(name)}/", origin=f"http://{served}"):
                    outcomes[name] = 101
            except InvalidStatus as refused:
                outcomes[name] = refused.response.status_code
        return outcomes

    with concurrent.futures.ThreadPoolExecutor(1) as thread:  # Playwright's sync API may hold this thread's loop
        outcomes = thread.submit(asyncio.run, scenario()).result()
    assert outcomes == {"lobby": 101, "café": 403, "x" * 80: 101, "x" * 81: 403, "x" * 100: 403,
                        "my-room": 403, "a.b": 403, "two words": 403, "lobby\n": 403}
    names = ["lobby", "café", "x" * 81, "my-room"]
    pages = {name: fetch(f"http://{served}/chat/{quote(name)}/").status for name in names}
    assert pages == {"lobby": 200, "café": 404, "x" * 81: 404, "my-room": 404}


def chat_log(page) -> str:
    return page.evaluate("document.querySelector('#chat-log').value")


def test_browser_latest_chat_names_speakers_refuses_empty_messages_and_replays_history(browser, served_latest):
    """The chat as the later lessons leave it, in a real browser: the page's Origin passes the
    check (lesson 10), the speaker is named, an empty message is refused to its sender only
    (lesson 09), and a newcomer reads the room's history first (lesson 11)."""
    first = open_room(browser, served_latest, "history")
    send(first, "hello from the first page")
    first.wait_for_function("() => document.querySelector('#chat-log').value.includes('hello from')")
    assert chat_log(first) == "anonymous: hello from the first page\n"
    send(first, "")
    first.wait_for_function("() => document.querySelector('#chat-log').value.includes('not sent')")
    assert chat_log(first).endswith('(not sent: "message" is empty)\n')
    second = open_room(browser, served_latest, "history")
    second.wait_for_function("() => document.querySelector('#chat-log').value.length > 0")
    assert chat_log(second) == "anonymous: hello from the first page\n"
