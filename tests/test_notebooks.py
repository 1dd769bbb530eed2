"""Notebook conventions: committed clean, the lesson structure of COURSE.md, a practice twin per lesson."""

from __future__ import annotations

import re
import sys

import nbformat
import pytest
from conftest import REPO

sys.path.insert(0, str(REPO / "tools"))
import coursefiles  # noqa: E402

ALL = sorted(p for d in ("notebooks", "exercises", "solutions") for p in (REPO / d).glob("*.ipynb"))
LESSONS = sorted((REPO / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs; clear them before committing"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_has_the_course_structure(path):
    assert re.fullmatch(r"\d\d-[a-z0-9-]+\.ipynb", path.name)
    text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
    for needed in [
        "Learning objectives",
        "**Time**",
        "**Datasets**",
        "**Prerequisites**",
        "## Key points",
        "## Questions to ask your clinician",
    ]:
        assert needed in text, f"{path.name} lacks {needed!r}"
    solutions = coursefiles.practice_of(path, "solutions")
    assert solutions.is_file(), f"{path.name} has no practice notebook {solutions.relative_to(REPO)}"


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebooks_seed_randomness(path):
    source = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
    for call in re.findall(r"\.sample\([^)]*\)", source):
        assert "random_state" in call, f"{path.name}: {call} is not seeded"


def test_navigation_cells_are_up_to_date():
    """Every lesson links to its neighbours, its practice and the syllabus (written by tools/navigation.py)."""
    import navigation

    stale = [p.relative_to(REPO).as_posix() for p, text in navigation.planned().items() if p.read_text() != text]
    assert not stale, f"navigation out of date in {stale}: run `python tools/navigation.py` and regenerate exercises"


def test_navigation_links_name_files_that_exist():
    import navigation

    for path, text in navigation.planned().items():
        nb = nbformat.reads(text, as_version=4)
        for cell in nb.cells:
            if navigation.TAG in cell.metadata.get("tags", []):
                for target in re.findall(r"\]\(([^)#]+)", cell.source):
                    assert (path.parent / target).is_file(), f"{path.name}: link to {target} leads nowhere"


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebook_code_fits_the_line_length_the_package_uses(path):
    """Lines longer than ruff's line length are cut off at the right edge of a 1280 px JupyterLab window."""
    import tomllib

    limit = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["ruff"]["line-length"]
    long = [
        (i, len(line))
        for i, cell in enumerate(nbformat.read(path, as_version=4).cells)
        if cell.cell_type == "code"
        for line in cell.source.splitlines()
        if len(line) > limit
    ]
    assert not long, f"{path.name}: code lines over {limit} characters (cell, length): {long}"
