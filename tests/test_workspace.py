"""The learner's work lives in workspace/, and the course's tracked files stay clean.

Each test works in a temporary git checkout of the course as it is now (see
:func:`course_clone`), so the real checkout is never touched, and runs
``python -m coursekit`` there as a learner would.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from coursekit import paths


def course_clone(where: Path) -> Path:
    """A git checkout of the course at ``where``: its tracked and new files as they are now, committed.

    It is built from the working tree rather than cloned from HEAD, so it tests
    the code being written; ignored files (``.venv``, ``workspace/``, ...) stay out.
    """
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=paths.REPO, capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = paths.REPO / name
        if source.is_file():
            (where / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, where / name)
    git = ["git", "-c", "user.name=Course test", "-c", "user.email=course@localhost", "-c", "init.defaultBranch=main"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "the course"]):
        subprocess.run([*git, *command], cwd=where, check=True, capture_output=True)
    return where


def clone_env(clone: Path, **extra: str) -> dict[str, str]:
    """The environment of a learner's terminal in ``clone``: its coursekit, its project, its .course/."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("COURSE_PROJECT_DIR", "COURSE_EXERCISES_DIR", "COURSE_STATE_DIR")}
    env["PYTHONPATH"] = str(clone)  # kernels run in workspace/notebooks/ and must import the clone's coursekit
    return {**env, **extra}


def git_status(clone: Path) -> str:
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=clone,
                          capture_output=True, text=True, check=True).stdout


@pytest.fixture
def clone(tmp_path):
    return course_clone(tmp_path / "course")


def coursekit(clone: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "coursekit", *args], cwd=clone, env=clone_env(clone),
                          capture_output=True, text=True, timeout=timeout)


def ensure_workspace(clone: Path) -> None:
    """What `coursekit lab` does before JupyterLab starts: copy what the learner has no copy of."""
    subprocess.run([sys.executable, "-c", "from coursekit import workspace; workspace.ensure()"],
                   cwd=clone, env=clone_env(clone), check=True)


