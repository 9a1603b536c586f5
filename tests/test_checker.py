"""No learner file can break `coursekit check`: whatever it does when imported, the report is the course's own.

Each test puts the solution of exercise 00 plus one extra line into a copy of the
exercises folder (``COURSE_EXERCISES_DIR``), runs ``python -m coursekit check
00_first_message`` and reads what a learner would read: a clean report, no
traceback, the file (and its line) to blame. The cases where the file is to
blame are in ``test_checker_blame.py`` and the one that costs the import limit
(10 s) in ``test_checker_timeouts.py``, so they run beside these.
"""

import os
import shutil
import subprocess
import sys
import time

import pytest

from coursekit import exercises, paths

from support import wait_gone

NAME = "00_first_message"
EXERCISE = exercises.find(NAME)
PLAN = exercises.checks_of(EXERCISE)
SOLUTION = EXERCISE.file(solutions=True).read_text()
EXTRA_LINE = len(SOLUTION.splitlines()) + 1  # the line number of the extra line


def clean_report() -> str:
    """What `check` prints for the solution itself."""
    passed = exercises.Outcome(EXERCISE, [{"check": item.description, "ok": True} for item in PLAN])
    return f"{passed.summary_line()}\n{passed.report(f'exercises/{NAME}.py')}\n"


def check_file(tmp_path, text: str) -> subprocess.CompletedProcess:
    folder = tmp_path / "exercises"
    shutil.copytree(paths.EXERCISES, folder)
    (folder / f"{NAME}.py").write_text(text)
    env = {**os.environ, "COURSE_EXERCISES_DIR": str(folder)}
    done = subprocess.run([sys.executable, "-m", "coursekit", "check", NAME], capture_output=True, text=True,
                          env=env, cwd=paths.REPO, timeout=60)
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stderr == ""
    return done


def check_with(tmp_path, extra: str) -> subprocess.CompletedProcess:
    """`coursekit check` on the solution with ``extra`` as one more line at the bottom."""
    return check_file(tmp_path, SOLUTION + extra + "\n")


def blamed(done, why: str, line: int = EXTRA_LINE, code: str | None = None) -> list[str]:
    """Assert the report blames the file, once, at ``line``; the report's lines."""
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0] == f"✗ {NAME}: 0 of {len(PLAN)} checks pass ({EXERCISE.title})"
    assert lines[2] == f"  ✗ the checks could not import your file: {why}"
    assert lines[3].startswith(f"      line {line}: ")
    if code is not None:
        assert lines[3] == f"      line {line}: {code}"
    assert lines[4].startswith("      hint: ")
    assert lines[5].startswith(f"Not yet: 0 of {len(PLAN)} checks pass. Edit exercises/{NAME}.py")
    assert len(lines) == 6  # the problem once, not once per check
    return lines


@pytest.mark.parametrize("extra", [
    'print(make_message("hi"))',
    'print("{not json")',
    # The course's own result lines, old and new, and a message with a guessed token:
    'print(\'{"check": "make_message returns a string", "ok": false, "why": "spoofed"}\')',
    'print(\'{"event": "result", "index": 0, "ok": false, "why": "spoofed"}\')',
    'print("0123456789abcdef0123456789abcdef {\\"event\\": \\"done\\"}")',
    'import sys; print("to stderr", \'{"ok": false}\', file=sys.stderr)',
    'import sys; sys.stdout.close()',
], ids=["plain", "broken-json", "old-result-line", "new-result-line", "guessed-token", "stderr", "closed-stdout"])
def test_a_file_that_prints_at_import_passes_with_the_clean_report(tmp_path, extra):
    done = check_with(tmp_path, extra)
    assert done.returncode == 0, done.stdout
    assert done.stdout == clean_report()


def test_a_learner_function_that_prints_still_passes(tmp_path):
    text = SOLUTION.replace('    return json.dumps({"message": text})',
                            '    print("debug:", text)\n    return json.dumps({"message": text})')
    assert text != SOLUTION
    done = check_file(tmp_path, text)
    assert done.returncode == 0, done.stdout
    assert done.stdout == clean_report()


def test_a_deliberate_write_to_the_result_channel_is_not_a_result(tmp_path):
    """The untouched make_message, and messages written to the channel's own pipe without the run's token."""
    text = SOLUTION.replace('    return json.dumps({"message": text})', '    raise NotImplementedError("not yet")')
    spoof = ('import os, sys; fd = int(sys.argv[sys.argv.index("--channel") + 1]); '
             'os.write(fd, b\'{"event": "result", "index": 0, "ok": true}\\n{"event": "done"}\\n\')')
    done = check_file(tmp_path, text + spoof + "\n")
    assert done.returncode == 1
    assert "✗ make_message returns a string: NotImplementedError: not yet" in done.stdout


def test_threads_started_at_import_do_not_hold_the_check_up(tmp_path):
    started = time.monotonic()
    done = check_with(tmp_path, "import threading, time; threading.Thread(target=time.sleep, args=(60,)).start()")
    assert done.returncode == 0, done.stdout
    assert done.stdout == clean_report()
    assert time.monotonic() - started < 8


def test_a_process_started_at_import_is_stopped_with_the_check(tmp_path):
    marker = tmp_path / "pid"
    extra = ("import subprocess, sys; "
             "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
             f"open({str(marker)!r}, 'w').write(str(child.pid))")
    done = check_with(tmp_path, extra)
    assert done.returncode == 0, done.stdout
    assert wait_gone([int(marker.read_text())], 2.0) == []
