"""Helpers for tests that watch processes, and the browser tests' Chromium."""

import contextlib
import os
import shutil
import time

import psutil
import pytest

CHROMIUM = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@contextlib.contextmanager
def chromium():
    """Debian's Chromium (or ``COURSE_CHROMIUM``) under Playwright; skipped without it, except in CI."""
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"Chromium is missing at {CHROMIUM}; .ci/run installs it (apt-get install -y chromium).")
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def wait_gone(pids: list[int], timeout: float = 2.0) -> list[int]:
    """The pids still alive (not zombies) after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    alive = list(pids)
    while alive and time.monotonic() < deadline:
        alive = [pid for pid in alive if running(pid)]
        time.sleep(0.05)
    return alive


def running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def server_pids(watchdog_pid: int) -> list[int]:
    """The watchdog and everything it started (the server's process group)."""
    watchdog = psutil.Process(watchdog_pid)
    return [watchdog_pid] + [child.pid for child in watchdog.children(recursive=True)]


def start_valkey(state_dir, port: int | None = None):
    """The bundled Valkey server on ``port`` (a free one if None), started as coursekit.redis starts it.

    Unlike ``coursekit.redis.start()`` it ignores COURSE_REDIS_URL and takes a port, so a test can
    SIGKILL the server (:func:`sigkill_server`) and start it again on the same port. Returns the
    supervised process (its ``port`` set); the URL is :func:`redis_url` of it.
    """
    import os
    from pathlib import Path

    from coursekit import processes, redis

    port = port or processes.free_port()
    command = [
        str(redis.server_binary()), "--port", str(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", str(state_dir),
    ]
    log_path = Path(state_dir) / f"valkey-{os.getpid()}-{port}-{time.monotonic_ns()}.log"
    server = processes.start("The Valkey server", command, log_path, port=port)
    server.wait_ready(lambda: redis.ping(redis_url(server)), 10)
    return server


def redis_url(server) -> str:
    return f"redis://127.0.0.1:{server.port}/0"


def sigkill_server(supervised, timeout: float = 2.0) -> int:
    """SIGKILL the server a watchdog runs (not the watchdog: nothing graceful); its pid once it is gone."""
    import os
    import signal

    (server,) = psutil.Process(supervised.pid).children()
    os.kill(server.pid, signal.SIGKILL)
    supervised.popen.wait(timeout)  # the watchdog returns as soon as its server has died
    return server.pid


def daphne_process(parent_pid: int) -> psutil.Process:
    """The one daphne process among the descendants of ``parent_pid`` (a `coursekit serve`, say)."""
    found = []
    for process in psutil.Process(parent_pid).children(recursive=True):
        words = process.cmdline()
        if any("daphne" in word for word in words) and not any("_watchdog" in word for word in words):
            found.append(process)
    (daphne,) = found
    return daphne
