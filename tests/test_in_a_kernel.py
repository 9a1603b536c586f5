"""What a learner sees in a real Jupyter kernel: short errors, and a warning when the project moved."""

import os
import subprocess
import sys

import pytest
from jupyter_client.manager import KernelManager

from coursekit import paths


@pytest.fixture
def kernel(project_root):
    manager = KernelManager()
    manager.start_kernel(cwd=str(paths.NOTEBOOKS), env=dict(os.environ))
    client = manager.client()
    client.start_channels()
    client.wait_for_ready(timeout=30)
    yield client
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def run(client, code: str) -> tuple[str, str, list[str]]:
    """Execute ``code``: the reply's status, the text printed, and the error's traceback lines."""
    msg_id = client.execute(code)
    printed, error = [], []
    while True:
        message = client.get_iopub_msg(timeout=30)
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = message["msg_type"], message["content"]
        if kind == "stream":
            printed.append(content["text"])
        elif kind == "error":
            error = content["traceback"]
        elif kind == "status" and content["execution_state"] == "idle":
            break
    reply = client.get_shell_msg(timeout=30)
    while reply["parent_header"].get("msg_id") != msg_id:  # e.g. a spare kernel_info reply
        reply = client.get_shell_msg(timeout=30)
    return reply["content"]["status"], "".join(printed), error


def test_a_deliberate_error_is_short_and_tb_shows_all_of_it(kernel):
    assert run(kernel, "from coursekit import setup\ncourse = setup(1, quiet=True)")[0] == "ok"
    status, _, short = run(kernel, "import json\njson.loads('{')")
    assert status == "error"  # still an error: Run All stops here unless the cell is tagged
    text = "\n".join(short)
    assert "Cell In[" in text and "----> json.loads('{')" in text
    assert "JSONDecodeError" in text and "%tb" in text
    assert "json/decoder.py" not in text and len(text) < 600
    _, _, full = run(kernel, "%tb")
    assert "json/decoder.py" in "\n".join(full), "the full traceback is one step away"


def test_a_cell_of_a_lesson_whose_project_was_moved_says_so(kernel, project_root):
    assert run(kernel, "from coursekit import setup\ncourse = setup(7, quiet=True)")[0] == "ok"
    assert run(kernel, "print(course.daphne.http_url('/chat/')[:7])")[1] == "http://\n"
    # Another notebook (or a terminal) moves the project to lesson 04.
    subprocess.run([sys.executable, "-m", "coursekit", "reset", "4"], check=True, capture_output=True,
                   env=dict(os.environ), cwd=paths.REPO)
    status, _, error = run(kernel, "course.daphne.start()")
    assert status == "error"
    text = "\n".join(error)
    assert "moved to lesson 04 by coursekit reset" in text and "course = setup(7)" in text
    assert "Traceback" not in text and "site-packages" not in text
    # A file cell writes nothing and says why.
    before = (project_root / "chat" / "views.py").exists()
    status, printed, _ = run(kernel, "%%project_file chat/views.py\nX = 1\n")
    assert status == "ok" and "moved to lesson 04" in printed and "Nothing was written" in printed
    assert (project_root / "chat" / "views.py").exists() == before
    # Running the setup cell again brings the lesson back.
    assert run(kernel, "course = setup(7, quiet=True)\nprint(course.daphne.http_url('/')[:7])")[1] == "http://\n"
    assert run(kernel, "course.teardown()")[0] == "ok"
