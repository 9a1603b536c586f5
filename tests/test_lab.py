"""`coursekit lab` (what `make course` runs): the learner's copies, a quiet terminal, one URL last.

JupyterLab runs in a temporary git checkout of the course (see test_workspace.course_clone) as
a supervised child of the CLI. The test starts a kernel for the learner's copy of a lesson
through the REST API and talks to it over JupyterLab's websocket, as the browser does.
"""

import asyncio
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import psutil
import pytest
import websockets
from test_workspace import clone_env, course_clone, git_status

from coursekit import processes

from support import wait_gone


class Lab:
    """`python -m coursekit lab` started in ``clone``; its terminal output goes to a file."""

    def __init__(self, clone: Path, tmp: Path):
        self.clone = clone
        self.port = processes.free_port()
        self.output_path = tmp / "terminal.txt"
        env = clone_env(clone, COURSE_STATE_DIR=str(clone / ".course"), JUPYTER_CONFIG_DIR=str(tmp / "config"),
                        JUPYTER_RUNTIME_DIR=str(tmp / "runtime"))
        for name in ("DISPLAY", "WAYLAND_DISPLAY", "JUPYTER_TOKEN"):
            env.pop(name, None)
        with open(self.output_path, "w") as output:
            self.cli = subprocess.Popen([sys.executable, "-m", "coursekit", "lab", "--port", str(self.port)],
                                        stdout=output, stderr=subprocess.STDOUT, cwd=clone, env=env,
                                        start_new_session=True)
        self.url = self.wait_for_url()
        self.token = self.url.rsplit("token=", 1)[1]
        self.base = f"http://127.0.0.1:{self.port}"

    def terminal(self) -> str:
        return self.output_path.read_text()

    def wait_for_url(self, timeout: float = 90) -> str:
        deadline = time.monotonic() + timeout
        while True:
            lines = [line for line in self.terminal().splitlines() if line.strip()]
            if lines and lines[-1].startswith("http://"):
                return lines[-1]
            assert self.cli.poll() is None, f"coursekit lab stopped:\n{self.terminal()}"
            assert time.monotonic() < deadline, f"coursekit lab printed no URL:\n{self.terminal()}"
            time.sleep(0.2)

    def api(self, path: str, method: str = "GET", body: dict | None = None):
        request = urllib.request.Request(f"{self.base}{path}", method=method,
                                         data=json.dumps(body).encode() if body else None,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=20) as response:
            return json.loads(response.read())

    def log(self) -> str:
        return (self.clone / ".course" / "logs" / "lab.log").read_text()

    def stop(self) -> None:
        if self.cli.poll() is None:
            os.killpg(self.cli.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.cli.wait(20)
        if self.cli.poll() is None:
            os.killpg(self.cli.pid, signal.SIGKILL)
            self.cli.wait()


def run_in_kernel(port: int, token: str, kernel_id: str, code: str) -> str:
    """Run ``code`` in a kernel through JupyterLab's websocket, as the browser does; returns what it printed."""

    async def run():
        url = f"ws://127.0.0.1:{port}/api/kernels/{kernel_id}/channels?token={token}"
        async with websockets.connect(url) as ws:
            msg_id = uuid.uuid4().hex
            await ws.send(json.dumps({
                "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "test",
                           "session": uuid.uuid4().hex, "version": "5.3"},
                "parent_header": {}, "metadata": {}, "channel": "shell",
                "content": {"code": code, "silent": False, "store_history": False,
                            "user_expressions": {}, "allow_stdin": False},
            }))
            while True:
                message = json.loads(await asyncio.wait_for(ws.recv(), 30))
                if message.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                if message["msg_type"] == "stream":
                    return message["content"]["text"].strip()
                if message["msg_type"] == "error":
                    raise AssertionError(message["content"]["evalue"])

    return asyncio.run(run())


@pytest.fixture
def lab(tmp_path):
    running = Lab(course_clone(tmp_path / "course"), tmp_path)
    yield running
    running.stop()


def test_lab_opens_the_learners_copy_quietly_and_prints_its_url_last(lab):
    clone = lab.clone
    # The copies are made before JupyterLab starts, and the URL opens the learner's lesson 00.
    assert (clone / "workspace" / "notebooks" / "04_first_consumer.ipynb").exists()
    assert (clone / "workspace" / "exercises" / "04_echo.py").exists()
    assert re.fullmatch(rf"http://127\.0\.0\.1:{lab.port}/lab/tree/workspace/notebooks/00_welcome\.ipynb"
                        r"\?token=[0-9a-f]{48}", lab.url), lab.url
    listing = lab.api("/api/contents/workspace/notebooks")
    assert {"00_welcome.ipynb", "04_first_consumer.ipynb"} <= {item["name"] for item in listing["content"]}
    assert lab.api("/api/kernelspecs")["default"] == "python3"

    # A kernel for the learner's lesson 04, as opening it in JupyterLab starts one: the course's python,
    # the clone's coursekit, the notebook's folder as its working directory, the learner's exercises.
    session = lab.api("/api/sessions", "POST", {"path": "workspace/notebooks/04_first_consumer.ipynb",
                                                "type": "notebook", "kernel": {"name": "python3"}})
    said = run_in_kernel(lab.port, lab.token, session["kernel"]["id"],
                         "import os, sys, coursekit; from coursekit import paths\n"
                         "print(sys.executable, coursekit.__file__, os.getcwd(), paths.exercises_dir())")
    assert said.split() == [sys.executable, str(clone / "coursekit" / "__init__.py"),
                            str(clone / "workspace" / "notebooks"), str(clone / "workspace" / "exercises")]

    # No news question, no update check: the course's settings overrides.
    notification = lab.api("/lab/api/settings/@jupyterlab/apputils-extension:notification")
    defaults = notification["schema"]["properties"]  # overrides.json changes the defaults the page gets
    assert defaults["fetchNews"]["default"] == "false" and defaults["checkForUpdates"]["default"] is False

    # The kernel's sockets are encrypted (CurveZMQ), so it has no warning to give, anywhere.
    terminal = lab.terminal()
    assert "without encryption" not in terminal and "without encryption" not in lab.log()
    assert "[IPKernelApp]" not in terminal and "[I " not in terminal and "[W " not in terminal, terminal
    assert terminal.splitlines()[-1] == lab.url
    copies = len(list((clone / "workspace").glob("*/[0-9][0-9]_*")))
    assert terminal.startswith(f"Copied {copies} lessons and exercises into workspace/"), terminal
    assert git_status(clone) == ""

    # Ctrl-C in the terminal: JupyterLab, its kernels and the watchdog all end, and the CLI exits cleanly.
    children = [child.pid for child in psutil.Process(lab.cli.pid).children(recursive=True)]
    assert len(children) >= 3  # the watchdog, JupyterLab and the kernel
    lab.cli.send_signal(signal.SIGINT)
    assert lab.cli.wait(20) == 0
    assert lab.terminal().splitlines()[-1] == "Stopping JupyterLab."
    assert wait_gone(children, 5.0) == []


def test_sigkill_of_lab_leaves_nothing(lab):
    session = lab.api("/api/sessions", "POST", {"path": "workspace/notebooks/00_welcome.ipynb",
                                                "type": "notebook", "kernel": {"name": "python3"}})
    assert session["kernel"]["execution_state"] in ("starting", "idle", "busy")
    children = [child.pid for child in psutil.Process(lab.cli.pid).children(recursive=True)]
    assert len(children) >= 3  # the watchdog, JupyterLab and the kernel
    lab.cli.send_signal(signal.SIGKILL)
    lab.cli.wait()
    assert wait_gone(children, 5.0) == []
