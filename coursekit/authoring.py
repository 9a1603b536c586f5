"""For course authors: execute a lesson notebook in place, the way nbval will check it.

``python -m coursekit.authoring notebooks/04_first_consumer.ipynb [...]``

Each notebook runs against a fresh temporary project and state folder (as in
``make test``), in a kernel of this environment, the way JupyterLab's Run All
does: a cell that raises stops the run unless it carries the
``raises-exception`` tag. It is saved with its new outputs only when it ran
to the end. Commit the result: nbval compares later runs with these outputs.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def run_all(notebook, folder: Path, timeout: int = 60) -> None:
    """Execute ``notebook`` as Run All does, in a fresh project; CellExecutionError if it stops."""
    saved = {name: os.environ.get(name) for name in ("COURSE_PROJECT_DIR", "COURSE_STATE_DIR")}
    with tempfile.TemporaryDirectory(prefix="course-author-") as scratch:
        # The kernel inherits this process's environment.
        os.environ["COURSE_PROJECT_DIR"] = str(Path(scratch) / "project")
        os.environ["COURSE_STATE_DIR"] = str(Path(scratch) / "state")
        try:
            client = NotebookClient(
                notebook, timeout=timeout, kernel_manager_class=KernelManager,
                resources={"metadata": {"path": str(folder)}}, allow_errors=False,
            )
            client.execute()
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def execute(path: Path, timeout: int = 60) -> bool:
    notebook = nbformat.read(path, as_version=4)
    try:
        run_all(notebook, path.parent, timeout)
    except CellExecutionError as error:
        print(f"{path}: stopped at a cell that raised and is not tagged raises-exception; not saved.\n{error}")
        return False
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(notebook, path)
    errors = [
        (index, output.get("ename"))
        for index, cell in enumerate(notebook.cells)
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    print(f"{path}: executed; cells with errors: {errors or 'none'}")
    return True


if __name__ == "__main__":
    results = [execute(Path(name)) for name in sys.argv[1:]]
    sys.exit(0 if all(results) else 1)
