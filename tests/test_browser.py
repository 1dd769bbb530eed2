"""End to end, as a student meets the course: JupyterLab in a real (headless) Chromium.

The server is started exactly as the README's command starts it (the options are read from the README, and a
test checks that `make lab` passes the same), from the root of a copy of the course (JupyterLab saves what it
runs; the repository's notebooks must stay clean); only the address, port and token are the test's own.
Chromium is the system's own browser, driven by Playwright; no browser is ever downloaded. Screenshots are
saved under build/browser/ (ignored by git).

Without Chromium these tests are skipped; install it with `apt-get install chromium` (Debian/Ubuntu), or point
HEARTDATA_CHROMIUM at a Chromium or Chrome binary. In CI (CI=true) a missing browser is an error, not a skip.
"""

from __future__ import annotations

import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import REPO

sys.path.insert(0, str(REPO / "tools"))
import coursefiles  # noqa: E402
import gitfilter  # noqa: E402
import headless  # noqa: E402
from headless import CHROMIUM_ARGS, chromium_path, free_port, makefile_lab_args, wait_until_up  # noqa: E402, F401

SHOTS = REPO / "build" / "browser"
SERVER_LOG: dict[str, Path] = {}  # where the module's JupyterLab server writes what it prints
UI_TIMEOUT = 120_000  # ms for one UI condition: generous, a loaded 2-core machine is slow
RUN_TIMEOUT = 300_000  # ms for a whole notebook to run in the browser
HOW_TO_ENABLE = (
    "browser tests need Chromium: install it with `apt-get install chromium` (Debian/Ubuntu) or set "
    "HEARTDATA_CHROMIUM to a Chromium/Chrome binary (never `playwright install`)"
)


def readme_lab_args() -> list[str]:
    """The options of the README's command that starts JupyterLab (`.venv\\Scripts\\jupyter lab ...`)."""
    readme = (REPO / "README.md").read_text()
    line = next(ln for ln in readme.splitlines() if re.match(r"\s+\.venv\\Scripts\\jupyter lab\b", ln))
    return shlex.split(line.split("jupyter lab", 1)[1])


def test_make_lab_and_the_readme_start_jupyterlab_the_same_way():
    assert readme_lab_args() == makefile_lab_args()
    assert re.search(
        r"^lab:.*\n\t\$\(BIN\)/jupyter lab \$\(ROOT_FLAG\) \$\(LAB_ARGS\)$", (REPO / "Makefile").read_text(), re.M
    )
    # a notebook path as a positional argument would make its folder the server's root (an option naming one is fine)
    assert not any(a.endswith(".ipynb") and not a.startswith("--") for a in readme_lab_args())


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the browser tests, but {reason}; {HOW_TO_ENABLE}")
    pytest.skip(f"{reason}; {HOW_TO_ENABLE}")


def playwright_and_chromium():
    """Playwright's entry point and the system's Chromium; skips (fails, in CI) with how to get what is missing."""
    executable = chromium_path()
    if executable is None:
        _unavailable("no Chromium was found")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install -r requirements-test.txt)")
    return sync_playwright, executable


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1, started as the README says, in a copy of the course; yields
    (base URL, token, root)."""
    root = tmp_path_factory.mktemp("course")
    for folder in ("notebooks", "exercises", "solutions"):
        shutil.copytree(REPO / folder, root / folder)
    shutil.copy(REPO / "README.md", root / "README.md")
    (root / "data").symlink_to(REPO / "data")  # notebooks may read files next to them, as in the repository
    # a student's clone, with the notebook filter `make setup` defines (tools/gitfilter.py)
    shutil.copy(REPO / ".gitattributes", root / ".gitattributes")
    shutil.copy(REPO / ".gitignore", root / ".gitignore")  # JupyterLab's .ipynb_checkpoints/ among what it ignores
    git = ["git", "-C", str(root), "-c", "user.name=student", "-c", "user.email=student@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    assert gitfilter.install(root)[0] == 0
    subprocess.run([*git, "add", "notebooks", "exercises", "solutions", "README.md", ".gitattributes"], check=True)
    subprocess.run([*git, "commit", "-qm", "the course"], check=True)
    home = tmp_path_factory.mktemp("jupyter")
    settings = home / "settings"
    # No news pop-up: the course's own JupyterLab overrides (jupyter-config/, installed in this environment) turn
    # it off, as for a student; no user setting here hides it.
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "IPYTHONDIR": str(home / "ipython"),
    }
    env.pop("HEARTDATA_DIR", None)
    port, token = free_port(), secrets.token_hex(16)
    cmd = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        *readme_lab_args(),
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        "--LabApp.expose_app_in_browser=True",  # the tests read the notebook model (headless.JS_ALL_CELLS_RAN)
    ]
    if getattr(os, "geteuid", lambda: 1)() == 0:  # as `make lab` does on containers and CI machines
        cmd.append("--allow-root")
    log = home / "server.log"
    SERVER_LOG["path"] = log
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/api/status?token={token}", proc, log)
        yield base, token, root
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Headless Chromium (the system's), driven by Playwright, with a fresh profile."""
    sync_playwright, executable = playwright_and_chromium()
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile),
            executable_path=executable,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(UI_TIMEOUT)
        yield context
        context.close()


