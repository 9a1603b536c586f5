"""Checks for exercises/01_installed_apps.py: putting daphne and channels into INSTALLED_APPS."""

import subprocess
import sys

from coursekit.checking import check

TITLE = "daphne and channels in INSTALLED_APPS"

STARTPROJECT_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

# Django's system checks for static files (where daphne.E001 lives), run on
# the learner's list in a fresh interpreter.
SYSTEM_CHECK = """
import sys
import django
from django.conf import settings
from django.core.checks import run_checks
settings.configure(INSTALLED_APPS=sys.argv[1:], SECRET_KEY="checks-only")
django.setup()
problems = run_checks(tags=["staticfiles"])
for problem in problems:
    print(f"({problem.id}) {problem.msg}")
sys.exit(1 if problems else 0)
"""


def result(exercise, apps=None):
    original = list(apps if apps is not None else STARTPROJECT_APPS)
    given = list(original)
    returned = exercise.channels_ready(given)
    assert isinstance(returned, list), f"channels_ready returned {type(returned).__name__}, not a list"
    assert given == original, "channels_ready changed the list it was given; build a new list instead"
    return returned


@check("daphne comes before django.contrib.staticfiles",
       hint="daphne replaces the runserver command, so it must come before staticfiles")
def daphne_first(exercise):
    apps = result(exercise)
    assert "daphne" in apps, "'daphne' is not in the list"
    assert apps.index("daphne") < apps.index("django.contrib.staticfiles"), "'daphne' comes after staticfiles"


@check("channels is in the list, once", hint="append 'channels' when it is missing")
def has_channels(exercise):
    apps = result(exercise)
    assert apps.count("channels") == 1, f"'channels' appears {apps.count('channels')} times"


@check("the project's own apps stay, in their order", hint="only add; don't drop or reorder the others")
def keeps_others(exercise):
    apps = result(exercise, STARTPROJECT_APPS + ["chat"])
    others = [app for app in apps if app not in ("daphne", "channels")]
    assert others == STARTPROJECT_APPS + ["chat"], f"the other apps became {others}"


@check("running it twice changes nothing", hint="skip what is already there, and move a misplaced 'daphne'")
def idempotent(exercise):
    once = result(exercise)
    assert result(exercise, once) == once, "a second call gave a different list"
    misplaced = STARTPROJECT_APPS + ["daphne"]
    fixed = result(exercise, misplaced)
    assert fixed.count("daphne") == 1 and fixed.index("daphne") < fixed.index("django.contrib.staticfiles"), (
        "a list with 'daphne' after staticfiles was not fixed"
    )


@check("Django's system check passes (no daphne.E001)", hint="run the checks above first")
def django_check(exercise):
    apps = result(exercise)
    done = subprocess.run([sys.executable, "-c", SYSTEM_CHECK, *apps], capture_output=True, text=True, timeout=30)
    problems = done.stdout.strip().splitlines() or done.stderr.strip().splitlines()[-1:]
    assert done.returncode == 0, problems[0] if problems else "the system check failed"
