"""For course authors: execute a lesson notebook in place, the way nbval will check it.

``python -m coursekit.authoring notebooks/04_first_consumer.ipynb [...]``

Each notebook runs against a fresh temporary project and state folder (as in
``make test``), in a kernel of this environment, and is saved with its new
outputs. Commit the result: nbval compares later runs with these outputs.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient


def execute(path: Path, timeout: int = 60) -> None:
    notebook = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="course-author-") as scratch:
        os.environ["COURSE_PROJECT_DIR"] = str(Path(scratch) / "project")
        os.environ["COURSE_STATE_DIR"] = str(Path(scratch) / "state")
        client = NotebookClient(
            notebook, timeout=timeout, kernel_manager_class=KernelManager,
            resources={"metadata": {"path": str(path.parent)}}, allow_errors=True,
        )
        client.execute()
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


if __name__ == "__main__":
    for name in sys.argv[1:]:
        execute(Path(name))
