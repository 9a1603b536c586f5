"""``coursekit deploy``: the chat's production stack, in the foreground, on loopback.

What runs, each started through :func:`processes.start` so nothing outlives the
command, even after a ``kill -9``:

- Redis (the bundled Valkey, or ``COURSE_REDIS_URL``), the channel layer;
- supervisord, in the foreground, running several daphne processes (one
  loopback port each) and the lesson-12 worker (``manage.py runworker chat-stats``),
  restarting any that dies;
- Caddy, listening on the public port: static files from ``STATIC_ROOT``, the
  rest (pages and WebSockets) load-balanced over the daphne processes, each
  health-checked at ``/healthz``.

The project served is a copy, in a folder of its own (``.course/deploy/port-P/``),
of the course project at the end of a lesson (the production files are lesson 15's file
cells; see :mod:`production`), with ``collectstatic`` run. The configuration files and
the logs are in the same folder, for a learner to read (lesson 15) and to look
into when something misbehaves (lesson 16).

supervisord puts each program in a process group of its own, out of reach of
the watchdog that ends supervisord's group; so each program runs under the
course's watchdog too, tied to supervisord by the stdin pipe supervisord gives
every program: when supervisord ends, however it ends, its programs end.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import checkpoints, client, lessons, manage, paths, processes, production
from . import redis as redis_server
from .daphne import program as daphne_program
from .daphne import project_environment
from .errors import CourseError
from .logs import LogReader

FIRST_LESSON = 12  # the worker, and the chat's whole contract up to it
DEFAULT_DAPHNES = 2
ALLOWED_HOSTS = "127.0.0.1,localhost"


def program(name: str) -> str:
    """A program installed into this environment (``supervisord``, ``caddy``), by path."""
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        raise CourseError(f"There is no {name} in this environment; run `make course` to install the requirements.")
    return found


def folder_for(port: int) -> Path:
    """The deploy's folder: the project copy, the configuration files and the logs."""
    return paths.state_dir() / "deploy" / f"port-{port}"


def supervisor_socket(folder: Path) -> Path:
    """supervisorctl's unix socket: in the folder when its path is short enough for the OS."""
    path = folder / "supervisor.sock"
    if len(str(path)) > 100:
        path = Path(tempfile.mkdtemp(prefix="course-")) / "supervisor.sock"
    path.unlink(missing_ok=True)
    return path


def secret_key(folder: Path) -> str:
    """The deploy's SECRET_KEY: made once, kept in the folder (so sessions survive a restart)."""
    path = folder / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def worker_layer(root: Path) -> str | None:
    """The channel layer the worker listens on: the project's "jobs" layer when it has one (lesson 14)."""
    settings = (root / "mysite" / "settings.py").read_text()
    return "jobs" if "'jobs'" in settings or '"jobs"' in settings else None


def production_files() -> dict[str, str]:
    """The production settings and URLs as lesson 15's file cells write them (the project at its end)."""
    lessons.info(production.PRODUCTION_LESSON)  # a clear CourseError when that lesson is not there
    files = checkpoints.state_at_end(production.PRODUCTION_LESSON)
    return {relative: files[relative] for relative in production.PROJECT_FILES}


def prepare(lesson: lessons.LessonInfo, folder: Path) -> Path:
    """The project at the end of ``lesson`` in ``folder/project``, migrated, with the production files in it.

    From lesson 15 on, its own file cells wrote them; an earlier lesson's chat
    gets lesson 15's, so there is no second copy to drift.
    """
    root = folder / "project"
    lessons.bring_up(lesson, root, at_end=True)
    if lesson.number < production.PRODUCTION_LESSON:
        for relative, text in production_files().items():
            (root / relative).write_text(text)
    return root


def production_environment(root: Path, redis_url: str, folder: Path) -> dict[str, str]:
    """The environment of the project's production processes: the production settings and what they read."""
    return {
        **project_environment(root, redis_url),
        "DJANGO_SETTINGS_MODULE": production.PRODUCTION_SETTINGS_MODULE,
        "DJANGO_SECRET_KEY": secret_key(folder),
        "DJANGO_ALLOWED_HOSTS": ALLOWED_HOSTS,
    }


