"""`coursekit check` blames the learner's file, at its line, whatever it does wrong when imported.

The helpers, and the cases where the file passes, are in ``test_checker.py``.
The time limits are tested here with short limits, in this process (the child is real).
"""

import time

import pytest
from test_checker import NAME, PLAN, SOLUTION, blamed, check_file, check_with

from coursekit import check_runner


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
