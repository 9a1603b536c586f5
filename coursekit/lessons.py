"""The lesson registry, and the setup and teardown every notebook calls.

A notebook's first code cell is ``course = setup(N)``: it brings the project
to the start of lesson N (saving any of the learner's own changes first),
starts what the lesson needs, and prints one stable sentence. Its last code
cell is ``course.teardown()``. Setup is idempotent: running it again stops
what the previous run started and begins afresh, so any lesson can be opened
first, re-run, or run after another one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import checkpoints, paths, processes, project
from . import redis as redis_server
from .daphne import DEFAULT_APPLICATION, DaphneServer, sanitize_block
from .errors import CourseError


@dataclass(frozen=True)
class LessonInfo:
    number: int
    slug: str
    title: str
    needs_redis: bool = False
    needs_database: bool = False

    @property
    def label(self) -> str:
        return f"Lesson {self.number:02d} · {self.title}"

    @property
    def notebook(self) -> str:
        return f"{self.number:02d}_{self.slug}.ipynb"

    @property
    def available(self) -> bool:
        return (paths.NOTEBOOKS / self.notebook).exists()


PLAN = [
    LessonInfo(0, "welcome", "Welcome"),
    LessonInfo(1, "install_and_settings", "Install and settings"),
    LessonInfo(2, "channel_layers_and_redis", "Channel layers and Redis", needs_redis=True),
    LessonInfo(3, "routing", "Routing", needs_redis=True),
    LessonInfo(4, "first_consumer", "Your first consumer", needs_redis=True),
    LessonInfo(5, "running_daphne", "Running daphne", needs_redis=True),
    LessonInfo(6, "group_consumers", "Group consumers", needs_redis=True),
    LessonInfo(7, "frontend_client", "Frontend client", needs_redis=True),
    LessonInfo(8, "testing_consumers", "Testing consumers", needs_redis=True),
    LessonInfo(9, "json_and_validation", "JSON and validation", needs_redis=True),
    LessonInfo(10, "auth_and_security", "Authentication and security", needs_redis=True, needs_database=True),
    LessonInfo(11, "database", "The database", needs_redis=True, needs_database=True),
    LessonInfo(
        12, "workers_and_background_tasks", "Workers and background tasks", needs_redis=True, needs_database=True
    ),
    LessonInfo(13, "scaling_out", "Scaling out", needs_redis=True, needs_database=True),
    LessonInfo(
        14, "performance_and_backpressure", "Performance and backpressure", needs_redis=True, needs_database=True
    ),
    LessonInfo(15, "deployment", "Deployment", needs_redis=True, needs_database=True),
    LessonInfo(16, "troubleshooting", "Troubleshooting", needs_redis=True, needs_database=True),
]


def available() -> list[LessonInfo]:
    return [info for info in PLAN if info.available]


def info(number: int | str) -> LessonInfo:
    """The lesson numbered ``number``, or a CourseError naming the ones that exist."""
    ready = available()
    span = f"{ready[0].number:02d}–{ready[-1].number:02d}" if ready else "none yet"
    try:
        wanted = int(number)
    except (TypeError, ValueError):
        raise CourseError(f"'{number}' is not a lesson number; the lessons are {span}.") from None
    for lesson in ready:
        if lesson.number == wanted:
            return lesson
    for lesson in PLAN:
        if lesson.number == wanted:
            raise CourseError(f"Lesson {wanted:02d} is not written yet; the lessons are {span}.")
    raise CourseError(f"There is no lesson {number}; the lessons are {span}.")


_active: Course | None = None


@dataclass
class Course:
    """What one lesson has running, in this kernel or CLI."""

    lesson: LessonInfo
    project: Path
    redis: redis_server.RedisServer | None = None
    servers: list[DaphneServer] = field(default_factory=list)

    @property
    def daphne(self) -> DaphneServer:
        """The lesson's main daphne server (created on first use, not started)."""
        if not self.servers:
            self.new_daphne()
        return self.servers[0]

    def new_daphne(self, application: str = DEFAULT_APPLICATION, *extra_args: str) -> DaphneServer:
        server = DaphneServer(
            self.project, self.redis.url if self.redis else None, application, extra_args=list(extra_args)
        )
        self.servers.append(server)
        return server

    def preview(self, lesson: int) -> DaphneServer:
        """Serve the project as it is at the end of ``lesson``, from a separate folder.

        The learner's own project is left alone; lesson 00 uses this to show
        where the course is going before any code is written.
        """
        root = paths.state_dir() / "preview" / f"lesson-{lesson:02d}"
        project.bring_to(checkpoints.state_at_end(lesson), root)
        self.start_redis()
        server = DaphneServer(root, self.redis.url)
        self.servers.append(server)
        return server.start()

    def start_redis(self) -> redis_server.RedisServer:
        if self.redis is None or not self.redis.alive():
            self.redis = redis_server.start()
            os.environ["REDIS_URL"] = self.redis.url
        return self.redis

    def ws_url(self, path: str) -> str:
        return self.daphne.ws_url(path)

    def environment(self) -> dict[str, str]:
        """The environment the project's processes run with."""
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(self.project), env.get("PYTHONPATH")]))
        env["DJANGO_SETTINGS_MODULE"] = f"{checkpoints.PROJECT_PACKAGE}.settings"
        if self.redis:
            env["REDIS_URL"] = self.redis.url
        return env

    def manage(self, *args: str, timeout: float = 30) -> None:
        """Run ``python manage.py ARGS`` in the project and print its output.

        Raises a CourseError when the command fails, after printing what it said.
        """
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=self.project,
            env=self.environment(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        output = sanitize_block(result.stdout + result.stderr, self.project)
        if output:
            print(output)
        if result.returncode != 0:
            raise CourseError(f"manage.py {' '.join(args)} failed with exit code {result.returncode}.")

    def migrate(self) -> None:
        """Create or update the project's SQLite database (sessions, users, the chat's models)."""
        result = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=self.project, env=self.environment(), capture_output=True, text=True, timeout=60,
        )
        if result.returncode != 0:
            raise CourseError(
                "manage.py migrate failed; reset the lesson (run its setup cell again). It said:\n"
                + sanitize_block(result.stdout + result.stderr, self.project)
            )

    def django(self) -> None:
        """Load the project's Django settings into this kernel (for the channel layer API)."""
        if str(self.project) not in sys.path:
            sys.path.insert(0, str(self.project))
        os.environ["DJANGO_SETTINGS_MODULE"] = f"{checkpoints.PROJECT_PACKAGE}.settings"
        import django
        from django.conf import settings

        django.setup()
        # Settings load once per kernel. When setup ran again (a new Redis on a
        # new port), point the loaded layer settings at the current server and
        # drop the layers built for the old one.
        url = os.environ.get("REDIS_URL")
        layers = getattr(settings, "CHANNEL_LAYERS", {})
        config = layers.get("default", {}).get("CONFIG", {})
        if url and config.get("hosts") and config["hosts"] != [url]:
            from channels.layers import channel_layers

            settings.REDIS_URL = url
            config["hosts"] = [url]
            channel_layers.backends.clear()

    def stop_servers(self) -> list[str]:
        stopped = []
        for server in self.servers:
            if server.process is not None:
                server.stop()
                if "daphne" not in stopped:
                    stopped.append("daphne")
        self.servers.clear()
        if self.redis is not None and not self.redis.external:
            self.redis.stop()
            stopped.append("Redis")
        self.redis = None
        return stopped

    def teardown(self) -> None:
        """Stop everything this lesson started and say so in one sentence."""
        global _active
        self.stop_servers()
        processes.stop_all()  # also whatever was started by hand in this kernel
        if _active is self:
            _active = None
        print(f"Lesson {self.lesson.number:02d} is done: every server it started is stopped.")


