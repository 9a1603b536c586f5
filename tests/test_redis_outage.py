"""Redis SIGKILLed under the final chat's connected clients, then started again on the same port.

The chat at the end of the latest lesson is served as `coursekit serve` serves it (the project
brought up in a folder of its own, daphne on it), but pointed at a Valkey server this test started
itself, so that the test can kill that server by pid (SIGKILL: no goodbye to its clients) and start
it again on the same port while the same daphne keeps running. What the clients are owed:

- during the outage, every client hears about it within a few seconds: an error frame
  (COURSE.md's ``{"error": "<reason>"}``) or a close frame with a code; never silence;
- a message sent during the outage is answered the same way, never swallowed;
- no consumer hangs: the server still answers HTTP and handshakes, and daphne (run with a short
  --application-close-timeout) kills no consumer for outliving its client;
- once Redis is back, the same daphne serves new clients: two of them in a room talk.
"""

import asyncio
import json
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

import pytest
import websockets

from coursekit import lessons, paths
from coursekit.daphne import DaphneServer

import support

ROOM = "outage"
CLIENTS = 3
HEAR_WITHIN = 3.0  # seconds a client may wait to hear that Redis is gone
CLOSE_TIMEOUT = 2  # daphne's --application-close-timeout: a consumer running this long after its client left hangs


def url(port, room):
    return f"ws://127.0.0.1:{port}/ws/chat/{room}/"


def origin(port):
    return f"http://127.0.0.1:{port}"


async def heard(ws, within: float) -> str:
    """What a client hears within ``within`` seconds, in words: an error frame, a close, a chat frame or silence."""
    deadline = time.monotonic() + within
    frames = []
    try:
        while True:
            frame = await asyncio.wait_for(ws.recv(), max(0.0, deadline - time.monotonic()))
            try:
                answer = json.loads(frame)
            except ValueError:
                answer = None
            if isinstance(answer, dict) and set(answer) == {"error"} and isinstance(answer["error"], str) \
                    and answer["error"]:
                return "error frame"
            frames.append(frame)  # a chat frame from before the outage, or anything else: keep listening
    except TimeoutError:
        return f"silence for {within:.0f} s" + (f" (after {frames})" if frames else "")
    except websockets.ConnectionClosed as closed:
        if closed.rcvd is None:
            return "the connection dropped without a close frame"
        return f"close {closed.rcvd.code}"


def acceptable(outcome: str) -> bool:
    return outcome == "error frame" or re.fullmatch(r"close \d+", outcome) is not None


async def handshake(port, room, within: float = 3.0) -> str:
    """How a new client's handshake ends: "accepted", "refused with HTTP N", or a hang."""
    try:
        ws = await asyncio.wait_for(websockets.connect(url(port, room), origin=origin(port)), within)
    except TimeoutError:
        return f"no answer within {within:.0f} s"
    except websockets.InvalidStatus as refused:
        return f"refused with HTTP {refused.response.status_code}"
    await ws.close()
    return "accepted"


def http_status(port, path="/chat/", within: float = 2.0) -> int | str:
    """The status of GET ``path``, or what went wrong instead (a hung server times out)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=within) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError as error:
        return repr(error)


@dataclass
class Findings:
    """What the clients and daphne's log said, for the tests below to judge."""

    idle: list[str] = field(default_factory=list)  # what each idle client heard once Redis was killed
    speaker: str = ""  # what the client that sent a message during the outage heard
    http_during: int | str | None = None  # GET /chat/ during the outage: a status, or the error
    newcomer: str = ""  # how a handshake during the outage ended
    after_restart: dict[str, str] = field(default_factory=dict)  # what ann and bob heard once Redis was back
    attempts: int = 0  # tries it took them, reconnecting as the page does
    log: str = ""
    seconds: float = 0.0

    def story(self) -> str:
        return (
            f"idle clients heard {self.idle}; the speaker heard {self.speaker!r}; GET /chat/ during the outage: "
            f"{self.http_during}; a handshake during the outage was {self.newcomer}; after the restart: "
            f"{self.after_restart} after {self.attempts} tries ({self.seconds:.1f} s).\n"
            f"The end of daphne's log:\n{self.log[-2500:]}"
        )


