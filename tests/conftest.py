"""Fixtures shared by the tests of coursekit."""

import contextlib
import os
import signal
import subprocess
import sys
import tempfile

import pytest

from coursekit import forkserver, lessons, paths, processes


@pytest.fixture(scope="session", autouse=True)
def warm_forkserver():
    """The servers the tests start come from a warm forkserver, as a lesson's do."""
    forkserver.warm()


@pytest.fixture
def project_root(tmp_path, monkeypatch):
    """A private project and state folder for one test."""
    monkeypatch.setenv("COURSE_PROJECT_DIR", str(tmp_path / "project"))
    monkeypatch.setenv("COURSE_STATE_DIR", str(tmp_path / "state"))
    return tmp_path / "project"


@pytest.fixture
def in_ci():
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="module")
def served():
    """`python -m coursekit serve N` for the latest lesson, on a free port; yields the port."""
    port = processes.free_port()
    lesson = lessons.available()[-1].number
    with tempfile.TemporaryDirectory() as state:
        server = subprocess.Popen(
            [sys.executable, "-m", "coursekit", "serve", str(lesson), "--port", str(port)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=paths.REPO,
            env={**os.environ, "COURSE_STATE_DIR": state},
        )
        try:
            said = []
            for line in server.stdout:
                said.append(line)
                if line.startswith("WebSocket: ws://"):
                    break
            else:
                pytest.fail("coursekit serve stopped before it was ready:\n" + "".join(said))
            yield port
        finally:
            server.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(10)
            if server.poll() is None:
                server.kill()
                server.wait()
            server.stdout.close()
