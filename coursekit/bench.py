"""``coursekit bench``: the same burst through the bare websockets server and each chat configuration.

One run starts one Redis, the bare server (:mod:`bare_chat`) and every chat
configuration, drives the same burst (:mod:`burst`) through each, one after
another, and prints a table: deliveries per second, p50 and p99 latency,
deliveries lost, connections broken, and throughput as a ratio of the bare
server measured in the same run. Everything it starts goes through
:func:`processes.start`, so it all stops with the bench, even on ``kill -9``.

A configuration is a project (a lesson's end state, plus file cells applied
on top), a server kind and a number of server processes. The steps of the fix
are lesson 14's file cells (:func:`steps`), read from the notebook, so the
bench measures exactly the code the lesson teaches.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from . import burst, checkpoints, forkserver, lessons, paths, processes, project
from . import redis as redis_server
from .daphne import DEFAULT_APPLICATION, project_environment
from .daphne import program as daphne_program
from .errors import CourseError

BARE_SCRIPT = Path(__file__).with_name("bare_chat.py")
ROOM_URL = "/ws/chat/{room}/"


@dataclass(frozen=True)
class Change:
    """One file cell: ``%%project_update PATH`` (mode "update") or ``%%project_file PATH`` (mode "file")."""

    path: str
    content: str
    mode: str = "update"


@dataclass(frozen=True)
class Configuration:
    """What one row of the table measures.

    ``server`` is "bare" (no project), "daphne" or "uvicorn"; ``processes``
    how many of them serve the room (clients spread round-robin over them,
    as a load balancer would); the project is the end of ``lesson`` with
    ``changes`` applied in order.
    """

    name: str
    server: str = "daphne"
    processes: int = 1
    lesson: int = 12
    changes: tuple[Change, ...] = ()
    server_args: tuple[str, ...] = ()  # added to the server's command line

    def files(self) -> checkpoints.Files:
        files = dict(checkpoints.state_at_end(self.lesson))
        for change in self.changes:
            files[change.path] = checkpoints.apply(change.mode, files.get(change.path), change.content)
        return files


# --- The fix, step by step: lesson 14's file cells ----------------------------------------------------------
#
# The steps are the file cells of lesson 14, in the notebook's order, applied on the project as
# it is at the start of lesson 14: the project's code lives once, in the lesson. Step N is
# applied on top of steps 1 … N-1.

LESSON = 14
STEP_NAMES = ("capacity 1000", "pub/sub layer", "no DB trip per delivery", "SQLite WAL, one connection",
              "encode once")


def base_lesson() -> int:
    """The lesson whose end is lesson 14's start: the chat as it is before the fix."""
    return max(number for number in checkpoints.lesson_numbers() if number < LESSON)


def steps() -> dict[str, tuple[Change, ...]]:
    """Name in the table → the file cells of that step (one cell each), read from lesson 14's notebook."""
    cells = checkpoints.file_cells(LESSON)
    if len(cells) != len(STEP_NAMES):
        raise CourseError(f"Lesson {LESSON} has {len(cells)} file cells; the bench expects one per step: "
                          f"{', '.join(STEP_NAMES)}.")
    return {name: (Change(cell.path, cell.content, cell.mode),) for name, cell in zip(STEP_NAMES, cells, strict=True)}


def fixed() -> tuple[Change, ...]:
    """Every step of the fix, in order: the chat at the end of lesson 14."""
    return tuple(change for step in steps().values() for change in step)


def standard_configurations() -> list[Configuration]:
    """The bare server, the chat before lesson 14, each step of the fix, then the fixed chat on more processes."""
    base = base_lesson()
    configurations = [Configuration("bare websockets", server="bare"),
                      Configuration(f"lesson {base} as it is", lesson=base)]
    changes: tuple[Change, ...] = ()
    for name, step in steps().items():
        changes += step
        configurations.append(Configuration(f"+ {name}", lesson=base, changes=changes))
    done = fixed()
    configurations += [
        Configuration("fixed, 2 daphne processes", processes=2, lesson=base, changes=done),
        Configuration("fixed, uvicorn", server="uvicorn", lesson=base, changes=done),
        Configuration("fixed, 2 uvicorn processes", server="uvicorn", processes=2, lesson=base, changes=done),
        Configuration("fixed, 4 uvicorn processes", server="uvicorn", processes=4, lesson=base, changes=done),
    ]
    return configurations


# --- Running ------------------------------------------------------------------------------------------------


