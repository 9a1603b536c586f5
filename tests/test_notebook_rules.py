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


OFFICIAL_DOCS = ("channels.readthedocs.io", "docs.djangoproject.com", "github.com/django/daphne",
                 "github.com/django/channels_redis", "asgi.readthedocs.io")


def section(notebook, heading: str) -> str:
    """The markdown under ``heading`` (a ``## `` line) up to the next ``## `` heading or code cell."""
    text, inside = [], False
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            if inside:
                break
            continue
        for line in cell.source.splitlines():
            if line.startswith("## "):
                if inside:
                    return "\n".join(text)
                inside = line.strip() == heading
            elif inside:
                text.append(line)
    return "\n".join(text)


def test_lesson_ends_with_a_recap_and_further_reading(lesson):
    _, notebook = lesson
    recap = section(notebook, "## Recap")
    points = re.findall(r"^- ", recap, re.M)
    assert 3 <= len(points) <= 5, f"a Recap of three to five points, not {len(points)}"
    reading = section(notebook, "## Further reading")
    links = re.findall(r"\]\((https://[^)\s]+)\)", reading)
    assert sum(any(host in link for host in OFFICIAL_DOCS) for link in links) >= 2, "links into the official docs"


def estimated_minutes(notebook) -> float:
    """The course's reading-time budget: prose at 180 words a minute, half a minute per code cell
    plus a minute per 30 lines of code to read, and 10 minutes for the exercise."""
    prose = " ".join(re.sub(r"```.*?```", "", cell.source, flags=re.S)
                     for cell in notebook.cells if cell.cell_type == "markdown")
    cells = code_cells(notebook)
    lines = sum(len(cell.source.splitlines()) for cell in cells)
    return len(prose.split()) / 180 + len(cells) * 0.5 + lines / 30 + 10


def test_the_time_estimate_matches_the_work(lesson):
    _, notebook = lesson
    stated = int(re.search(r"About (\d+) minutes", notebook.cells[0].source).group(1))
    expected = estimated_minutes(notebook)
    assert 0.8 * expected <= stated <= 1.4 * expected, f"About {stated} minutes, but the work measures {expected:.0f}"


GLOSSARY = ["Scope", "Channel name", "Group", "Event type", "Channel layer", "Consumer", "ASGI application"]


def test_the_glossary_defines_each_term_and_lessons_link_to_it():
    welcome = load(LESSONS[0])
    headings = re.findall(r"^### (.+)$", section(welcome, "## Glossary"), re.M)
    assert headings == GLOSSARY
    linked = set()
    for info in LESSONS[1:]:
        for cell in load(info).cells:
            if cell.cell_type == "markdown":
                linked |= set(re.findall(r"\]\(00_welcome\.ipynb#([\w-]+)\)", cell.source))
    anchors = {term.replace(" ", "-") for term in GLOSSARY} | {"Contents", "Glossary"}
    assert linked <= anchors, f"links to no glossary entry: {linked - anchors}"
    assert {term.replace(" ", "-") for term in GLOSSARY} <= linked, "every term is linked from a lesson"
