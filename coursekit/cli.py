"""``python -m coursekit``: the course from a terminal.

Every failure a learner can cause (an unknown lesson, a port in use, a Redis
that does not answer, a folder that is not writable) ends in one sentence
that says what to do, and a non-zero exit; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import sys
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import zmq

from . import checkpoints, doctor, exercises, lessons, paths, processes, project, redis, workspace
from .daphne import DaphneServer
from .errors import CourseError


def cmd_doctor(args) -> int:
    return 0 if doctor.run() else 1


def has_display() -> bool:
    if sys.platform == "darwin":
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


# JupyterLab's settings that the course fixes (see jupyterlab_server's overrides.json): no
# "get notified about official Jupyter news?" question, no update check, on a learner's first start.
LAB_OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}
FIRST_LESSON = "workspace/notebooks/00_welcome.ipynb"


def lab_command(port: int, state) -> list[str]:
    """The JupyterLab command line: the checkout as its root, the learner's copy of lesson 00 first."""
    settings = state / "jupyterlab" / "settings"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "overrides.json").write_text(json.dumps(LAB_OVERRIDES, indent=2) + "\n")
    command = [
        sys.executable, "-m", "jupyterlab",
        "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={paths.REPO}",
        f"--LabApp.default_url=/lab/tree/{FIRST_LESSON}",
        f"--LabApp.app_settings_dir={settings}",
        # The open tabs are remembered per course, so an old tab on a tracked notebook does not come back.
        f"--LabApp.workspaces_dir={state / 'jupyterlab' / 'workspaces'}",
        "--ServerApp.log_level=WARN", "--LabApp.log_level=WARN",
    ]
    if zmq.has("curve"):
        # Each kernel's ZeroMQ sockets get CurveZMQ keys: no "running over TCP without encryption".
        command.append("--KernelManager.transport_encryption=auto")
    else:
        command.append("--KernelManager.transport=ipc")  # Unix sockets, which the warning does not concern
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI machines often run as root
    if not has_display():
        command.append("--no-browser")
    return command