def open_notebook(browser, lab, relpath: str):
    base, token, _ = lab
    page = browser.new_page()
    # A workspace of its own: JupyterLab would otherwise also restore the tabs an earlier test left open.
    workspace = f"test-{secrets.token_hex(4)}"
    page.goto(f"{base}/lab/workspaces/{workspace}/tree/{relpath}?token={token}", wait_until="domcontentloaded")
    page.wait_for_function("() => document.querySelectorAll('.jp-NotebookPanel').length === 1")
    page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(state="visible")
    # JupyterLab sometimes asks which kernel to start even though the notebook names one; a student then
    # clicks "Select" with the preselected Python 3, and so does this test.
    page.wait_for_function(
        """() => document.querySelector('.jp-Dialog') ||
                 document.querySelector('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status="idle"]')"""
    )
    dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
    if dialog.count():
        dialog.locator("button", has_text=re.compile(r"^Select$")).click()
        dialog.wait_for(state="detached")
    wait_for_idle_kernel(page)
    return page


def wait_for_idle_kernel(page) -> None:
    """The kernel has started and is idle (the toolbar's kernel indicator says so)."""
    page.wait_for_function(
        """() => {
            const s = document.querySelector('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator');
            const name = document.querySelector('.jp-NotebookPanel .jp-KernelName');
            return s && s.getAttribute('data-status') === 'idle' && !document.querySelector('.jp-Dialog') &&
                   name && !/No Kernel/.test(name.textContent);
        }"""
    )


def run_all_cells(page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    # Every code cell shows an execution number ([*] while it waits or runs), and the kernel is idle again.
    try:
        page.wait_for_function(headless.JS_ALL_CELLS_RAN, timeout=RUN_TIMEOUT, polling=500)
        wait_for_idle_kernel(page)
    except Exception:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SHOTS / "failed-run-all.png")
        prompts = page.locator(".jp-NotebookPanel .jp-CodeCell .jp-InputPrompt").all_inner_texts()
        raise AssertionError(f"the notebook did not finish running; prompts: {prompts}; see {SHOTS}") from None


def code_cells(path: Path) -> int:
    return sum(c.cell_type == "code" for c in nbformat.read(path, as_version=4).cells)