@dataclass
class Running:
    """A configuration's servers, started."""

    configuration: Configuration
    servers: list[processes.Supervised]

    @property
    def ports(self) -> list[int]:
        return [server.port for server in self.servers]

    @property
    def urls(self) -> list[str]:
        return [f"ws://127.0.0.1:{port}{ROOM_URL}" for port in self.ports]

    @property
    def origin(self) -> str:
        """An Origin the chat accepts (the lesson-10 check): the server's own address."""
        return f"http://127.0.0.1:{self.ports[0]}"

    def cpu_seconds(self) -> float:
        """CPU time the servers (not their watchdogs) have used so far, user and system."""
        import psutil

        total = 0.0
        for server in self.servers:
            try:
                for child in psutil.Process(server.pid).children(recursive=True):
                    times = child.cpu_times()
                    total += times.user + times.system
            except psutil.NoSuchProcess:
                pass
        return total

    def wait_until_listening(self, timeout: float = 30.0) -> None:
        for server in self.servers:
            server.wait_until_listening(timeout)

    def log_count(self, text: str) -> int:
        return sum(server.log.text().count(text) for server in self.servers)

    def stop(self) -> None:
        for server in self.servers:
            server.stop()


def _run_dir() -> Path:
    """This run's project folders (removed at its end): one per process, so two runs never share one."""
    return paths.state_dir() / "bench" / str(os.getpid())


def prepare_projects(configurations: Sequence[Configuration]) -> list[Path | None]:
    """A project folder per configuration (None for the bare server), each with a migrated database.

    The database is migrated once per lesson and copied: the steps change no model.
    """
    migrated: dict[int, Path] = {}
    folders: list[Path | None] = []
    for number, configuration in enumerate(configurations):
        if configuration.server == "bare":
            folders.append(None)
            continue
        if configuration.lesson not in migrated:
            base = _run_dir() / f"lesson-{configuration.lesson:02d}"
            lessons.bring_up(lessons.info(configuration.lesson), base, at_end=True)
            migrated[configuration.lesson] = base
        root = _run_dir() / f"configuration-{number + 1:02d}"
        shutil.rmtree(root, ignore_errors=True)
        project.bring_to(configuration.files(), root)
        shutil.copy2(migrated[configuration.lesson] / "db.sqlite3", root / "db.sqlite3")
        folders.append(root)
    return folders


def _command(configuration: Configuration, port: int) -> list[str]:
    if configuration.server == "bare":
        return [sys.executable, str(BARE_SCRIPT), str(port)]
    if configuration.server == "daphne":
        return [*daphne_program(), "-b", "127.0.0.1", "-p", str(port), *configuration.server_args,
                DEFAULT_APPLICATION]
    if configuration.server == "uvicorn":
        return [sys.executable, "-m", "uvicorn", DEFAULT_APPLICATION, "--host", "127.0.0.1", "--port", str(port),
                "--loop", "asyncio", "--http", "h11", "--ws", "websockets-sansio", "--no-access-log",
                "--lifespan", "off", *configuration.server_args]
    raise CourseError(f"Unknown server kind {configuration.server!r}: bare, daphne or uvicorn.")


def launch(configuration: Configuration, root: Path | None, redis_url: str, number: int) -> Running:
    """Start ``configuration``'s servers (supervised, see :mod:`processes`) without waiting for them.

    Their logs are ``bench-PID-NN-SERVER-I.log`` in the course's log folder.
    """
    env = project_environment(root, redis_url) if root is not None else None
    running = Running(configuration, [])
    for index in range(configuration.processes):
        port = processes.free_port()
        log = paths.logs_dir() / f"bench-{os.getpid()}-{number + 1:02d}-{configuration.server}-{index + 1}.log"
        running.servers.append(processes.start(configuration.server, _command(configuration, port), log,
                                               cwd=root, env=env, port=port, project=root))
    return running


def start(configuration: Configuration, root: Path | None, redis_url: str, number: int = 0) -> Running:
    """Start ``configuration``'s servers and wait until each listens (stopping them all if one fails)."""
    running = launch(configuration, root, redis_url, number)
    try:
        running.wait_until_listening()
    except BaseException:
        running.stop()
        raise
    return running


@dataclass
class Measurement:
    """The bursts through one configuration (one per round) and the bare server's in the same rounds."""

    configuration: Configuration
    results: list[burst.BurstResult] = field(default_factory=list)
    bare_rates: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # the servers' CPU seconds during each burst
    over_capacity: int = 0  # channels_redis's "over capacity" log lines, all rounds

    @property
    def cpu_per_delivery(self) -> float | None:
        """The servers' CPU time per delivery (seconds, median over rounds): steadier than wall-clock figures.

        Rounds that used under 50 ms of CPU are left out: the clock ticks in 10 ms steps.
        """
        return self._median([cpu / r.delivered for cpu, r in zip(self.cpu, self.results, strict=False)
                             if r.delivered and cpu >= 0.05])

    def _median(self, values: list[float | None]) -> float | None:
        values = [value for value in values if value is not None]
        return statistics.median(values) if values else None

    @property
    def rate(self) -> float:
        return self._median([result.rate for result in self.results]) or 0.0

    @property
    def p50(self) -> float | None:
        return self._median([result.p50 for result in self.results])

    @property
    def p99(self) -> float | None:
        return self._median([result.p99 for result in self.results])

    @property
    def ratio(self) -> float | None:
        """Throughput as a fraction of the bare server's in the same round (median over rounds)."""
        ratios = [r.rate / bare for r, bare in zip(self.results, self.bare_rates, strict=False) if bare]
        return self._median(ratios)

    def worst(self, attribute: str) -> int:
        return max((getattr(result, attribute) for result in self.results), default=0)


