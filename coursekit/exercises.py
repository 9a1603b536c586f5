"""The exercises: which exist, and the short report a check prints.

``check("04_echo")`` runs the checks of ``coursekit/checks/ex04_echo.py``
against the learner's copy, ``workspace/exercises/04_echo.py`` (made from the
course's ``exercises/04_echo.py`` the first time; see :mod:`workspace`), in a separate process (see :mod:`check_runner`)
and prints one line per check (✓ or ✗, with a hint for what fails), never a
traceback. When the file cannot even be imported (a syntax error, an exception
or an exit at its top level, a loop that never ends), the report says so once,
with the line to blame, instead of once per check.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path

from . import check_runner, checking, paths, workspace
from .errors import CourseError


@dataclass(frozen=True)
class Exercise:
    name: str
    title: str

    @property
    def lesson(self) -> int:
        return int(self.name[:2])

    def file(self, solutions: bool = False) -> Path:
        folder = paths.SOLUTIONS if solutions else paths.exercises_dir()
        return folder / f"{self.name}.py"


@dataclass
class Outcome:
    """What one run of an exercise's checks found.

    ``results`` has one entry per check (``check``, ``ok``, and for a failure
    ``why``, ``hint`` and perhaps ``line``/``code``, the line of the learner's
    file to blame); ``problem``, in the same shape, is set instead when the
    checks could not run at all (the file did not import, say).
    """

    exercise: Exercise
    results: list[dict]
    total: int = 0
    problem: dict | None = field(default=None)

    def __post_init__(self):
        self.total = self.total or len(self.results)

    @property
    def passed(self) -> int:
        return sum(bool(result["ok"]) for result in self.results)

    @property
    def ok(self) -> bool:
        return self.problem is None and self.total > 0 and self.passed == self.total

    def summary_line(self) -> str:
        mark = "✓" if self.ok else "✗"
        return f"{mark} {self.exercise.name}: {self.passed} of {self.total} checks pass ({self.exercise.title})"

    def report(self, where: str) -> str:
        lines = [f"Exercise {self.exercise.name} · {self.exercise.title}"]
        for entry in ([self.problem] if self.problem else []) + self.results:
            lines += entry_lines(entry)
        if self.ok:
            lines.append(f"Done: all {self.total} checks pass.")
        else:
            lines.append(
                f"Not yet: {self.passed} of {self.total} checks pass. "
                f"Edit {where} and run this check again."
            )
        return "\n".join(lines)


def entry_lines(entry: dict) -> list[str]:
    """The report's lines for one check (or problem): ✓ or ✗, the line of the file to blame, the hint."""
    if entry["ok"]:
        return [f"  ✓ {entry['check']}"]
    lines = [f"  ✗ {entry['check']}: {entry['why']}"]
    if entry.get("line"):
        code = entry.get("code")
        lines.append(f"      line {entry['line']}: {code}" if code else f"      line {entry['line']}")
    if entry.get("hint"):
        lines.append(f"      hint: {entry['hint']}")
    return lines


def all_exercises() -> list[Exercise]:
    found = []
    for path in sorted((Path(__file__).parent / "checks").glob("ex[0-9][0-9]_*.py")):
        name = path.stem[2:]
        module = importlib.import_module(f"coursekit.checks.{path.stem}")
        found.append(Exercise(name, module.TITLE))
    return found


def find(name: str) -> Exercise:
    exercises = all_exercises()
    for exercise in exercises:
        if exercise.name == name:
            return exercise
    names = ", ".join(e.name for e in exercises)
    raise CourseError(f"There is no exercise named '{name}'; the exercises are: {names}.")


def checks_of(exercise: Exercise) -> list[checking.Check]:
    module = importlib.import_module(f"coursekit.checks.{checking.check_module_name(exercise.name)}")
    return checking.checks_of(module)


def run(exercise: Exercise, solutions: bool = False) -> Outcome:
    file = paths.SOLUTIONS / f"{exercise.name}.py" if solutions else workspace.ensure_exercise(exercise.name)
    if not file.exists():
        raise CourseError(f"{file} is missing; put the exercise's file back there, or unset COURSE_EXERCISES_DIR.")
    plan = checks_of(exercise)
    found = check_runner.run(exercise.name, file, plan)
    return Outcome(exercise, found.results, total=len(plan), problem=found.problem)


def display_path(exercise: Exercise, solutions: bool, from_workspace: bool = False) -> str:
    """The exercise's file as the learner finds it: from the checkout (a terminal, JupyterLab's file
    browser) or, with ``from_workspace``, as a lesson names it (``exercises/04_echo.py``, the folder
    its link ``../exercises/04_echo.py`` opens from ``workspace/notebooks/``)."""
    file = exercise.file(solutions)
    for base in ([paths.WORKSPACE] if from_workspace else []) + [paths.REPO]:
        try:
            return str(file.relative_to(base))
        except ValueError:
            pass
    return f"{'solutions' if solutions else 'exercises'}/{file.name}"


def check(name: str, solutions: bool = False) -> bool:
    """Run one exercise's checks and print its report; True when all pass (a lesson's check cell)."""
    exercise = find(name)
    outcome = run(exercise, solutions)
    print(outcome.report(display_path(exercise, solutions, from_workspace=True)))
    return outcome.ok
