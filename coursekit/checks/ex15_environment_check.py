"""Checks for exercises/15_environment_check.py: the production environment, checked before the servers start."""

from coursekit.checking import check

TITLE = "the production environment, checked before the servers start"

GOOD_KEY = "k3Jx9-QmZr2vB7tLw5yHn8cFd4sGp6aE1uVo0iTq_XbYzRjKlMe"  # 51 characters, not django-insecure-
GOOD = {
    "DJANGO_SECRET_KEY": GOOD_KEY,
    "DJANGO_ALLOWED_HOSTS": "chat.example.com,127.0.0.1",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def problems_of(exercise, environ):
    problems = exercise.production_problems(dict(environ))
    assert isinstance(problems, list), f"it returned {type(problems).__name__}, not a list"
    for problem in problems:
        assert isinstance(problem, str), f"{problem!r} is {type(problem).__name__}, not a str"
    return problems


def naming(problems, name):
    return [problem for problem in problems if name in problem]


@check("a complete, sound environment has no problem",
       hint="return [] when the three variables are set and sound")
def sound_environment(exercise):
    for environ in [GOOD, {**GOOD, "DJANGO_ALLOWED_HOSTS": "chat.example.com"}, {**GOOD, "PATH": "/usr/bin"}]:
        problems = problems_of(exercise, environ)
        assert problems == [], f"for a sound environment it returned {problems!r}"


@check("each missing variable is one problem that names it",
       hint="one sentence per variable that is not in environ, each holding the variable's name")
def missing_variables(exercise):
    for name in GOOD:
        environ = {key: value for key, value in GOOD.items() if key != name}
        problems = problems_of(exercise, environ)
        assert len(problems) == 1 and naming(problems, name), (
            f"without {name} it returned {problems!r}, not one sentence naming {name}")
    problems = problems_of(exercise, {})
    for name in GOOD:
        assert naming(problems, name), f"for an empty environment no problem names {name}: {problems!r}"


@check("an empty or blank variable is a problem too",
       hint="environ.get(name, '').strip() is '' for a missing, empty or blank variable")
def blank_variables(exercise):
    for name in GOOD:
        for blank in ["", "   "]:
            problems = problems_of(exercise, {**GOOD, name: blank})
            assert naming(problems, name), f"with {name}={blank!r} it returned {problems!r}"


@check("a short or django-insecure- secret key is a problem",
       hint="Django's check --deploy (security.W009): at least 50 characters, not starting with 'django-insecure-'")
def weak_secret_key(exercise):
    for key in ["secret", "x" * 49, "django-insecure-" + GOOD_KEY]:
        problems = problems_of(exercise, {**GOOD, "DJANGO_SECRET_KEY": key})
        assert naming(problems, "DJANGO_SECRET_KEY"), f"with the secret key {key!r} it returned {problems!r}"


@check("'*' in the allowed hosts is a problem",
       hint="split DJANGO_ALLOWED_HOSTS on ',' and look for '*' among the stripped names")
def wildcard_hosts(exercise):
    for hosts in ["*", "chat.example.com, *"]:
        problems = problems_of(exercise, {**GOOD, "DJANGO_ALLOWED_HOSTS": hosts})
        assert naming(problems, "DJANGO_ALLOWED_HOSTS"), f"with DJANGO_ALLOWED_HOSTS={hosts!r} it returned {problems!r}"