def test_the_copies_are_made_on_first_use_and_never_overwritten(clone):
    workspace = clone / "workspace"
    assert not workspace.exists()
    done = coursekit(clone, "check", "04_echo")
    assert done.returncode == 1  # the untouched exercise is not done yet
    assert "Edit workspace/exercises/04_echo.py and run this check again." in done.stdout, done.stdout
    exercises = sorted(path.name for path in (workspace / "exercises").iterdir())
    assert exercises == sorted(path.name for path in (clone / "exercises").glob("[0-9][0-9]_*.py"))
    assert not (workspace / "notebooks").exists()  # check copies exercises only

    ensure_workspace(clone)
    lessons = sorted(path.name for path in (workspace / "notebooks").iterdir())
    assert lessons == sorted(path.name for path in (clone / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert (workspace / "notebooks" / "04_first_consumer.ipynb").read_bytes() == \
        (clone / "notebooks" / "04_first_consumer.ipynb").read_bytes()

    mine = workspace / "exercises" / "04_echo.py"
    mine.write_text("# my own attempt\n")
    lesson = workspace / "notebooks" / "04_first_consumer.ipynb"
    lesson.write_text(lesson.read_text().replace("Your first consumer", "My first consumer"))
    saved = lesson.read_text()
    ensure_workspace(clone)
    coursekit(clone, "progress")
    assert mine.read_text() == "# my own attempt\n"
    assert lesson.read_text() == saved


def test_check_and_progress_read_the_learners_copy(clone):
    coursekit(clone, "check", "04_echo")
    shutil.copy(clone / "solutions" / "04_echo.py", clone / "workspace" / "exercises" / "04_echo.py")
    done = coursekit(clone, "check", "04_echo")
    assert done.returncode == 0, done.stdout
    assert "Done: all 4 checks pass." in done.stdout
    assert (clone / "exercises" / "04_echo.py").read_text() != (clone / "solutions" / "04_echo.py").read_text()
    progress = coursekit(clone, "progress").stdout
    count = len(list((clone / "exercises").glob("[0-9][0-9]_*.py")))
    assert f"1 of {count} exercises done." in progress and "exercise 04_echo: 4/4" in progress, progress


def test_a_lesson_and_an_exercise_added_later_are_copied_next_time(clone):
    ensure_workspace(clone)
    mine = clone / "workspace" / "exercises" / "04_echo.py"
    mine.write_text("# mine\n")
    # What a `git pull` that brings a new lesson and exercise does to the checkout.
    shutil.copy(clone / "notebooks" / "00_welcome.ipynb", clone / "notebooks" / "17_what_next.ipynb")
    shutil.copy(clone / "exercises" / "00_first_message.py", clone / "exercises" / "17_what_next.py")
    ensure_workspace(clone)
    assert (clone / "workspace" / "notebooks" / "17_what_next.ipynb").exists()
    assert (clone / "workspace" / "exercises" / "17_what_next.py").exists()
    assert mine.read_text() == "# mine\n"


def restored(clone: Path, name: str, copy: str) -> Path:
    """`coursekit restore NAME`: its one sentence names the learner's ``copy`` and where it went; that backup."""
    done = coursekit(clone, "restore", name)
    assert done.returncode == 0, done.stderr
    sentence = done.stdout.strip()
    assert sentence.startswith(f"{copy} is the course's copy again; yours was moved to .course/backups/"), sentence
    return clone / sentence.rsplit(" ", 1)[1].rstrip(".")


def test_restore_keeps_the_learners_copy_in_backups_and_puts_the_course_copy_back(clone):
    ensure_workspace(clone)
    mine = clone / "workspace" / "exercises" / "04_echo.py"
    mine.write_text("# my attempt\n")
    backup = restored(clone, "04_echo", "workspace/exercises/04_echo.py")
    assert backup.read_text() == "# my attempt\n" and backup.parent.name == "exercises"
    assert mine.read_bytes() == (clone / "exercises" / "04_echo.py").read_bytes()

    lesson = clone / "workspace" / "notebooks" / "04_first_consumer.ipynb"
    notebook = json.loads(lesson.read_text())
    notebook["cells"][0]["source"] = ["my notes"]
    lesson.write_text(json.dumps(notebook))
    backup = restored(clone, "04", "workspace/notebooks/04_first_consumer.ipynb")
    assert json.loads(backup.read_text())["cells"][0]["source"] == ["my notes"]
    assert lesson.read_bytes() == (clone / "notebooks" / "04_first_consumer.ipynb").read_bytes()
    assert coursekit(clone, "restore", "4").stdout.strip() == \
        "workspace/notebooks/04_first_consumer.ipynb is already the course's copy; nothing to restore."


def test_restore_of_an_unknown_name_is_one_sentence(clone):
    lessons = sorted(path.name[:2] for path in (clone / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for name in ("nope", "42", "04_eco"):
        done = coursekit(clone, "restore", name)
        assert done.returncode == 2 and "Traceback" not in done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1, done.stderr
        assert lines[0].startswith(f"coursekit: There is no lesson or exercise named '{name}' to restore; "
                                   f"name a lesson by its number ({lessons[0]}–{lessons[-1]}) or an exercise "
                                   "by its name (00_first_message, ")


def test_a_learners_exercise_edit_check_and_reset_leave_the_checkout_clean(clone):
    """The learner's side outside the notebooks. Their lesson run, saved as JupyterLab saves it, is
    tests/test_lab_browser.py's: Restart Kernel and Run All of their lesson 04 in Chromium, then the same
    `git status`."""
    assert git_status(clone) == ""
    ensure_workspace(clone)
    shutil.copy(clone / "solutions" / "04_echo.py", clone / "workspace" / "exercises" / "04_echo.py")
    assert coursekit(clone, "check", "04_echo").returncode == 0
    assert coursekit(clone, "reset", "5").returncode == 0
    assert (clone / "course_project" / "chat" / "consumers.py").exists()  # the clone's project, at lesson 05
    assert git_status(clone) == ""
