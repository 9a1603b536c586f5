"""Fixtures shared by the tests of coursekit."""

import os

import pytest


@pytest.fixture
def project_root(tmp_path, monkeypatch):
    """A private project and state folder for one test."""
    monkeypatch.setenv("COURSE_PROJECT_DIR", str(tmp_path / "project"))
    monkeypatch.setenv("COURSE_STATE_DIR", str(tmp_path / "state"))
    return tmp_path / "project"


@pytest.fixture
def in_ci():
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")
