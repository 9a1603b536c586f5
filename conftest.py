"""Test session setup shared by the unit tests and the notebooks.

Every pytest worker gets its own temporary project and state folder, and the
kernels nbval starts inherit them, so the checkout stays clean and notebooks
can run in parallel without sharing servers, logs or files.
"""

import os
import shutil
import tempfile
from pathlib import Path


def pytest_configure(config):
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    scratch = Path(tempfile.mkdtemp(prefix=f"course-test-{worker}-"))
    config._course_scratch = scratch
    os.environ["COURSE_PROJECT_DIR"] = str(scratch / "project")
    os.environ["COURSE_STATE_DIR"] = str(scratch / "state")


def pytest_unconfigure(config):
    scratch = getattr(config, "_course_scratch", None)
    if scratch is not None:
        shutil.rmtree(scratch, ignore_errors=True)
