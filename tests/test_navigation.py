"""tools/navigation.py on a small course made here: the reading order is lesson, practice, next lesson; the worked
solutions are pointed to at the end of the practice notebook (a cell the website folds), never from the lesson."""

from __future__ import annotations

import re
import sys

import nbformat
from conftest import REPO

sys.path.insert(0, str(REPO / "tools"))
import navigation  # noqa: E402


def _course(root, n=3):
    for i in range(n):
        for folder, suffix, title in (
            ("notebooks", "", f"{i:02d} · Lesson {i}"),
            ("solutions", "-solutions", f"{i:02d} · Lesson {i}: practice"),
            ("exercises", "-practice", f"{i:02d} · Lesson {i}: practice"),
        ):
            nb = nbformat.v4.new_notebook()
            nb.cells = [nbformat.v4.new_markdown_cell(f"# {title}"), nbformat.v4.new_code_cell("x = 1")]
            path = root / folder / f"{i:02d}-topic{i}{suffix}.ipynb"
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, path)
    (root / "README.md").write_text("# Course\n\n## Syllabus\n")
    return root


def _links(text):
    return re.findall(r"\]\(([^)#]+)", text)


def test_reading_order_is_lesson_practice_next_lesson_and_solutions_sit_at_the_end_of_practice(tmp_path):
    root = _course(tmp_path)
    planned = navigation.planned(root)
    for path, text in planned.items():
        path.write_text(text)
    lesson = nbformat.read(root / "notebooks" / "01-topic1.ipynb", as_version=4)
    where = lesson.cells[-1].source
    assert where.index("Practice") < where.index("Next lesson") and "solutions" not in where
    assert "02-topic2.ipynb" in where and "exercises/01-topic1-practice.ipynb" in where
    worked = nbformat.read(root / "solutions" / "01-topic1-solutions.ipynb", as_version=4)
    top, pointer, bottom = worked.cells[1], worked.cells[-2], worked.cells[-1]
    assert "notebooks/01-topic1.ipynb" in top.source and "notebooks/02-topic2.ipynb" in top.source
    assert "solutions" not in top.source
    assert navigation.SOLUTIONS_TAG in pointer.metadata["tags"]
    assert "solutions/01-topic1-solutions.ipynb" in pointer.source
    assert bottom.source.startswith("## Where next") and "02-topic2.ipynb" in bottom.source
    for folder in ("solutions", "exercises"):  # the generator copies these cells into exercises/
        for cell in (top, pointer, bottom):
            for target in _links(cell.source):
                assert (root / folder / target).resolve().is_file(), f"{folder}: {target} leads nowhere"
    last = nbformat.read(root / "solutions" / "02-topic2-solutions.ipynb", as_version=4)
    assert "This was the last lesson" in last.cells[-1].source
    assert all(p.read_text() == t for p, t in navigation.planned(root).items()), "running it again changes things"
