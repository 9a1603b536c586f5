"""The course project on disk: start state, checkpoints, reset, backups and the file magics."""

import io
import subprocess
from contextlib import redirect_stdout

import pytest

from coursekit import checkpoints, lessons, magics, paths, project, pyedit


def test_the_learners_project_and_copies_are_not_tracked():
    """course_project/ (made from startproject) and workspace/ are the learner's: git never sees them change."""
    tracked = subprocess.run(["git", "ls-files", "course_project", "workspace"], cwd=paths.REPO,
                             capture_output=True, text=True, check=True).stdout
    assert tracked == ""
    # Files inside them, named whether or not the folders exist yet (a fresh clone has neither).
    inside = ["course_project/mysite/settings.py", "workspace/notebooks/04_first_consumer.ipynb",
              "workspace/exercises/04_echo.py"]
    ignored = subprocess.run(["git", "check-ignore", *inside], cwd=paths.REPO, capture_output=True, text=True)
    assert ignored.stdout.split() == inside


def test_the_start_state_is_what_startproject_writes_with_the_course_key(tmp_path):
    """The cached start project (coursekit.cache) is startproject's output, the secret key replaced."""
    fresh = checkpoints.run_startproject()
    assert checkpoints.start_project() == fresh
    assert checkpoints.SECRET_KEY_LINE in fresh["mysite/settings.py"]
    assert set(fresh) == {"manage.py", "mysite/__init__.py", "mysite/asgi.py", "mysite/settings.py",
                          "mysite/urls.py", "mysite/wsgi.py"}


def test_a_missing_project_folder_is_created_from_the_start_state(project_root):
    assert not project_root.exists()
    project.ensure_exists()
    assert checkpoints.read_tree(project_root) == checkpoints.start_project()


def test_every_lesson_builds_on_the_one_before():
    numbers = checkpoints.lesson_numbers()
    for number in numbers[1:]:
        assert checkpoints.state_at_start(number) == checkpoints.state_at_end(number - 1)
    chat = checkpoints.state_at_end(7)
    assert "chat/consumers.py" in chat and "RoomConsumer" in chat["chat/consumers.py"]
    assert "'daphne'," in chat["mysite/settings.py"]


def test_reset_round_trip_keeps_the_learners_work(project_root):
    project.bring_to(checkpoints.state_at_start(6), project_root)
    assert checkpoints.read_tree(project_root) == checkpoints.state_at_start(6)
    (project_root / "chat" / "consumers.py").write_text("# my own consumer\n")
    (project_root / "chat" / "notes.py").write_text("# my notes\n")
    move = project.bring_to(checkpoints.state_at_start(2), project_root)
    assert checkpoints.read_tree(project_root) == checkpoints.state_at_start(2)
    assert move.backup is not None
    assert (move.backup / "chat" / "consumers.py").read_text() == "# my own consumer\n"
    assert (move.backup / "chat" / "notes.py").read_text() == "# my notes\n"
    assert not (project_root / "chat").exists(), "empty folders go too"
    move = project.bring_to(checkpoints.state_at_start(6), project_root)
    assert move.backup is None, "files the course wrote itself need no backup"
    assert checkpoints.read_tree(project_root) == checkpoints.state_at_start(6)


def test_databases_and_caches_are_not_project_source(project_root):
    project.bring_to(checkpoints.state_at_start(3), project_root)
    (project_root / "db.sqlite3").write_bytes(b"\0binary")
    (project_root / "mysite" / "__pycache__").mkdir()
    project.bring_to(checkpoints.state_at_start(4), project_root)
    assert (project_root / "db.sqlite3").exists()


def run_cell(mode: str, path: str, body: str) -> str:
    out = io.StringIO()
    with redirect_stdout(out):
        magics.write_from_cell(mode, path, body)
    return out.getvalue()


WITH_FILE_CELLS = [info.number for info in lessons.available() if checkpoints.file_cells(info.number)]


@pytest.mark.parametrize("lesson", WITH_FILE_CELLS)
def test_file_cells_print_the_same_on_first_and_second_run(project_root, lesson):
    lessons.setup(lesson, quiet=True)
    for cell in checkpoints.file_cells(lesson):
        first = run_cell(cell.mode, cell.path, cell.content)
        second = run_cell(cell.mode, cell.path, cell.content)
        assert first == second
        assert first.startswith("✎ ")
    assert checkpoints.read_tree(project_root) == checkpoints.state_at_end(lesson)
    lessons.active().teardown()


