"""The lesson anatomy and nbval rules of COURSE.md, checked on every committed notebook."""

import re

import nbformat
import pytest

from coursekit import lessons, paths

LESSONS = lessons.available()


def code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def load(info):
    return nbformat.read(paths.NOTEBOOKS / info.notebook, as_version=4)


def ignores_output(cell):
    return "NBVAL_IGNORE_OUTPUT" in cell.source or "nbval-ignore-output" in cell.metadata.get("tags", [])


@pytest.fixture(params=LESSONS, ids=lambda info: info.notebook)
def lesson(request):
    return request.param, load(request.param)


def test_the_course_has_lessons_00_to_07():
    assert [info.number for info in LESSONS][:8] == list(range(8))


def test_title_cell_names_the_lesson_and_links_its_neighbours(lesson):
    info, notebook = lesson
    title = notebook.cells[0]
    assert title.cell_type == "markdown"
    assert title.source.startswith(f"# Lesson {info.number:02d} · {info.title}\n")
    assert "[Contents](00_welcome.ipynb#Contents)" in title.source
    if info.number > 0:
        assert f"({lessons.PLAN[info.number - 1].notebook})" in title.source
    following = lessons.PLAN[info.number + 1] if info.number + 1 < len(lessons.PLAN) else None
    if following and following.available:
        assert f"({following.notebook})" in title.source
    assert len(re.findall(r"^- ", title.source, re.M)) == 3, "three learning goals"
    assert re.search(r"About \d+ minutes", title.source)


def test_setup_first_and_teardown_last(lesson):
    info, notebook = lesson
    cells = code_cells(notebook)
    assert f"setup({info.number})" in cells[0].source
    assert "course.teardown()" in cells[-1].source


def test_every_code_cell_ran_in_order(lesson):
    _, notebook = lesson
    counts = [cell.execution_count for cell in code_cells(notebook)]
    assert None not in counts
    assert counts == sorted(counts)


def test_no_skips_no_stderr_and_errors_only_where_expected(lesson):
    _, notebook = lesson
    for cell in code_cells(notebook):
        assert "NBVAL_SKIP" not in cell.source
        assert "nbval-skip" not in cell.metadata.get("tags", [])
        for output in cell.outputs:
            assert not (output.output_type == "stream" and output.name == "stderr"), cell.source[:80]
            if output.output_type == "error":
                assert "raises-exception" in cell.metadata.get("tags", []), cell.source[:80]


def test_deliberate_errors_carry_the_tag_that_run_all_honours(lesson):
    """JupyterLab's Run All and nbclient go past a failing cell only when it is tagged raises-exception.

    nbval honours the same tag; the NBVAL_RAISES_EXCEPTION comment is nbval's alone, so it is not used.
    """
    _, notebook = lesson
    for cell in code_cells(notebook):
        tagged = "raises-exception" in cell.metadata.get("tags", [])
        raised = any(output.output_type == "error" for output in cell.outputs)
        assert "NBVAL_RAISES_EXCEPTION" not in cell.source, cell.source[:80]
        assert tagged == raised, f"tagged={tagged} but raised={raised}: {cell.source[:80]}"
        if tagged:
            assert cell.source.startswith("# This cell fails on purpose"), cell.source[:80]


def test_deliberate_errors_are_short(lesson):
    """A deliberate error shows the learner's line and the exception, not screens of library frames."""
    _, notebook = lesson
    for cell in code_cells(notebook):
        for output in cell.outputs:
            if output.output_type == "error":
                text = "\n".join(output.traceback)
                assert len(text) < 1200, f"{len(text)} characters of traceback: {cell.source[:80]}"
                assert "site-packages" not in text and str(paths.REPO) not in text
                assert "Cell In[" in text, "the learner's own line is shown"


def test_at_least_85_percent_of_outputs_are_compared(lesson):
    _, notebook = lesson
    with_output = [cell for cell in code_cells(notebook) if cell.outputs]
    compared = [cell for cell in with_output if not ignores_output(cell)]
    assert len(compared) >= 0.85 * len(with_output)


def test_ignored_outputs_assert_their_invariants(lesson):
    _, notebook = lesson
    for cell in code_cells(notebook):
        if ignores_output(cell):
            assert "assert " in cell.source, cell.source[:80]


def test_lesson_has_an_exercise_check_and_common_mistakes(lesson):
    info, notebook = lesson
    text = "\n".join(cell.source for cell in notebook.cells)
    assert "## Your turn" in text
    assert re.search(rf'check\("{info.number:02d}_\w+"\)', text)
    if info.number > 0:
        assert "## Common mistakes" in text


def test_links_to_other_notebooks_resolve(lesson):
    _, notebook = lesson
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for target in re.findall(r"\]\(([\w./-]+\.ipynb)(?:#[\w-]*)?\)", cell.source):
                assert (paths.NOTEBOOKS / target).exists(), f"dead link to {target}"


def test_navigation_footer_repeats_the_header(lesson):
    _, notebook = lesson
    footer = notebook.cells[-1]
    assert footer.cell_type == "markdown"
    assert footer.source in notebook.cells[0].source, "the footer is the title cell's navigation line"
