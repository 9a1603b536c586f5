"""``coursekit bench``: its arithmetic, its table, its step cells, and one real small run."""

import ast
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from coursekit import bench, burst, checkpoints, paths
from coursekit.bench import Configuration, Measurement
from coursekit.burst import BurstResult, percentile

from support import wait_gone

# --- percentiles and results ---------------------------------------------------------------------------


def test_percentile_interpolates_between_ranks_like_numpy():
    assert percentile([4, 1, 3, 2], 50) == 2.5
    assert percentile([4, 1, 3, 2], 0) == 1
    assert percentile([4, 1, 3, 2], 100) == 4
    assert percentile(list(range(1, 101)), 99) == pytest.approx(99.01)
    assert percentile([7.0], 99) == 7.0


def test_percentile_of_nothing_is_none_and_a_bad_rank_is_refused():
    assert percentile([], 50) is None
    with pytest.raises(ValueError):
        percentile([1, 2], 101)


def result(delivered=100, seconds=0.5, latencies=(0.010, 0.020, 0.030), **counts) -> BurstResult:
    return BurstResult(clients=5, messages=20, delivered=delivered, seconds=seconds, latencies=list(latencies),
                       ended="complete" if delivered == 100 else "quiet", **counts)


def test_a_result_counts_what_was_lost_and_how_fast_the_rest_came():
    full, short = result(), result(delivered=53, seconds=0.0)
    assert (full.expected, full.lost, full.rate, full.ok) == (100, 0, 200.0, True)
    assert (short.lost, short.rate, short.ok) == (47, 0.0, False)
    assert not result(error_frames=1).ok and not result(broken=1).ok
    assert full.p50 == pytest.approx(0.020)
    assert full.summary() == ("100 of 100 delivered (complete), 0 error frames, 0 broken connections; "
                              "200 deliveries/s, latency p50 20 ms, p99 30 ms")
    assert "latency p50 –" in result(delivered=0, latencies=()).summary()


# --- the table ----------------------------------------------------------------------------------------------


def measurement(name, server="daphne", results=(), bare_rates=(), cpu=()) -> Measurement:
    return Measurement(Configuration(name, server=server), list(results), list(bare_rates), list(cpu))


def test_the_table_puts_the_bare_server_beside_each_configuration():
    bare = measurement("bare websockets", "bare", [result(seconds=0.01)], [10000.0], [0.001])
    chat = measurement("lesson 12 as it is", results=[result(delivered=53, seconds=0.53, latencies=[2.0])],
                       bare_rates=[10000.0], cpu=[0.53])
    lines = bench.table([bare, chat]).splitlines()
    assert [word.strip() for word in lines[0].split("  ") if word.strip()] == [
        "configuration", "delivered", "lost", "broken", "errors", "deliveries/s", "p50 ms", "p99 ms",
        "server CPU µs", "× bare"]
    assert set(lines[1]) == {"-", " "}
    # the bare server's CPU (1 ms) is below what the clock can tell: a dash
    assert lines[2].split() == ["bare", "websockets", "100/100", "0", "0", "0", "10,000", "20", "30", "–", "1.00"]
    assert lines[3].split() == ["lesson", "12", "as", "it", "is", "53/100", "47", "0", "0", "100", "2,000",
                                "2,000", "10,000", "0.01"]
    # numbers are right-aligned: every row ends in the same column
    assert len({len(line) for line in lines}) == 1


def test_the_table_shows_the_worst_rounds_counts_and_the_median_figures():
    rounds = [result(delivered=100, seconds=1.0), result(delivered=90, seconds=0.5), result(delivered=100, seconds=0.2)]
    chat = measurement("+ a step", results=rounds, bare_rates=[1000.0, 1000.0, 500.0], cpu=[0.1, 0.2, 0.3])
    row = bench.row(chat)
    assert row[1:3] == ["90/100", "10"]  # the worst round's deliveries and losses
    assert row[5] == "180"  # median of 100, 180 and 500 deliveries/s
    assert row[-1] == "0.18"  # median of 0.10, 0.18 and 1.00 × bare
    assert row[-2] == "2,222"  # median of 1,000, 2,222 and 3,000 µs of server CPU per delivery


def test_a_missing_figure_is_a_dash():
    empty = measurement("nothing came", results=[result(delivered=0, seconds=0.0, latencies=())], bare_rates=[0.0])
    assert bench.row(empty)[5:] == ["0", "–", "–", "–", "–"]


def test_the_plot_is_saved(tmp_path):
    bare = measurement("bare websockets", "bare", [result(seconds=0.01)], [10000.0], [0.001])
    chat = measurement("fixed", results=[result()], bare_rates=[10000.0], cpu=[0.01])
    path = bench.plot([bare, chat], tmp_path / "figure.png", "5 clients × 20 messages")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- the steps of the fix: lesson 14's file cells, on the project at the start of lesson 14 ---------------------


def methods(source: str, name: str = "RoomConsumer") -> set[str]:
    classes = {node.name: node for node in ast.parse(source).body if isinstance(node, ast.ClassDef)}
    return {item.name for item in classes[name].body if isinstance(item, ast.AsyncFunctionDef)}


def method(source: str, name: str, cls: str = "RoomConsumer") -> ast.AsyncFunctionDef:
    classes = {node.name: node for node in ast.parse(source).body if isinstance(node, ast.ClassDef)}
    return next(item for item in classes[cls].body if getattr(item, "name", None) == name)


class WithoutTheFrame(ast.NodeTransformer):
    """receive_json as it was before "encode once": no frame variable, no 'frame' key."""

    def visit_Assign(self, node):
        return None if any(getattr(target, "id", None) == "frame" for target in node.targets) else node

    def visit_Dict(self, node):
        pairs = [(k, v) for k, v in zip(node.keys, node.values, strict=True)
                 if not (isinstance(k, ast.Constant) and k.value == "frame")]
        node.keys, node.values = [k for k, _ in pairs], [v for _, v in pairs]
        return node