COLUMNS = [
    ("configuration", "<"), ("delivered", ">"), ("lost", ">"), ("broken", ">"), ("errors", ">"),
    ("deliveries/s", ">"), ("p50 ms", ">"), ("p99 ms", ">"), ("server CPU µs", ">"), ("× bare", ">"),
]


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value * 1000:,.0f}" if value >= 0.01 else f"{value * 1000:.1f}"


def row(measurement: Measurement) -> list[str]:
    """One table row: the worst round's counts, the median round's figures."""
    worst = min(measurement.results, key=lambda result: result.delivered)
    ratio = measurement.ratio
    return [
        measurement.configuration.name,
        f"{worst.delivered:,}/{worst.expected:,}",
        f"{measurement.worst('lost'):,}",
        f"{measurement.worst('broken'):,}",
        f"{measurement.worst('error_frames'):,}",
        f"{measurement.rate:,.0f}",
        _ms(measurement.p50),
        _ms(measurement.p99),
        "–" if measurement.cpu_per_delivery is None else f"{measurement.cpu_per_delivery * 1e6:,.0f}",
        "–" if ratio is None else f"{ratio:.2f}",
    ]


def table(measurements: Sequence[Measurement]) -> str:
    """The bench's table, aligned, one line per configuration."""
    rows = [[name for name, _ in COLUMNS]] + [row(each) for each in measurements]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    lines = []
    for r in rows:
        cells = [f"{cell:{align}{width}}" for cell, (_, align), width in zip(r, COLUMNS, widths, strict=True)]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def measured(name: str, result: burst.BurstResult, bare: burst.BurstResult, server: str = "daphne") -> Measurement:
    """One burst through a chat and the bare server's burst of the same size beside it, as a table row's data."""
    return Measurement(Configuration(name, server=server), [result], [bare.rate])


def _pyplot():
    """matplotlib's pyplot, drawing off screen, without its one-time "building the font cache" warning on stderr."""
    import logging

    import matplotlib

    matplotlib.use("Agg")
    fonts = logging.getLogger("matplotlib.font_manager")
    level = fonts.level
    fonts.setLevel(logging.ERROR)
    try:
        from matplotlib import pyplot
    finally:
        fonts.setLevel(level)
    return pyplot


