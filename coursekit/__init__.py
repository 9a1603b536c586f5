"""coursekit: the helpers behind the Django Channels, live course.

In a notebook::

    from coursekit import setup
    course = setup(4)          # project at the start of lesson 04, servers started
    ...
    course.teardown()          # everything the lesson started is stopped

From a shell: ``python -m coursekit --help``.
"""

from .errors import CourseError
from .lessons import reset, setup

__all__ = ["CourseError", "setup", "reset", "check"]


def check(name: str) -> None:
    """Check exercise ``name`` (e.g. ``"04_echo"``) and print a short report.

    Returns nothing, so a notebook cell shows the report alone; scripts that
    need the verdict use ``coursekit.exercises.check``, which returns it.
    """
    from .exercises import check as run

    run(name)
