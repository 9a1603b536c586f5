"""Exercise proofs: every solution passes its checks, every untouched exercise fails them.

This is nbgrader's ``validate`` / ``validate --invert`` idea: a check that
passes the untouched exercise proves nothing, and one the solution fails is broken.
Each solution is proven here, copied over its exercise as a learner would;
``tests/test_cli.py`` proves through ``coursekit check`` that every untouched
exercise fails and that ``check --solutions`` passes.
"""

import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from coursekit import exercises, paths

ALL = exercises.all_exercises()


def test_every_exercise_has_a_solution_and_a_lesson():
    for exercise in ALL:
        assert exercise.file().exists()
        assert exercise.file(solutions=True).exists()
    assert sorted(path.stem for path in paths.EXERCISES.glob("*.py")) == [e.name for e in ALL]
    lessons_with_exercises = {e.lesson for e in ALL}
    assert set(range(8)) <= lessons_with_exercises


def test_each_solution_copied_over_its_exercise_passes_check_name(tmp_path):
    """As a learner would: the solution's text in exercises/NAME.py, then `coursekit check NAME`."""
    shutil.copytree(paths.SOLUTIONS, tmp_path / "exercises")
    env = {**os.environ, "COURSE_EXERCISES_DIR": str(tmp_path / "exercises")}

    def check(exercise):
        return subprocess.run([sys.executable, "-m", "coursekit", "check", exercise.name],
                              capture_output=True, text=True, env=env, cwd=paths.REPO)

    with ThreadPoolExecutor(max_workers=4) as pool:  # each check is its own process
        results = list(pool.map(check, ALL))
    for exercise, done in zip(ALL, results, strict=True):
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.splitlines()[0].startswith(f"✓ {exercise.name}"), done.stdout
