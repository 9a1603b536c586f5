"""A file that never finishes importing: `coursekit check` gives up after 10 s and names the line.

Apart from ``test_checker.py`` because it costs those 10 s: in a file of its
own, it runs beside the others (``make test`` spreads test files over workers).
The loop sleeps, so the 10 s are waiting, not a core taken from the other tests;
the checker stops it and finds its line exactly as it would a busy loop's.
"""

import time

from test_checker import EXTRA_LINE, blamed, check_with

from coursekit import check_runner

LOOP = "while True: __import__('time').sleep(0.05)"


def test_an_endless_loop_at_import_is_stopped_after_10_s_at_its_line(tmp_path):
    assert check_runner.IMPORT_TIMEOUT == 10
    started = time.monotonic()
    done = check_with(tmp_path, LOOP)
    took = time.monotonic() - started
    # 10 s of import, plus two interpreter starts and the report: about 10.5 s on a quiet machine, a little
    # more when the other test workers keep the cores busy. Far from the 90 s a learner used to wait.
    assert 10 <= took < 15, took
    lines = blamed(done, "it was still running after 10 s", line=EXTRA_LINE, code=LOOP)
    assert "does a loop there never end" in lines[4]
