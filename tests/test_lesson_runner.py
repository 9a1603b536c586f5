"""The lesson runner (coursekit/run_all_plugin.py) fails when it should.

It runs lessons as JupyterLab's Run All does and lets nbval compare their
outputs, so it must fail on a changed output, stop at an untagged error (and
fail every cell after it), and go past a cell tagged raises-exception.
"""

import os
import signal
import subprocess
import sys

import nbformat

from coursekit import authoring, paths


def lesson(tmp_path, *cells):
    """A notebook of ``(source, printed, tags)`` cells, recorded as if it had run."""
    notebook = nbformat.v4.new_notebook()
    for number, (source, printed, tags) in enumerate(cells, start=1):
        cell = nbformat.v4.new_code_cell(source, execution_count=number, metadata={"tags": tags})
        if printed is not None:
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=printed)]
        if "raises-exception" in tags:
            cell.outputs.append(nbformat.v4.new_output("error", ename="ZeroDivisionError",
                                                       evalue="division by zero", traceback=[]))
        notebook.cells.append(cell)
    folder = tmp_path / "notebooks"
    folder.mkdir(exist_ok=True)
    nbformat.write(notebook, folder / "lesson.ipynb")
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    return folder / "lesson.ipynb"


def run(path) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "coursekit.run_all_plugin", "-p", "no:cacheprovider",
         "--rootdir", str(path.parent.parent), "-c", str(path.parent.parent / "pytest.ini"),
         "--nbval-current-env", "--nbval-cell-timeout", "10", "-rA", str(path)],
        capture_output=True, text=True, cwd=paths.REPO, timeout=120,
    )
    return done.returncode, done.stdout + done.stderr


def test_outputs_are_compared_and_an_untagged_error_stops_run_all(tmp_path):
    code, report = run(lesson(
        tmp_path,
        ("print('one')", "two\n", []),  # the recorded output differs
        ("1 / 0", None, []),            # fails, untagged: Run All stops here
        ("print('after')", "after\n", []),
    ))
    assert code == 1
    assert "FAILED" in report and "Cell 0" in report and "Cell outputs differ" in report
    assert "not tagged raises-exception: Run All stops here" in report
    assert "PASSED" not in report.split("short test summary info")[-1]
    assert "Run All stopped before this cell: cell 1 raised" in report


def test_a_tagged_error_is_passed_and_the_rest_runs(tmp_path):
    code, report = run(lesson(
        tmp_path,
        ("print('one')", "one\n", []),
        ("1 / 0", None, ["raises-exception"]),
        ("print('after')", "after\n", []),
    ))
    assert code == 0, report
    assert report.count("PASSED") == 3


def test_authoring_saves_only_a_lesson_that_runs_to_the_end(tmp_path):
    untagged = lesson(tmp_path, ("1 / 0", None, []), ("print('end')", "end\n", []))
    assert authoring.execute(untagged) is False
    tagged = lesson(tmp_path, ("1 / 0", None, ["raises-exception"]), ("print('end')", None, []))
    assert authoring.execute(tagged) is True
    assert nbformat.read(tagged, 4).cells[1].outputs[0]["text"] == "end\n"


def test_a_process_that_outlives_the_sigkilled_kernel_fails_the_lesson(tmp_path):
    """Each lesson ends with its kernel SIGKILLed; what the lesson started must die with it.

    The lessons pass this (their servers' watchdogs hold a lifeline to the kernel); a child that
    only detaches from the kernel does not, and the runner names it.
    """
    pid_file = tmp_path / "orphan.pid"
    source = ("import subprocess\n"
              "child = subprocess.Popen(['sleep', '30'], start_new_session=True)\n"
              f"open({str(pid_file)!r}, 'w').write(str(child.pid))")
    code, report = run(lesson(tmp_path, (source, None, [])))
    orphan = int(pid_file.read_text())
    try:
        assert code == 1
        assert "ERROR at teardown" in report, report
        assert "processes outlived the lesson's SIGKILLed kernel" in report and f"{orphan}: sleep 30" in report
    finally:
        os.kill(orphan, signal.SIGKILL)
