"""The glossary (docs/glossary.md) and tools/glossary.py: links in the learning objectives, first lessons computed,
no term that no lesson uses, no link to an entry that does not exist."""

from __future__ import annotations

import re
import sys

import nbformat
import pytest
from conftest import REPO

sys.path.insert(0, str(REPO / "tools"))
import coursefiles  # noqa: E402
import glossary  # noqa: E402


def _entry(term, also, definition):
    return f"### {term}\n\n{definition}\n\n*Also written:* {also} · *First used in:* —\n"


TINY = (
    "# Glossary\n\nIntro.\n\n## Terms\n\n"
    + "\n".join(
        _entry(*e)
        for e in [
            ("MAR", "missing at random", "Missing for reasons the data records."),
            ("calibration", "—", "Risks that match rates."),
            ("calibration pulse", "—", "The 1 mV step."),
            ("AUROC", "—", "A ranking score."),
            ("k-anonymity", "—", "At least k rows alike."),
            ("cross-validation", "cross-validated", "Scoring on held-out folds."),
        ]
    )
    + f"\n{glossary.PENDING_START}: waiting for their lesson.\n\n"
    + _entry("FHIR", "—", "An exchange standard.")
    + "\n"
    + _entry("DICOM", "—", "An image standard.")
    + "-->\n"
)

OBJECTIVES = (
    "# 01 · Models\n\nSome text about MAR before the objectives.\n\n"
    "**Learning objectives.** By the end of this lesson you can\n"
    "1. report AUROC and calibration with `AUROC` in code and [AUROC](https://example.org) linked already;\n"
    "2. name MAR, mark it (not *mar*), and fit a cross-validated model;\n"
    "3. use k-anonymity and AUROC again.\n\n"
    "**Next.** AUROC outside the objectives is left alone."
)


def _lesson(path, first, *more):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(first)] + [nbformat.v4.new_markdown_cell(m) for m in more]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


@pytest.fixture
def course(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "glossary.md").write_text(TINY)
    _lesson(tmp_path / "notebooks" / "00-ecg.ipynb", "# 00 · ECG\n\nEach row opens with a calibration pulse.")
    _lesson(tmp_path / "notebooks" / "01-models.ipynb", OBJECTIVES, "About FHIR, later.")
    return tmp_path


def _objectives(path):
    source = nbformat.read(path, as_version=4).cells[0].source
    a, b = glossary.objectives_span(source)
    return source, source[a:b]


def test_links_every_term_of_the_objectives_once_and_nothing_else(course):
    assert glossary.main(["--root", str(course)]) == 0
    source, objectives = _objectives(course / "notebooks" / "01-models.ipynb")
    target = "../docs/glossary.md"
    assert f"report [AUROC]({target}#auroc) and [calibration]({target}#calibration)" in objectives
    assert f"name [MAR]({target}#mar), mark it (not *mar*)" in objectives, "MAR matches its case only"
    assert f"a [cross-validated]({target}#cross-validation) model" in objectives
    assert f"use [k-anonymity]({target}#k-anonymity) and AUROC again" in objectives, "each term linked once"
    assert "with `AUROC` in code and [AUROC](https://example.org) linked" in objectives, "code and links untouched"
    assert source.startswith("# 01 · Models\n\nSome text about MAR before"), "only the objectives are linked"
    assert source.endswith("**Next.** AUROC outside the objectives is left alone.")
    assert objectives.count("](") == 6


def test_running_again_changes_nothing(course):
    glossary.main(["--root", str(course)])
    before = {p: p.read_text() for p in course.rglob("*") if p.is_file()}
    assert glossary.planned(course) == {}
    assert glossary.main(["--root", str(course), "--check"]) == 0
    glossary.main(["--root", str(course)])
    assert {p: p.read_text() for p in course.rglob("*") if p.is_file()} == before


def test_check_reports_what_is_out_of_date_and_writes_nothing(course, capsys):
    before = (course / "notebooks" / "01-models.ipynb").read_text()
    assert glossary.main(["--root", str(course), "--check"]) == 1
    out = capsys.readouterr().out
    assert "out of date: notebooks/01-models.ipynb" in out and "out of date: docs/glossary.md" in out
    assert (course / "notebooks" / "01-models.ipynb").read_text() == before


