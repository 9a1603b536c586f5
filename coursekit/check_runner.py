"""Run an exercise's checks in a child process, within time limits, whatever the learner's file does.

The child (``python -m coursekit.checking``) prepares the checks, imports the
learner's file and runs the checks, reporting each step on a channel of its
own (see :mod:`check_protocol`). This side reads that channel and keeps the
time: the learner's file gets :data:`IMPORT_TIMEOUT` seconds to import, each
check :data:`CHECK_LIMIT`, the whole run :data:`RUN_TIMEOUT`. When a limit
passes, or the child ends where it should not, the child's process group is
killed and the line of the learner's file it was running (read from the slot)
goes into the report. What the child prints, to stdout or stderr, is read and
kept aside: it never reaches the report, except the last line of stderr when
the course's own code failed.

:func:`run` returns one result per check it knows of (``check``, ``ok``,
``why``, ``hint``, and ``line``/``code`` where a line of the learner's file is
to blame), or a single ``problem`` in the same shape when the checks never ran.
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import check_protocol as protocol
from . import paths
from .checking import CHECK_TIMEOUT, Check

SETUP_TIMEOUT = 60.0  # the course's own preparation (Django, a Redis server) before the import
IMPORT_TIMEOUT = 10.0  # the learner's file, from the start of its import to its end
CHECK_LIMIT = CHECK_TIMEOUT + 5.0  # one check: the child gives up on an await after CHECK_TIMEOUT itself
RUN_TIMEOUT = 120.0  # everything
EXIT_GRACE = 2.0  # after its last message, the child gets this long to end by itself
KEPT_OUTPUT = 8192  # bytes of the end of the child's stderr kept for a course error

COULD_NOT_IMPORT = "the checks could not import your file"
COULD_NOT_RUN = "the checks could not run"
COURSE_HINT = "this is a problem in the course itself; please report it"
MAIN_GUARD = "if __name__ == '__main__':"
IMPORT_HINTS = {
    "syntax": "Python reads the whole file before it runs any of it: fix this line (or the one just above it)",
    "error": "the top level of your file runs when the checks import it: fix this line, or move it into a function",
    "exit": f"an imported file must not end the program: remove the exit, or put it under {MAIN_GUARD}",
    "input": f"the checks run your file without a keyboard: remove the input(), or put it under {MAIN_GUARD}",
    "timeout": ("the top level of your file runs when the checks import it, and must finish: "
                "does a loop there never end, or does it wait for something?"),
}
IMPORT_HINTS["ended"] = IMPORT_HINTS["exit"]
STUCK_HINT = "does a loop in your code never end, or does it wait for something that never comes?"


@dataclass
class Run:
    results: list[dict] = field(default_factory=list)
    problem: dict | None = None


def source_line(path: Path, line: int) -> str:
    """Line ``line`` of the learner's file, stripped and kept short ("" when there is none)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace").splitlines()[line - 1].strip()
    except (OSError, IndexError):
        return ""
    return text if len(text) <= 80 else text[:77] + "..."


def blame(entry: dict, path: Path, line: int) -> dict:
    """``entry`` with the line of the learner's file to blame, when one is known."""
    if line:
        entry.update(line=line, code=source_line(path, line))
    return entry


def ended_text(returncode: int | None) -> str:
    if returncode is not None and returncode < 0:
        return f"the check process was killed (signal {-returncode})"
    return f"the check process ended (exit code {returncode})"


