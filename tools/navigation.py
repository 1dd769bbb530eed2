"""Write the links that tie the course together into every notebook (never edited by hand).

The reading order is lesson, practice, next lesson. Each lesson gets, right after its title cell, a line that
says where it sits (previous and next lesson, the syllabus, its practice notebook) and, as its last cell,
*Where next*: its practice notebook first, then the next lesson and the syllabus. Each solutions notebook (and
so each generated practice notebook) gets a line linking back to its lesson and on to the next one, and, at its
end, a cell pointing to the worked solutions (tagged ``course-solutions``: the website folds it away, or leaves
it out for a cohort) and a *Where next* cell (the next lesson, back to the lesson, the syllabus). The cells are
tagged ``course-nav`` so that running this again replaces them.

    python tools/navigation.py           # rewrite the navigation cells
    python tools/navigation.py --check   # exit 1 if a notebook's navigation is out of date
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import coursefiles  # noqa: E402

TAG = "course-nav"
SYLLABUS = "../README.md#syllabus"


def short_title(path: Path) -> str:
    """'06 · Cleaning, with every decision written down' -> the same; titles stay whole, without markup."""
    return re.sub(r"[*_`]", "", coursefiles.title(path)).strip()


def link(path: Path, start: Path) -> str:
    return f"[{short_title(path)}]({_rel(path, start.parent)})"


def _rel(target: Path, folder: Path) -> str:
    return Path(os.path.relpath(target, folder)).as_posix()


def top_cell(lesson: Path, lessons: list[Path]) -> str:
    i = lessons.index(lesson)
    parts = [f"**Lesson {coursefiles.number(lesson)}** of the course ([syllabus]({SYLLABUS}))"]
    if i > 0:
        parts.append(f"previous: {link(lessons[i - 1], lesson)}")
    if i + 1 < len(lessons):
        parts.append(f"next: {link(lessons[i + 1], lesson)}")
    practice = coursefiles.practice_of(lesson, "exercises", lesson.parents[1])
    if practice.is_file():
        parts.append(f"practice: [{practice.name}]({_rel(practice, lesson.parent)})")
    return " · ".join(parts)


def bottom_cell(lesson: Path, lessons: list[Path]) -> str:
    root = lesson.parents[1]
    lines = ["## Where next", ""]
    practice = coursefiles.practice_of(lesson, "exercises", root)
    if practice.is_file():
        lines.append(
            f"- **Practice:** [{practice.name}]({_rel(practice, lesson.parent)}), with feedback after every exercise."
        )
    lines.append(_next_lesson(lesson, lessons, lesson))
    lines.append(f"- **Syllabus:** [every lesson, with its time and datasets]({SYLLABUS}).")
    return "\n".join(lines)


def _next_lesson(lesson: Path, lessons: list[Path], start: Path, last: str = "This is") -> str:
    i = lessons.index(lesson)
    if i + 1 < len(lessons):
        return f"- **Next lesson:** {link(lessons[i + 1], start)}."
    return f"- {last} the last lesson of the course."


def practice_cell(solutions: Path, lesson: Path) -> str:
    # The generator copies this cell into exercises/, a sibling folder: links go through ../ so that they
    # resolve from both folders.
    lessons = coursefiles.lessons(lesson.parents[1])
    i = lessons.index(lesson)
    after = f"next lesson: {link(lessons[i + 1], solutions)}" if i + 1 < len(lessons) else "the last lesson's practice"
    return f"Practice for **{link(lesson, solutions)}** ([syllabus]({SYLLABUS})) · {after}."


def solutions_cell(solutions: Path) -> str:
    """Where the worked solutions are: at the end of the practice notebook, after the exercises."""
    return (
        f"**Worked solutions:** [{solutions.name}](../solutions/{solutions.name}) answers every exercise, with the "
        "reasoning. Try each exercise first: the check under it tells you when you are done."
    )


def practice_bottom_cell(solutions: Path, lesson: Path) -> str:
    lessons = coursefiles.lessons(lesson.parents[1])
    return "\n".join(
        [
            "## Where next",
            "",
            _next_lesson(lesson, lessons, solutions, last="This was"),
            f"- **Back to the lesson:** {link(lesson, solutions)}.",
            f"- **Syllabus:** [every lesson, with its time and datasets]({SYLLABUS}).",
        ]
    )


SOLUTIONS_TAG = "course-solutions"


def _nav(source: str, *tags: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(source, metadata={"tags": [TAG, *tags]})


def with_navigation(
    nb: nbformat.NotebookNode, top: str, bottom: str | None, solutions: str | None = None
) -> nbformat.NotebookNode:
    """The notebook with its old navigation cells removed and new ones after the title and at the end (the
    pointer to the worked solutions, if any, before the last)."""
    cells = [c for c in nb.cells if TAG not in c.get("metadata", {}).get("tags", [])]
    new = cells[:1] + [_nav(top)] + cells[1:]
    if solutions is not None:
        new.append(_nav(solutions, SOLUTIONS_TAG))
    if bottom is not None:
        new.append(_nav(bottom))
    nb.cells = new
    for c in nb.cells:
        c.pop("id", None)
    nb.nbformat_minor = max(nb.nbformat_minor, 5)
    for i, c in enumerate(nb.cells):  # stable ids, so that rewriting an unchanged notebook changes nothing
        c.id = f"cell-{i:03d}"
    return nb


def planned(root: Path = coursefiles.REPO) -> dict[Path, str]:
    """Every notebook that carries navigation, with the text it should have."""
    lessons = coursefiles.lessons(root)
    out = {}
    for lesson in lessons:
        nb = with_navigation(
            nbformat.read(lesson, as_version=4), top_cell(lesson, lessons), bottom_cell(lesson, lessons)
        )
        out[lesson] = nbformat.writes(nb) + "\n"
        solutions = coursefiles.practice_of(lesson, "solutions", root)
        if solutions.is_file():
            nb = with_navigation(
                nbformat.read(solutions, as_version=4),
                practice_cell(solutions, lesson),
                practice_bottom_cell(solutions, lesson),
                solutions_cell(solutions),
            )
            out[solutions] = nbformat.writes(nb) + "\n"
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Write the navigation cells into every lesson and solutions notebook.")
    parser.add_argument("--check", action="store_true", help="only report notebooks whose navigation is out of date")
    args = parser.parse_args(argv)
    wanted = planned()
    stale = [p for p, text in wanted.items() if p.read_text() != text]
    for path in stale:
        if not args.check:
            path.write_text(wanted[path])
        print(("out of date: " if args.check else "wrote ") + str(path.relative_to(coursefiles.REPO)))
    if args.check and stale:
        print("Run `python tools/navigation.py`, then `python -m heartdata.exercises`.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
