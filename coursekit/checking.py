"""Running an exercise's checks against a learner's file.

Each exercise has a module in ``coursekit/checks/`` that declares its checks
with the :func:`check` decorator. The checks run in a separate process
(``python -m coursekit.checking NAME FILE``), so a broken or hanging exercise
can never take the notebook's kernel down, and each run imports the learner's
file afresh. The process prints one JSON result per check; :mod:`exercises`
turns those into the report the learner reads.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import inspect
import json
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

CHECK_TIMEOUT = 10.0


@dataclass
class Check:
    description: str
    hint: str
    function: Callable


def check(description: str, hint: str = "") -> Callable:
    """Declare a check: ``function(exercise_module)`` passes unless it raises."""

    def register(function: Callable) -> Callable:
        function.course_check = Check(description, hint, function)
        return function

    return register


def checks_of(module: ModuleType) -> list[Check]:
    found = [value.course_check for value in vars(module).values() if hasattr(value, "course_check")]
    order = {name: index for index, name in enumerate(vars(module))}
    return sorted(found, key=lambda c: order[c.function.__name__])


def load_file(path: Path, name: str = "exercise") -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def describe_error(error: BaseException, path: Path | None = None) -> str:
    """One line about an exception, pointing at the learner's file when it is to blame."""
    if isinstance(error, AssertionError) and str(error):
        return str(error)
    if isinstance(error, SyntaxError):
        return f"SyntaxError on line {error.lineno}: {error.msg}"
    if isinstance(error, (TimeoutError, asyncio.TimeoutError)):
        return f"no answer within {CHECK_TIMEOUT:.0f} s (does something wait forever?)"
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    if path is not None:
        for frame in reversed(traceback.extract_tb(error.__traceback__)):
            if Path(frame.filename) == path:
                return f"{text} (line {frame.lineno} of your file)"
    return text


async def run_one(item: Check, module: ModuleType, path: Path) -> dict:
    try:
        result = item.function(module)
        if inspect.isawaitable(result):
            await asyncio.wait_for(result, CHECK_TIMEOUT)
    except Exception as error:  # every failure becomes a line of the report
        return {"check": item.description, "ok": False, "why": describe_error(error, path), "hint": item.hint}
    return {"check": item.description, "ok": True}


def prepared_checks(name: str) -> ModuleType:
    """The checks module of exercise ``name``, its ``prepare()`` run (outside any event loop)."""
    checks_module = importlib.import_module(f"coursekit.checks.{check_module_name(name)}")
    prepare = getattr(checks_module, "prepare", None)
    if prepare is not None:
        prepare()
    return checks_module


async def run(checks_module: ModuleType, path: Path) -> list[dict]:
    try:
        module = load_file(path)
    except Exception as error:
        why = f"the file does not run: {describe_error(error, path)}"
        return [
            {"check": item.description, "ok": False, "why": why, "hint": item.hint}
            for item in checks_of(checks_module)
        ]
    return [await run_one(item, module, path) for item in checks_of(checks_module)]


def check_module_name(exercise: str) -> str:
    return "ex" + exercise


def main(argv: list[str]) -> int:
    name, file = argv
    results = asyncio.run(run(prepared_checks(name), Path(file).resolve()))
    for result in results:
        print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


def configure_django(channel_layer: str = "memory", **settings) -> str | None:
    """Configure Django for checks that need it; returns the Redis URL when one is used.

    ``channel_layer`` is ``"memory"`` (Channels' in-memory layer, one process),
    ``"redis"`` (a real Valkey server started for this check run and stopped
    when it ends) or ``"none"``.
    """
    import django
    from django.conf import settings as django_settings

    redis_url = None
    layers = {}
    if channel_layer == "memory":
        layers = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    elif channel_layer == "redis":
        from . import redis

        redis_url = redis.start().url
        layers = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer",
                              "CONFIG": {"hosts": [redis_url]}}}
    base = {
        "INSTALLED_APPS": ["django.contrib.contenttypes", "django.contrib.auth", "channels"],
        "CHANNEL_LAYERS": layers,
        "DATABASES": {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        "SECRET_KEY": "checks-only",
        "ALLOWED_HOSTS": ["*"],
        "USE_TZ": True,
    }
    base.update(settings)
    django_settings.configure(**base)
    django.setup()
    return redis_url
