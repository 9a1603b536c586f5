"""The checker's pure parts, without processes: the channel's format, the run's bookkeeping, the report."""

import mmap
import tempfile
from pathlib import Path

import pytest

from coursekit import check_protocol, check_runner, exercises
from coursekit.checking import Check

EXERCISE = exercises.Exercise("00_demo", "a demo")
PLAN = [Check("first check", "first hint", print), Check("second check", "second hint", print)]


# The channel

def test_only_lines_with_the_token_are_messages():
    reader = check_protocol.Reader("t0k3n")
    line = check_protocol.encode("t0k3n", {"event": "start", "index": 0})
    assert line == b't0k3n {"event": "start", "index": 0}\n'
    messages = reader.feed(
        b'{"event": "done"}\n'  # no token
        b'other {"event": "done"}\n'  # another token
        b't0k3n not json\n'
        b't0k3n ["a list"]\n'
        b't0k3n {"no": "event"}\n' + line
    )
    assert messages == [{"event": "start", "index": 0}]
    assert reader.ignored == 5


def test_a_message_split_over_reads_arrives_whole():
    reader = check_protocol.Reader("abc")
    data = check_protocol.encode("abc", {"event": "result", "index": 1, "ok": False, "why": "é 🎉"})
    assert reader.feed(data[:7]) == []
    assert reader.feed(data[7:-1]) == []
    assert reader.feed(data[-1:]) == [{"event": "result", "index": 1, "ok": False, "why": "é 🎉"}]


def test_a_lone_surrogate_travels_and_prints():
    reader = check_protocol.Reader("abc")
    [message] = reader.feed(check_protocol.encode("abc", {"event": "result", "why": "for '\ud800'"}))
    assert message["why"] == "for '\\ud800'"
    message["why"].encode("utf-8")  # printable anywhere


def test_the_slot_holds_the_current_line():
    with tempfile.TemporaryFile() as file:
        file.truncate(check_protocol.SLOT_SIZE)
        assert check_protocol.read_slot(file.fileno()) == 0
        slot = mmap.mmap(file.fileno(), check_protocol.SLOT_SIZE)
        check_protocol.write_slot(slot, 1234)
        assert check_protocol.read_slot(file.fileno()) == 1234
        slot.close()


# The run's bookkeeping

@pytest.fixture
def learner_file(tmp_path) -> Path:
    path = tmp_path / "00_demo.py"
    path.write_text("import json\n\nwhile True:   pass\n" + "x = 1\n" * 3 + "y = '" + "z" * 100 + "'\n")
    return path


def session(path, *events) -> check_runner.Session:
    run = check_runner.Session(PLAN, path)
    for event in events:
        run.hear(event if isinstance(event, dict) else {"event": event})
    return run


def test_a_run_that_ends_well(learner_file):
    run = session(learner_file, "importing", "imported", {"event": "start", "index": 0},
                  {"event": "result", "index": 0, "ok": True}, {"event": "start", "index": 1},
                  {"event": "result", "index": 1, "ok": False, "why": "nope"}, "done")
    assert run.phase == "done"
    assert run.outcome().problem is None
    assert run.outcome().results == [
        {"check": "first check", "ok": True},
        {"check": "second check", "ok": False, "why": "nope", "hint": "second hint"},
    ]


def test_messages_out_of_turn_are_ignored(learner_file):
    run = session(learner_file, "imported", {"event": "result", "index": 0, "ok": True}, "done",
                  {"event": "import_failed", "kind": "syntax", "why": "x", "line": 1})
    assert run.phase == "setup" and run.problem is None and run.results == {}
    run = session(learner_file, "importing", "imported", {"event": "result", "index": 7, "ok": True},
                  {"event": "result", "index": "0", "ok": True})
    assert run.results == {}


def test_a_file_that_does_not_import_is_one_problem(learner_file):
    run = session(learner_file, "importing",
                  {"event": "import_failed", "kind": "syntax", "why": "SyntaxError: invalid syntax", "line": 3})
    found = run.outcome()
    assert found.results == []
    assert found.problem == {"check": check_runner.COULD_NOT_IMPORT, "ok": False, "why": "SyntaxError: invalid syntax",
                             "hint": check_runner.IMPORT_HINTS["syntax"], "line": 3, "code": "while True:   pass"}


def test_an_import_out_of_time(learner_file):
    run = session(learner_file, "importing")
    assert run.limit()[1] == "import"
    run.out_of_time("import", 3)
    assert run.outcome().problem["why"] == "it was still running after 10 s"
    assert run.outcome().problem["line"] == 3


