"""Fast tests of coursekit's pure parts: no servers, no kernels."""

import ast
import linecache
import traceback
from pathlib import Path

from coursekit import checkpoints, logs, ownership, paths, project, stable, tracebacks
from coursekit.errors import CourseError

# Output made stable ----------------------------------------------------------------


def test_a_log_line_loses_its_timestamp_port_and_paths(tmp_path):
    line = f"2026-11-25 08:00:00,123 INFO     Listening on TCP address 127.0.0.1:53412 in {tmp_path}/chat"
    assert stable.line(line, tmp_path) == "INFO     Listening on TCP address 127.0.0.1:PORT in <project>/chat"
    access = '127.0.0.1:40112 - - [25/Nov/2026:08:00:00] "WSCONNECT /ws/chat/lobby/" - -'
    assert stable.line(access) == 'client "WSCONNECT /ws/chat/lobby/" - -'


def test_channel_names_lose_their_random_ids():
    name = "specific." + "a" * 32 + "!" + "b" * 32
    assert stable.redact(name) == "specific.<process>!<channel>"
    assert stable.redact(b"asgispecific." + b"c" * 32 + b"!") == "asgispecific.<process>!"
    assert stable.redact({name, "chat_lobby"}) == ["chat_lobby", "specific.<process>!<channel>"]


def test_an_os_error_number_is_named_and_the_port_hidden():
    error = ConnectionRefusedError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")
    assert stable.describe_error(error, 6390) == (
        "builtins.ConnectionRefusedError: Error ECONNREFUSED connecting to 127.0.0.1:PORT. Connection refused."
    )
    assert stable.without_errno("[Errno 98] Address already in use") == "Address already in use"


def test_exception_lines_and_shortening():
    assert stable.exceptions(["INFO x", "KeyError: 'message'", "  File y", "ValueError"]) == [
        "KeyError: 'message'", "ValueError",
    ]
    assert stable.shorten("x" * 60, 10) == "xxxxxxxxxx… (60 characters in all)"
    assert stable.shorten("short") == "short"


def test_a_traceback_keeps_only_the_projects_frames():
    text = "\n".join([
        "ERROR: test_x",
        "Traceback (most recent call last):",
        '  File "<venv>/lib/python3.11/site-packages/asgiref/sync.py", line 1, in f',
        "    await x()",
        '  File "<project>/chat/tests.py", line 9, in test_x',
        "    self.assertEqual(a, b)",
        "    ^^^^^^^^^^^^^^^^^^^^^^",
        '  File "<venv>/lib/python3.11/site-packages/unittest/case.py", line 2, in assertEqual',
        "    raise",
        "AssertionError: 1 != 2",
    ])
    assert stable.trim_tracebacks(text).splitlines() == [
        "ERROR: test_x",
        "Traceback (most recent call last):",
        "  ⋮",
        '  File "<project>/chat/tests.py", line 9, in test_x',
        "    self.assertEqual(a, b)",
        "AssertionError: 1 != 2",
    ]


# The log reader -----------------------------------------------------------------


def test_the_log_reader_reads_on_and_leaves_a_half_line(tmp_path):
    path = tmp_path / "server.log"
    reader = logs.LogReader(path, tmp_path, {"/tmp/sock": "daphne.sock"})
    assert reader.new_lines(0) == []
    path.write_text("one 127.0.0.1:5555\ntwo /tmp/sock\nthr")
    assert not reader.contains("thr")  # a line being written is not there yet, for contains() as for new_lines()
    assert reader.new_lines(0) == ["one 127.0.0.1:PORT", "two daphne.sock"]
    with open(path, "a") as log:
        log.write("ee\nfour\n")
    assert reader.new_lines(0, contains="f") == ["four"]
    assert reader.contains("three") and reader.tail(1) == "four"


# Short tracebacks -----------------------------------------------------------------


def _raise_through(code: str, filename: str):
    # As IPython does for cells: their source is found through linecache.
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    try:
        exec(compile(code, filename, "exec"), {})
    except Exception as error:  # noqa: BLE001
        return error, traceback.extract_tb(error.__traceback__)
    raise AssertionError("no exception")


def test_a_short_traceback_shows_the_learners_lines_and_the_exception():
    error, frames = _raise_through("import json\njson.loads('{')\n", "/tmp/ipykernel_1/123.py")
    lines = tracebacks.short(error, frames, lambda name: "Cell In[7]" if name.endswith("123.py") else None)
    assert "Cell In[7], line 2" in lines[0]
    assert lines[1] == "----> json.loads('{')"
    assert "JSONDecodeError" in lines[2] and "Expecting property name" in lines[2]
    assert lines[3] == tracebacks.FULL_TRACEBACK_HINT  # json's own frames were hidden
    assert len(lines) == 4


def test_a_traceback_with_only_the_learners_frames_has_no_hint():
    error, frames = _raise_through("raise ValueError('no')\n", "cell.py")
    lines = tracebacks.short(error, frames, lambda name: "Cell In[1]")
    assert lines[-1].endswith(": no") and tracebacks.FULL_TRACEBACK_HINT not in lines


