"""The instructor guide (docs/instructor-guide.md): its generated parts are what tools/guide.py writes now, the
mistakes it lists are the ones the checks name, and every exercise of every checks module is in it."""

from __future__ import annotations

import ast
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
    from ..feedback import check_number, close, correct, exercise, incorrect, mistake_at, named

    SHARED = {"units": "give it in {unit}, not in {other}."}

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

    @exercise(mistakes={"ge": "use >= {t} (at least {t}), as the exercise says.", "braces": "a set {{}} is empty."})
    def alerts(answer, risk=()):
        mistakes = []
        if any(r == 0.3 for r in risk):  # only when a risk sits on the threshold
            mistakes.append(mistake_at("ge", 5, t=0.3))
        mistakes.append((6, "literal, the former way."))
        if answer == 7:
            return close(named("braces"))
        return check_number(answer, 4, mistakes=mistakes)

    @exercise(mistakes=SHARED)
    def in_units(answer):
        return close(named("units", unit="mmol/L", other="mg/dL"))
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
        "alerts": ["use >= … (at least …), as the exercise says.", "a set {} is empty.", "literal, the former way."],
        "in_units": ["give it in …, not in …."],
    }
    assert guide.undeclared(path.read_text()) == {
        "n_things": [
            "that is the number of rows; count the things.",
            "that is a percentage of … rows; give a fraction.",
        ],
        "a_table": ["you kept the sentinels (-1).", "the columns are swapped: … comes first."],
        "alerts": ["literal, the former way."],
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
    assert "8 named mistakes for 5 exercises" in capsys.readouterr().out
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
        tree = ast.parse(path.read_text())  # @exercise and @exercise(mistakes=...) alike
        names = [fn.name for fn in tree.body if guide._is_exercise(fn)]
        assert names, f"{path.name} has no exercise"
        missing = [n for n in names if f"`{n}`" not in GUIDE]
        assert not missing, f"{path.name}: {missing} are not in docs/instructor-guide.md"


def test_the_guide_says_what_the_feedback_says():
    from heartdata import ptbxl
    from heartdata.checks import lesson00

    meta = ptbxl.load_metadata()
    feedback = lesson00.n_patients(meta["patient_id"].nunique())  # the warned mistake: the whole slice's patients
    assert feedback.status == "close"
    # the guide writes a value that depends on the data as "…"
    bullets = [line[2:] for line in GUIDE.splitlines() if line.startswith("- ")]
    patterns = [re.compile(".+?".join(map(re.escape, b.split("…"))) + "$") for b in bullets]
    assert any(p.match(feedback.message) for p in patterns), feedback.message


def test_the_guide_has_its_sections_and_links_both_ways():
    for needed in ["make lab", "make test", "make exercises", "python -m heartdata download", "HEARTDATA_DIR"]:
        assert needed in GUIDE
    assert "heartdata.scale slurm-script" in GUIDE and "jupyter-config/README.md" in GUIDE
    assert re.search(r"\]\(glossary\.md\)", GUIDE)
    readme = (REPO / "README.md").read_text()
    assert "(docs/instructor-guide.md)" in readme and "(docs/glossary.md)" in readme


def test_every_mistake_a_check_names_by_key_is_declared_and_in_the_guide():
    import ast

    for path in sorted((REPO / "heartdata" / "checks").glob("lesson[0-9][0-9].py")):
        tree = ast.parse(path.read_text())
        consts = guide._constants(tree)
        for fn in tree.body:
            if guide._is_exercise(fn):
                keys = guide.declared(fn, consts)
                unknown = set(guide.named_keys(fn)) - set(keys)
                assert not unknown, f"{path.name} {fn.name} names undeclared mistakes {sorted(unknown)}"
                for message in keys.values():
                    assert f"- {guide.template(message)}" in GUIDE, (
                        f"{path.name} {fn.name}: {message!r} not in the guide"
                    )
    for message in guide.plot_mistakes(REPO):
        assert f"- {message}" in GUIDE


def test_a_declared_mistake_is_named_by_the_feedback_as_the_guide_shows_it():
    from heartdata import feedback

    @feedback.exercise(mistakes={"ge": "use >= {t} (at least {t})."})
    def alerts(answer):
        return feedback.check_number(answer, 4, mistakes=[feedback.mistake_at("ge", 5, t=0.3)])

    assert alerts(5).message == "use >= 0.3 (at least 0.3)." and alerts.mistakes["ge"].key == "ge"
    assert guide.template(alerts.mistakes["ge"].message) == "use >= … (at least …)."

    @feedback.exercise
    def undeclared(answer):
        return feedback.close(feedback.named("nope"))

    fb = undeclared(1)
    assert fb.status == feedback.INCORRECT and "not a mistake this check declares" in fb.message


def test_checks_name_no_mistake_the_old_way():
    """Every named mistake is declared (``@exercise(mistakes=...)``, ``named``, ``mistake_at``), so the guide lists it:
    a check that writes a mistake as a literal message is refused."""
    left = {p.name: guide.undeclared(p.read_text()) for p in sorted((REPO / "heartdata" / "checks").glob("lesson*.py"))}
    left = {k: v for k, v in left.items() if v}
    summary = "\n".join(
        f"{k}: {len(v)} exercise(s), {sum(map(len, v.values()))} literal mistake(s)" for k, v in left.items()
    )
    assert not left, f"mistakes written as literals, not declared:\n{summary}"
