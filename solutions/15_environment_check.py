### BEGIN SOLUTION
"""Solution to exercise 15 · the production environment, checked before the servers start."""
### EXERCISE
# """Exercise 15 · the production environment, checked before the servers start.
#
# mysite/settings_production.py reads three variables from the environment:
# DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS (comma-separated host names) and
# REDIS_URL. A deploy script should refuse to start the servers when one is
# wrong, and say which. Write production_problems(environ): one sentence per
# problem, each naming its variable, and [] when there is none:
#
# - a variable that is missing, or empty (or only spaces), is a problem;
# - a DJANGO_SECRET_KEY of fewer than 50 characters, or one that starts with
#   "django-insecure-" (what startproject writes), is a problem: the rule of
#   Django's `manage.py check --deploy` (security.W009);
# - a DJANGO_ALLOWED_HOSTS that holds "*" is a problem: any Host header would
#   pass, and the WebSocket Origin check with it.
#
# For example production_problems({"REDIS_URL": "redis://127.0.0.1:6379/0"})
# could return ["DJANGO_SECRET_KEY is not set", "DJANGO_ALLOWED_HOSTS is not set"].
#
# Run the check cell in lesson 15 (or `python -m coursekit check 15_environment_check`).
# """
### END SOLUTION

from collections.abc import Mapping

REQUIRED = ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "REDIS_URL")


def production_problems(environ: Mapping[str, str]) -> list[str]:
    """What is wrong with ``environ`` for the production settings: one sentence per problem."""
    ### BEGIN SOLUTION
    problems = [f"{name} is not set" for name in REQUIRED if not environ.get(name, "").strip()]
    key = environ.get("DJANGO_SECRET_KEY", "").strip()
    if key and (len(key) < 50 or key.startswith("django-insecure-")):
        problems.append("DJANGO_SECRET_KEY is too weak: use 50 or more random characters")
    hosts = [host.strip() for host in environ.get("DJANGO_ALLOWED_HOSTS", "").split(",")]
    if "*" in hosts:
        problems.append("DJANGO_ALLOWED_HOSTS holds '*': name the hosts the site answers to")
    return problems
    ### EXERCISE
    # # TODO: collect the problems described above, then delete the line below.
    # raise NotImplementedError("production_problems does not look at the environment yet")
    ### END SOLUTION