class Session:
    """One run of the child: what it said so far, and which limit applies now."""

    def __init__(self, plan: list[Check], path: Path):
        self.plan, self.path = plan, path
        self.phase = "setup"  # setup, import, checks, done
        self.current: int | None = None  # the check that runs now
        self.results: dict[int, dict] = {}
        self.problem: dict | None = None
        self.started = time.monotonic()
        self.deadline = self.started + SETUP_TIMEOUT

    def limit(self) -> tuple[float, str]:
        """When the current limit passes, and which one it is."""
        overall = self.started + RUN_TIMEOUT
        return (self.deadline, self.phase) if self.deadline < overall else (overall, "run")

    def entry(self, index: int, ok: bool, why: str = "") -> dict:
        item = self.plan[index]
        entry = {"check": item.description, "ok": ok}
        if not ok:
            entry.update(why=why, hint=item.hint)
        return entry

    def hear(self, message: dict) -> None:
        event, now = message["event"], time.monotonic()
        if event == "importing" and self.phase == "setup":
            self.phase, self.deadline = "import", now + IMPORT_TIMEOUT
        elif event == "imported" and self.phase == "import":
            self.phase, self.deadline = "checks", now + CHECK_LIMIT
        elif event == "import_failed" and self.phase == "import":
            kind = message.get("kind", "error")
            self.problem = blame({"check": COULD_NOT_IMPORT, "ok": False, "why": str(message.get("why", "")),
                                  "hint": IMPORT_HINTS.get(kind, IMPORT_HINTS["error"])},
                                 self.path, int(message.get("line") or 0))
            self.phase = "done"
        elif event == "start" and self.phase == "checks" and self.known(message):
            self.current, self.deadline = message["index"], now + CHECK_LIMIT
        elif event == "result" and self.phase == "checks" and self.known(message):
            index = message["index"]
            self.results[index] = self.entry(index, bool(message.get("ok")), str(message.get("why", "")))
            self.current, self.deadline = None, now + CHECK_LIMIT
        elif event == "done" and self.phase == "checks":
            self.phase = "done"
        elif event == "course_error" and self.phase == "setup":
            self.course_problem(str(message.get("why", "")))

    def known(self, message: dict) -> bool:
        index = message.get("index")
        return isinstance(index, int) and 0 <= index < len(self.plan)

    def course_problem(self, why: str) -> None:
        self.problem = {"check": COULD_NOT_RUN, "ok": False, "why": why or "no output", "hint": COURSE_HINT}
        self.phase = "done"

    def out_of_time(self, which: str, line: int) -> None:
        """A limit passed: the child was stopped while ``self.phase`` ran."""
        if self.phase == "setup":
            self.course_problem(f"they were not ready within {SETUP_TIMEOUT:.0f} s")
        elif self.phase == "import":
            seconds = IMPORT_TIMEOUT if which == "import" else RUN_TIMEOUT
            self.problem = blame({"check": COULD_NOT_IMPORT, "ok": False,
                                  "why": f"it was still running after {seconds:.0f} s",
                                  "hint": IMPORT_HINTS["timeout"]}, self.path, line)
        elif self.phase == "checks":
            why = (f"it was still running after {CHECK_LIMIT:.0f} s" if which == "checks"
                   else f"the checks ran out of time ({RUN_TIMEOUT:.0f} s in all)")
            self.stopped_in_check(why, STUCK_HINT, line)
        self.phase = "done"

    def ended(self, returncode: int | None, line: int, stderr: str) -> None:
        """The child ended (or closed the channel) before it said it was done."""
        last = (stderr.strip().splitlines() or ["no output"])[-1]
        if self.phase == "setup":
            self.course_problem(last)
        elif self.phase == "import":
            why = f"{ended_text(returncode)} {'on this line' if line else 'while it was imported'}"
            self.problem = blame({"check": COULD_NOT_IMPORT, "ok": False, "why": why,
                                  "hint": IMPORT_HINTS["ended"]}, self.path, line)
        elif self.phase == "checks":
            if line:
                self.stopped_in_check(f"{ended_text(returncode)} during this check",
                                      "does your code call os._exit(), or end the process another way?", line)
            else:
                self.stopped_in_check(f"{ended_text(returncode)} during this check: {last}", COURSE_HINT, 0)
        self.phase = "done"

    def stopped_in_check(self, why: str, hint: str, line: int) -> None:
        index = self.current if self.current is not None else len(self.results)
        if index < len(self.plan):
            entry = self.entry(index, False, why)
            entry["hint"] = hint
            self.results[index] = blame(entry, self.path, line)

    def outcome(self) -> Run:
        if self.problem is not None:
            return Run(problem=self.problem)
        return Run(results=[self.results.get(index) or self.not_run(index) for index in range(len(self.plan))])

    def not_run(self, index: int) -> dict:
        return {**self.entry(index, False, "not run: a check before it did not finish"), "hint": ""}


