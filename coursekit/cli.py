"""``python -m coursekit``: the course from a terminal.

Every failure a learner can cause (an unknown lesson, a port in use, a Redis
that does not answer, a folder that is not writable) ends in one sentence
that says what to do, and a non-zero exit; never a traceback.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from . import checkpoints, doctor, exercises, lessons, paths, processes, project, redis
from .daphne import DaphneServer
from .errors import CourseError


def cmd_doctor(args) -> int:
    return 0 if doctor.run() else 1


def has_display() -> bool:
    if sys.platform == "darwin":
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def cmd_lab(args) -> int:
    if not processes.port_is_free(args.port):
        raise CourseError(f"Port {args.port} is in use; pick another one with `make course PORT=8890`.")
    project.ensure_exists()
    # The course's own kernel (this environment's python3) wins over any a user installed.
    os.environ["JUPYTER_DATA_DIR"] = os.path.join(sys.prefix, "share", "jupyter")
    command = [
        sys.executable, "-m", "jupyterlab",
        "--ip=127.0.0.1", f"--port={args.port}", "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={paths.REPO}",
        # Open (and print the address of) the first lesson, not the bare file browser.
        "--LabApp.default_url=/lab/tree/notebooks/00_welcome.ipynb",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI machines often run as root
    if not has_display():
        command.append("--no-browser")
        print("No display found: open the http://127.0.0.1 URL printed below (with its token) in your browser.")
    sys.stdout.flush()
    os.chdir(paths.REPO)
    os.execv(sys.executable, command)
    return 0  # not reached


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
    all_ok = True
    for exercise, outcome in zip(chosen, run_all(chosen, args.solutions), strict=True):
        all_ok &= outcome.ok
        print(outcome.summary_line(), flush=True)
        if args.name:
            print(outcome.report(exercises.display_path(exercise, args.solutions)))
    return 0 if all_ok else 1


def cmd_progress(args) -> int:
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
    lab = commands.add_parser("lab", help="open JupyterLab on the first lesson")
    lab.add_argument("--port", type=int, default=8888)
    lab.set_defaults(run=cmd_lab)
    reset = commands.add_parser("reset", help="bring course_project/ to the start of lesson N (default 0)")
    reset.add_argument("lesson", nargs="?", default="0")
    reset.set_defaults(run=cmd_reset)
    serve = commands.add_parser("serve", help="run Redis and daphne for the project at the end of lesson N")
    serve.add_argument("lesson", nargs="?", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.set_defaults(run=cmd_serve)
    check = commands.add_parser("check", help="check your exercises (or one, by name)")
    check.add_argument("name", nargs="?")
    check.add_argument("--solutions", action="store_true", help="check the reference solutions instead")
    check.set_defaults(run=cmd_check)
    commands.add_parser("progress", help="which exercises you have done").set_defaults(run=cmd_progress)
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