def lab_answers(port: int, token: str) -> bool:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/status",
                                     headers={"Authorization": f"token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def cmd_lab(args) -> int:
    if not processes.port_is_free(args.port):
        raise CourseError(f"Port {args.port} is in use; pick another one with `make course PORT=8890`.")
    project.ensure_exists()
    copied = workspace.ensure()
    state = paths.state_dir()
    token = os.environ.get("JUPYTER_TOKEN") or secrets.token_hex(24)
    # The course's own kernel (this environment's python3) wins over any a user installed.
    env = {**os.environ, "JUPYTER_DATA_DIR": os.path.join(sys.prefix, "share", "jupyter"), "JUPYTER_TOKEN": token}
    log_path = paths.logs_dir() / "lab.log"
    stop_requested = []

    def on_signal(signum, frame):
        stop_requested.append(signum)
        raise KeyboardInterrupt

    # Ctrl-C too, explicitly: a Python started with SIGINT ignored (by make, a test runner, nohup) keeps ignoring it.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)
    lab = None
    try:
        if copied:
            print(f"Copied {len(copied)} lessons and exercises into workspace/: your copies, "
                  "which the course never overwrites.")
        lab = processes.start("JupyterLab", lab_command(args.port, state), log_path, cwd=paths.REPO, env=env,
                              port=args.port)
        lab.wait_ready(lambda: lab_answers(args.port, token), timeout=90)
        url = f"http://127.0.0.1:{args.port}/lab/tree/{FIRST_LESSON}?token={token}"
        print(f"JupyterLab is running; its log is {workspace.shown(log_path)}. Press Ctrl-C to stop it.")
        print("Open this address in your browser:" if not has_display()
              else "Your browser opens lesson 00; if it does not, open this address:")
        print(url, flush=True)
        while lab.alive():
            time.sleep(0.2)
        if lab.popen.returncode == 0:
            print("JupyterLab was shut down.")
            return 0
        raise CourseError(f"JupyterLab stopped unexpectedly. The end of its log:\n{lab.log.tail()}")
    except KeyboardInterrupt:
        print("Stopping JupyterLab.")
        return 0
    finally:
        if lab is not None:
            lab.stop(timeout=10)


def cmd_restore(args) -> int:
    print(workspace.restore(args.name))
    return 0


def cmd_reset(args) -> int:
    lessons.reset(args.lesson)
    return 0


def cmd_serve(args) -> int:
    ready = lessons.available()
    info = lessons.info(args.lesson if args.lesson is not None else ready[-1].number)
    port = args.port or processes.free_port()
    if not processes.port_is_free(port):
        raise CourseError(f"Port {port} is in use; pick another one with --port.")
    # A folder per port: two serves of one checkout (two servers sharing a Redis) keep their own projects.
    root = paths.state_dir() / "serve" / f"lesson-{info.number:02d}-port-{port}"
    lessons.bring_up(info, root, at_end=True)
    stop_requested = []

    def on_signal(signum, frame):
        stop_requested.append(signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    server = None
    layer = None
    try:
        layer = redis.start()
        server = DaphneServer(root, layer.url, port=port).start()
        files = checkpoints.state_at_end(info.number)
        page = "chat/templates/chat/index.html" in files
        print(f"Serving the project as it is at the end of {info.label}.")
        print(f"Redis: {layer.describe()}.")
        if page:
            print(f"Open {server.http_url('/chat/')} in your browser.")
        print(f"WebSocket: {server.ws_url('/ws/chat/lobby/')}")
        print("Press Ctrl-C to stop.", flush=True)
        while server.alive():
            time.sleep(0.2)
        raise CourseError(f"daphne stopped unexpectedly. The end of its log:\n{server.log.tail()}")
    except KeyboardInterrupt:
        print("Stopping daphne." if layer is not None and layer.external else "Stopping daphne and Redis.")
        return 0
    finally:
        if server is not None:
            server.stop()
        if layer is not None:
            layer.stop()


def run_all(chosen: list[exercises.Exercise], solutions: bool = False) -> Iterator[exercises.Outcome]:
    """Each exercise's outcome, in order; the checks run side by side (each in its own process)."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        yield from pool.map(lambda exercise: exercises.run(exercise, solutions), chosen)


def cmd_check(args) -> int:
    chosen = [exercises.find(args.name)] if args.name else exercises.all_exercises()
    if not args.solutions:
        workspace.ensure("exercises")  # the learner's copies, made on first use
    all_ok = True
    for exercise, outcome in zip(chosen, run_all(chosen, args.solutions), strict=True):
        all_ok &= outcome.ok
        print(outcome.summary_line(), flush=True)
        if args.name:
            print(outcome.report(exercises.display_path(exercise, args.solutions)))
    return 0 if all_ok else 1


def cmd_progress(args) -> int:
    workspace.ensure("exercises")
    outcomes = {o.exercise.lesson: o for o in run_all(exercises.all_exercises())}
    done = 0
    for info in lessons.available():
        outcome = outcomes.get(info.number)
        mark = "✓" if outcome and outcome.ok else "·"
        done += bool(outcome and outcome.ok)
        detail = f"exercise {outcome.exercise.name}: {outcome.passed}/{outcome.total}" if outcome else ""
        print(f"{mark} {info.label:<45} {detail}")
    print(f"{done} of {len(outcomes)} exercises done.")
    return 0


def cmd_bench(args) -> int:
    from . import bench  # matplotlib and the step cells load only for this command

    return bench.main(args.clients, args.messages, args.rounds, args.plot)


def cmd_deploy(args) -> int:
    from . import deploy  # the production stack: supervisord, Caddy, production settings

    return deploy.main(args.port, args.lesson, args.processes)


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m coursekit", description="Django Channels, live: the course's tools.")
    commands = main.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("doctor", help="check this machine for the course").set_defaults(run=cmd_doctor)
    lab = commands.add_parser("lab", help="open JupyterLab on your copy of the first lesson")
    lab.add_argument("--port", type=int, default=8888)
    lab.set_defaults(run=cmd_lab)
    reset = commands.add_parser("reset", help="bring course_project/ to the start of lesson N (default 0)")
    reset.add_argument("lesson", nargs="?", default="0")
    reset.set_defaults(run=cmd_reset)
    serve = commands.add_parser("serve", help="run Redis and daphne for the project at the end of lesson N")
    serve.add_argument("lesson", nargs="?", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.set_defaults(run=cmd_serve)
    check = commands.add_parser("check", help="check your exercises in workspace/exercises/ (or one, by name)")
    check.add_argument("name", nargs="?")
    check.add_argument("--solutions", action="store_true", help="check the reference solutions instead")
    check.set_defaults(run=cmd_check)
    commands.add_parser("progress", help="which exercises you have done").set_defaults(run=cmd_progress)
    restore = commands.add_parser(
        "restore", help="the course's copy of lesson N or exercise NAME again (yours is kept)")
    restore.add_argument("name", help="a lesson number (04) or an exercise name (04_echo)")
    restore.set_defaults(run=cmd_restore)
    bench = commands.add_parser("bench", help="one burst through a bare websockets server and each chat configuration")
    bench.add_argument("--clients", type=int, default=50, help="clients in the room (default 50)")
    bench.add_argument("--messages", type=int, default=200, help="messages sent round-robin among them (default 200)")
    bench.add_argument("--rounds", type=int, default=1, help="bursts per configuration; the table shows the median")
    bench.add_argument("--plot", metavar="FILE", default=None, help="save a figure of throughput and latency")
    bench.set_defaults(run=cmd_bench)
    deploy = commands.add_parser("deploy", help="the production stack: Caddy, supervisord, daphne and the worker")
    deploy.add_argument("--port", type=int, default=None, help="the port Caddy listens on (default: a free one)")
    deploy.add_argument("--lesson", default=None, help="the project at the end of lesson N (default: the latest)")
    deploy.add_argument("--processes", type=int, default=2, help="daphne processes behind Caddy (default 2)")
    deploy.set_defaults(run=cmd_deploy)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except CourseError as error:
        print(f"coursekit: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
