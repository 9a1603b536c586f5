"""``%%project_file PATH`` and ``%%project_update PATH``: change the course project from a cell.

``%%project_file``: the cell's body becomes the file. ``%%project_update``: the
cell's top-level definitions replace those of the same name in a Python file
(the rest of the file stays; see :mod:`pyedit`). The output is one line naming the file and,
for a changed file, the lines that changed. It describes the change the lesson
makes (from the file as the lesson expects it before this cell), so it is the
same on the first run and on every re-run; a cell the learner has edited is
compared with the file on disk instead.
"""

from __future__ import annotations

from IPython.core.magic import Magics, cell_magic, magics_class

from . import checkpoints, ownership, paths, project
from .errors import CourseError


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
        write_from_cell("file", line, cell)

    @cell_magic
    def project_update(self, line: str, cell: str) -> None:
        """Replace the top-level definitions of PATH that the cell gives."""
        write_from_cell("update", line, cell)


# What each cell was last described against, so running it again reads the same.
_last_expected: dict[tuple, str | None] = {}


def write_from_cell(mode: str, line: str, cell: str) -> None:
    path = line.strip()
    if not path:
        print(f"usage: %%project_{mode} PATH (a path inside the course project, e.g. chat/consumers.py)")
        return
    body = checkpoints.normalise(cell)
    if mode == "update":
        try:
            compile(body, path, "exec")
        except SyntaxError as error:
            print(f"⚠ line {error.lineno} of this cell: {error.msg}; nothing was written")
            return
    claim = ownership.active
    if claim is not None:
        try:
            claim.ensure_current()
        except CourseError as error:
            print(f"⚠ {error} Nothing was written.")
            return
    root = paths.project_dir()
    on_disk = project.read(path, root)
    if mode == "update" and on_disk is not None:
        try:
            compile(on_disk, path, "exec")
        except SyntaxError:
            print(f"⚠ {path} has a syntax error, so it cannot be updated; fix it or reset the lesson")
            return
    # Describe the change the lesson makes (stable on every re-run), but write
    # onto what is on disk, so an update keeps the learner's other edits.
    lesson = claim.lesson if claim is not None else None
    candidates = []
    if lesson is not None:
        candidates = checkpoints.expected_before(lesson, path, body, mode)
    key = (lesson, path, mode, body)
    remembered = _last_expected.get(key, False)
    if remembered is not False and on_disk == checkpoints.apply(mode, remembered, body):
        expected = remembered  # the same cell run again: describe it the same way
    elif not candidates:
        expected = on_disk
    elif on_disk in candidates:
        expected = on_disk  # tells apart identical cells, e.g. a setting written, broken, then fixed
    else:
        expected = candidates[0]
    _last_expected[key] = expected
    text = checkpoints.apply(mode, on_disk, body)
    project.write(path, text, root)
    print("\n".join(project.change_summary(path, expected, checkpoints.apply(mode, expected, body))))
    warning = syntax_warning(path, text)
    if warning:
        print(warning)


def load_ipython_extension(shell) -> None:
    shell.register_magics(ProjectMagics)
