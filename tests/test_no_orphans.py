"""No server outlives the process that started it, even when that process is SIGKILLed.

Here the starter is a plain Python process. A Jupyter kernel is the lesson runner's
(coursekit/run_all_plugin.py): after every lesson has run to its end, the same kernel sets the
lesson up again with Redis and daphne running, is SIGKILLed, and everything it started must be
gone within 2 s, or the lesson fails.
"""

import json
import os
import signal
import subprocess
import sys

import psutil

from coursekit import paths
from coursekit.run_all_plugin import SERVERS_UP

from support import server_pids, wait_gone

# The lesson runner's servers, in a plain process that then waits to be killed.
STARTER = SERVERS_UP + "import time\ntime.sleep(60)\n"


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
