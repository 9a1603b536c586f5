"""Run All reaches the end of every lesson, as in JupyterLab (Restart Kernel and Run All).

nbclient executes each lesson the way JupyterLab's Run All and ``jupyter
nbconvert --to notebook --execute`` do: a cell that raises stops the run
unless it carries the ``raises-exception`` tag. nbval (in ``notebooks/``)
compares the outputs; this proves the learner's path: no lesson stops part
way, so its fixes and its teardown always run.
"""

import nbformat
import pytest

from coursekit import authoring, lessons, paths

LESSONS = lessons.available()


@pytest.mark.parametrize("info", LESSONS, ids=lambda info: info.notebook)
def test_run_all_reaches_the_last_cell(info):
    notebook = nbformat.read(paths.NOTEBOOKS / info.notebook, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    authoring.run_all(notebook, paths.NOTEBOOKS)  # raises CellExecutionError at a cell that stops the run
    last = [cell for cell in notebook.cells if cell.cell_type == "code"][-1]
    printed = "".join(output.get("text", "") for output in last.outputs)
    assert printed.strip() == f"Lesson {info.number:02d} is done: every server it started is stopped."


def test_an_untagged_failing_cell_stops_run_all_and_a_tagged_one_does_not():
    from nbclient.exceptions import CellExecutionError

    def notebook(tags):
        cells = [nbformat.v4.new_code_cell("1 / 0", metadata={"tags": tags}), nbformat.v4.new_code_cell("print('end')")]
        return nbformat.v4.new_notebook(cells=cells)

    with pytest.raises(CellExecutionError):
        authoring.run_all(notebook([]), paths.NOTEBOOKS)
    tagged = notebook(["raises-exception"])
    authoring.run_all(tagged, paths.NOTEBOOKS)
    assert tagged.cells[1].outputs[0]["text"] == "end\n"
