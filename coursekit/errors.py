"""The one exception type the course shows to learners.

A ``CourseError`` carries a message meant to be read by a person: one or two
sentences that say what went wrong and what to do. The CLI prints it without
a traceback; in a notebook it is raised like any other exception.
"""


class CourseError(Exception):
    """Something the learner can fix, described in plain words."""
