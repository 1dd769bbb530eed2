"""Where the course's notebooks are: found by name, never listed by hand.

Lessons are ``notebooks/NN-topic.ipynb``; syllabus order is file-name order. Each lesson's practice
notebook is ``exercises/NN-topic-practice.ipynb``, generated from ``solutions/NN-topic-solutions.ipynb``
(distinct names, so that a lesson, its practice and its solutions are told apart in JupyterLab's tabs).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
LESSON_GLOB = "[0-9][0-9]-*.ipynb"
# The course's GitHub repository, owner/name: the one place it is written for the tools (the README's badge and
# syllabus links, the guide's and the site's launch links all come from here through `make readme`, `make guide`
# and `make site`). A fork changes this line and runs `make readme guide` (tests/test_binder.py then checks that
# every launch link names the fork).
BINDER_SLUG = "heart-data-course/course"
# What Binder launches: HEAD (the default branch, the default) or a cohort's release tag, e.g. "v0.3.0"
# (docs/instructor-guide.md, *A release per cohort*): a tag's image never changes, so a fix pushed mid-week does not
# rebuild it under the students. Change it here and run `make readme guide`.
LAUNCH_REF = "HEAD"
BINDER_URL = "https://mybinder.org/v2/gh/{slug}/{ref}?urlpath=lab/tree/{path}"


# What editors and JupyterLab leave beside the course's files: never a page, a lesson or a practice notebook.
LEFTOVER_DIRS = {"__pycache__", "build", "node_modules"}
LEFTOVER_NAME = re.compile(r"(-checkpoint\.\w+|~|\.swp|\.bak|\.orig|\.tmp)$|-Copy\d+\.ipynb$|^#.*#$|^Untitled")


def is_leftover(path: Path, root: Path = REPO) -> bool:
    """True for what an editor, JupyterLab or a tool left behind (relative to ``root``): anything in a hidden
    folder or hidden itself (``.ipynb_checkpoints/``, ``.venv*``, ``.git``, ``.DS_Store``, Emacs' ``.#file``
    locks), ``__pycache__`` and ``build``, JupyterLab's ``*-checkpoint.*``, ``*-Copy1.ipynb`` and ``Untitled*``,
    and backup files (``*~``, ``*.swp``, ``*.bak``, ``*.orig``, ``*.tmp``, ``#file#``)."""
    parts = path.relative_to(root).parts if path.is_absolute() and path.is_relative_to(root) else path.parts
    if any(p.startswith(".") or p in LEFTOVER_DIRS for p in parts):
        return True
    return bool(LEFTOVER_NAME.search(path.name))


def lessons(root: Path = REPO) -> list[Path]:
    """The lessons in syllabus order (the order of their file names)."""
    return sorted(p for p in (root / "notebooks").glob(LESSON_GLOB) if not is_leftover(p, root))


SUFFIX = {"exercises": "-practice", "solutions": "-solutions"}


def practice(root: Path = REPO, kind: str = "exercises") -> list[Path]:
    """The practice notebooks (``exercises`` or ``solutions``), in syllabus order."""
    return sorted(p for p in (root / kind).glob(f"[0-9][0-9]-*{SUFFIX[kind]}.ipynb") if not is_leftover(p, root))


def practice_of(lesson: Path, kind: str = "exercises", root: Path = REPO) -> Path:
    """Where the practice notebook (``exercises``) or worked solutions (``solutions``) of a lesson live."""
    return root / kind / f"{lesson.stem}{SUFFIX[kind]}.ipynb"


def lesson_of(path: Path, root: Path = REPO) -> Path:
    """The lesson a lesson, practice or solutions notebook belongs to."""
    stem = path.stem
    for suffix in SUFFIX.values():
        stem = stem.removesuffix(suffix)
    return root / "notebooks" / f"{stem}.ipynb"


def all_notebooks(root: Path = REPO) -> list[Path]:
    """Every lesson followed by its exercise and solution notebooks, lesson by lesson."""
    out = []
    for lesson in lessons(root):
        out.append(lesson)
        out += [p for kind in SUFFIX if (p := practice_of(lesson, kind, root)).is_file()]
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


# Links a reader can follow in Markdown: [text](target "title"), ![alt](target), and <a href>/<img src> written as HTML.
MD_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HTML_LINK = re.compile(r"<(?:a|img)\b[^>]*?\b(?:href|src)=[\"']([^\"']+)[\"']", re.I)
FENCE = re.compile(r"^```.*?^```", re.M | re.S)


def markdown_links(text: str) -> list[str]:
    """Every link target in a Markdown text, outside fenced code blocks and code spans."""
    text = FENCE.sub("", text)
    text = re.sub(r"`[^`\n]*`", "", text)
    return MD_LINK.findall(text) + HTML_LINK.findall(text)


def markdown_pages(root: Path = REPO) -> list[Path]:
    """The Markdown files the course ships besides its READMEs (the data cards, docs/, the changelog, any guide
    added), sorted; never what an editor or JupyterLab left behind (``is_leftover``: hidden folders such as
    ``.ipynb_checkpoints/`` and ``.venv*`` are not even walked)."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not is_leftover(Path(d))]
        for name in files:
            path = Path(folder, name)
            if name.endswith(".md") and name != "README.md" and not is_leftover(path.relative_to(root)):
                found.append(path)
    return sorted(found)


BINDER_BADGE = re.compile(r"https://mybinder\.org/v2/gh/([\w.-]+/[\w.-]+)/")


def repository(root: Path = REPO) -> str:
    """The course's GitHub repository, ``owner/name``, read from the README's Binder link (the one place it is
    written today); the website's repository, issue and launch links all come from here."""
    m = BINDER_BADGE.search((root / "README.md").read_text(encoding="utf-8"))
    if m is None:
        raise ValueError(f"{root / 'README.md'} has no Binder link (https://mybinder.org/v2/gh/OWNER/NAME/...)")
    return m[1]


def binder_url(relpath: str, slug: str | None = None, ref: str | None = None) -> str:
    """The Binder link that opens ``relpath`` (relative to the repository root) in JupyterLab, at ``ref`` (default
    ``LAUNCH_REF``: the default branch, or the cohort's tag)."""
    return BINDER_URL.format(slug=slug or BINDER_SLUG, ref=ref or LAUNCH_REF, path=relpath)
