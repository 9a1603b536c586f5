"""The lesson-07 chat against `coursekit serve 7`: WebSocket clients and real Chromium.

The browser scenarios are the official Channels tutorial's: a message typed in one
room reaches another window in the same room, never a window in another room, and
markup in a message is shown as text, never run. Chromium is Debian's
(/usr/bin/chromium), driven by Playwright; `.ci/run` installs it. Outside CI a
machine without Chromium skips these tests; with CI=true they fail instead.
"""

import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile

import pytest
import websockets

from coursekit import lessons, paths, processes

CHROMIUM = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@contextlib.contextmanager
def serve(lesson: int):
    """`python -m coursekit serve LESSON` on a free port; yields its host:port."""
    port = processes.free_port()
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
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"Chromium is missing at {CHROMIUM}; .ci/run installs it (apt-get install -y chromium).")
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield chromium
        chromium.close()


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
