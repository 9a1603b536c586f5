"""coursekit: the helpers behind the Django Channels, live course.

In a notebook::

    from coursekit import setup
    course = setup(4)          # project at the start of lesson 04, servers started
    ...
    course.teardown()          # everything the lesson started is stopped

From a shell: ``python -m coursekit --help``.
"""

from .errors import CourseError
from .lessons import setup

__all__ = ["CourseError", "setup", "check"]


def check(name: str) -> bool:
    """Check exercise ``name`` (e.g. ``"04_echo"``) and print a short report."""
    from .exercises import check as run

    return run(name)
