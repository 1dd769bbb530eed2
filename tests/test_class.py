"""Running the course for a class (issue 28): what the docs tell students and instructors to type exists."""

from __future__ import annotations

import re

import pytest
from conftest import REPO

TARGETS = set(re.findall(r"^([a-z][\w-]*):", (REPO / "Makefile").read_text(), re.M))
DOCS = ["README.md", "requirements.txt", "requirements-test.txt", "requirements-site.txt", "environment.yml",
        *(p.relative_to(REPO).as_posix() for p in sorted((REPO / "docs").glob("*.md"))),
        "jupyter-config/README.md", "CHANGELOG.md"]  # fmt: skip


@pytest.mark.parametrize("doc", DOCS)
def test_every_make_target_the_docs_name_exists(doc):
    text = (REPO / doc).read_text(encoding="utf-8")
    if doc == "CHANGELOG.md":  # what a past release did may name a target since retired
        text = text.split("\n## ", 2)[1] if "\n## " in text else ""
    named = set(re.findall(r"`make ([a-z][\w-]*)", text)) | set(re.findall(r"\bmake ([a-z][\w-]*)[,)]", text))
    missing = sorted(named - TARGETS)
    assert not missing, f"{doc} names make targets that do not exist: {missing}"


# --- students' work: a clean filter keeps outputs out of git (tools/gitfilter.py) ------------------------------

import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

import nbformat  # noqa: E402

sys.path.insert(0, str(REPO / "tools"))
import coursefiles  # noqa: E402
import gitfilter  # noqa: E402


def _git(root, *args):
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True).stdout


def test_every_notebook_the_course_ships_is_a_fixed_point_of_the_filter():
    """A clone with the filter and one without see the same notebooks: what is committed is what the filter keeps."""
    changed = []
    for path in coursefiles.all_notebooks():
        data = path.read_bytes()
        out = subprocess.run(gitfilter.command() + ["-t"], input=data, capture_output=True, check=True).stdout
        if out != data:
            changed.append(path.relative_to(REPO).as_posix())
    assert not changed, f"the clean filter would change these committed notebooks: {changed}"
    assert "*.ipynb filter=nbstripout" in (REPO / ".gitattributes").read_text()


def _clone_with_a_lesson(tmp_path):
    root = tmp_path / "clone"
    (root / "notebooks").mkdir(parents=True)
    lesson = coursefiles.lessons()[0]
    shutil.copy(lesson, root / "notebooks" / lesson.name)
    shutil.copy(REPO / ".gitattributes", root / ".gitattributes")
    _git(root, "init", "-q")
    code, message = gitfilter.install(root)
    assert code == 0 and "nbstripout" in message, message
    assert gitfilter.install(root, check=True)[0] == 0
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "course")
    return root, root / "notebooks" / lesson.name


def test_a_lesson_run_and_saved_leaves_git_clean_and_keeps_its_outputs_on_disk(tmp_path):
    root, path = _clone_with_a_lesson(tmp_path)
    nb = nbformat.read(path, as_version=4)
    # what JupyterLab writes after Run All and a save: the kernel's language_info, counts and outputs
    nb.metadata.language_info.update({"version": "3.11.9", "mimetype": "text/x-python", "file_extension": ".py",
                                      "pygments_lexer": "ipython3", "nbconvert_exporter": "python",
                                      "codemirror_mode": {"name": "ipython", "version": 3}})  # fmt: skip
    for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        cell.execution_count = i + 1
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"ran {i}\n")]
        cell.metadata["execution"] = {"iopub.status.idle": "2026-01-01T00:00:00Z"}
    nbformat.write(nb, path)
    # git sees the lesson as committed (git's size shortcut flags the file until the filter runs again, as
    # `make update` does first)
    assert subprocess.run(["git", "-C", str(root), "diff", "--exit-code", "--quiet"]).returncode == 0
    _git(root, "add", "--renormalize", "--", "*.ipynb")
    assert _git(root, "status", "--porcelain") == ""
    assert "ran 0" in path.read_text(), "the outputs stay in the student's file"
    # a student's own change to the code is their work: git shows it
    nb.cells[-1].source += "\n# my note"
    nbformat.write(nb, path)
    assert _git(root, "status", "--porcelain").strip() == f"M notebooks/{path.name}"


def test_without_the_filter_the_same_save_dirties_the_clone(tmp_path):
    """The test above can fail: the same save, in a clone with no filter defined, shows the lesson modified."""
    root, path = _clone_with_a_lesson(tmp_path)
    _git(root, "config", "--unset", "filter.nbstripout.clean")
    nb = nbformat.read(path, as_version=4)
    nb.metadata.language_info["version"] = "3.11.9"
    nbformat.write(nb, path)
    _git(root, "add", "--renormalize", "--", "*.ipynb")
    assert _git(root, "status", "--porcelain").strip() == f"M  notebooks/{path.name}"


