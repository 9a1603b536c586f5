"""Two `coursekit serve` processes given the same COURSE_REDIS_URL share their rooms (lesson 13).

As two machines behind a load balancer would: each serve builds the project in a state
folder of its own and runs its own daphne, and both use one Redis, started here. A client
on each server joins the same room; what one says, the other hears, in both directions.
"""

import asyncio
import json
import os
import signal
import subprocess
import sys

import pytest
import websockets

from coursekit import lessons, paths, processes
from coursekit import redis as course_redis

LESSON = 12  # the chat with the Origin check, history and the worker; lesson 13 shares its rooms


@pytest.fixture
def shared_redis(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_STATE_DIR", str(tmp_path / "state"))
    server = course_redis.start()
    yield server.url
    server.stop()


def start_serve(url: str, state, port: int) -> subprocess.Popen:
    env = {**os.environ, "COURSE_REDIS_URL": url, "COURSE_STATE_DIR": str(state)}
    return subprocess.Popen([sys.executable, "-m", "coursekit", "serve", str(LESSON), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=paths.REPO, env=env)


def wait_until_serving(serve: subprocess.Popen) -> str:
    """The serve's output up to "Press Ctrl-C to stop."; fails with all of it when the serve ends first."""
    said = []
    for line in serve.stdout:
        said.append(line)
        if line.startswith("Press Ctrl-C"):
            return "".join(said)
    raise AssertionError("coursekit serve ended before it served:\n" + "".join(said))


async def join(port: int, room: str):
    """A client in ``room`` on the server at ``port``, once its consumer's connect() is over."""
    ws = await websockets.connect(f"ws://127.0.0.1:{port}/ws/chat/{room}/", origin=f"http://127.0.0.1:{port}")
    await ws.send("hello?")  # not JSON: answered with an error, after connect() (and its history)
    while "error" not in json.loads(await asyncio.wait_for(ws.recv(), 5)):
        pass
    return ws


async def heard(ws) -> dict:
    return json.loads(await asyncio.wait_for(ws.recv(), 5))


def test_two_serves_on_one_redis_share_a_room(shared_redis, tmp_path):
    assert LESSON in [info.number for info in lessons.available()]
    ports = [processes.free_port(), processes.free_port()]
    while ports[1] == ports[0]:
        ports[1] = processes.free_port()
    serves = [start_serve(shared_redis, tmp_path / f"serve-{number}", port) for number, port in enumerate(ports)]
    try:
        for serve in serves:
            said = wait_until_serving(serve)
            assert "Redis: " in said and "Serving the project as it is at the end of Lesson 12" in said, said

        async def scenario():
            ann, bob = await join(ports[0], "lobby"), await join(ports[1], "lobby")
            await ann.send(json.dumps({"message": "from server one"}))
            assert (await heard(ann))["message"] == "from server one"
            assert (await heard(bob))["message"] == "from server one"
            await bob.send(json.dumps({"message": "from server two"}))
            assert (await heard(bob))["message"] == "from server two"
            assert (await heard(ann))["message"] == "from server two"
            # and a room on one server is not another room on the other
            eve = await join(ports[1], "kitchen")
            await ann.send(json.dumps({"message": "lobby only"}))
            assert (await heard(bob))["message"] == "lobby only"
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(eve.recv(), 0.3)
            for client in (ann, bob, eve):
                await client.close()

        asyncio.run(scenario())
    finally:
        for serve in serves:
            if serve.poll() is None:
                os.kill(serve.pid, signal.SIGTERM)
        for serve in serves:
            try:
                serve.wait(10)
            except subprocess.TimeoutExpired:
                serve.kill()
                serve.wait()
            serve.stdout.close()
