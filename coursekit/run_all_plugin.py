"""A pytest plugin: every lesson run as Run All runs it, its outputs compared by nbval.

Every lesson is executed the way JupyterLab's "Restart Kernel and Run All" and
``jupyter nbconvert --to notebook --execute`` do it: by nbclient, cell after
cell in one kernel, stopping at a cell that raises unless it carries the
``raises-exception`` tag. Each code cell is one test item whose outputs nbval
compares with the committed ones (strictly, with ``--nbval-sanitize-with``).
One execution proves both: the outputs are right, and Run All reaches the end
of the lesson. It collects the ``.ipynb`` files of a folder named ``notebooks``;
the root ``conftest.py`` loads it.

``--lesson-runs 3`` (``make reliability``) runs every lesson three times on one
project, as a learner does: once, again in the same kernel, and again after
"Restart Kernel" (JupyterLab asks the kernel to shut down, then starts a new
one); each run's outputs are compared with the same committed ones.

When a lesson has run to its end, the same kernel sets the lesson up again with
Redis and daphne running (the state a learner leaves when they close the tab
mid-lesson), then the kernel is SIGKILLed (the kernel alone, not its process
group, as when it crashes or the OOM killer takes it) and every process it had
started must be gone within 2 s: the servers, their watchdogs and the
forkserver. A survivor fails the lesson's last cell. This costs no kernel of
its own: the lesson's kernel and forkserver are already warm.
"""

from __future__ import annotations

import copy
import json
import os
import re
import signal
import time

import nbformat
import psutil
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbval.plugin import IPyNbCell, IPyNbFile, coalesce_streams

RUN_NAMES = {1: "", 2: " (again, same kernel)", 3: " (after Restart Kernel)"}

# Run in a lesson's kernel after its last cell: what a learner has running mid-lesson.
SERVERS_UP = """\
import json
from coursekit import lessons
course = lessons.setup({lesson}, quiet=True)
course.start_redis()
course.daphne.start()
print(json.dumps([course.redis.process.pid, course.daphne.process.pid]), flush=True)
"""


def pytest_addoption(parser):
    parser.addoption(
        "--lesson-runs", type=int, default=1, choices=sorted(RUN_NAMES),
        help="run each lesson this many times: 2 adds a second Run All in the same kernel, "
             "3 adds a third after a kernel restart",
    )


class RunAllNotebook(IPyNbFile):
    """A lesson: one nbclient kernel for all its cells, as Run All has."""

    client = None
    stopped: str | None = None
    run = 1

    def setup(self):
        self.timed_out = False
        self.setup_sanitize_files()
        # A copy of the lesson with its outputs cleared, as nbclient would run it.
        self.run_copy = nbformat.read(str(self.path), as_version=4)
        code = [index for index, cell in enumerate(self.run_copy.cells) if cell.cell_type == "code"]
        self.index_of = dict(enumerate(code))  # nbval's cell number -> the cell's index in the notebook
        for index in code:
            self.run_copy.cells[index].outputs = []
        self.client = NotebookClient(
            self.run_copy, timeout=self.config.option.nbval_cell_timeout, kernel_name="python3",
            resources={"metadata": {"path": str(self.path.parent)}}, allow_errors=False,
            shutdown_kernel="immediate",  # as nbval does: the servers' watchdogs must cope with it
        )
        self.client.km = self.client.create_kernel_manager()
        self.client.start_new_kernel()
        self.client.start_new_kernel_client()

    def collect(self):
        cells = list(super().collect())
        for run in range(1, self.config.option.lesson_runs + 1):
            for item in cells:
                yield RunAllCell.from_parent(
                    self, name=item.name + RUN_NAMES[run], cell_num=item.cell_num, cell=item.cell,
                    options=item.options, run=run,
                )

    def start_run(self, run: int):
        """Clear the outputs for another Run All; from the third run on, restart the kernel first."""
        for index in self.index_of.values():
            self.run_copy.cells[index].outputs = []
        if run >= 3:
            self.client.kc.stop_channels()
            run_sync(self.client.km.restart_kernel)(now=False)  # JupyterLab's Restart Kernel: a shutdown request first
            self.client.start_new_kernel_client()
        self.run = run

    def teardown(self):
        if self.client is None:
            return
        try:
            servers = self.servers_up() if self.stopped is None else []
            survivors = survivors_of_sigkill(self.client.km.provisioner.pid)
        finally:
            self.client._cleanup_kernel()
            self.client = None
        assert not survivors, "processes outlived the lesson's SIGKILLed kernel:\n" + "\n".join(survivors)
        assert all(not _running(server) for server in servers)

    def servers_up(self) -> list[psutil.Process]:
        """Set the lesson up again in its kernel with Redis and daphne running; their processes.

        Only for a course lesson (its name starts with its number); a survivor among them fails the lesson.
        """
        number = re.match(r"(\d+)_", self.path.name)
        if number is None:
            return []
        cell = nbformat.v4.new_code_cell(SERVERS_UP.format(lesson=int(number.group(1))))
        self.run_copy.cells.append(cell)  # nbclient keeps outputs by the cell's index in its notebook
        try:
            self.client.execute_cell(cell, len(self.run_copy.cells) - 1, store_history=False)
        finally:
            self.run_copy.cells.pop()
        printed = "".join(output.get("text", "") for output in cell.outputs if output.output_type == "stream")
        watchdogs = [psutil.Process(pid) for pid in json.loads(printed.strip().splitlines()[-1])]
        servers = watchdogs + [child for watchdog in watchdogs for child in watchdog.children(recursive=True)]
        running = [server for server in servers if _running(server)]
        assert len(running) == 4, f"Redis and daphne did not start as expected: {printed}"  # 2 watchdogs, 2 servers
        return servers


