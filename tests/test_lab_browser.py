"""JupyterLab in a real browser, as a learner uses it (Chromium driven by Playwright).

One `coursekit lab` runs in a temporary git checkout of the course (see
test_workspace.course_clone). The learner opens the printed URL, follows lesson
00's link to their copy of lesson 04, and runs Kernel → Restart Kernel and Run
All Cells…; the lesson must reach its last cell with errors only where a cell is
tagged ``raises-exception``, be saved into ``workspace/``, and leave the
checkout's tracked files as they were. Then lesson 07's live chat, shown in the
notebook in a frame, gets a message typed in the frame, and the notebook's own
client hears it.

Screenshots go to ``.course/screenshots/``; with ``COURSE_UPDATE_SCREENSHOTS=1``
they are also copied into ``docs/`` (the README's pictures). Chromium is Debian's
(/usr/bin/chromium, or ``COURSE_CHROMIUM``): outside CI a machine without it skips
these tests; with CI=true they fail instead.
"""

import json
import os
import shutil
import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from test_lab import Lab
from test_workspace import course_clone, git_status

from coursekit import paths

import support

SCREENSHOTS = paths.REPO / ".course" / "screenshots"
NEWS_QUESTION = "official Jupyter news"


@pytest.fixture(scope="module")
def browser():
    with support.chromium() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lab")
    running = Lab(course_clone(tmp / "course"), tmp)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def page(browser, lab):
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(lab.url)  # the address `make course` printed last
    page.locator(".jp-Notebook").first.wait_for()
    yield page
    context.close()


def screenshot(page, name: str, locator=None) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (locator or page).screenshot(path=str(SCREENSHOTS / name))
    if os.environ.get("COURSE_UPDATE_SCREENSHOTS") == "1":
        (paths.REPO / "docs").mkdir(exist_ok=True)
        shutil.copy(SCREENSHOTS / name, paths.REPO / "docs" / name)


def clear_outputs(page, notebook) -> None:
    """Edit → Clear Outputs of All Cells in ``notebook`` (the copy shows the course's outputs until then)."""
    notebook.locator(".jp-CodeCell .jp-InputPrompt").first.click()  # the notebook is the current tab, for the menu
    menu(page, "Edit", "Clear Outputs of All Cells")
    notebook.locator(".jp-OutputArea-output").first.wait_for(state="detached", timeout=10_000)


def menu(page, top: str, item: str) -> None:
    """Click ``top`` in JupyterLab's menu bar, then ``item`` in the menu it opens."""
    page.locator(".lm-MenuBar-itemLabel", has_text=top).click()
    page.locator(".lm-Menu-itemLabel", has_text=item).first.click()


def code_cell(page, source_text: str):
    """The first code cell of the open notebook whose source contains ``source_text``."""
    cells = page.locator(".jp-NotebookPanel:visible .jp-CodeCell")
    return cells.filter(has=page.locator(".jp-InputArea", has_text=source_text)).first


def wait_saved(path, after: int, timeout: float = 20) -> dict:
    """The notebook at ``path`` once JupyterLab has saved it again (its time stamp is past ``after``)."""
    deadline = time.monotonic() + timeout
    while path.stat().st_mtime_ns == after:
        assert time.monotonic() < deadline, f"{path.name} was not saved"
        time.sleep(0.2)
    time.sleep(0.3)  # the contents manager writes the file in one go, but give it a moment
    return json.loads(path.read_text())