def test_a_check_out_of_time_and_the_checks_after_it(learner_file):
    run = session(learner_file, "importing", "imported", {"event": "start", "index": 0})
    run.out_of_time("checks", 7)
    first, second = run.outcome().results
    assert first == {"check": "first check", "ok": False, "why": "it was still running after 15 s",
                     "hint": check_runner.STUCK_HINT, "line": 7, "code": "y = '" + "z" * 72 + "..."}
    assert second == {"check": "second check", "ok": False, "why": "not run: a check before it did not finish",
                      "hint": ""}


def test_the_whole_run_out_of_time(learner_file):
    run = session(learner_file, "importing", "imported", {"event": "start", "index": 0},
                  {"event": "result", "index": 0, "ok": True}, {"event": "start", "index": 1})
    run.out_of_time("run", 0)
    first, second = run.outcome().results
    assert first["ok"] and second["why"] == "the checks ran out of time (120 s in all)"
    assert "line" not in second


def test_a_child_that_ends_too_soon(learner_file):
    run = session(learner_file)
    run.ended(1, 0, "Traceback (most recent call last):\n  ...\nImportError: no module named x\n")
    assert run.outcome().problem == {"check": check_runner.COULD_NOT_RUN, "ok": False,
                                     "why": "ImportError: no module named x", "hint": check_runner.COURSE_HINT}
    run = session(learner_file, "importing")
    run.ended(0, 3, "")
    assert run.outcome().problem["why"] == "the check process ended (exit code 0) on this line"
    run = session(learner_file, "importing", "imported", {"event": "start", "index": 1})
    run.ended(-9, 4, "")
    assert run.outcome().results[1]["why"] == "the check process was killed (signal 9) during this check"
    run = session(learner_file, "importing", "imported", {"event": "start", "index": 0})
    run.ended(1, 0, "oops\nKeyError: 'x'")
    assert run.outcome().results[0]["why"] == "the check process ended (exit code 1) during this check: KeyError: 'x'"
    assert run.outcome().results[0]["hint"] == check_runner.COURSE_HINT


def test_a_course_error_before_the_import(learner_file):
    run = session(learner_file, {"event": "course_error", "why": "CourseError: no Redis"})
    assert run.outcome().problem["why"] == "CourseError: no Redis"
    assert run.outcome().problem["hint"] == check_runner.COURSE_HINT


# The report

def test_the_report_of_a_pass():
    outcome = exercises.Outcome(EXERCISE, [{"check": "first check", "ok": True}, {"check": "second check", "ok": True}])
    assert outcome.ok and outcome.summary_line() == "✓ 00_demo: 2 of 2 checks pass (a demo)"
    assert outcome.report("exercises/00_demo.py") == (
        "Exercise 00_demo · a demo\n"
        "  ✓ first check\n"
        "  ✓ second check\n"
        "Done: all 2 checks pass."
    )


def test_the_report_of_failures_with_and_without_a_line():
    outcome = exercises.Outcome(EXERCISE, [
        {"check": "first check", "ok": False, "why": "it was still running after 15 s", "hint": "a hint",
         "line": 8, "code": "while True: pass"},
        {"check": "second check", "ok": False, "why": "not run", "hint": ""},
    ])
    assert not outcome.ok and outcome.summary_line() == "✗ 00_demo: 0 of 2 checks pass (a demo)"
    assert outcome.report("exercises/00_demo.py") == (
        "Exercise 00_demo · a demo\n"
        "  ✗ first check: it was still running after 15 s\n"
        "      line 8: while True: pass\n"
        "      hint: a hint\n"
        "  ✗ second check: not run\n"
        "Not yet: 0 of 2 checks pass. Edit exercises/00_demo.py and run this check again."
    )


def test_the_report_of_a_file_that_does_not_import():
    problem = {"check": "the checks could not import your file", "ok": False, "why": "SyntaxError: invalid syntax",
               "hint": "fix it", "line": 3, "code": ""}
    outcome = exercises.Outcome(EXERCISE, [], total=2, problem=problem)
    assert not outcome.ok and outcome.summary_line() == "✗ 00_demo: 0 of 2 checks pass (a demo)"
    assert outcome.report("exercises/00_demo.py") == (
        "Exercise 00_demo · a demo\n"
        "  ✗ the checks could not import your file: SyntaxError: invalid syntax\n"
        "      line 3\n"
        "      hint: fix it\n"
        "Not yet: 0 of 2 checks pass. Edit exercises/00_demo.py and run this check again."
    )
