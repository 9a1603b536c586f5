"""No learner file can break `coursekit check`: whatever it does when imported, the report is the course's own.

Each test puts the solution of exercise 00 plus one extra line into a copy of the
exercises folder (``COURSE_EXERCISES_DIR``), runs ``python -m coursekit check
00_first_message`` and reads what a learner would read: a clean report, no
traceback, the file (and its line) to blame. The one case that costs the
import limit (10 s) is in ``test_checker_timeouts.py``, so it runs beside these.
"""

import os
import shutil
import subprocess
import sys
import time

import pytest

from coursekit import check_runner, exercises, paths

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


@pytest.mark.parametrize("code, why", [
    ("sys.exit(0)", "it calls sys.exit(0)"),
    ("sys.exit(3)", "it calls sys.exit(3)"),
    ("os._exit(0)", "the check process ended (exit code 0) on this line"),
    ("os._exit(5)", "the check process ended (exit code 5) on this line"),
])
def test_a_file_that_exits_at_import_is_blamed_at_its_line(tmp_path, code, why):
    extra = f"import os, sys; {code}"
    lines = blamed(check_with(tmp_path, extra), why, code=extra)
    assert "must not end the program" in lines[4]


def test_a_file_that_raises_at_import_is_blamed_at_its_line(tmp_path):
    lines = blamed(check_with(tmp_path, 'raise ValueError("no, not now")'), "ValueError: no, not now",
                   code='raise ValueError("no, not now")')
    assert "top level of your file runs when the checks import it" in lines[4]


def test_an_error_raised_below_the_file_blames_the_files_innermost_line(tmp_path):
    """read_message, called at import, hands json.loads text that is not JSON: its line is to blame."""
    line = SOLUTION.splitlines().index('    return json.loads(data)["message"]') + 1
    blamed(check_with(tmp_path, 'read_message("{not json")'),
           "JSONDecodeError: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
           line=line, code='return json.loads(data)["message"]')


def test_a_file_that_reads_stdin_is_told_there_is_no_keyboard(tmp_path):
    lines = blamed(check_with(tmp_path, 'name = input("your name? ")'),
                   "it calls input(), and a check has no keyboard to answer it")
    assert "remove the input()" in lines[4]


def test_a_syntax_error_is_reported_once_with_its_line(tmp_path):
    done = check_with(tmp_path, "def broken(:")
    blamed(done, "SyntaxError: invalid syntax", code="def broken(:")
    assert done.stdout.count("SyntaxError") == 1


def test_a_syntax_error_in_the_middle_of_the_file(tmp_path):
    text = SOLUTION.replace("def read_message(data: str) -> str:", "def read_message(data: str) -> str")
    line = text.splitlines().index("def read_message(data: str) -> str") + 1
    done = check_file(tmp_path, text)
    blamed(done, "SyntaxError: expected ':'", line=line, code="def read_message(data: str) -> str")


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


# The time limits themselves, with short limits, in this process (the child is real).

def run_with(tmp_path, text, monkeypatch, **limits):
    for name, value in limits.items():
        monkeypatch.setattr(check_runner, name, value)
    file = tmp_path / f"{NAME}.py"
    file.write_text(text)
    started = time.monotonic()
    found = check_runner.run(NAME, file, PLAN)
    return found, time.monotonic() - started


def test_a_check_stuck_in_a_learner_function_is_stopped_at_its_line(tmp_path, monkeypatch):
    text = SOLUTION.replace('    return json.dumps({"message": text})', "    while True: pass")
    line = text.splitlines().index("    while True: pass") + 1
    found, took = run_with(tmp_path, text, monkeypatch, CHECK_LIMIT=1.0)
    assert took < 5
    assert found.problem is None
    first, *rest = found.results
    assert first["why"] == "it was still running after 1 s"
    assert (first["line"], first["code"]) == (line, "while True: pass")
    assert [result["why"] for result in rest] == ["not run: a check before it did not finish"] * len(rest)


def test_the_whole_run_has_a_limit(tmp_path, monkeypatch):
    text = SOLUTION.replace('    return json.dumps({"message": text})', "    import time; time.sleep(30)")
    found, took = run_with(tmp_path, text, monkeypatch, RUN_TIMEOUT=2.0)
    assert took < 5
    assert found.results[0]["why"] == "the checks ran out of time (2 s in all)"
    assert found.results[0]["code"] == "import time; time.sleep(30)"


def test_a_learner_function_that_exits_fails_its_check_only(tmp_path, monkeypatch):
    text = SOLUTION.replace('    return json.loads(data)["message"]', "    raise SystemExit(2)")
    found, _ = run_with(tmp_path, text, monkeypatch)
    assert [result["ok"] for result in found.results] == [True, True, False]
    assert found.results[2]["why"].startswith("it calls sys.exit(2) (line ")