def plot(measurements: Sequence[Measurement], path: Path, title: str = "") -> Path:
    """Throughput and latency of each configuration, side by side, saved to ``path`` (PNG, SVG, PDF: by suffix)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_drawing(measurements, title, path.suffix.lstrip(".") or "png"))
    return path


def png(measurements: Sequence[Measurement], title: str = "") -> bytes:
    """The same figure as :func:`plot`, as PNG bytes (a notebook shows it with ``IPython.display.Image``)."""
    return _drawing(measurements, title, "png")


def _drawing(measurements: Sequence[Measurement], title: str, fmt: str) -> bytes:
    import io

    from matplotlib.ticker import StrMethodFormatter

    pyplot = _pyplot()

    names = [each.configuration.name for each in measurements]
    positions = list(range(len(names)))
    figure, (left, right) = pyplot.subplots(1, 2, figsize=(12, 0.45 * len(names) + 2), sharey=True)
    for position, each in zip(positions, measurements, strict=True):
        worst = min(each.results, key=lambda result: result.delivered)
        bare = each.configuration.server == "bare"
        complete = worst.lost == 0 and worst.broken == 0 and worst.error_frames == 0
        left.barh(position, each.rate, color="tab:gray" if bare else "tab:green" if complete else "tab:red")
        label = "" if bare else f"{each.ratio or 0:.2f} × bare"
        if not complete:
            label += f", {worst.delivered:,} of {worst.expected:,} delivered"
        left.annotate(label, (each.rate, position), xytext=(4, 0), textcoords="offset points", va="center",
                      fontsize=8)
    left.set_yticks(positions, names)
    left.invert_yaxis()
    left.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    left.set_xlabel("deliveries per second")
    left.set_title("throughput (red: not every delivery arrived)")
    height = 0.38
    right.barh([p - height / 2 for p in positions], [(each.p50 or 0) * 1000 for each in measurements], height,
               label="p50", color="tab:blue")
    right.barh([p + height / 2 for p in positions], [(each.p99 or 0) * 1000 for each in measurements], height,
               label="p99", color="tab:orange")
    right.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    right.set_xlabel("latency, from send to delivery (ms)")
    right.set_title("latency")
    right.legend(loc="best")
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, dpi=110)
    pyplot.close(figure)
    return buffer.getvalue()


def run(
    configurations: Sequence[Configuration] | None = None,
    *,
    clients: int = 50,
    messages: int = 200,
    rounds: int = 1,
    quiet: float = 3.0,
    limit: float = 60.0,
    say: Callable[[str], None] = print,
) -> list[Measurement]:
    """Start everything, run ``rounds`` bursts through each configuration, stop everything.

    The bare server is measured in every round, first (it is added when
    ``configurations`` lacks it), so each ratio compares bursts a few seconds apart.
    """
    configurations = list(configurations or standard_configurations())
    if not any(each.server == "bare" for each in configurations):
        configurations.insert(0, Configuration("bare websockets", server="bare"))
    bare_index = next(i for i, each in enumerate(configurations) if each.server == "bare")
    measurements = [Measurement(each) for each in configurations]
    with ExitStack() as stack:
        say("Starting Redis, the bare server and each chat configuration ...")
        forkserver.warm()  # its imports run while Redis starts; then the servers start as forks
        layer = redis_server.start()
        stack.callback(layer.stop)
        stack.callback(shutil.rmtree, _run_dir(), ignore_errors=True)
        folders = prepare_projects(configurations)
        running = []
        for number, (configuration, folder) in enumerate(zip(configurations, folders, strict=True)):
            running.append(launch(configuration, folder, layer.url, number))  # all boot side by side
            stack.callback(running[-1].stop)
        say(f"{sum(len(each.servers) for each in running)} servers started; waiting until each listens, "
            "then a small warm-up burst through each ...")
        for each in running:
            each.wait_until_listening()
        _warm_up(running, min(clients, 5))
        order = [bare_index] + [i for i in range(len(configurations)) if i != bare_index]
        for round_number in range(rounds):
            bare_rate = 0.0
            for index in order:
                server = running[index]
                cpu = server.cpu_seconds()
                result = burst.run(server.urls, clients=clients, messages=messages, origin=server.origin,
                                   quiet=quiet, limit=limit)
                if index == bare_index:
                    bare_rate = result.rate
                measurement = measurements[index]
                measurement.results.append(result)
                measurement.bare_rates.append(bare_rate)
                measurement.cpu.append(server.cpu_seconds() - cpu)
                prefix = f"round {round_number + 1}: " if rounds > 1 else ""
                say(f"{prefix}{server.configuration.name}: {result.summary()}")
        for measurement, server in zip(measurements, running, strict=True):
            measurement.over_capacity = server.log_count("over capacity")
        say("Stopping everything the bench started ...")
        stop_all(running)
    return measurements


def _warm_up(running: Sequence[Running], clients: int) -> None:
    """A small burst through every configuration at once, so none is measured cold (first imports, first query)."""
    async def all_at_once():
        await asyncio.gather(*(burst.burst(each.urls, clients=clients, messages=5, origin=each.origin, quiet=1,
                                           limit=10) for each in running))
    burst.run_to_end(all_at_once())


def stop_all(running: Sequence[Running]) -> None:
    """Stop every configuration's servers side by side (each waits for its own to end)."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda each: each.stop(), running))


def main(clients: int = 50, messages: int = 200, rounds: int = 1, plot_path: Path | None = None) -> int:
    """``python -m coursekit bench``: run, print the table (and save the figure), return the exit code."""
    if clients < 1 or messages < 1 or rounds < 1:
        raise CourseError("--clients, --messages and --rounds must be at least 1.")
    began = time.monotonic()
    print(f"The burst: {clients} clients in one room, {messages} messages sent round-robin among them, "
          f"so {clients * messages:,} deliveries expected per configuration.", flush=True)
    measurements = run(clients=clients, messages=messages, rounds=rounds, say=lambda line: print(line, flush=True))
    print()
    print(table(measurements))
    print()
    print("× bare: deliveries per second as a fraction of the bare websockets server's, measured in the same "
          "round. server CPU µs: the servers' CPU time per delivery, steadier than the clock on a busy machine.")
    for measurement in measurements:
        if measurement.over_capacity:
            print(f"{measurement.configuration.name}: channels_redis logged \"over capacity\" "
                  f"{measurement.over_capacity} times; each is a message dropped for every member of the room "
                  "in that process.")
    if plot_path is not None:
        saved = plot(measurements, plot_path, f"{clients} clients × {messages} messages")
        print(f"Figure saved to {saved}.")
    print(f"The bench took {time.monotonic() - began:.0f} s.")
    return 0