def test_first_lessons_are_computed_and_pending_terms_join_when_a_lesson_uses_them(course):
    glossary.main(["--root", str(course)])
    text = (course / "docs" / "glossary.md").read_text()
    table, pending = glossary.read_glossary(text)
    first = {
        m["term"]: m[0].rsplit("*First used in:* ", 1)[1]
        for m in glossary.ENTRY.finditer(text.partition(glossary.PENDING_START)[0])
    }
    assert first["calibration pulse"] == "[00](../notebooks/00-ecg.ipynb)"
    assert first["calibration"] == "[01](../notebooks/01-models.ipynb)", "the longer term claims lesson 00"
    assert first["FHIR"] == "[01](../notebooks/01-models.ipynb)", "a pending term joins once a lesson uses it"
    assert (
        '<a id="mar" data-jupyter-id="mar"></a>\n\n### MAR\n\nMissing for reasons the data records.\n\n'
        "*Also written:* missing at random"
        in text
    )
    assert [e.term for e in pending] == ["DICOM"]
    assert [e.term for e in table] == sorted((e.term for e in table), key=str.lower)
    assert text.endswith("*Also written:* — · *First used in:* —\n-->\n")


def test_a_glossary_without_pending_entries_needs_no_comment(course):
    path = course / "docs" / "glossary.md"
    path.write_text(path.read_text().partition(glossary.PENDING_START)[0])
    glossary.main(["--root", str(course)])
    text = path.read_text()
    assert "PENDING" not in text and text.endswith("*First used in:* [01](../notebooks/01-models.ipynb)\n")
    assert glossary.planned(course) == {}


def test_anchors_are_the_ones_github_and_myst_give_the_headings():
    assert glossary.slug("Brier score") == "brier-score"
    assert glossary.slug("SAPS-I") == "saps-i"
    assert glossary.slug("CC BY 4.0") == "cc-by-40"
    assert glossary.slug("PhysioNet/CinC Challenge 2012") == "physionetcinc-challenge-2012"


def test_a_term_no_lesson_uses_is_said_so():
    entries = [glossary.Entry("FHIR", ("FHIR",), "x")]
    assert glossary.first_lessons(entries, []) == {"FHIR": None}
    assert glossary._lesson_cell(None, REPO) == "not used by any lesson"


# --- the course's own glossary ------------------------------------------------------------------------------

TEXT = (REPO / glossary.GLOSSARY).read_text()
TABLE, PENDING = glossary.read_glossary(TEXT)


def test_the_glossary_has_its_terms_with_unique_anchors():
    anchors = [e.anchor for e in TABLE + PENDING]
    assert len(TABLE) >= 40
    assert len(anchors) == len(set(anchors)), "two terms share an anchor"
    for entry in TABLE:
        assert entry.definition, f"{entry.term} has no definition"
    assert TEXT.count("\n### ") == len(TABLE) + len(PENDING), "an entry does not follow the format of the others"


def test_every_glossary_term_is_used_by_a_lesson():
    first = glossary.first_lessons(TABLE, coursefiles.lessons())
    unused = sorted(term for term, lesson in first.items() if lesson is None)
    assert not unused, f"no lesson uses {unused}: remove them or move them to the PENDING comment"


def test_the_glossary_column_is_up_to_date():
    new = glossary.write_glossary(TEXT, coursefiles.lessons(), REPO)
    assert new == TEXT, "docs/glossary.md is out of date: run `python tools/glossary.py`"


def _files_that_link():
    for folder in ("notebooks", "exercises", "solutions"):
        for path in sorted((REPO / folder).glob("*.ipynb")):
            yield path, "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
    for path in sorted(REPO.glob("*.md")) + sorted((REPO / "docs").glob("*.md")) + sorted(REPO.glob("*/README.md")):
        yield path, path.read_text()


def test_every_link_into_the_glossary_names_an_entry_it_has():
    anchors = {e.anchor for e in TABLE}
    missing = [
        f"{path.relative_to(REPO)}: #{anchor}"
        for path, text in _files_that_link()
        for anchor in re.findall(r"glossary\.md#([\w-]+)", text)
        if anchor not in anchors
    ]
    assert not missing, f"links to glossary entries that do not exist (add the term to docs/glossary.md): {missing}"


def test_the_lessons_objectives_link_to_the_glossary():
    """Fails until `python tools/glossary.py` has been run after the last change to a lesson's objectives."""
    stale = [p.relative_to(REPO).as_posix() for p in glossary.planned(REPO) if p.suffix == ".ipynb"]
    assert not stale, f"objectives not linked to the glossary in {stale}: run `python tools/glossary.py`"
