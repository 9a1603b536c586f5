"""`python -m coursekit deploy`: the production stack, driven through Caddy like a browser would.

One deploy serves the module's tests, in order (make test runs a file's tests in one worker):
pages, static files and the health URL through Caddy; the chat's contract through the proxy
(two rooms, history for a newcomer, a bad input, the Origin check, unusual room names, the
50 × 200 burst); supervisorctl on the written configuration; then SIGKILL of deploy, after
which nothing of its tree may be left within 2 s. Another, smaller deploy is stopped with
SIGTERM, as Ctrl-C would.
"""

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request

import psutil
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from coursekit import burst, paths, processes

from support import wait_gone

BURST_LESSON = 14  # the chat keeps every message of the burst from lesson 14 on (its capacity fix)


def start_deploy(state, *args: str) -> tuple[subprocess.Popen, str]:
    """`coursekit deploy ARGS` with its own state folder, and what it said up to "Press Ctrl-C to stop."."""
    env = {**os.environ, "COURSE_STATE_DIR": str(state)}
    env.pop("COURSE_REDIS_URL", None)
    deploy = subprocess.Popen([sys.executable, "-m", "coursekit", "deploy", *args], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, cwd=paths.REPO, env=env)
    said = []
    for line in deploy.stdout:
        said.append(line)
        if line.startswith("Press Ctrl-C"):
            return deploy, "".join(said)
    deploy.wait()
    raise AssertionError(f"coursekit deploy ended (code {deploy.returncode}) before it served:\n" + "".join(said))


def tree(pid: int) -> list[int]:
    return [pid] + [child.pid for child in psutil.Process(pid).children(recursive=True)]


class Deployed:
    def __init__(self, process: subprocess.Popen, said: str, port: int):
        self.process, self.said, self.port = process, said, port
        self.origin = f"http://127.0.0.1:{port}"
        self.lesson = int(re.search(r"end of Lesson (\d+)", said).group(1))
        self.folder = re.search(r"Configuration files and logs: (.+)", said).group(1).strip()

    def url(self, path: str) -> str:
        return f"{self.origin}{path}"

    def ws(self, room: str) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/chat/{room}/"


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    port = processes.free_port()
    process, said = start_deploy(tmp_path_factory.mktemp("deploy"), "--port", str(port))
    yield Deployed(process, said, port)
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        process.wait(15)