def setup(number: int, *, quiet: bool = False) -> Course:
    """Bring the project to the start of lesson ``number`` and start what it needs."""
    global _active
    lesson = info(number)
    if _active is not None:
        _active.stop_servers()
    root = paths.project_dir()
    move = project.bring_to(checkpoints.state_at_start(lesson.number), root)
    course = Course(lesson, root)
    _active = course
    _register_magics()
    if lesson.needs_database:
        course.migrate()
    running = []
    if lesson.needs_redis:
        course.start_redis()
        running.append("Redis is running")
    if not quiet:
        state = f"the project is at the start of lesson {lesson.number:02d}"
        extra = f" and {', '.join(running)}" if running else ""
        print(f"{lesson.label} is ready: {state}{extra}.{move.backup_sentence()}")
    return course


def reset(number: int | str = 0) -> None:
    """Bring the course project to the start of lesson ``number`` and say so.

    Unlike :func:`setup` it starts nothing: it is ``coursekit reset N`` in a cell.
    """
    lesson = info(number)
    move = project.bring_to(checkpoints.state_at_start(lesson.number), paths.project_dir())
    print(f"The course project is at the start of {lesson.label}.{move.backup_sentence()}")


def active() -> Course | None:
    return _active


def _register_magics() -> None:
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        from .magics import ProjectMagics

        shell.register_magics(ProjectMagics)