def test_project_files_are_labelled_by_their_path_in_the_project(tmp_path):
    class Shell:
        class compile:  # noqa: N801  (IPython's attribute name)
            _filename_map = {"/tmp/ipykernel_1/9.py": 4}

    label = tracebacks.labeller(Shell, {tmp_path: "", tmp_path / "ex": "exercises/"})
    assert label("/tmp/ipykernel_1/9.py") == "Cell In[4]"
    assert label(str(tmp_path / "chat" / "consumers.py")) == "chat/consumers.py"
    assert label("/usr/lib/python3.11/json/decoder.py") is None


# Who owns the project ---------------------------------------------------------------


def test_a_claim_holds_until_another_setup_or_a_reset_takes_the_project(tmp_path):
    mine = ownership.claim(tmp_path, 7)
    mine.ensure_current()
    other = ownership.claim(tmp_path, 4)
    assert mine.moved_by() == other
    try:
        mine.ensure_current()
    except CourseError as error:
        message = str(error)
    else:
        raise AssertionError("the moved project went unnoticed")
    assert "moved to lesson 04 by another notebook's setup" in message
    assert "course = setup(7)" in message and message.count(".") == 1  # one sentence
    ownership.claim(tmp_path, 2, ownership.RESET)
    assert "by coursekit reset" in _message(mine)
    (tmp_path / ownership.MARKER).write_text("not json")
    assert "moved elsewhere" in _message(mine)


def _message(claim) -> str:
    try:
        claim.ensure_current()
    except CourseError as error:
        return str(error)
    return ""


def test_the_marker_is_not_part_of_the_project(tmp_path):
    ownership.claim(tmp_path, 3)
    assert ownership.MARKER not in checkpoints.read_tree(tmp_path)


# Change summaries and checkpoints ---------------------------------------------------


def test_change_summary_of_a_new_an_unchanged_and_a_changed_file():
    assert project.change_summary("a.py", None, "x\ny\n") == ["✎ wrote a.py (new file, 2 lines)"]
    assert project.change_summary("a.py", "x\n", "x\n") == ["✎ a.py is unchanged"]
    summary = project.change_summary("a.py", "a\nb\nc\n", "a\nB\nc\n")
    assert summary[0] == "✎ updated a.py (+1 −1 lines)"
    assert "    -b" in summary and "    +B" in summary


def test_a_file_cell_is_parsed_and_normalised():
    assert checkpoints.parse_file_cell("%%project_file chat/x.py\nA = 1\n\n\n") == ("chat/x.py", "A = 1\n", "file")
    assert checkpoints.parse_file_cell("%%project_update s.py\nB = 2") == ("s.py", "B = 2\n", "update")
    assert checkpoints.parse_file_cell("print('hi')") is None


def test_each_lesson_starts_where_the_one_before_ends():
    numbers = checkpoints.lesson_numbers()
    for earlier, later in zip(numbers, numbers[1:], strict=False):
        assert checkpoints.state_at_end(earlier) == checkpoints.state_at_start(later)


# Module layout ----------------------------------------------------------------------


def _imports(module: Path, package: str) -> set[str]:
    """Every coursekit module ``module`` imports, at any level (inside functions too)."""
    name = module.relative_to(paths.REPO).with_suffix("").as_posix().replace("/", ".")
    name = name.removesuffix(".__init__")
    base = name if module.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith(package)}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = base.split(".")
                anchor = ".".join(parts[: len(parts) - node.level + 1])
                target = f"{anchor}.{node.module}" if node.module else anchor
            else:
                target = node.module or ""
            if not target.startswith(package):
                continue
            if node.module:
                found.add(target)
            for alias in node.names:  # "from . import paths" imports the module coursekit.paths
                candidate = f"{target}.{alias.name}"
                if (paths.REPO / (candidate.replace(".", "/") + ".py")).exists():
                    found.add(candidate)
    return found - {name}


def test_no_coursekit_module_imports_one_that_imports_it_back():
    package = paths.REPO / "coursekit"
    graph = {}
    for module in package.rglob("*.py"):
        name = module.relative_to(paths.REPO).with_suffix("").as_posix().replace("/", ".").removesuffix(".__init__")
        graph[name] = _imports(module, "coursekit")
    cycles = []

    def visit(node, trail, done):
        for following in sorted(graph.get(node, ())):
            if following in trail:
                cycles.append(trail[trail.index(following):] + [following])
            elif following not in done:
                done.add(following)
                visit(following, trail + [following], done)

    for start in sorted(graph):
        visit(start, [start], {start})
    assert cycles == []


def test_coursekit_is_split_by_job_not_by_lesson():
    assert sorted(path.name for path in (paths.REPO / "coursekit").glob("lesson_*.py")) == []


def test_a_binary_file_in_the_project_is_left_alone(tmp_path):
    (tmp_path / "chat").mkdir()
    (tmp_path / "chat" / "views.py").write_text("X = 1\n")
    (tmp_path / "chat" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    assert checkpoints.read_tree(tmp_path) == {"chat/views.py": "X = 1\n"}
