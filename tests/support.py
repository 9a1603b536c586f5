"""Helpers for tests that watch processes."""

import time

import psutil


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
