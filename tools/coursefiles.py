"""Where the course's notebooks are: found by name, never listed by hand.

Lessons are ``notebooks/NN-topic.ipynb``; syllabus order is file-name order. Each lesson's practice
notebook has the same name in ``exercises/`` and ``solutions/``.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
LESSON_GLOB = "[0-9][0-9]-*.ipynb"
BINDER_SLUG = "heart-data-course/course"
BINDER_URL = "https://mybinder.org/v2/gh/{slug}/HEAD?urlpath=lab/tree/{path}"


def lessons(root: Path = REPO) -> list[Path]:
    """The lessons in syllabus order (the order of their file names)."""
    return sorted((root / "notebooks").glob(LESSON_GLOB))


def practice(root: Path = REPO, kind: str = "exercises") -> list[Path]:
    """The practice notebooks (``exercises`` or ``solutions``), in syllabus order."""
    return sorted((root / kind).glob(LESSON_GLOB))


def all_notebooks(root: Path = REPO) -> list[Path]:
    """Every lesson followed by its exercise and solution notebooks, lesson by lesson."""
    out = []
    for lesson in lessons(root):
        out.append(lesson)
        out += [p for kind in ("exercises", "solutions") if (p := root / kind / lesson.name).is_file()]
    return out


def number(path: Path) -> str:
    """The two-digit lesson number of a notebook: '00' for 00-welcome.ipynb."""
    return path.name[:2]


def title(path: Path) -> str:
    """The first Markdown heading of a notebook, without the '#' marks (the file name if it has none)."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            m = re.search(r"^#+\s+(.+?)\s*$", cell.source, re.M)
            if m:
                return m[1]
    return path.stem


def binder_url(relpath: str, slug: str = BINDER_SLUG) -> str:
    """The Binder link that opens ``relpath`` (relative to the repository root) in JupyterLab."""
    return BINDER_URL.format(slug=slug, path=relpath)
