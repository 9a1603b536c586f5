"""Exercise proofs: every solution passes its checks, every untouched exercise fails them.

This is nbgrader's ``validate`` / ``validate --invert`` idea: a check that
passes the untouched exercise proves nothing, and one the solution fails is broken.
``tests/test_cli.py`` proves through ``coursekit check`` that every untouched
exercise fails and that every solution passes (``check --solutions``).

The exercises themselves are generated from the solutions' marked regions
(``python -m coursekit.exercise_files``); the tests below prove the committed
ones are exactly what the solutions generate, and how the markers are read.
"""

import ast
import os
import shutil
import subprocess
import sys

import pytest

from coursekit import exercise_files, exercises, paths

ALL = exercises.all_exercises()


def test_every_exercise_has_a_solution_and_a_lesson():
    for exercise in ALL:
        assert exercise.file().exists()
        assert exercise.file(solutions=True).exists()
    assert sorted(path.stem for path in paths.EXERCISES.glob("*.py")) == [e.name for e in ALL]
    lessons_with_exercises = {e.lesson for e in ALL}
    assert set(range(8)) <= lessons_with_exercises


def test_a_solution_copied_over_its_exercise_passes_check_name(tmp_path):
    """As a learner would: the solution's text in exercises/NAME.py, then `coursekit check NAME`.

    Every solution passes its checks in ``test_cli.py`` (``check --solutions``); this proves the
    learner's path through the exercises folder, for the exercise of the latest lesson.
    """
    exercise = ALL[-1]
    shutil.copytree(paths.EXERCISES, tmp_path / "exercises")
    shutil.copy(exercise.file(solutions=True), tmp_path / "exercises" / f"{exercise.name}.py")
    env = {**os.environ, "COURSE_EXERCISES_DIR": str(tmp_path / "exercises")}
    done = subprocess.run([sys.executable, "-m", "coursekit", "check", exercise.name],
                          capture_output=True, text=True, env=env, cwd=paths.REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[0].startswith(f"✓ {exercise.name}")


# exercises/ is generated from solutions/ (coursekit/exercise_files.py)

def test_the_committed_exercises_are_what_the_solutions_generate():
    assert exercise_files.differences(paths.EXERCISES) == []


def test_the_generator_writes_the_exercises_and_its_check_mode_changes_nothing(tmp_path):
    def generator(*args):
        return subprocess.run([sys.executable, "-m", "coursekit.exercise_files", *args], capture_output=True,
                              text=True, cwd=paths.REPO)

    checked = generator("--check")
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout == checked.stderr == ""
    written = generator("--into", str(tmp_path))
    assert written.returncode == 0, written.stderr
    assert written.stdout.splitlines() == [f"wrote {path.name}" for path in sorted(paths.SOLUTIONS.glob("*.py"))]
    for path in paths.EXERCISES.glob("*.py"):
        assert (tmp_path / path.name).read_text() == path.read_text()
    (tmp_path / "04_echo.py").write_text("# a learner's own version\n")
    (tmp_path / "99_extra.py").write_text("")
    stale = generator("--check", "--into", str(tmp_path))
    assert stale.returncode == 1
    assert stale.stderr.splitlines()[:2] == ["99_extra.py is not generated from a solution",
                                             "04_echo.py differs from what solutions/04_echo.py generates"]


def test_each_exercise_and_its_solution_are_python_and_name_the_same_exercise():
    for exercise in ALL:
        solution = exercise.file(solutions=True).read_text()
        generated = exercise_files.exercise_text(solution)
        first = {text: ast.get_docstring(ast.parse(text)).splitlines()[0] for text in (solution, generated)}
        title = first[generated].removeprefix(f"Exercise {exercise.name[:2]} · ")
        assert first[generated] != title, first[generated]
        assert first[solution] == f"Solution to exercise {exercise.name[:2]} · {title}"
        assert "NotImplementedError" in generated or "TODO" in generated
        assert "###" not in generated


SOLUTION = '''### BEGIN SOLUTION
"""Solution to exercise 99 · a demo."""
### EXERCISE
# """Exercise 99 · a demo.
#
# Write twice().
# """
### END SOLUTION

import json  ### EXERCISE: import json  # noqa: F401  (you will need it)

HELPER = "### BEGIN SOLUTION is text in a string, not a marker"


def twice(x):
    """Two of x."""
    ### BEGIN SOLUTION
    return 2 * x  # a comment of the solution's
    ### EXERCISE
    # # TODO: return two of x
    #
    # raise NotImplementedError("twice is not written yet")
    ### END SOLUTION


class Things:
    ### BEGIN SOLUTION
    def extra(self):
        return json.dumps(HELPER)
    ### END SOLUTION

    def kept(self):
        pass
'''

EXERCISE = '''"""Exercise 99 · a demo.

Write twice().
"""

import json  # noqa: F401  (you will need it)

HELPER = "### BEGIN SOLUTION is text in a string, not a marker"


def twice(x):
    """Two of x."""
    # TODO: return two of x

    raise NotImplementedError("twice is not written yet")


class Things:

    def kept(self):
        pass
'''


def test_regions_become_the_exercises_text():
    assert exercise_files.exercise_text(SOLUTION) == EXERCISE
    exec(compile(SOLUTION, "solution", "exec"), {})  # the solution file runs as it is


@pytest.mark.parametrize("text, message", [
    ("x = 1\n### END SOLUTION\n", "line 2: ### END SOLUTION where ### BEGIN SOLUTION was expected"),
    ("### BEGIN SOLUTION\nx = 1\n", "the region opened on line 1 has no ### END SOLUTION"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n", "line 2: ### BEGIN SOLUTION where ### EXERCISE or ### END SOLUTION "
                                                 "was expected (the region opened on line 1)"),
    ("### BEGIN SOLUTION\n### EXERCISE\n### EXERCISE\n", "line 3: ### EXERCISE where ### END SOLUTION was expected"),
    ("if x:\n    ### BEGIN SOLUTION\n    y = 1\n### END SOLUTION\n",
     "line 4: ### END SOLUTION is not indented as ### BEGIN SOLUTION on line 2"),
    ("### BEGIN SOLUTION\n### EXERCISE\nx = 1\n### END SOLUTION\n", "line 3: an exercise line is written as"),
    ("### BEGIN SOLUTON\n", "line 1: unknown marker '### BEGIN SOLUTON'"),
    ("x = 1  ### EXCERCISE: y = 2\n", "line 1: unknown marker '### EXCERCISE: y = 2' at the end of a line"),
    ("### BEGIN SOLUTION\nx = 1  ### EXERCISE: y = 2\n### END SOLUTION\n",
     "line 2: ### EXERCISE: at the end of a line inside a region"),
    ("def f(:\n", "the solution is not valid Python"),
])
def test_markers_that_cannot_be_read_are_refused_with_their_line(text, message):
    with pytest.raises(exercise_files.MarkerError) as raised:
        exercise_files.exercise_text(text)
    assert str(raised.value).startswith(message), str(raised.value)
