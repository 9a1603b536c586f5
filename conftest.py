"""Test session setup shared by the unit tests and the notebooks.

Every pytest worker gets its own temporary project and state folder, and the
kernels nbval starts inherit them, so the checkout stays clean and notebooks
can run in parallel without sharing servers, logs or files.
"""

import os
import shutil
import tempfile
from pathlib import Path


def pytest_configure(config):
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    scratch = Path(tempfile.mkdtemp(prefix=f"course-test-{worker}-"))
    config._course_scratch = scratch
    os.environ["COURSE_PROJECT_DIR"] = str(scratch / "project")
    os.environ["COURSE_STATE_DIR"] = str(scratch / "state")
    # The lessons' check cells check the course's untouched exercises (their recorded outputs say so),
    # never a maintainer's own copies in workspace/.
    os.environ.setdefault("COURSE_EXERCISES_DIR", str(Path(__file__).parent / "exercises"))
    if worker == "main" and getattr(config.option, "numprocesses", None):  # once, before the workers start
        from coursekit import lessons

        lessons.fill_caches()


def pytest_unconfigure(config):
    scratch = getattr(config, "_course_scratch", None)
    if scratch is not None:
        shutil.rmtree(scratch, ignore_errors=True)


# COURSE.md's budget: one lesson under nbval in under 30 s. The time of every
# notebook's cells is summed (on the xdist controller, which sees every report)
# and a lesson over budget fails the run. `make reliability` (--lesson-runs 3)
# shows each run's time but holds none to the budget: it runs more lessons at
# once than the machine has cores, to fit three runs of each into CI's time.
LESSON_BUDGET_SECONDS = 30.0
_lesson_seconds: dict[str, float] = {}


_file_seconds: dict[str, float] = {}


def pytest_runtest_logreport(report):
    path, _, cell = report.nodeid.partition("::")
    _file_seconds[path] = _file_seconds.get(path, 0.0) + report.duration
    if path.endswith(".ipynb"):
        run = cell.partition(" (")[2]
        key = f"{path} ({run}" if run else path
        _lesson_seconds[key] = _lesson_seconds.get(key, 0.0) + report.duration


def over_budget(config) -> bool:
    held = config.getoption("lesson_runs", 1) == 1
    return held and any(seconds > LESSON_BUDGET_SECONDS for seconds in _lesson_seconds.values())


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if hasattr(config, "workerinput") or not _lesson_seconds:
        return
    terminalreporter.section("lesson times under nbval")
    held = config.getoption("lesson_runs", 1) == 1
    for path, seconds in sorted(_lesson_seconds.items()):
        mark = ("over budget" if seconds > LESSON_BUDGET_SECONDS else "ok") if held else "not held to the budget"
        terminalreporter.write_line(f"{path}: {seconds:.1f} s ({mark})")
    if over_budget(config):
        terminalreporter.write_line(f"A lesson took over {LESSON_BUDGET_SECONDS:.0f} s: this run fails.", red=True)


def pytest_sessionfinish(session, exitstatus):
    if hasattr(session.config, "workerinput"):
        return
    if session.config.getoption("lesson_runs", 1) == 1:  # make test's times, for make test's order
        _remember_file_seconds()
    if over_budget(session.config):
        session.exitstatus = 1


# The lessons run first, then the other test files, the longest first in each group (see _file_order for the
# start): `make test` hands whole
# files to its workers in collection order, so a long file collected last would keep one worker busy while the
# other waits, and a lesson (held to its 30 s budget) shares the cores with another lesson rather than with the
# browser tests' Chromium and JupyterLab. The times are last run's, kept in coursekit's cache folder; a fresh
# clone (CI's every run) takes them from tests/file_seconds.json, times measured here and committed; a file
# with no time at all counts as a long one.
DURATIONS = "test-file-seconds"
COMMITTED_DURATIONS = Path(__file__).parent / "tests" / "file_seconds.json"
UNKNOWN_SECONDS = 20.0


def pytest_collection_modifyitems(session, config, items):
    import json

    from coursekit import cache

    seconds = cache.read_json(DURATIONS, "last") or json.loads(COMMITTED_DURATIONS.read_text())
    position = {}
    for item in items:
        position.setdefault(item.nodeid.partition("::")[0], len(position))
    rank = {path: number for number, path in enumerate(_file_order(list(position), seconds))}
    items.sort(key=lambda item: rank[item.nodeid.partition("::")[0]])


# Test files that mostly wait (on PyPI's index, on a check's 10 s limit, on a Redis restart): in a serial run
# each kept about a quarter of a core busy (CPU seconds from /proc/stat against their wall time).
WAITING_FILES = ("tests/test_pins.py", "tests/test_checker_timeouts.py", "tests/test_redis_outage.py")


def _file_order(files: list[str], seconds: dict[str, float]) -> list[str]:
    """Lessons first, then the other files, each group longest first, except at the very start.

    The longest lesson comes first, and the files that mostly wait right after it, then the shortest
    lessons: while it runs, the other workers leave it most of both cores. The longest lesson is the one
    nearest its 30 s budget, and its bursts use both cores (the clients, daphne and Redis).
    """
    def longest_first(group):
        return sorted(group, key=lambda path: (-seconds.get(path, UNKNOWN_SECONDS), files.index(path)))

    lessons = longest_first([path for path in files if path.endswith(".ipynb")])
    others = longest_first([path for path in files if not path.endswith(".ipynb")])
    if not lessons:
        return others
    heaviest, *rest = lessons
    beside = [path for path in WAITING_FILES if path in others]
    budget = seconds.get(heaviest, UNKNOWN_SECONDS)
    for path in reversed(rest):
        if sum(seconds.get(each, UNKNOWN_SECONDS) for each in beside) >= budget:
            break
        beside.append(path)
    return [heaviest, *beside, *[path for path in rest + others if path not in beside]]


def _remember_file_seconds() -> None:
    from coursekit import cache

    if _file_seconds:
        kept = cache.read_json(DURATIONS, "last") or {}
        cache.write_json(DURATIONS, "last", {**kept, **{path: round(t, 2) for path, t in _file_seconds.items()}})


# Lessons run as Run All runs them, their outputs compared by nbval: see coursekit/run_all_plugin.py.
pytest_plugins = ["coursekit.run_all_plugin"]
