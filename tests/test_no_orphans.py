"""No server outlives the process that started it, even when that process is SIGKILLed."""

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest
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
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    assert wait_gone(pids, 2.0) == []


@pytest.mark.parametrize("lesson", [info.number for info in lessons.available()])
def test_sigkill_of_a_jupyter_kernel_leaves_no_server(project_root, lesson):
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(cwd=str(paths.NOTEBOOKS), env=dict(os.environ))
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=30)
        code = STARTER.format(lesson=lesson).replace("time.sleep(60)", "")
        reply_lines = []
        client.execute_interactive(
            code, timeout=30,
            output_hook=lambda msg: reply_lines.append(msg["content"].get("text", "")),
        )
        watchdogs = json.loads("".join(reply_lines).strip().splitlines()[-1])
        pids = pids_of_servers(watchdogs)
        assert len(pids) == 4
        os.kill(manager.provisioner.pid, signal.SIGKILL)
        assert wait_gone(pids, 2.0) == []
    finally:
        client.stop_channels()
        manager.cleanup_resources() if hasattr(manager, "cleanup_resources") else None
        if manager.has_kernel:
            manager.kill_kernel() if hasattr(manager, "kill_kernel") else None
