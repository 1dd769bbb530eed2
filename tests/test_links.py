"""Every link a reader can follow inside the repository leads somewhere: in every notebook's Markdown cells
(notebooks/, exercises/, solutions/) and in every Markdown file the repository tracks (README.md, the data cards).

A link to a file must name a file that exists, relative to the file that holds the link; a link with an anchor
(README.md#syllabus) must name a heading of the target (GitHub's and MyST's anchor for a heading, or JupyterLab's
for a notebook's). Links to the web are not fetched (the machine is offline); they are the Binder links, which
tests/test_binder.py checks. The site (tests/test_site.py) checks the same links once rendered.
"""

from __future__ import annotations

import functools
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pytest
from conftest import REPO

sys.path.insert(0, str(REPO / "tools"))
import coursefiles  # noqa: E402
import navigation  # noqa: E402

HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)
FENCE = coursefiles.FENCE


def tracked_markdown() -> list[Path]:
    """The Markdown files git tracks (README.md, data cards, any guide added later); all *.md without git."""
    try:
        out = subprocess.run(["git", "ls-files", "*.md"], cwd=REPO, capture_output=True, text=True, check=True)
        files = [REPO / line for line in out.stdout.splitlines() if line]
    except (OSError, subprocess.CalledProcessError):
        files = [p for p in REPO.rglob("*.md") if not {".venv", ".venv-site", "build"} & set(p.parts)]
    return sorted(p for p in files if p.is_file())


def notebooks() -> list[Path]:
    return sorted(p for folder in ("notebooks", "exercises", "solutions") for p in (REPO / folder).glob("*.ipynb"))


@functools.cache
def markdown_of(path: Path) -> str:
    if path.suffix == ".ipynb":
        nb = nbformat.read(path, as_version=4)
        return "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    return path.read_text(encoding="utf-8")


links = coursefiles.markdown_links


def github_slug(heading: str) -> str:
    """The anchor GitHub (and MyST's heading anchors) give a heading: lower case, punctuation dropped, - for spaces."""
    text = re.sub(r"<[^>]+>", "", heading)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link in a heading anchors on its text
    text = re.sub(r"[`*_]", "", text).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every anchor a reader's tool gives the headings of ``path`` (GitHub/MyST, and JupyterLab for notebooks)."""
    headings = HEADING.findall(FENCE.sub("", markdown_of(path)))
    found = {github_slug(h) for h in headings}
    if path.suffix == ".ipynb":
        found |= {re.sub(r"[`*]", "", h).strip().replace(" ", "-") for h in headings}
    found |= set(re.findall(r"<a\s+(?:name|id)=[\"']([^\"']+)[\"']", markdown_of(path)))
    return found | jupyterlab_anchors(path)


def jupyterlab_anchors(path: Path) -> set[str]:
    """The fragments JupyterLab's Markdown viewer scrolls to in ``path``: it looks a fragment up only as a
    ``data-jupyter-id`` attribute (its sanitizer keeps no named ``id``), which it gives each heading as the heading's
    text with spaces made ``-``, case kept (``## Syllabus`` -> ``Syllabus``), and which a page may also set itself."""
    text = FENCE.sub("", markdown_of(path))
    found = {re.sub(r"[`*]", "", h).strip().replace(" ", "-") for h in HEADING.findall(text)}
    return found | set(re.findall(r"data-jupyter-id=[\"']([^\"']+)[\"']", text))


def problems(path: Path, root: Path = REPO) -> list[str]:
    out = []
    for target in links(markdown_of(path)):
        url = urlparse(target)
        if url.scheme or target.startswith("//"):
            continue  # the web: not followed offline
        dest = (path.parent / unquote(url.path)).resolve() if url.path else path
        where = f"{path.relative_to(root)}: [{target}]"
        if not dest.exists():
            out.append(f"{where} names {dest}, which does not exist")
        elif not dest.is_relative_to(root):
            out.append(f"{where} leaves the repository")
        elif url.fragment and dest.suffix in (".md", ".ipynb") and unquote(url.fragment) not in anchors(dest):
            out.append(f"{where}: {dest.name} has no heading #{url.fragment}")
    return out


SOURCES = notebooks() + tracked_markdown()


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_link_leads_to_a_file_and_heading_that_exist(path):
    assert not problems(path), "\n".join(problems(path))


def test_the_lessons_and_readme_are_all_checked():
    names = {p.relative_to(REPO).as_posix() for p in SOURCES}
    assert "README.md" in names
    for folder in ("notebooks", "exercises", "solutions"):
        assert any(n.startswith(folder + "/") for n in names), f"no notebook of {folder}/ is checked"


def test_the_checker_catches_broken_links_and_anchors(tmp_path):
    (tmp_path / "README.md").write_text("# Course\n\n## Syllabus\n\ntext\n")
    (tmp_path / "notebooks").mkdir()
    lesson = tmp_path / "notebooks" / "00-a.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(
            "[syllabus](../README.md#syllabus) [gone](../README.md#nowhere) [missing](01-b.ipynb) `[code](x.md)`"
        )
    ]
    nbformat.write(nb, lesson)
    found = problems(lesson, root=tmp_path)
    assert len(found) == 2, found
    assert any("no heading #nowhere" in p for p in found) and any("01-b.ipynb" in p for p in found)
    assert github_slug("The data, and running on the full datasets") == "the-data-and-running-on-the-full-datasets"


def test_the_syllabus_anchor_resolves_on_github_the_site_and_in_jupyterlab():
    """Every lesson links ``../README.md#syllabus``: GitHub and the site (MyST) anchor the heading as ``syllabus``,
    JupyterLab as ``Syllabus``; the README carries the lower-case one for JupyterLab too."""
    fragment = urlparse(navigation.SYLLABUS).fragment
    readme = REPO / "README.md"
    assert fragment in {github_slug(h) for h in HEADING.findall(FENCE.sub("", markdown_of(readme)))}
    assert fragment in jupyterlab_anchors(readme)


def test_jupyterlab_keeps_a_headings_capitals(tmp_path):
    page = tmp_path / "README.md"
    page.write_text("# Course\n\n## Syllabus\n")
    assert jupyterlab_anchors(page) == {"Course", "Syllabus"}
    fixed = tmp_path / "fixed.md"
    fixed.write_text('# Course\n\n<a data-jupyter-id="syllabus"></a>\n\n## Syllabus\n')
    assert "syllabus" in jupyterlab_anchors(fixed)