def test_the_filter_setup_refuses_nothing_and_says_what_it_did(tmp_path):
    code, message = gitfilter.install(tmp_path)
    assert code == 0 and "not a git clone" in message
    assert json.loads(json.dumps(gitfilter.settings("/x y/python")))["filter.nbstripout.clean"].startswith('"/x y/')


def test_make_update_takes_the_new_course_and_keeps_the_students_answers(tmp_path):
    import update

    upstream, _ = _clone_with_a_lesson(tmp_path)
    clone = tmp_path / "student"
    subprocess.run(["git", "clone", "-q", str(upstream), str(clone)], check=True)
    assert gitfilter.install(clone)[0] == 0
    lesson = clone / "notebooks" / coursefiles.lessons()[0].name
    nb = nbformat.read(lesson, as_version=4)  # the student ran the lesson and wrote an answer in its last cell
    for cell in (c for c in nb.cells if c.cell_type == "code"):
        cell.outputs, cell.execution_count = [nbformat.v4.new_output("stream", name="stdout", text="out\n")], 1
    nb.cells[-1].source += "\n\nMy answer: 42"
    nbformat.write(nb, lesson)
    fixed = nbformat.read(upstream / "notebooks" / lesson.name, as_version=4)  # the course fixes its first cell
    fixed.cells[0].source += " (corrected)"
    nbformat.write(fixed, upstream / "notebooks" / lesson.name)
    _git(upstream, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qam", "fix")
    assert subprocess.run(["git", "-C", str(clone), "pull", "-q", "--ff-only"], capture_output=True).returncode != 0
    code, message = update.update(clone)
    assert code == 0 and "your changes are back" in message, message
    text = lesson.read_text()
    assert "(corrected)" in text and "My answer: 42" in text
    assert _git(clone, "stash", "list") == ""


# --- the instructor's plan (docs/instructor-plan.md) fits, with the README's syllabus times ----------------------

import guide  # noqa: E402

PLAN = (REPO / "docs" / "instructor-plan.md").read_text(encoding="utf-8")


def _syllabus_minutes() -> dict[str, tuple[int, int]]:
    out = {}
    for lesson in guide.syllabus(REPO):
        m = re.search(r"(\d+)\s*\+\s*(\d+)\s*min", lesson.time)
        out[lesson.number] = (int(m[1]), int(m[2]))
    return out


def _tables(section: str) -> list[list[tuple[str, str, int]]]:
    """Each table of ``section`` (Day/After day | Block | Minutes) as rows."""
    text = PLAN.split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    tables, current = [], []
    for line in text.splitlines() + [""]:
        m = re.match(r"^\| (\d+) \| ([^|]+?) \| (\d+) \|$", line)
        if m:
            current.append((m[1], m[2], int(m[3])))
        elif current:
            tables.append(current)
            current = []
    return tables


def _check_day_plan(rows, days: int) -> set[str]:
    minutes = _syllabus_minutes()
    blocks = set()
    for day in map(str, range(1, days + 1)):
        today = [(b, m) for d, b, m in rows if d == day]
        assert today, f"day {day} has no blocks"
        assert sum(m for _, m in today) <= 180, f"day {day}: {sum(m for _, m in today)} minutes, over 3 hours"
        assert today[0][0] == "launch" and sum(b == "break" and m >= 10 for b, m in today) >= 2, f"day {day}"
        for block, mins in today:
            blocks.add(block)
            m = re.fullmatch(r"(\d\d) (teaching|exercises)", block)
            if m:
                assert mins == minutes[m[1]][m[2] == "exercises"], f"day {day}: {block} is not the syllabus time"
            else:
                assert block in ("launch", "break"), block
    assert {d for d, _, _ in rows} == set(map(str, range(1, days + 1)))
    return blocks


def test_the_five_day_plan_fits_three_hours_a_day_and_covers_the_course():
    plan, homework = _tables("Five days, three hours a day")
    in_class = _check_day_plan(plan, 5)
    minutes = _syllabus_minutes()
    for block, mins in ((b, m) for _, b, m in homework):
        m = re.fullmatch(r"(\d\d) (teaching|exercises)", block)
        assert (m and mins == minutes[m[1]][m[2] == "exercises"]) or (block, mins) == ("capstone", 60), block
    everything = in_class | {b for _, b, _ in homework}
    for number in minutes:
        assert {f"{number} teaching", f"{number} exercises"} <= everything, f"lesson {number} is neither taught nor set"
    assert "capstone" in everything


def test_the_three_day_variant_fits_and_names_what_is_self_study():
    (plan,) = _tables("Three days")
    taught = {b[:2] for b in _check_day_plan(plan, 3) if b[:2].isdigit()}
    text = PLAN.split("## Three days", 1)[1].split("\n## ", 1)[0]
    self_study = set(re.findall(r"\b(\d\d)\b", text.split("|", 1)[0]))
    assert taught | self_study == set(_syllabus_minutes()), "every lesson is taught or named as self-study"


def test_the_plan_explains_its_numbers_from_the_syllabus():
    minutes = _syllabus_minutes()
    teaching, exercises = sum(t for t, _ in minutes.values()), sum(e for _, e in minutes.values())
    assert f"{teaching} minutes of teaching and {exercises} of exercises ({teaching + exercises})" in PLAN


# --- slides per lesson (make slides) ---------------------------------------------------------------------------

import html  # noqa: E402

import slides  # noqa: E402


def test_slides_come_from_each_lesson_and_are_offline(tmp_path):
    assert subprocess.run([sys.executable, str(REPO / "tools" / "slides.py"), "--out", str(tmp_path)]).returncode == 0
    for lesson in coursefiles.lessons():
        deck = (tmp_path / f"{lesson.stem}.html").read_text()
        headings = [h for h, _ in slides.slides(lesson)]
        assert headings[0] == coursefiles.title(lesson)
        assert {"By the end of this lesson you can", "Key points", "Questions to ask your clinician"} <= set(headings)
        first = nbformat.read(lesson, as_version=4).cells[0].source
        objective = _first_item(first.split("**Learning objectives.**", 1)[1])
        shown = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", deck)))
        assert objective in shown, f"{lesson.name}: the first objective is not on the slides"
        assert not re.search(r"<script|src=\"http|href=\"http|@import|url\(", deck), "a deck must work offline"
    assert "index.html" in {p.name for p in tmp_path.iterdir()}


def _first_item(text: str) -> str:
    item = re.search(r"^(?:[-*]|\d+\.) (.+)$", text, re.M)[1]
    return re.sub(r"[*`_]", "", re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", item))[:40]


def test_slides_refuse_a_missing_lesson_in_one_line(tmp_path):
    r = subprocess.run([sys.executable, str(REPO / "tools" / "slides.py"), str(tmp_path / "nope.ipynb"),
                        "--out", str(tmp_path)], capture_output=True, text=True)  # fmt: skip
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


# --- the second route: a lesson on Google Colab, or any machine without the course (tools/colab_setup.py) ---------

SETUP = (REPO / "tools" / "colab_setup.py").read_text()


def test_the_setup_cell_fetches_the_course_and_its_data_on_a_fresh_machine(tmp_path):
    """A fresh machine: an empty folder, no clone; the "fetch" points at a local clone of this branch (no network
    here). The cell clones the course, and the lesson's own imports then read the shipped data from the clone."""
    origin = tmp_path / "origin"
    subprocess.run(["git", "clone", "--quiet", "--no-local", str(REPO), str(origin)], check=True)
    machine = tmp_path / "colab"
    machine.mkdir()
    lesson_cell = (
        "import heartdata, os\n"
        "from heartdata import ptbxl\n"
        "print('PACKAGE', heartdata.__file__)\n"
        "print('ROWS', len(ptbxl.load_metadata()))\n"
        "print('CWD', os.getcwd())\n"
    )
    env = {**os.environ, "HEARTDATA_COURSE_URL": origin.as_uri()}
    env.pop("HEARTDATA_DIR", None)
    run = subprocess.run([sys.executable, "-c", SETUP + "\n" + lesson_cell], cwd=machine, env=env,
                         capture_output=True, text=True, timeout=600)  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    clone = machine / "heart-data-course"
    out = dict(line.split(" ", 1) for line in run.stdout.splitlines() if line.split(" ", 1)[0].isupper())
    assert out["PACKAGE"].startswith(str(clone)), "the lesson must use the fetched course, not another copy"
    assert int(out["ROWS"]) > 0 and out["CWD"] == str(clone / "notebooks")
    assert (clone / "data" / "SHA256SUMS").is_file()
    # run again (a second lesson the same day): nothing is fetched twice
    again = subprocess.run([sys.executable, "-c", SETUP], cwd=clone / "notebooks", env=env, capture_output=True,
                           text=True, timeout=120)  # fmt: skip
    assert again.returncode == 0 and "fetching" not in again.stdout


def test_the_guide_shows_the_setup_cell_and_colab_links():
    text = (REPO / "docs" / "instructor-guide.md").read_text()
    assert "https://colab.research.google.com/github/" in text
    assert "tools/colab_setup.py" in text
    assert coursefiles.BINDER_SLUG in SETUP, "the setup cell fetches the course's own repository"