def run(name: str, file: Path, plan: list[Check]) -> Run:
    """Run the checks of exercise ``name`` (declared as ``plan``) against ``file``."""
    path = file.resolve()
    session = Session(plan, path)
    token = protocol.new_token()
    channel_read, channel_write = os.pipe()
    lifeline_read, lifeline_write = os.pipe()
    slot = tempfile.TemporaryFile(prefix="course-check-")
    slot.truncate(protocol.SLOT_SIZE)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(paths.REPO), os.environ.get("PYTHONPATH")])))
    env[protocol.TOKEN_ENV] = token
    fds = (channel_write, slot.fileno(), lifeline_read)
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "coursekit.checking", name, str(path), "--channel", str(channel_write),
             "--slot", str(slot.fileno()), "--lifeline", str(lifeline_read)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            pass_fds=fds, env=env, cwd=paths.REPO, start_new_session=True,
        )
    except BaseException:
        for fd in (channel_read, channel_write, lifeline_read, lifeline_write):
            os.close(fd)
        slot.close()
        raise
    os.close(channel_write)
    os.close(lifeline_read)
    try:
        watch(child, channel_read, protocol.Reader(token), session, slot.fileno())
    finally:
        stop(child)
        os.close(channel_read)
        os.close(lifeline_write)  # the child's lifeline: ends it if stop() could not
        slot.close()
    return session.outcome()


def watch(child: subprocess.Popen, channel: int, reader: protocol.Reader, session: Session, slot: int) -> None:
    """Read the child's channel and output until it is done, ends, or runs out of time."""
    stderr = b""
    exited_at = None
    with selectors.DefaultSelector() as selector:
        selector.register(channel, selectors.EVENT_READ, "channel")
        selector.register(child.stdout, selectors.EVENT_READ, "stdout")
        selector.register(child.stderr, selectors.EVENT_READ, "stderr")
        channel_open = True
        while session.phase != "done":
            deadline, which = session.limit()
            now = time.monotonic()
            if now >= deadline:
                session.out_of_time(which, protocol.read_slot(slot))
                return
            if child.poll() is not None:
                exited_at = exited_at or now
                # The channel closes when the child ends, unless something it forked holds it open.
                channel_open = channel_open and now - exited_at < 1.0
            if not channel_open:
                try:
                    child.wait(min(1.0, deadline - now))
                except subprocess.TimeoutExpired:
                    pass
                session.ended(child.poll(), protocol.read_slot(slot), stderr.decode(errors="replace"))
                return
            for key, _ in selector.select(timeout=min(deadline - now, 0.2)):
                data = os.read(key.fd, 65536)
                if not data:
                    selector.unregister(key.fileobj)
                    channel_open = channel_open and key.data != "channel"
                elif key.data == "channel":
                    for message in reader.feed(data):
                        session.hear(message)
                elif key.data == "stderr":
                    stderr = (stderr + data)[-KEPT_OUTPUT:]
                # stdout is read and dropped: the learner's prints never reach the report
    try:
        child.wait(EXIT_GRACE)
    except subprocess.TimeoutExpired:
        pass


def stop(child: subprocess.Popen) -> None:
    """End the child's process group (the child and anything the learner's file started), and reap it."""
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    child.wait()
    for stream in (child.stdout, child.stderr):
        stream.close()
