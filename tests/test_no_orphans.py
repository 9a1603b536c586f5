"""No server outlives the process that started it, even when that process is SIGKILLed."""

import json
import os
import signal
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
from jupyter_client.manager import KernelManager

from coursekit import lessons, paths

from support import server_pids, wait_gone

STARTER = textwrap.dedent("""
    import json, sys, time
    from coursekit import lessons
    course = lessons.setup({lesson}, quiet=True)
    course.start_redis()
    course.daphne.start()
    print(json.dumps([course.redis.process.pid, course.daphne.process.pid]), flush=True)
    time.sleep(60)
""")


def descendants(pid: int) -> list[int]:
    """Every process ``pid`` started, and theirs: the servers, their watchdogs, the forkserver."""
    return [child.pid for child in psutil.Process(pid).children(recursive=True)]


def pids_of_servers(watchdogs: list[int]) -> list[int]:
    found = []
    for pid in watchdogs:
        found += server_pids(pid)
    return found


def test_sigkill_of_a_plain_parent_process_leaves_no_server(project_root):
    parent = subprocess.Popen(
        [sys.executable, "-c", STARTER.format(lesson=4)],
        stdout=subprocess.PIPE, text=True, cwd=paths.REPO, env=dict(os.environ),
    )
    watchdogs = json.loads(parent.stdout.readline())
    pids = pids_of_servers(watchdogs)
    assert len(pids) == 4  # two watchdogs, valkey-server, daphne
    everything = descendants(parent.pid)  # the forkserver daphne came from too
    assert any("_forkserver.py" in " ".join(psutil.Process(pid).cmdline()) for pid in everything)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    assert wait_gone(everything, 2.0) == []


def kill_the_kernel_of(lesson: int, scratch: Path) -> list[int]:
    """Start a real kernel, set up ``lesson`` in it with daphne running, SIGKILL the kernel.

    Returns the server pids still alive 2 s later (none, when all is well).
    """
    env = {**os.environ, "COURSE_PROJECT_DIR": str(scratch / f"project-{lesson}"),
           "COURSE_STATE_DIR": str(scratch / f"state-{lesson}")}
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(cwd=str(paths.NOTEBOOKS), env=env)
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=30)
        printed = []
        client.execute_interactive(
            STARTER.format(lesson=lesson).replace("time.sleep(60)", ""), timeout=30,
            output_hook=lambda msg: printed.append(msg["content"].get("text", "")),
        )
        pids = pids_of_servers(json.loads("".join(printed).strip().splitlines()[-1]))
        assert len(pids) == 4, f"lesson {lesson}: {pids}"
        everything = descendants(manager.provisioner.pid)
        os.kill(manager.provisioner.pid, signal.SIGKILL)
        return wait_gone(everything, 2.0)
    finally:
        client.stop_channels()
        manager.cleanup_resources()


def test_sigkill_of_a_jupyter_kernel_leaves_no_server_in_any_lesson(tmp_path):
    numbers = [info.number for info in lessons.available()]
    with ThreadPoolExecutor(max_workers=4) as pool:  # one kernel per lesson, a few at a time
        left = dict(zip(numbers, pool.map(lambda lesson: kill_the_kernel_of(lesson, tmp_path), numbers), strict=True))
    assert left == {lesson: [] for lesson in numbers}
