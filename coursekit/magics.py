"""``%%project_file PATH``: write a file of the course project from a notebook cell.

The cell's body becomes the file. The output is one line naming the file and,
for a changed file, the lines that changed. It describes the change the lesson
makes (from the file as the lesson expects it before this cell), so it is the
same on the first run and on every re-run; a cell the learner has edited is
compared with the file on disk instead.
"""

from __future__ import annotations

from IPython.core.magic import Magics, cell_magic, magics_class

from . import checkpoints, lessons, paths, project


def syntax_warning(path: str, text: str) -> str | None:
    if not path.endswith(".py"):
        return None
    try:
        compile(text, path, "exec")
    except SyntaxError as error:
        return f"⚠ {path} line {error.lineno}: {error.msg} (the file was written anyway)"
    return None


@magics_class
class ProjectMagics(Magics):
    @cell_magic
    def project_file(self, line: str, cell: str) -> None:
        """Write the cell's body to PATH inside the course project."""
        path = line.strip()
        if not path:
            print("usage: %%project_file PATH (a path inside the course project, e.g. chat/consumers.py)")
            return
        text = checkpoints.normalise(cell)
        root = paths.project_dir()
        course = lessons.active()
        previous = False
        if course is not None:
            previous = checkpoints.expected_before(course.lesson.number, path, text)
        if previous is False:
            previous = project.read(path, root)
        project.write(path, text, root)
        print("\n".join(project.change_summary(path, previous, text)))
        warning = syntax_warning(path, text)
        if warning:
            print(warning)


def load_ipython_extension(shell) -> None:
    shell.register_magics(ProjectMagics)
