"""Ruff on the course's code and notebooks (the configuration is in pyproject.toml)."""

import subprocess
import sys
from pathlib import Path

from coursekit import paths


def test_ruff_finds_nothing():
    ruff = Path(sys.executable).with_name("ruff")
    targets = ["coursekit", "tests", "exercises", "solutions", "notebooks", "conftest.py"]
    done = subprocess.run([str(ruff), "check", "--no-cache", *targets], cwd=paths.REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
