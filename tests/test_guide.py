"""The instructor guide (docs/instructor-guide.md): its generated parts are what tools/guide.py writes now, the
mistakes it lists are the ones the checks name, and every exercise of every checks module is in it."""

from __future__ import annotations

import re
import sys
import textwrap

import nbformat
from conftest import REPO

sys.path.insert(0, str(REPO / "tools"))
import guide  # noqa: E402

GUIDE = (REPO / guide.GUIDE).read_text()

CHECKS = textwrap.dedent(
    """
    from ..feedback import check_number, close, correct, exercise, incorrect

    def helper(answer):
        return close("a helper's message is not an exercise's")

    @exercise
    def n_things(answer):
        rows = 10
        return check_number(
            answer,
            4,
            mistakes=[
                (rows, "that is the number of rows; count the things."),
                (rows * 100, f"that is a percentage of {rows} rows; " "give a fraction."),
            ],
        )

    @exercise
    def a_table(answer):
        mistakes = [(1, "close: you kept the sentinels " + "(-1).")]
        for wrong, message in mistakes:
            if answer == wrong:
                return close(message)
        if answer == 2:
            return close(f"the columns are swapped: {answer!r:.20} comes first.")
        if answer == 3:
            return incorrect("an incorrect answer is not a named mistake.")
        return correct()

    @exercise
    def nothing_named(answer):
        return correct() if answer else incorrect("no.")
    """
)


def test_the_extractor_reads_close_and_mistakes_of_each_exercise(tmp_path):
    path = tmp_path / "lesson42.py"
    path.write_text(CHECKS)
    assert guide.mistakes_of(path.read_text()) == {
        "n_things": [
            "that is the number of rows; count the things.",
            "that is a percentage of … rows; give a fraction.",
        ],
        "a_table": ["you kept the sentinels (-1).", "the columns are swapped: … comes first."],
        "nothing_named": [],
    }


def _course(root):
    (root / "docs").mkdir(parents=True)
    (root / "heartdata" / "checks").mkdir(parents=True)
    (root / "heartdata" / "checks" / "lesson42.py").write_text(CHECKS)
    for folder, name, cells in [
        ("notebooks", "42-things.ipynb", ["# 42 · Things\n\n| | |\n|---|---|\n| **Prerequisites** | lesson 41 |"]),
        ("solutions", "42-things-solutions.ipynb", ["## Exercise 1 · Count the things", "check.n_things(1)"]),
    ]:
        nb = nbformat.v4.new_notebook()
        nb.cells = [
            nbformat.v4.new_code_cell(c) if c.startswith("check") else nbformat.v4.new_markdown_cell(c) for c in cells
        ]
        (root / folder).mkdir()
        nbformat.write(nb, root / folder / name)
    (root / "README.md").write_text(
        "# Course\n\n## Syllabus\n\n| Lesson | Time | Binder | Run time · peak memory |\n|---|---|---|---|\n"
        "| [42 · Things](notebooks/42-things.ipynb) | 50 + 45 min | [launch](https://example.org/42) "
        "| lesson 5 s · 400 MiB; practice 3 s · 420 MiB |\n"
        "| [43 · More](notebooks/43-more.ipynb) | 30 + 50 min | — | — |\n\nAfter the table.\n"
    )
    parts = "\n\n".join(f"<!-- BEGIN GENERATED: {p} -->\nold\n<!-- END GENERATED -->" for p in guide.parts(root))
    (root / guide.GUIDE).write_text(f"# Guide\n\nBy hand.\n\n{parts}\n\nThe end.\n")
    return root / guide.GUIDE


def test_the_tool_writes_timings_labs_and_mistakes_between_the_markers(tmp_path, capsys):
    path = _course(tmp_path)
    assert guide.main(["--root", str(tmp_path), "--check"]) == 1
    assert guide.main(["--root", str(tmp_path)]) == 0
    assert "4 named mistakes for 3 exercises" in capsys.readouterr().out
    text = path.read_text()
    assert text.startswith("# Guide\n\nBy hand.\n\n") and text.endswith("\n\nThe end.\n")
    assert "old" not in text
    assert "| [42 · Things](../notebooks/42-things.ipynb) | 50 + 45 min | lesson 41 |" in text
    assert "largest kernel measured is 420 MiB (lesson 42 practice)" in text
    assert "2 h 55 min" in text, "teaching 80 min and exercises 95 min: 175 min in all"
    assert "no (95 min)" in text and "yes (80 min)" in text
    assert "1. lessons 42 (45 min) = 45 min\n2. lessons 43 (50 min) = 50 min" in text
    assert "**Exercise 1 · Count the things** (`n_things`)" in text
    assert "- you kept the sentinels (-1)." in text
    assert "**`nothing_named`**\n\n- *(no named mistake" in text
    assert "helper" not in text
    assert guide.main(["--root", str(tmp_path), "--check"]) == 0
    assert guide.main(["--root", str(tmp_path)]) == 0 and path.read_text() == text


def test_the_generated_parts_are_what_the_tool_writes_now():
    assert guide.fill(GUIDE, guide.parts(REPO)) == GUIDE, "the guide is out of date: run `python tools/guide.py`"


def test_every_exercise_of_every_checks_module_is_in_the_guide():
    modules = sorted((REPO / "heartdata" / "checks").glob("lesson[0-9][0-9].py"))
    assert modules
    for path in modules:
        names = re.findall(r"^@exercise\s*\ndef (\w+)", path.read_text(), re.M)
        assert names, f"{path.name} has no exercise"
        missing = [n for n in names if f"`{n}`" not in GUIDE]
        assert not missing, f"{path.name}: {missing} are not in docs/instructor-guide.md"


def test_the_guide_says_what_the_feedback_says():
    from heartdata import ptbxl
    from heartdata.checks import lesson00

    feedback = lesson00.n_patients(len(ptbxl.load_metadata()))
    assert feedback.status == "close"
    assert f"- {feedback.message}" in GUIDE


def test_the_guide_has_its_sections_and_links_both_ways():
    for needed in ["make lab", "make test", "make exercises", "python -m heartdata download", "HEARTDATA_DIR"]:
        assert needed in GUIDE
    assert "heartdata.scale slurm-script" in GUIDE and "jupyter-config/README.md" in GUIDE
    assert re.search(r"\]\(glossary\.md\)", GUIDE)
    readme = (REPO / "README.md").read_text()
    assert "(docs/instructor-guide.md)" in readme and "(docs/glossary.md)" in readme