def collectstatic(root: Path, env: dict[str, str]) -> None:
    code, output = manage.run(root, env, "collectstatic", "--noinput", "--clear", "-v", "0")
    if code != 0:
        raise CourseError(f"manage.py collectstatic failed with the production settings. It said:\n{output}")


def http_status(url: str, timeout: float = 1.0) -> int | None:
    """The HTTP status ``url`` answers with, or None when nothing answers."""
    try:
        return client.fetch(url, timeout).status
    except (OSError, ValueError):
        return None


@dataclass
class Stack:
    """The running stack: Redis, supervisord (daphne processes and the worker) and Caddy."""

    port: int
    lesson: lessons.LessonInfo
    folder: Path
    root: Path
    daphne_ports: list[int] = field(default_factory=list)
    redis: redis_server.RedisServer | None = None
    supervisord: processes.Supervised | None = None
    caddy: processes.Supervised | None = None

    @property
    def logs(self) -> Path:
        return self.folder / "logs"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def http_url(self, path: str = "/") -> str:
        return f"{self.url}/{path.lstrip('/')}"

    def ws_url(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def alive(self) -> bool:
        return all(each is not None and each.alive() for each in (self.supervisord, self.caddy))

    def dead_part(self) -> str:
        """A sentence on what stopped, quoting the end of its log."""
        for name, each in (("supervisord", self.supervisord), ("Caddy", self.caddy)):
            if each is not None and not each.alive():
                return f"{name} stopped unexpectedly. The end of its log:\n{each.log.tail()}"
        return "The stack stopped unexpectedly."

    def supervisord_pid(self) -> int | None:
        try:
            return int((self.folder / "supervisord.pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def stop(self) -> None:
        """Caddy first (no new clients), then supervisord (it stops daphne and the worker gracefully), then Redis."""
        if self.caddy is not None:
            self.caddy.stop()
            self.caddy = None
        if self.supervisord is not None:
            pid = self.supervisord_pid()
            if pid is not None and self.supervisord.alive():
                try:
                    os.kill(pid, signal.SIGTERM)  # supervisord stops its programs, then itself
                    deadline = time.monotonic() + 6
                    while self.supervisord.alive() and time.monotonic() < deadline:
                        time.sleep(0.05)
                except ProcessLookupError:
                    pass
            self.supervisord.stop()
            self.supervisord = None
        if self.redis is not None:
            self.redis.stop()
            self.redis = None

    # --- starting ---------------------------------------------------------------------------------------

    def start(self, daphnes: int = DEFAULT_DAPHNES, timeout: float = 20.0) -> Stack:
        try:
            self._start(daphnes, timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self, daphnes: int, timeout: float) -> None:
        logs = self.logs
        shutil.rmtree(logs, ignore_errors=True)
        logs.mkdir(parents=True)
        self.redis = redis_server.start()
        env = production_environment(self.root, self.redis.url, self.folder)
        collectstatic(self.root, env)
        self.daphne_ports = []
        while len(self.daphne_ports) < daphnes:
            port = processes.free_port()
            if port != self.port and port not in self.daphne_ports:
                self.daphne_ports.append(port)
        conf = self.folder / "supervisord.conf"
        conf.write_text(production.supervisord_conf(
            project=self.root, daphne=daphne_program(), python=sys.executable, ports=self.daphne_ports,
            logs=logs, state=self.folder, socket=supervisor_socket(self.folder),
            worker_layer=worker_layer(self.root),
            lifeline=[sys.executable, str(processes.WATCHDOG), "--"],
        ))
        self.supervisord = processes.start(
            "supervisord", [program("supervisord"), "-c", str(conf)], logs / "supervisord.out",
            cwd=self.folder, env=env, project=self.root,
        )
        self._wait_for_programs(timeout)
        caddyfile = self.folder / "Caddyfile"
        caddyfile.write_text(production.caddyfile(
            port=self.port, upstreams=self.daphne_ports, static_root=self.root / "staticfiles", logs=logs,
        ))
        caddy_env = {**env, "XDG_DATA_HOME": str(self.folder / "caddy-data"),
                     "XDG_CONFIG_HOME": str(self.folder / "caddy-config")}
        self.caddy = processes.start(
            "Caddy", [program("caddy"), "run", "--config", str(caddyfile), "--adapter", "caddyfile"],
            logs / "caddy.log", cwd=self.folder, env=caddy_env, port=self.port, project=self.root,
        )
        self.caddy.wait_until_listening(timeout)
        health = self.http_url(production.HEALTH_PATH)
        self.caddy.wait_ready(lambda: http_status(health) == 200, timeout)

    def _wait_for_programs(self, timeout: float) -> None:
        """Until every daphne listens and the worker runs; a program supervisord gave up on, quoted."""
        log = self.logs / "supervisord.log"
        deadline = time.monotonic() + timeout
        while True:
            text = log.read_text(errors="replace") if log.exists() else ""
            for line in text.splitlines():
                if "gave up:" in line:
                    name = line.split("gave up:", 1)[1].split()[0]
                    tail = LogReader(self.logs / f"{name}.log", self.root).tail()
                    raise CourseError(f"supervisord gave up on {name}: it kept exiting. The end of its log:\n{tail}")
            if (all(processes.accepts_connections(port) for port in self.daphne_ports)
                    and "success: worker entered RUNNING state" in text):
                return
            if not self.supervisord.alive():
                raise CourseError(f"supervisord exited while starting. The end of its log:\n"
                                  f"{self.supervisord.log.tail()}")
            if time.monotonic() > deadline:
                raise CourseError(f"The daphne processes and the worker did not start within {timeout:.0f} s. "
                                  f"The end of supervisord's log ({log}):\n{text[-1500:]}")
            time.sleep(0.05)


def deploy(port: int | None = None, lesson: int | str | None = None, daphnes: int = DEFAULT_DAPHNES) -> Stack:
    """Build and start the stack for the project at the end of ``lesson`` (default: the latest), on ``port``."""
    info = lessons.info(lesson if lesson is not None else lessons.available()[-1].number)
    if info.number < FIRST_LESSON:
        raise CourseError(f"deploy runs the chat of lesson {FIRST_LESSON} or later (it needs the worker); "
                          f"pick --lesson {FIRST_LESSON} or later.")
    if daphnes < 1:
        raise CourseError("--processes must be at least 1.")
    port = port or processes.free_port()
    if not processes.port_is_free(port):
        raise CourseError(f"Port {port} is in use; pick another one with --port.")
    folder = folder_for(port)
    folder.mkdir(parents=True, exist_ok=True)
    root = prepare(info, folder)
    return Stack(port, info, folder, root).start(daphnes)


def main(port: int | None = None, lesson: int | str | None = None, daphnes: int = DEFAULT_DAPHNES) -> int:
    """``python -m coursekit deploy``: start the stack, say where it is, run until Ctrl-C or SIGTERM."""

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    stack = None
    try:
        stack = deploy(port, lesson, daphnes)
        has_page = "chat/templates/chat/index.html" in checkpoints.state_at_end(stack.lesson.number)
        ports = ", ".join(str(each) for each in stack.daphne_ports)
        print(f"Deploying the project as it is at the end of {stack.lesson.label}, "
              f"with {production.PRODUCTION_SETTINGS_MODULE} (DEBUG off, static files collected).")
        print(f"Redis: {stack.redis.describe()}.")
        print(f"supervisord: {len(stack.daphne_ports)} daphne processes (ports {ports}) and the worker "
              f"(runworker {production.WORKER_CHANNEL}).")
        print(f"Caddy: {stack.url}, load-balancing pages and WebSockets over them, "
              f"health checks on {production.HEALTH_PATH}.")
        if has_page:
            print(f"Open {stack.http_url('/chat/')} in your browser.")
        print(f"WebSocket: {stack.ws_url('/ws/chat/lobby/')}")
        print(f"Configuration files and logs: {stack.folder}")
        print("Press Ctrl-C to stop.", flush=True)
        while stack.alive():
            time.sleep(0.2)
        raise CourseError(stack.dead_part())
    except KeyboardInterrupt:
        if stack is not None:
            external = stack.redis is not None and stack.redis.external
            print("Stopping Caddy, supervisord (daphne and the worker)" + ("." if external else " and Redis."),
                  flush=True)
        return 0
    finally:
        if stack is not None:
            stack.stop()