@pytest.fixture(scope="module")
def outage(tmp_path_factory):
    """The whole scenario, run once: the tests below each judge one part of what happened."""
    scratch = tmp_path_factory.mktemp("outage")
    servers = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COURSE_STATE_DIR", str(scratch / "state"))
        try:
            started = time.monotonic()
            servers["valkey"] = support.start_valkey(paths.state_dir())
            # What `coursekit serve` does (cli.cmd_serve): the project at the end of the latest lesson, in
            # a folder of its own, and daphne on it; here pointed at this test's Valkey, and told to kill
            # (and log) a consumer still running CLOSE_TIMEOUT s after its client left.
            root = scratch / "project"
            lessons.bring_up(lessons.available()[-1], root, at_end=True)
            daphne = DaphneServer(
                root, support.redis_url(servers["valkey"]),
                extra_args=["--application-close-timeout", str(CLOSE_TIMEOUT)],
            )
            servers["daphne"] = daphne.start()
            findings = Findings()
            asyncio.run(scenario(daphne.port, servers, findings))
            findings.log = daphne.log.text()
            findings.seconds = time.monotonic() - started
            yield findings
        finally:
            for server in servers.values():
                server.stop()


async def scenario(port, servers, findings: Findings) -> None:
    room = url(port, ROOM)
    clients = [await websockets.connect(room, origin=origin(port)) for _ in range(CLIENTS)]
    await clients[0].send(json.dumps({"message": "before the outage"}))
    for ws in clients:  # every subscription works before Redis goes
        assert json.loads(await asyncio.wait_for(ws.recv(), 5))["message"] == "before the outage"

    killed = support.sigkill_server(servers["valkey"])
    assert not support.running(killed)
    *idle, speaker = clients
    await speaker.send(json.dumps({"message": "during the outage"}))
    *findings.idle, findings.speaker = await asyncio.gather(*(heard(ws, HEAR_WITHIN) for ws in clients))
    findings.http_during = await asyncio.to_thread(http_status, port)
    findings.newcomer = await handshake(port, "outage_newcomer")
    for ws in clients:
        await ws.close()
    left = time.monotonic()  # every client of the outage has gone: their consumers must end

    servers["valkey"] = support.start_valkey(paths.state_dir(), servers["valkey"].port)
    # A client as lesson 07's page is one: told to reconnect (error frame, close 1000), it tries again after a
    # moment. A connection daphne's layer kept from before the outage can fail once (then redis-py dials again),
    # so the first client back may be told so; the same daphne must serve the next try.
    for attempt in range(1, 4):
        findings.attempts = attempt
        findings.after_restart = await after_the_restart(url(port, "after_outage"), origin(port))
        if findings.after_restart == {"ann": "Redis is back", "bob": "Redis is back"}:
            break
        await asyncio.sleep(0.5 * attempt)
    # daphne looks at its consumers once a second and kills (and logs) those still running
    # CLOSE_TIMEOUT s after their client left: give it the time to see every one of them.
    await asyncio.sleep(max(0.0, left + CLOSE_TIMEOUT + 1.5 - time.monotonic()))


async def after_the_restart(after: str, origin_url: str) -> dict[str, str]:
    """Two new clients in a room: what each heard once ann spoke (her message, or what ended the try)."""
    heard_by = {}
    async with websockets.connect(after, origin=origin_url) as ann, \
            websockets.connect(after, origin=origin_url) as bob:
        try:
            await ann.send(json.dumps({"message": "Redis is back"}))
        except websockets.ConnectionClosed as error:
            return {"ann": repr(error)}
        for name, ws in (("ann", ann), ("bob", bob)):
            try:
                frame = json.loads(await asyncio.wait_for(ws.recv(), 3))
                heard_by[name] = frame.get("message", frame.get("error"))
            except (TimeoutError, websockets.ConnectionClosed, ValueError) as error:
                heard_by[name] = repr(error)
    return heard_by


def test_idle_clients_hear_that_redis_is_gone_within_seconds(outage):
    wrong = [outcome for outcome in outage.idle if not acceptable(outcome)]
    wanted = f"idle clients wanted an error frame or a close frame within {HEAR_WITHIN:.0f} s.\n"
    assert not wrong, wanted + outage.story()


def test_a_message_sent_during_the_outage_is_answered_not_swallowed(outage):
    assert acceptable(outage.speaker), outage.story()


def test_the_server_keeps_answering_and_no_consumer_hangs(outage):
    assert outage.http_during == 200, outage.story()
    assert not outage.newcomer.startswith("no answer"), outage.story()
    assert "took too long to shut down" not in outage.log, "a consumer hung after its client left:\n" + outage.story()


def test_the_same_daphne_serves_new_clients_once_redis_is_back(outage):
    assert outage.after_restart == {"ann": "Redis is back", "bob": "Redis is back"}, outage.story()
