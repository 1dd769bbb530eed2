"""Notebook conventions: committed clean, the lesson structure of COURSE.md, a practice twin per lesson."""

from __future__ import annotations

import re

import nbformat
import pytest
from conftest import REPO

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
    assert (REPO / "solutions" / path.name).is_file(), f"{path.name} has no practice notebook in solutions/"


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebooks_seed_randomness(path):
    source = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
    for call in re.findall(r"\.sample\([^)]*\)", source):
        assert "random_state" in call, f"{path.name}: {call} is not seeded"
