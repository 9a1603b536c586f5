"""Servers forked from the warm forkserver behave like servers started as new processes."""

import os
import signal
import subprocess
import sys
import textwrap
import urllib.request

import psutil
import pytest

from coursekit import forkserver, paths, processes, project
from coursekit.daphne import DaphneServer, by_hand
from coursekit.errors import CourseError

from support import server_pids, wait_gone

# What a forked program must see as a new Python would: its folder, environment, arguments and path.
REPORT = textwrap.dedent("""
    import json, os, sys
    print(json.dumps({"cwd": os.getcwd(), "said": os.environ.get("COURSE_SAID"), "argv": sys.argv,
                      "path0": sys.path[0], "settings": os.environ.get("DJANGO_SETTINGS_MODULE")}))
    raise SystemExit(3)
""")


@pytest.fixture
def root(project_root):
    return project.ensure_exists()


def run_to_the_end(root, command, log_name, monkeypatch, *, forked: bool):
    """Start ``command`` in ``root`` (forked or as a new process), wait for its end; its exit code and log."""
    monkeypatch.setenv("COURSE_FORKSERVER", "1" if forked else "0")
    env = {**os.environ, "COURSE_SAID": "hello", "DJANGO_SETTINGS_MODULE": "mysite.settings"}
    started = processes.start("a program", command, paths.logs_dir() / log_name, cwd=root, env=env)
    assert isinstance(started.popen, forkserver.Forked) == forked
    code = started.popen.wait(20)
    return code, started.log_path.read_text()


def test_a_forked_program_sees_what_a_new_python_would(root, monkeypatch):
    (root / "manage.py").write_text(REPORT)  # a stand-in with manage.py's name, which the forkserver runs
    command = [sys.executable, "manage.py", "--flag", "value"]
    forked = run_to_the_end(root, command, "forked.log", monkeypatch, forked=True)
    plain = run_to_the_end(root, command, "plain.log", monkeypatch, forked=False)
    assert forked == plain
    assert '"said": "hello"' in forked[1] and forked[0] == 3


def test_a_failing_daphne_logs_and_exits_as_a_new_process_would(root, monkeypatch):
    def fail(forked: bool) -> tuple[str, str]:
        monkeypatch.setenv("COURSE_FORKSERVER", "1" if forked else "0")
        server = by_hand(root, None, "-b", "127.0.0.1", "-p", str(processes.free_port()), "mysite.nowhere:application")
        with pytest.raises(CourseError) as failed:
            server.start()
        return str(failed.value), server.log.text()

    forked, plain = fail(True), fail(False)
    assert forked == plain
    assert "daphne exited with code 1: ModuleNotFoundError" in forked[0]
    assert "_forkserver" not in forked[1] and "runpy" not in forked[1]  # the traceback starts at daphne's script


def test_a_forked_daphne_serves_shows_its_command_and_stops_with_its_group(root):
    server = DaphneServer(root).start()
    assert isinstance(server.process.popen, forkserver.Forked)
    assert urllib.request.urlopen(server.http_url("/admin/login/")).status == 200
    (daphne,) = psutil.Process(server.process.pid).children()
    assert " ".join(daphne.cmdline()).split() == ["daphne", "-b", "127.0.0.1", "-p", str(server.port),
                                                  "mysite.asgi:application"]
    assert "_forkserver.py" in " ".join(psutil.Process(server.process.pid).parent().cmdline())
    pids = server_pids(server.process.pid)
    server.stop()
    assert wait_gone(pids, 0.5) == []
    assert processes.port_is_free(server.port)


def test_servers_outlive_a_killed_forkserver_and_the_next_start_brings_a_new_one(root):
    first = DaphneServer(root).start()
    warm = psutil.Process(first.process.pid).parent()
    warm.send_signal(signal.SIGKILL)
    assert wait_gone([warm.pid], 2.0) == []
    assert urllib.request.urlopen(first.http_url("/admin/login/")).status == 200
    second = DaphneServer(root).start()
    assert isinstance(second.process.popen, forkserver.Forked)
    assert psutil.Process(second.process.pid).parent().pid != warm.pid
    assert urllib.request.urlopen(second.http_url("/admin/login/")).status == 200
    first.stop()
    second.stop()


def test_only_this_environments_servers_are_forked():
    python = sys.executable
    daphne = str(os.path.join(os.path.dirname(python), "daphne"))
    assert forkserver.request_for([daphne, "mysite.asgi:application"])["script"] == daphne
    assert forkserver.request_for([python, "manage.py", "runworker", "jobs"])["args"] == ["runworker", "jobs"]
    assert forkserver.request_for([python, "-m", "jupyterlab"]) is None
    assert forkserver.request_for(["/usr/bin/daphne", "x:y"]) is None  # another environment's
    assert forkserver.request_for(["valkey-server", "--port", "1"]) is None


def test_the_plain_way_when_turned_off(root, monkeypatch):
    monkeypatch.setenv("COURSE_FORKSERVER", "0")
    server = DaphneServer(root).start()
    assert isinstance(server.process.popen, subprocess.Popen)
    server.stop()


def test_a_process_that_never_warmed_one_starts_its_servers_the_plain_way(root):
    shown = subprocess.run(
        [sys.executable, "-c", "from coursekit import daphne, project; server = daphne.DaphneServer("
         "project.ensure_exists()).start(); print(type(server.process.popen).__name__); server.stop()"],
        capture_output=True, text=True, timeout=60, cwd=paths.REPO,
    )
    assert shown.stdout.strip() == "Popen", shown.stderr