def get(url: str, origin: str | None = None) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, headers={"Origin": origin} if origin else {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode(errors="replace")


async def receive(ws, seconds: float = 5.0) -> dict:
    return json.loads(await asyncio.wait_for(ws.recv(), seconds))


async def nothing_for(ws, seconds: float = 0.5) -> bool:
    try:
        await asyncio.wait_for(ws.recv(), seconds)
    except TimeoutError:
        return True
    return False


def test_deploy_says_where_to_open_the_chat(deployed):
    said = deployed.said
    assert "with mysite.settings_production (DEBUG off, static files collected)" in said
    assert "supervisord: 2 daphne processes (ports " in said and "and the worker (runworker chat-stats)" in said
    assert f"Caddy: http://127.0.0.1:{deployed.port}, load-balancing" in said
    assert f"Open http://127.0.0.1:{deployed.port}/chat/ in your browser." in said
    assert said.rstrip().endswith("Press Ctrl-C to stop.")


def test_pages_static_files_and_the_health_url_through_caddy(deployed):
    status, headers, body = get(deployed.url("/chat/lobby/"))
    assert status == 200 and "lobby" in body
    status, headers, body = get(deployed.url("/static/admin/css/base.css"))  # collected, served by Caddy itself
    assert status == 200 and headers.get("Server") == "Caddy" and "body" in body
    status, _, body = get(deployed.url("/healthz"))
    assert (status, body) == (200, "ok\n")
    status, _, body = get(deployed.url("/no-such-page/"))
    assert status == 404 and "Traceback" not in body and "DEBUG = True" not in body  # DEBUG is off


def test_two_rooms_history_and_a_bad_input_through_caddy(deployed):
    async def scenario():
        lobby, kitchen = "lobby", "kitchen"
        async with (
            websockets.connect(deployed.ws(lobby), origin=deployed.origin) as ann,
            websockets.connect(deployed.ws(lobby), origin=deployed.origin) as bob,
            websockets.connect(deployed.ws(kitchen), origin=deployed.origin) as cat,
        ):
            await ann.send(json.dumps({"message": "hello, lobby"}))
            assert (await receive(ann))["message"] == "hello, lobby"
            assert (await receive(bob))["message"] == "hello, lobby"
            await cat.send(json.dumps({"message": "hello, kitchen"}))
            assert (await receive(cat))["message"] == "hello, kitchen"
            assert await nothing_for(ann) and await nothing_for(bob)  # another room hears nothing

            await bob.send("not json at all")
            assert "error" in await receive(bob)
            assert await nothing_for(ann)  # the room never sees an error
            await bob.send(json.dumps({"message": "still here"}))  # the connection stays open
            assert (await receive(bob))["message"] == "still here"
            assert (await receive(ann))["message"] == "still here"

        async with websockets.connect(deployed.ws(lobby), origin=deployed.origin) as dan:  # a newcomer
            history = [await receive(dan), await receive(dan)]
            assert [(each["message"], each.get("history")) for each in history] == [
                ("hello, lobby", True), ("still here", True)]

    asyncio.run(scenario())


def test_a_foreign_origin_is_refused_through_caddy(deployed):
    async def scenario():
        with pytest.raises(InvalidStatus) as refused:
            async with websockets.connect(deployed.ws("lobby"), origin="http://evil.example"):
                pass
        return refused.value.response.status_code

    assert asyncio.run(scenario()) == 403


UNUSUAL_ROOMS = ["caf%C3%A9", "a.b", "x" * 200, "%20", "semi%3Bcolon", "..", "%00"]


def test_unusual_room_names_are_never_a_server_error(deployed):
    async def handshake(room: str) -> int:
        try:
            async with websockets.connect(deployed.ws(room), origin=deployed.origin, open_timeout=5):
                return 101
        except InvalidStatus as error:
            return error.response.status_code

    async def all_of_them():
        return await asyncio.gather(*(handshake(room) for room in UNUSUAL_ROOMS))

    sockets = dict(zip(UNUSUAL_ROOMS, asyncio.run(all_of_them()), strict=True))
    pages = {room: get(deployed.url(f"/chat/{room}/"))[0] for room in UNUSUAL_ROOMS}
    for room in UNUSUAL_ROOMS:
        assert sockets[room] == 101 or 400 <= sockets[room] < 500, (room, sockets[room])
        assert pages[room] == 200 or 400 <= pages[room] < 500, (room, pages[room])


def test_the_burst_through_caddy_loses_nothing(deployed):
    if deployed.lesson < BURST_LESSON:
        pytest.skip(f"the chat keeps every message of the burst from lesson {BURST_LESSON} on; "
                    f"deploy serves lesson {deployed.lesson}")
    result = burst.run(deployed.ws("{room}"), clients=50, messages=200, origin=deployed.origin, quiet=3, limit=20)
    assert result.ok, result.summary() + " " + result.first_error


def test_supervisorctl_sees_the_daphne_processes_and_the_worker_running(deployed):
    conf = os.path.join(deployed.folder, "supervisord.conf")
    done = subprocess.run([os.path.join(os.path.dirname(sys.executable), "supervisorctl"), "-c", conf, "status"],
                          capture_output=True, text=True, timeout=10)
    lines = sorted(line.split()[:2] for line in done.stdout.splitlines() if line.strip())
    assert lines == [["daphne:daphne-1", "RUNNING"], ["daphne:daphne-2", "RUNNING"], ["worker", "RUNNING"]], done
    # Both daphne processes took part: Caddy spread the clients over them.
    for number in (1, 2):
        with open(os.path.join(deployed.folder, "logs", f"daphne-{number}.log")) as log:
            assert "WSCONNECT" in log.read()


def test_sigkill_of_deploy_leaves_no_process(deployed):
    pids = tree(deployed.process.pid)
    assert len(pids) >= 12  # deploy; watchdogs of Valkey, supervisord, Caddy; 2 daphne and the worker, each watched
    deployed.process.kill()
    deployed.process.wait()
    # Two grace periods in a row, by design: supervisord's watchdog gives it one to stop its programs,
    # then each program's watchdog gives its daphne one. A loaded machine needs more than their sum.
    assert wait_gone(pids, 5.0) == []
    assert processes.port_is_free(deployed.port)


def test_sigterm_stops_everything_like_ctrl_c(tmp_path):
    port = processes.free_port()
    deploy, _ = start_deploy(tmp_path, "--port", str(port), "--processes", "1")
    pids = tree(deploy.pid)
    deploy.send_signal(signal.SIGTERM)
    rest, _ = deploy.communicate(timeout=15)
    assert deploy.returncode == 0
    assert rest.strip() == "Stopping Caddy, supervisord (daphne and the worker) and Redis."
    assert wait_gone(pids, 1.0) == []


def test_the_programs_end_with_supervisord_even_when_it_is_sigkilled(tmp_path):
    # supervisord puts each program in a process group of its own: the course's watchdog, which
    # deploy's supervisord.conf puts before each command, ends them when supervisord's pipe closes.
    deploy, said = start_deploy(tmp_path, "--processes", "1")
    folder = re.search(r"Configuration files and logs: (.+)", said).group(1).strip()
    with open(os.path.join(folder, "supervisord.pid")) as pidfile:
        supervisord = psutil.Process(int(pidfile.read()))
    programs = [child.pid for child in supervisord.children(recursive=True)]
    assert len(programs) == 4  # daphne and the worker, each under its watchdog
    supervisord.kill()
    assert wait_gone(programs, 2.0) == []
    rest, _ = deploy.communicate(timeout=15)
    assert deploy.returncode == 2
    assert "coursekit: supervisord stopped unexpectedly. The end of its log:" in rest