def wait_until(condition, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def wait_for_output(page, lab, notebook_name: str, cell, text: str, timeout: float) -> None:
    """Wait until ``cell`` shows an output with ``text``; if it never does, fail with what the notebook holds.

    JupyterLab renders only the cells near the view, so the notebook is saved and read from disk: every
    cell's execution count and outputs, and the end of each server log of the learner's project.
    """
    try:
        cell.locator(".jp-OutputArea-output", has_text=text).wait_for(timeout=timeout * 1000)
        return
    except PlaywrightTimeoutError:
        pass
    file = lab.clone / "workspace" / "notebooks" / notebook_name
    before = file.stat().st_mtime_ns
    menu(page, "File", "Save Notebook")  # the menu: the keyboard's focus may be anywhere by now
    shown = [f"no output with {text!r} within {timeout:.0f} s. The notebook, saved then:"]
    try:
        saved = wait_saved(file, after=before, timeout=10)
    except AssertionError:
        saved = {"cells": []}
        shown.append("(JupyterLab did not save it)")
    for number, each in enumerate(cell for cell in saved["cells"] if cell["cell_type"] == "code"):
        outputs = " | ".join(
            ("".join(output.get("text", "")) or output.get("evalue", "") or str(output.get("data", "")))[-400:]
            for output in each["outputs"]
        )
        shown.append(f"[{each['execution_count'] or ' '}] code cell {number}: {''.join(each['source'])[:60]!r} "
                     f"-> {outputs}")
    for log in sorted((lab.clone / ".course" / "logs").glob("*.log")):
        shown.append(f"--- {log.name}, last lines:\n" + "\n".join(log.read_text(errors="replace").splitlines()[-15:]))
    pytest.fail("\n".join(shown), pytrace=False)


def run_cell(page, cell) -> None:
    """Select ``cell`` and run it with Shift+Enter, as a learner does."""
    cell.locator(".jp-InputPrompt").click()
    page.keyboard.press("Shift+Enter")


def last_code_cell(notebook: dict) -> dict:
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"][-1]


def test_lesson_04_runs_to_its_end_with_restart_and_run_all(page, lab):
    committed = json.loads((lab.clone / "notebooks" / "04_first_consumer.ipynb").read_text())
    ending = "".join(last_code_cell(committed)["outputs"][0]["text"])  # the teardown's one sentence
    assert ending.startswith("Lesson 04 is done")

    # Lesson 00's contents link to lesson 04: in the learner's folder, so it opens their copy.
    page.locator(".jp-RenderedMarkdown a", has_text="Your first consumer").first.click()
    page.locator(".lm-TabBar-tab.lm-mod-current", has_text="04_first_consumer.ipynb").wait_for()
    notebook = page.locator(".jp-NotebookPanel:visible")
    notebook.locator(".jp-Notebook").wait_for()
    notebook.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for()
    clear_outputs(page, notebook)  # so whatever shows up next is this run's
    menu(page, "Kernel", "Restart Kernel and Run All Cells…")
    page.locator(".jp-Dialog .jp-mod-accept").click()
    last = notebook.locator(".jp-CodeCell").last
    wait_for_output(page, lab, "04_first_consumer.ipynb", last, ending.strip(), timeout=90)
    file = lab.clone / "workspace" / "notebooks" / "04_first_consumer.ipynb"
    before = file.stat().st_mtime_ns
    page.keyboard.press("Control+s")

    saved = wait_saved(file, after=before)
    code = [cell for cell in saved["cells"] if cell["cell_type"] == "code"]
    assert all(cell["execution_count"] for cell in code), "Run All did not run every cell"
    assert last_code_cell(saved)["outputs"] == last_code_cell(committed)["outputs"]
    for cell in code:
        errors = [output for output in cell["outputs"] if output["output_type"] == "error"]
        if "raises-exception" in cell["metadata"].get("tags", []):
            assert errors, "a cell that fails on purpose did not fail:\n" + "".join(cell["source"])
        else:
            assert not errors, f"{errors[0]['ename']}: {errors[0]['evalue']} in\n" + "".join(cell["source"])

    assert page.get_by_text(NEWS_QUESTION).count() == 0  # the course turned the question off
    code_cell(page, "async with websockets.connect(url) as alice").scroll_into_view_if_needed()
    screenshot(page, "lesson-04-run-all.png")
    # The learner's run saved into workspace/: the course's tracked files are as they were.
    assert git_status(lab.clone) == ""


def test_lesson_07_live_chat_in_the_notebook(page, lab):
    # Opened from the file browser, which shows the learner's folder, workspace/notebooks/.
    page.locator(".jp-DirListing-item", has_text="07_frontend_client.ipynb").dblclick()
    page.locator(".lm-TabBar-tab.lm-mod-current", has_text="07_frontend_client.ipynb").wait_for()
    notebook = page.locator(".jp-NotebookPanel:visible")
    notebook.locator(".jp-Notebook").wait_for()
    notebook.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for()
    clear_outputs(page, notebook)
    # Run the lesson up to the cell that reads what the room said: the page is in a frame by then.
    listen = code_cell(page, "received = []")
    listen.locator(".jp-InputPrompt").click()
    page.locator(".jp-NotebookPanel:visible .jp-CodeCell.jp-mod-active",
                 has=page.locator(".jp-InputArea", has_text="received = []")).wait_for()  # selected: "above" it
    menu(page, "Run", "Run All Above Selected Cell")
    send = code_cell(page, 'await lobby.send(json.dumps({"message": "Hello from the notebook!"}))')
    wait_for_output(page, lab, "07_frontend_client.ipynb", send, "Hello from the notebook!", timeout=60)
    frame_element = code_cell(page, "room_page = IFrame").locator("iframe")
    frame = frame_element.content_frame
    frame.locator("#chat-status", has_text="Connected").wait_for()
    frame.locator("#chat-message-input").fill("Hello from Chromium, in the frame!")
    frame.locator("#chat-message-input").press("Enter")
    frame.locator("#chat-log").wait_for()
    wait_until(lambda: "Hello from Chromium" in frame.locator("#chat-log").input_value())
    # The notebook's own client is in the same room: it hears what was typed in the frame.
    run_cell(page, listen)
    listen.locator(".jp-OutputArea-output", has_text="Hello from Chromium, in the frame!").wait_for()
    # And what the notebook sends shows up in the frame (markup as text, never run).
    run_cell(page, send)
    wait_until(lambda: "is only text here" in frame.locator("#chat-log").input_value())
    # (The frame may have connected in time for the notebook's first two messages too.)
    assert frame.locator("#chat-log").input_value().endswith(
        "Hello from Chromium, in the frame!\nHello from the notebook!\n"
        "<img src=x onerror=\"alert('XSS')\"> is only text here\n")
    frame_element.scroll_into_view_if_needed()
    screenshot(page, "lesson-07-live-chat.png")
    assert page.get_by_text(NEWS_QUESTION).count() == 0
    assert git_status(lab.clone) == ""
