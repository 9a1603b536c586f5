"""The lesson registry, and the setup and teardown every notebook calls.

A notebook's first code cell is ``course = setup(N)``: it brings the project
to the start of lesson N (saving any of the learner's own changes first),
starts what the lesson needs, and prints one stable sentence. Its last code
cell is ``course.teardown()``. Setup is idempotent: running it again stops
what the previous run started and begins afresh, so any lesson can be opened
first, re-run, or run after another one.

The :class:`Course` that setup returns is the lessons' whole toolbox: the
lesson's Redis and daphne servers, any other background process
(:meth:`Course.start_process`), ``manage.py`` (:meth:`Course.manage`), and
the project's Django settings inside the notebook (:meth:`Course.django`).
Each of them first checks that the project is still this lesson's (see
:mod:`ownership`).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import cache, checkpoints, daphne, forkserver, manage, ownership, paths, processes, project, tracebacks
from . import redis as redis_server
from .daphne import DEFAULT_APPLICATION, DaphneServer
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


def bring_up(lesson: LessonInfo, root: Path, *, at_end: bool = False) -> project.Move:
    """Make the project under ``root`` what it is at the start (or end) of ``lesson``, database included.

    The one place that builds a lesson's project: setup (at the start, in the
    learner's project), the preview of lesson 00 and ``coursekit serve`` (at
    the end, each in a folder of its own).
    """
    files = checkpoints.state_at_end(lesson.number) if at_end else checkpoints.state_at_start(lesson.number)
    move = project.bring_to(files, root)
    if at_end or lesson.needs_database:
        # A fresh database, as the lesson expects (no chat history left by another lesson).
        # The last one is kept, once, in the state folder: it holds demo data, not the learner's code.
        for suffix in ("", "-journal", "-wal", "-shm"):  # the database and what SQLite keeps beside it
            project.set_aside(root / f"db.sqlite3{suffix}", paths.state_dir() / f"previous-db.sqlite3{suffix}")
        migrate_fresh(root, files)
    return move


def migrate_fresh(root: Path, files: checkpoints.Files) -> None:
    """A freshly migrated database for the project ``files`` describe, at ``root``.

    ``migrate`` on an empty database gives the same tables for the same project
    files, so its result is kept in the course's cache and copied from there
    the next time (Django's test runner keeps its databases for the same reason).
    """
    name = _migrated_name(files)
    database = root / "db.sqlite3"
    if cache.copy_out("migrated-db", name, ".sqlite3", database):
        return
    migrate(root)
    settled = not any(database.with_name(database.name + extra).exists() for extra in ("-wal", "-journal"))
    if database.is_file() and settled:  # a database SQLite has not finished writing is not copied
        cache.copy_in("migrated-db", name, ".sqlite3", database)


def _migrated_name(files: checkpoints.Files) -> str:
    import django

    return cache.key("migrate", django.__version__, sorted(files.items()))


def fill_caches() -> int:
    """Build every lesson's freshly migrated database ahead of time, if the cache lacks it; how many were built.

    The test suite calls this once before its workers start: on a fresh clone the
    lessons' first setups then copy from the cache rather than all run ``migrate``
    at once, each slowing the lesson beside it.
    """
    from concurrent.futures import ThreadPoolExecutor

    missing = {}
    for lesson in available():
        if lesson.needs_database:
            files = checkpoints.state_at_start(lesson.number)
            name = _migrated_name(files)
            if not cache.entry("migrated-db", name, ".sqlite3").exists():
                missing[name] = files

    def build(files: checkpoints.Files) -> None:
        with tempfile.TemporaryDirectory() as scratch:
            root = Path(scratch) / "project"
            project.bring_to(files, root)
            migrate_fresh(root, files)

    if missing:
        forkserver.warm()
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(build, missing.values()))
    return len(missing)


def migrate(root: Path, redis_url: str | None = None) -> None:
    """Create or update the SQLite database of the project at ``root`` (sessions, users, the chat's models)."""
    code, output = manage.run(root, daphne.project_environment(root, redis_url), "migrate", "--noinput", "-v", "0")
    if code != 0:
        raise CourseError(f"manage.py migrate failed; reset the lesson (run its setup cell again). It said:\n{output}")


@dataclass
class Course:
    """What one lesson has running, in this kernel or CLI."""

    lesson: LessonInfo
    root: Path
    redis: redis_server.RedisServer | None = None
    servers: list[DaphneServer] = field(default_factory=list)
    background: list[processes.Supervised] = field(default_factory=list)
    claim: ownership.Claim | None = None

    def _current(self) -> None:
        """Stop with a clear sentence when another setup or a reset has moved the project."""
        if self.claim is not None:
            self.claim.ensure_current(self.lesson.number)

    @property
    def project(self) -> Path:
        """The course project's folder."""
        self._current()
        return self.root

    @property
    def daphne(self) -> DaphneServer:
        """The lesson's main daphne server (created on first use, not started)."""
        self._current()
        if not self.servers:
            self.new_daphne()
        return self.servers[0]

    def new_daphne(self, application: str = DEFAULT_APPLICATION, *extra_args: str) -> DaphneServer:
        """Another daphne for the project, on a free port of its own, with ``extra_args`` (not started yet)."""
        self._current()
        server = DaphneServer(self.root, self._redis_url(), application, extra_args=list(extra_args))
        self.servers.append(server)
        return server

    def daphne_by_hand(self, *args: str) -> DaphneServer:
        """Daphne run as ``daphne ARGS``, nothing added (not started yet); see :func:`daphne.by_hand`."""
        self._current()
        server = daphne.by_hand(self.root, self._redis_url(), *args)
        self.servers.append(server)
        return server

    def start_process(
        self, name: str, *command: str, port: int | None = None, log_says: str | None = None,
        timeout: float = 10.0, env: dict[str, str] | None = None,
    ) -> processes.Supervised:
        """Run ``command`` in the project, in the background, supervised; wait until it is ready.

        ``command`` starts with ``manage.py`` or ``python`` (this environment's
        Python runs it), or names a program of this environment (``daphne``,
        ``supervisord``). It is ready when ``port`` accepts connections and its
        log holds ``log_says`` (either or both; neither: at once). Read its log
        with ``.log.new_lines()``; it stops with :meth:`teardown` or ``.stop()``.
        ``env`` adds to (or overrides) the project's environment, e.g.
        ``{"DJANGO_SETTINGS_MODULE": "mysite.settings_pubsub"}``.
        """
        self._current()
        program, *rest = command
        if program in ("manage.py", "python") or program.endswith(".py"):
            argv = [sys.executable, *([] if program == "python" else [program]), *rest]
        else:
            found = shutil.which(program, path=str(Path(sys.executable).parent)) or shutil.which(program)
            if found is None:
                raise CourseError(f"There is no program named {program} in this environment; run `make course`.")
            argv = [found, *rest]
        log_path = paths.logs_dir() / f"{name.replace(' ', '-')}-{os.getpid()}-{len(self.background) + 1}.log"
        process = processes.start(
            name, argv, log_path, cwd=self.root, env={**self.environment(), **(env or {})}, port=port,
            project=self.root,
        )
        self.background.append(process)
        if port is not None:
            process.wait_until_listening(timeout)
        if log_says is not None:
            process.wait_for_log(log_says, timeout)
        return process

    def preview(self, lesson: int) -> DaphneServer:
        """Serve the project as it is at the end of ``lesson``, from a separate folder.

        The learner's own project is left alone; lesson 00 uses this to show
        where the course is going before any code is written.
        """
        root = paths.state_dir() / "preview" / f"lesson-{lesson:02d}"
        bring_up(info(lesson), root, at_end=True)
        self.start_redis()
        server = DaphneServer(root, self.redis.url)
        self.servers.append(server)
        return server.start()

    def start_redis(self) -> redis_server.RedisServer:
        if self.redis is None or not self.redis.alive():
            self.redis = redis_server.start()
            os.environ["REDIS_URL"] = self.redis.url
        return self.redis

    def _redis_url(self) -> str | None:
        return self.redis.url if self.redis else None

    def ws_url(self, path: str) -> str:
        return self.daphne.ws_url(path)

    def environment(self) -> dict[str, str]:
        """The environment the project's processes run with."""
        self._current()
        return daphne.project_environment(self.root, self._redis_url())

    def manage(self, *args: str, timeout: float = 60) -> None:
        """Run ``python manage.py ARGS`` in the project and print what it says.

        Raises a CourseError when the command fails, after printing its output.
        """
        self._current()
        code, output = manage.run(self.root, self.environment(), *args, timeout=timeout)
        if output:
            print(output)
        if code != 0:
            raise CourseError(f"manage.py {' '.join(args)} failed with exit code {code}.")

    def run_tests(self, *args: str, timeout: float = 60) -> None:
        """Run ``python manage.py test ARGS`` and print the runner's report; a failing test does not raise.

        The report is stable from run to run: each traceback keeps only the
        project's own frames (see :func:`stable.trim_tracebacks`).
        """
        self._current()
        _, output = manage.run(self.root, self.environment(), "test", *args, timeout=timeout)
        print(output)

    def migrate(self) -> None:
        """Create or update the project's SQLite database (sessions, users, the chat's models)."""
        self._current()
        migrate(self.root, self._redis_url())

    def django(self) -> None:
        """Load the project's Django settings into this kernel (for the channel layer API and the ORM)."""
        self._current()
        if str(self.root) not in sys.path:
            sys.path.insert(0, str(self.root))
        os.environ["DJANGO_SETTINGS_MODULE"] = f"{checkpoints.PROJECT_PACKAGE}.settings"
        import django
        from django.conf import settings

        django.setup()
        # Settings load once per kernel. When setup ran again (a new Redis on a
        # new port), point every loaded layer that used the old server at the
        # current one, and drop the layers built for the old one.
        url, old = os.environ.get("REDIS_URL"), getattr(settings, "REDIS_URL", None)
        if url and old and url != old:
            from channels.layers import channel_layers

            for layer in getattr(settings, "CHANNEL_LAYERS", {}).values():
                hosts = layer.get("CONFIG", {}).get("hosts")
                if hosts:
                    layer["CONFIG"]["hosts"] = [_moved_host(host, old, url) for host in hosts]
            settings.REDIS_URL = url
            channel_layers.backends.clear()

    def stop_servers(self) -> list[str]:
        stopped = []
        for server in self.servers:
            if server.process is not None:
                server.stop()
                if "daphne" not in stopped:
                    stopped.append("daphne")
        self.servers.clear()
        for process in self.background:
            process.stop()
        self.background.clear()
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
            ownership.active = None
        print(f"Lesson {self.lesson.number:02d} is done: every server it started is stopped.")


def setup(number: int, *, quiet: bool = False) -> Course:
    """Bring the project to the start of lesson ``number`` and start what it needs."""
    global _active
    lesson = info(number)
    if _active is not None:
        _active.stop_servers()
    _close_database_connections()
    forkserver.warm()  # its imports run while the project is brought up; every server after that starts warm
    root = paths.project_dir()
    move = bring_up(lesson, root)
    course = Course(lesson, root, claim=ownership.claim(root, lesson.number))
    _active = course
    ownership.active = course.claim
    _install_notebook_helpers()
    running = []
    if lesson.needs_redis:
        course.start_redis()
        running.append("Redis is running")
    if not quiet:
        state = f"the project is at the start of lesson {lesson.number:02d}"
        extra = f" and {', '.join(running)}" if running else ""
        print(f"{lesson.label} is ready: {state}{extra}.{move.backup_sentence()}")
    return course


def _moved_host(host, old: str, new: str):
    """A layer's ``hosts`` entry (a URL, or a dict with an ``address``) moved from the old Redis URL to the new."""
    if host == old:
        return new
    if isinstance(host, dict) and host.get("address") == old:
        return {**host, "address": new}
    return host


def _close_database_connections() -> None:
    """Close the connections an earlier run of a lesson opened in this kernel.

    Setup gives the lesson a fresh database file; a connection left open would
    go on reading the old one, which setup has moved aside. The notebook's ORM
    calls run in asgiref's one thread for synchronous code, so they are closed there.
    """
    if "django.db" not in sys.modules:
        return
    from asgiref.sync import SyncToAsync
    from django.conf import settings
    from django.db import connections

    if settings.configured:
        SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=10)


def reset(number: int | str = 0) -> None:
    """Bring the course project to the start of lesson ``number`` and say so.

    Unlike :func:`setup` it starts nothing: it is ``coursekit reset N`` in a
    cell. Run in a notebook whose lesson is set up, it moves that lesson's
    project along (lesson 00 jumps this way); any other notebook working on
    the project is told, at its next cell, to run its setup again.
    """
    lesson = info(number)
    root = paths.project_dir()
    move = project.bring_to(checkpoints.state_at_start(lesson.number), root)
    mine = _active.claim if _active is not None and _active.root == root else None
    moved = ownership.claim(root, lesson.number, mine.token if mine else ownership.RESET)
    if mine is not None:
        _active.claim = ownership.active = moved
    print(f"The course project is at the start of {lesson.label}.{move.backup_sentence()}")


def active() -> Course | None:
    return _active


def _learners_folders() -> dict[Path, str]:
    """The folders whose files a short traceback shows: the project and the exercises."""
    return {paths.project_dir(): "", paths.exercises_dir(): "exercises/"}


def _install_notebook_helpers() -> None:
    """In IPython: the file-cell magics and short tracebacks."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        from .magics import ProjectMagics

        shell.register_magics(ProjectMagics)
        tracebacks.install(shell, _learners_folders)
