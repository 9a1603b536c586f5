"""Starting and stopping the course's servers, and what happens when one fails."""

import time
import urllib.request

import pytest

from coursekit import checkpoints, processes, project, redis
from coursekit.daphne import DaphneServer
from coursekit.errors import CourseError

from support import running, server_pids, wait_gone


def test_valkey_starts_answers_and_stops(project_root):
    server = redis.start()
    assert server.alive()
    pids = server_pids(server.process.pid)
    assert len(pids) == 2  # the watchdog and valkey-server
    server.stop()
    assert not redis.ping(server.url)
    assert wait_gone(pids, 0.5) == []


def test_external_redis_url_is_used_and_left_running(project_root, monkeypatch):
    own = redis.start()
    monkeypatch.setenv("COURSE_REDIS_URL", own.url)
    external = redis.start()
    assert external.external and external.url == own.url
    external.stop()
    assert own.alive(), "stopping an external Redis must not touch it"
    own.stop()


def test_unreachable_external_redis_is_one_clear_sentence(project_root, monkeypatch):
    monkeypatch.setenv("COURSE_REDIS_URL", f"redis://127.0.0.1:{processes.free_port()}/0")
    with pytest.raises(CourseError, match="Nothing answers at COURSE_REDIS_URL"):
        redis.start()


def test_daphne_serves_restarts_on_the_same_port_and_stops(project_root):
    root = project.ensure_exists()
    server = DaphneServer(root).start()
    assert urllib.request.urlopen(server.http_url("/admin/login/")).status == 200
    port, first = server.port, server.process.pid
    server.restart()
    assert server.port == port and server.process.pid != first
    assert urllib.request.urlopen(server.http_url("/admin/login/")).status == 200
    assert any("Listening on TCP address 127.0.0.1:PORT" in line for line in server.new_log_lines(0))
    pids = server_pids(server.process.pid)
    server.stop()
    assert wait_gone(pids, 0.5) == []
    assert processes.port_is_free(port)


def test_daphne_starts_and_restarts_within_the_two_second_budget(project_root):
    root = project.ensure_exists()
    server = DaphneServer(root)
    try:
        began = time.monotonic()
        server.start()
        started = time.monotonic() - began
        began = time.monotonic()
        server.restart()
        restarted = time.monotonic() - began
    finally:
        server.stop()
    assert started < 2.0 and restarted < 2.0, (started, restarted)


def test_a_server_that_dies_while_starting_shows_its_log_tail(project_root):
    root = project.ensure_exists()
    server = DaphneServer(root, application="mysite.nonexistent:application")
    with pytest.raises(CourseError) as error:
        server.start()
    message = str(error.value)
    assert message.startswith("daphne exited while starting")
    assert "No module named 'mysite.nonexistent'" in message
    assert not running(server.process.pid)


def test_daphne_on_a_busy_port_says_so(project_root):
    root = project.ensure_exists()
    first = DaphneServer(root).start()
    try:
        with pytest.raises(CourseError, match=f"Port {first.port} is in use"):
            DaphneServer(root, port=first.port).start()
    finally:
        first.stop()


def test_the_lesson_07_project_passes_django_checks(project_root):
    root = project_root
    project.bring_to(checkpoints.state_at_end(7), root)
    server = DaphneServer(root, redis_url=None).start()
    try:
        assert urllib.request.urlopen(server.http_url("/chat/")).status == 200
    finally:
        server.stop()


def test_teardown_stops_servers_started_by_hand_too(project_root):
    from coursekit import lessons

    course = lessons.setup(4, quiet=True)
    course.daphne.start()
    by_hand = processes.start("a sleeper", ["sleep", "30"], project_root.parent / "sleep.log")
    pids = server_pids(course.daphne.process.pid) + server_pids(by_hand.pid) + server_pids(course.redis.process.pid)
    course.teardown()
    assert wait_gone(pids, 0.5) == []
    assert processes.running() == []
