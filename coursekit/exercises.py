"""The exercises: which exist, and the short report a check prints.

``check("04_echo")`` runs the checks of ``coursekit/checks/ex04_echo.py``
against ``exercises/04_echo.py`` in a separate process and prints one line per
check (✓ or ✗, with a hint for what fails), never a traceback.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from . import paths
from .errors import CourseError

RUN_TIMEOUT = 90


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
    exercise: Exercise
    results: list[dict]

    @property
    def passed(self) -> int:
        return sum(result["ok"] for result in self.results)

    @property
    def ok(self) -> bool:
        return bool(self.results) and self.passed == len(self.results)

    def summary_line(self) -> str:
        mark = "✓" if self.ok else "✗"
        return f"{mark} {self.exercise.name}: {self.passed} of {len(self.results)} checks pass ({self.exercise.title})"

    def report(self, where: str) -> str:
        lines = [f"Exercise {self.exercise.name} · {self.exercise.title}"]
        for result in self.results:
            if result["ok"]:
                lines.append(f"  ✓ {result['check']}")
            else:
                lines.append(f"  ✗ {result['check']}: {result['why']}")
                if result.get("hint"):
                    lines.append(f"      hint: {result['hint']}")
        if self.ok:
            lines.append(f"Done: all {len(self.results)} checks pass.")
        else:
            lines.append(
                f"Not yet: {self.passed} of {len(self.results)} checks pass. "
                f"Edit {where} and run this check again."
            )
        return "\n".join(lines)


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


def run(exercise: Exercise, solutions: bool = False) -> Outcome:
    file = exercise.file(solutions)
    if not file.exists():
        raise CourseError(f"{file} is missing; `git checkout -- {file.relative_to(paths.REPO)}` brings it back.")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(paths.REPO), os.environ.get("PYTHONPATH")])))
    try:
        finished = subprocess.run(
            [sys.executable, "-m", "coursekit.checking", exercise.name, str(file)],
            capture_output=True, text=True, timeout=RUN_TIMEOUT, env=env, cwd=paths.REPO,
        )
    except subprocess.TimeoutExpired:
        return Outcome(exercise, [{"check": "the checks finish", "ok": False,
                                   "why": f"they took longer than {RUN_TIMEOUT} s", "hint": ""}])
    results = [json.loads(line) for line in finished.stdout.splitlines() if line.startswith("{")]
    if finished.returncode != 0 or not results:
        last = (finished.stderr.strip().splitlines() or ["no output"])[-1]
        results = [{"check": "the checks run", "ok": False, "why": last,
                    "hint": "this is a problem in the course itself; please report it"}]
    return Outcome(exercise, results)


def display_path(exercise: Exercise, solutions: bool) -> str:
    file = exercise.file(solutions)
    try:
        return str(file.relative_to(paths.REPO))
    except ValueError:
        return f"{'solutions' if solutions else 'exercises'}/{file.name}"


def check(name: str, solutions: bool = False) -> bool:
    """Run one exercise's checks and print its report; True when all pass."""
    exercise = find(name)
    outcome = run(exercise, solutions)
    print(outcome.report(display_path(exercise, solutions)))
    return outcome.ok