def survivors_of_sigkill(pid: int, timeout: float = 2.0) -> list[str]:
    """SIGKILL process ``pid`` alone; the processes it had started still running ``timeout`` s later."""
    family = psutil.Process(pid).children(recursive=True)
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + timeout
    while True:
        alive = [process for process in family if _running(process)]
        if not alive or time.monotonic() > deadline:
            return [f"{process.pid}: {' '.join(_cmdline(process))}" for process in alive]
        time.sleep(0.05)


def _running(process: psutil.Process) -> bool:
    """Running and still the same process (psutil compares its start time), not a zombie."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.Error:
        return ["(gone)"]


class RunAllCell(IPyNbCell):
    """One code cell, run by nbclient and compared by nbval."""

    def __init__(self, *args, run: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        self.run = run

    def setup(self):
        pass  # nbval marks the cells after a timeout as expected to fail; Run All simply stops

    def runtest(self):
        notebook = self.parent
        if self.run != notebook.run:
            notebook.start_run(self.run)
        if notebook.stopped is not None:
            self.raise_cell_error(f"Run All stopped before this cell: {notebook.stopped}")
        index = notebook.index_of[self.cell_num]
        cell = notebook.run_copy.cells[index]
        try:
            notebook.client.execute_cell(cell, index)
        except CellTimeoutError:
            notebook.stopped = f"cell {self.cell_num} took over {self.config.option.nbval_cell_timeout} s"
            self.raise_cell_error("Timeout: the cell did not finish in time; Run All stops here")
        except (CellExecutionError, DeadKernelError) as error:
            notebook.stopped = f"cell {self.cell_num} raised and is not tagged raises-exception"
            self.raise_cell_error("The cell raised and is not tagged raises-exception: Run All stops here",
                                  str(error))
        self.test_outputs = outputs = coalesce_streams(cell.outputs)
        # coalesce_streams merges stream outputs in place: compare a copy, the committed cell is read again next run.
        expected = coalesce_streams(copy.deepcopy(self.cell.outputs))
        if self.options["check"] and not self.compare_outputs(outputs, expected):
            self.raise_cell_error("Cell outputs differ", "\n".join(self.comparison_traceback))


def pytest_collect_file(file_path, parent):
    if file_path.suffix == ".ipynb" and file_path.parent.name == "notebooks":
        return RunAllNotebook.from_parent(parent, path=file_path)
    return None
