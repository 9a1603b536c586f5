"""`coursekit progress` counts every check of an exercise, also when the learner's file does not import.

In a file of its own: it runs every exercise's checks (a few seconds), beside the other checker tests.
"""

import os
import shutil
import subprocess
import sys

from coursekit import exercises, paths


def test_progress_counts_the_checks_of_a_file_that_does_not_import(tmp_path):
    folder = tmp_path / "exercises"
    shutil.copytree(paths.EXERCISES, folder)
    shutil.copy(paths.SOLUTIONS / "00_first_message.py", folder)
    with open(folder / "01_installed_apps.py", "a") as broken:
        broken.write("def broken(:\n")
    done = subprocess.run([sys.executable, "-m", "coursekit", "progress"], capture_output=True, text=True,
                          env={**os.environ, "COURSE_EXERCISES_DIR": str(folder)}, cwd=paths.REPO, timeout=120)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("✓ Lesson 00") and lines[0].endswith("exercise 00_first_message: 3/3")
    assert lines[1].startswith("· Lesson 01") and lines[1].endswith("exercise 01_installed_apps: 0/5")
    assert lines[-1] == f"1 of {len(exercises.all_exercises())} exercises done."
