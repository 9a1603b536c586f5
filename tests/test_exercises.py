"""Exercise proofs: every solution passes its checks, every untouched exercise fails them.

This is nbgrader's ``validate`` / ``validate --invert`` idea: a check that
passes the untouched exercise proves nothing, and one the solution fails is broken.
``tests/test_cli.py`` proves through ``coursekit check`` that every untouched
exercise fails and that every solution passes (``check --solutions``).
"""

import os
import shutil
import subprocess
import sys

from coursekit import exercises, paths

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