def test_a_file_cell_reports_what_changed(project_root):
    lessons.setup(1, quiet=True)
    cell = checkpoints.file_cells(1)[0]
    output = run_cell(cell.mode, cell.path, cell.content).splitlines()
    assert output[0] == "✎ updated mysite/settings.py (+2 −0 lines)"
    assert "    +    'daphne'," in output and "    +    'channels'," in output
    lessons.active().teardown()


def test_an_edited_cell_is_compared_with_the_file_on_disk(project_root):
    lessons.setup(3, quiet=True)
    output = run_cell("file", "chat/extra.py", "X = 1\n")
    assert output == "✎ wrote chat/extra.py (new file, 1 line)\n"
    assert run_cell("file", "chat/extra.py", "X = 2\n").startswith("✎ updated chat/extra.py (+1 −1 lines)")
    assert "syntax" in run_cell("file", "chat/broken.py", "def (:\n")
    lessons.active().teardown()


def test_a_cell_cannot_write_outside_the_project(project_root):
    lessons.setup(1, quiet=True)
    with pytest.raises(Exception, match="outside the project"):
        run_cell("file", "../escape.py", "X = 1\n")
    lessons.active().teardown()


def test_pyedit_replaces_definitions_adds_imports_and_keeps_the_rest():
    old = '"""Doc."""\nimport os\n\n# apps\nAPPS = [\n    "a",\n]\n\nDEBUG = True\n'
    cell = "import sys\n\nAPPS = [\n    'b',\n]\n\n# new\nLAYERS = {}\n"
    new = pyedit.update(old, cell)
    assert new == (
        '"""Doc."""\nimport os\nimport sys\n\n# apps\nAPPS = [\n    \'b\',\n]\n\nDEBUG = True\n\n# new\nLAYERS = {}\n'
    )
    assert pyedit.update(new, cell) == new, "updating twice changes nothing more"


def test_pyedit_replaces_functions_and_classes():
    old = "class A:\n    x = 1\n\n\ndef f():\n    return 1\n"
    new = pyedit.update(old, "def f():\n    return 2\n")
    assert new == "class A:\n    x = 1\n\n\ndef f():\n    return 2\n"


def test_pyedit_replaces_one_method_of_a_class_when_the_cell_says_the_rest_stays():
    old = (
        "class C(Base):\n    \"\"\"Doc.\"\"\"\n\n    def a(self):\n        return 1\n\n"
        "    # b's comment\n    def b(self):\n        return 2\n"
    )
    cell = (
        "class C(Base):\n    ...  # the rest as before\n\n"
        "    def b(self):\n        return 3\n\n    def c(self):\n        pass\n"
    )
    new = pyedit.update(old, cell)
    assert new == (
        "class C(Base):\n    \"\"\"Doc.\"\"\"\n\n    def a(self):\n        return 1\n\n"
        "    # b's comment\n    def b(self):\n        return 3\n\n    def c(self):\n        pass\n"
    )
    assert pyedit.update(new, cell) == new, "updating twice changes nothing more"
    whole = pyedit.update(old, "class C(Base):\n    def b(self):\n        return 3\n")
    assert "def a" not in whole, "without the ... line the whole class is replaced"


def test_a_lesson_that_needs_the_database_starts_with_a_fresh_one(project_root):
    """Lesson 12 run after lesson 11 must not find lesson 11's messages as history."""
    lessons.bring_up(lessons.info(11), project_root)
    (project_root / "db.sqlite3").write_bytes(b"lesson 11's messages")
    (project_root / "db.sqlite3-wal").write_bytes(b"\xff\xfe in WAL mode (lesson 14), not text")
    lessons.bring_up(lessons.info(12), project_root)
    assert not (project_root / "db.sqlite3-wal").exists()
    assert (project_root / "db.sqlite3").read_bytes() != b"lesson 11's messages"
    assert (paths.state_dir() / "previous-db.sqlite3").read_bytes() == b"lesson 11's messages"


def test_a_file_rewritten_within_the_same_second_is_not_run_from_a_stale_compiled_copy(project_root):
    """Same size, same second: Python would trust the old .pyc (lesson 01 reorders INSTALLED_APPS like this)."""
    import py_compile
    import sys

    project.write("pkg/settings.py", "ORDER = ['a', 'b']\n")
    py_compile.compile(str(project_root / "pkg" / "settings.py"))  # into pkg/__pycache__/, as an import would
    assert list((project_root / "pkg" / "__pycache__").glob("settings.*.pyc"))
    project.write("pkg/settings.py", "ORDER = ['b', 'a']\n")
    read = subprocess.run([sys.executable, "-c", "import settings; print(settings.ORDER)"], cwd=project_root / "pkg",
                          capture_output=True, text=True, check=True, env={"PYTHONPATH": str(project_root / "pkg")})
    assert read.stdout == "['b', 'a']\n"
