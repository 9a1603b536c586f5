"""Run one server and make sure it never outlives the process that asked for it.

Usage: ``python _watchdog.py -- COMMAND [ARGS...]``

The parent (a Jupyter kernel, the CLI, a test) starts this script with the
read end of a pipe as stdin and keeps the write end. A pipe reaches end of file
when its last writer is gone, whatever killed it: a normal exit, SIGKILL, the
out-of-memory killer, nbval shutting the kernel down without ceremony. So when
stdin reads empty, the parent is gone and the server's whole process group is
ended. This works the same on Linux and macOS, unlike ``PR_SET_PDEATHSIG``.

The script runs in its own session, so signals sent to the parent's process
group (Jupyter's interrupt and kill) do not reach the server directly; the
server inherits that session's process group, which is how it is stopped.

It is a plain script, not an import of the coursekit package, so it starts fast.
"""

import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable

GRACE_SECONDS = 1.0


def end_group(finished: Callable[[], bool]) -> None:
    """SIGTERM the group, then SIGKILL whatever is left after the grace period.

    ``finished`` tells whether the server has ended (``_forkserver.py`` shares this).
    """
    group = os.getpgid(0)
    try:
        os.killpg(group, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + GRACE_SECONDS
    while time.monotonic() < deadline and not finished():
        time.sleep(0.02)
    # SIGKILL also takes this watchdog, which is the point: nothing stays.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.killpg(group, signal.SIGKILL)


def main(argv: list[str]) -> int:
    if "--" not in argv:
        print("usage: _watchdog.py -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    command = argv[argv.index("--") + 1 :]
    # The watchdog ends the group with SIGTERM and must survive its own signal.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    child = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        preexec_fn=lambda: (
            signal.signal(signal.SIGTERM, signal.SIG_DFL),
            signal.signal(signal.SIGINT, signal.SIG_DFL),
        ),
    )
    lifeline = sys.stdin.fileno()
    while True:
        code = child.poll()
        if code is not None:
            return code
        readable, _, _ = select.select([lifeline], [], [], 0.1)
        if readable and not os.read(lifeline, 4096):
            end_group(lambda: child.poll() is not None)
            return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