def test_the_course_opens_at_the_welcome_lesson_with_the_repository_as_the_root(browser, lab):
    """What a student sees after `make lab`: the browser opens the server's address, which leads to the welcome
    lesson, with the file browser in notebooks/ (as Binder's launch links open it) and the course folder, where
    exercises/, solutions/, data/ and the README are, one click up: the server's root is the repository."""
    base, token, _ = lab
    page = browser.new_page()
    page.goto(f"{base}/?token={token}", wait_until="domcontentloaded")
    lesson = coursefiles.lessons()[0]
    page.wait_for_function("() => document.querySelectorAll('.jp-NotebookPanel').length === 1")
    page.locator(".jp-NotebookPanel h1", has_text=coursefiles.title(lesson)).first.wait_for(state="visible")
    current = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel")
    assert current.inner_text() == lesson.name
    names = page.locator(".jp-FileBrowser .jp-DirListing-item .jp-DirListing-itemName")
    page.wait_for_function(
        f"() => [...document.querySelectorAll('.jp-FileBrowser .jp-DirListing-itemName')]"
        f".some(e => e.textContent.trim() === '{lesson.name}')"
    )
    assert lesson.name in {n.strip() for n in names.all_inner_texts()}
    # no news toast over the lesson (jupyter-config/lab-overrides.json, installed in this environment)
    assert not page.locator(".Toastify__toast", has_text=re.compile("news", re.I)).count()
    page.locator(".jp-FileBrowser .jp-BreadCrumbs-home").first.click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-FileBrowser .jp-DirListing-itemName')]"
        ".some(e => e.textContent.trim() === 'exercises')"
    )
    shown = {n.strip() for n in names.all_inner_texts()}
    assert {"notebooks", "exercises", "solutions", "data", "README.md"} <= shown, shown
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "make-lab-start.png")
    page.close()


def test_the_link_the_server_prints_opens_the_course_without_a_login(lab):
    """Jupyter Server prints its start page as default_url followed by `?token=...`: a query in default_url would
    swallow the token (the link lands on a login page). Every link it printed has one `?`, and works."""
    import urllib.request

    base, token, _ = lab
    printed = re.findall(r"http://\S+", SERVER_LOG["path"].read_text())
    assert printed, "the server printed no link"
    for url in printed:
        assert url.count("?") <= 1, f"the printed link has a second '?': {url}"
        if "token=" in url:
            url = url.replace("token=...", f"token={token}")  # a token given in the configuration is printed as ...
            with urllib.request.urlopen(url, timeout=60) as response:
                assert response.status == 200 and "/login" not in response.url, response.url


def test_the_syllabus_link_scrolls_the_readme_to_the_syllabus(browser, lab):
    """The lessons' `../README.md#syllabus` opens the README in JupyterLab's Markdown viewer at the syllabus."""
    lesson = coursefiles.lessons()[1]
    page = open_notebook(browser, lab, f"notebooks/{lesson.name}")
    page.locator(".jp-NotebookPanel .jp-RenderedMarkdown a", has_text=re.compile(r"^syllabus$")).first.click()
    viewer = page.locator(".jp-MarkdownViewer")
    viewer.wait_for(state="visible")
    heading = viewer.locator("h2", has_text=re.compile(r"^Syllabus"))
    heading.wait_for(state="visible")
    page.wait_for_function(
        """() => {
            const h = [...document.querySelectorAll('.jp-MarkdownViewer h2')]
                .find(e => /^Syllabus/.test(e.textContent));
            const box = document.querySelector('.jp-MarkdownViewer').getBoundingClientRect();
            const top = h.getBoundingClientRect().top - box.top;
            return top >= -5 && top < box.height / 2;
        }"""
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "syllabus-link.png")
    page.close()