def test_the_steps_are_lesson_14s_file_cells_in_order():
    cells = checkpoints.file_cells(bench.LESSON)
    changes = [change for step in bench.steps().values() for change in step]
    assert [(c.path, c.content, c.mode) for c in changes] == [(c.path, c.content, c.mode) for c in cells]
    assert list(bench.steps()) == list(bench.STEP_NAMES)
    assert bench.base_lesson() == bench.LESSON - 1 or bench.base_lesson() == 12  # lesson 13 may be absent
    assert checkpoints.state_at_end(bench.base_lesson()) == checkpoints.state_at_start(bench.LESSON)


def test_encode_once_changes_nothing_else_in_the_chats_receive_json():
    """When an earlier lesson's receive_json changes, lesson 14's copy of it must change the same way."""
    base = bench.base_lesson()
    before = checkpoints.state_at_end(base)["chat/consumers.py"]
    after = Configuration("fixed", lesson=base, changes=bench.fixed()).files()["chat/consumers.py"]
    original, encoded_once = method(before, "receive_json"), WithoutTheFrame().visit(method(after, "receive_json"))
    assert ast.dump(encoded_once) == ast.dump(original)
    assert after == checkpoints.state_at_start(bench.LESSON + 1)["chat/consumers.py"]  # the chat at the end of 14


def test_each_step_changes_the_project_and_leaves_valid_python():
    base = bench.base_lesson()
    before = checkpoints.state_at_end(base)
    changes: tuple = ()
    for name, step in bench.steps().items():
        changes += step
        files = Configuration(name, lesson=base, changes=changes).files()
        for change in step:
            assert files[change.path] != before[change.path], f"{name} changes nothing in {change.path}"
            ast.parse(files[change.path])
    # the lessons' consumer keeps every method it had, and gains dispatch
    assert methods(files["chat/consumers.py"]) == methods(before["chat/consumers.py"]) | {"dispatch"}
    settings = files["mysite/settings.py"]
    assert "channels_redis.pubsub.RedisPubSubChannelLayer" in settings and "journal_mode=WAL" in settings
    assert "'jobs': {" in settings  # the worker's jobs stay on a queued layer
    assert settings.count("CHANNEL_LAYERS = {") == 1 and settings.count("DATABASES = {") == 1


# --- the command, for real -------------------------------------------------------------------------------------


def everything_under(pid: int) -> set[int]:
    try:
        return {child.pid for child in psutil.Process(pid).children(recursive=True)}
    except psutil.NoSuchProcess:
        return set()


def test_a_small_bench_prints_the_bare_baseline_beside_each_configuration(project_root, tmp_path):
    figure = tmp_path / "bench.png"
    bench_run = subprocess.Popen(
        [sys.executable, "-m", "coursekit", "bench", "--clients", "5", "--messages", "20", "--plot", str(figure)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=paths.REPO,
    )
    seen: set[int] = set()
    while bench_run.poll() is None:  # everything it starts, to check that all of it is gone afterwards
        seen |= everything_under(bench_run.pid)
        time.sleep(0.1)
    out, err = bench_run.communicate()
    assert bench_run.returncode == 0, out + err
    assert "Traceback" not in err
    names = [configuration.name for configuration in bench.standard_configurations()]
    rows = {line.split("  ")[0]: line for line in out.splitlines() if line.split("  ")[0] in names}
    assert list(rows) == names
    assert rows["bare websockets"].split()[-1] == "1.00"
    for name, line in rows.items():
        assert line.split()[len(name.split())] == "100/100", line  # a small burst: nothing lost anywhere
    assert figure.read_bytes()[:4] == b"\x89PNG"
    assert len(seen) >= 2 * sum(configuration.processes for configuration in bench.standard_configurations())
    assert wait_gone(sorted(seen), 2.0) == []
    assert not list((tmp_path / "state" / "bench").iterdir())  # its project copies are gone too


def test_sigkill_of_the_bench_leaves_nothing(project_root):
    bench_run = subprocess.Popen(
        [sys.executable, "-m", "coursekit", "bench", "--clients", "5", "--messages", "20"],
        stdout=subprocess.PIPE, text=True, cwd=paths.REPO,
    )
    try:
        for line in bench_run.stdout:
            if "servers started" in line:
                break
        expected = 2 * sum(configuration.processes for configuration in bench.standard_configurations())
        deadline = time.monotonic() + 10
        servers = everything_under(bench_run.pid)
        while len(servers) < expected and time.monotonic() < deadline:  # each watchdog starts its server
            time.sleep(0.05)
            servers = everything_under(bench_run.pid)
        assert len(servers) >= expected
    finally:
        os.kill(bench_run.pid, signal.SIGKILL)
        bench_run.wait()
    assert wait_gone(sorted(servers), 2.0) == []


def test_the_burst_client_counts_errors_and_broken_connections(project_root):
    """Against the bare server: a refused handshake is a broken connection, and it says why."""
    running = bench.start(Configuration("bare", server="bare"), None, "")
    try:
        good = burst.run(running.urls, clients=3, messages=4)
        assert (good.delivered, good.ok, good.ended) == (12, True, "complete")
        refused = burst.run([f"ws://127.0.0.1:{running.ports[0]}/nowhere/{{room}}/"], clients=2, messages=1, quiet=0.5)
        assert (refused.broken, refused.delivered, refused.ended) == (2, 0, "no connection")
        assert "404" in refused.first_error
    finally:
        running.stop()