def test_welcome_lesson_runs_in_the_browser(browser, lab):
    lesson = coursefiles.lessons()[0]
    page = open_notebook(browser, lab, f"notebooks/{lesson.name}")
    title = coursefiles.title(lesson)
    page.locator(".jp-NotebookPanel h1", has_text=title).first.wait_for(state="visible")

    run_all_cells(page)

    ran = page.evaluate(
        """() => [...window.jupyterapp.shell.currentWidget.content.model.cells]
                     .filter(c => c.type === 'code' && Number.isInteger(c.executionCount)).length"""
    )
    assert ran == code_cells(lesson), f"{ran} of {code_cells(lesson)} code cells were run"
    errors = page.locator('.jp-NotebookPanel [data-mime-type="application/vnd.jupyter.error"]')
    assert errors.count() == 0, f"the lesson shows an error:\n{errors.first.inner_text()[:2000]}"
    images = page.locator(".jp-NotebookPanel .jp-RenderedImage img")
    assert images.count() >= 1, "the lesson shows no plot"
    first = images.first.element_handle()
    page.wait_for_function("img => img.complete && img.naturalWidth > 100", arg=first)
    # Make the plot's cell the active one (JupyterLab keeps the active cell in view), then make sure it is shown.
    images.first.click()
    page.wait_for_function(
        """img => {
            img.scrollIntoView({block: 'start'});
            const r = img.getBoundingClientRect(), m = innerHeight / 2;
            return r.top < m && r.bottom > m;
        }""",
        arg=first,
        polling=500,
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{lesson.stem}-plot.png")
    page.locator(".jp-NotebookPanel h1").first.evaluate("h => h.scrollIntoView({block: 'start'})")
    page.screenshot(path=SHOTS / f"{lesson.stem}-top.png")
    page.close()


def _exercise_cell(page, marker: str):
    cell = page.locator(".jp-NotebookPanel .jp-CodeCell", has_text=marker).first
    cell.scroll_into_view_if_needed()
    return cell


def _type_into(page, cell, text: str) -> None:
    cell.query_selector(".cm-content").click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


def test_exercise_feedback_changes_in_the_browser(browser, lab):
    """Wrong answer, then right answer, in the first exercise of lesson 00: the check's words follow."""
    from heartdata import ptbxl
    from heartdata.checks import lesson00 as check

    meta = ptbxl.load_metadata()
    # the mistake the exercise warns about (every patient of the slice, not site 1's), then a right answer
    wrong, right = 'meta["patient_id"].nunique()', 'meta.loc[meta["site"].eq(1), "patient_id"].nunique()'
    said = {answer: check.n_patients(eval(answer, {"meta": meta})) for answer in (wrong, right)}
    assert said[wrong].status != "correct" and said[right].status == "correct"
    assert said[wrong].label.startswith("✗ Not yet")

    page = open_notebook(browser, lab, "exercises/00-welcome-practice.ipynb")
    run_all_cells(page)
    cell = _exercise_cell(page, "n_patients = None").element_handle()  # a handle: its text is about to change
    # run all may return before this cell's output is drawn (seen on a loaded machine): wait for it, not a race
    page.wait_for_function(
        "cell => cell.querySelector('.jp-OutputArea').innerText.includes('Not attempted yet')", arg=cell
    )

    for answer in (wrong, right):
        _type_into(page, cell, f"n_patients = {answer}\ncheck.n_patients(n_patients)")
        # what was typed is what the cell holds (no doubled brackets from the editor's auto-closing)
        assert cell.query_selector(".cm-content").inner_text().splitlines()[0] == f"n_patients = {answer}"
        page.keyboard.press("Shift+Enter")
        feedback = said[answer]
        words = re.sub(r"\s+", " ", feedback.message.replace("`", ""))[:50]
        page.wait_for_function(
            """([cell, label, words]) => {
                const text = cell.querySelector('.jp-OutputArea').innerText.replace(/\\s+/g, ' ');
                return text.includes(label) && text.includes(words);
            }""",
            arg=[cell, feedback.label, words],
        )
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SHOTS / f"exercise-00-{feedback.status}.png")
    page.close()


def test_a_lesson_run_saved_and_closed_leaves_the_clone_clean_and_keeps_its_outputs(browser, lab):
    """A student opens a lesson, runs it, saves and closes it: the file keeps what ran (nothing is lost), and git
    sees the lesson as the course ships it, so it never blocks an update."""
    _, _, root = lab
    lesson = coursefiles.lessons()[0]
    page = open_notebook(browser, lab, f"notebooks/{lesson.name}")
    run_all_cells(page)
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^File$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Save Notebook$")).click()
    page.wait_for_function("() => !document.querySelector('.lm-TabBar-tab.lm-mod-current.jp-mod-dirty')")
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabCloseIcon").click()
    page.wait_for_function("() => document.querySelectorAll('.jp-NotebookPanel').length === 0")
    page.close()
    saved = nbformat.read(root / "notebooks" / lesson.name, as_version=4)
    assert any(c.get("outputs") for c in saved.cells if c.cell_type == "code"), "the run was not saved"
    git = ["git", "-C", str(root)]
    assert subprocess.run([*git, "diff", "--quiet", "--", "notebooks"]).returncode == 0, "git sees outputs"
    subprocess.run([*git, "add", "--renormalize", "--", "*.ipynb"], check=True)  # what `make update` does first
    status = subprocess.run([*git, "status", "--porcelain", "--", "notebooks"], capture_output=True, text=True)
    assert status.stdout == "", status.stdout
