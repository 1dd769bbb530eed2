"""The website's sources (tools/build_site.py's stage), without Sphinx: what a copy of the course stages, what it
leaves out (editors' leftovers, the worked solutions for a cohort), how prose cells and solutions are folded, and the
course's citation and changelog. The built site itself is tested in a browser by tests/test_site.py."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest
import yaml
from conftest import REPO

sys.path.insert(0, str(REPO / "tools"))
import build_site  # noqa: E402
import coursefiles  # noqa: E402
import prose  # noqa: E402

SITE_PYTHON = REPO / ".venv-site" / "bin" / "python"


def course_copy(dest: Path, lessons: int | None = None) -> Path:
    """A copy of the course's pages at ``dest`` (its notebooks, docs, README, data cards; not the data itself), with
    only the first ``lessons`` lessons when given."""
    keep = {p.stem for p in coursefiles.lessons()[:lessons]} if lessons else None
    for folder in ("notebooks", "exercises", "solutions"):
        (dest / folder).mkdir(parents=True)
        for p in (REPO / folder).glob("*.ipynb"):
            if keep is None or coursefiles.lesson_of(p).stem in keep:
                shutil.copy(p, dest / folder / p.name)
    shutil.copytree(REPO / "docs", dest / "docs")
    for name in ("README.md", "CITATION.cff", "CHANGELOG.md", "LICENSE"):
        shutil.copy(REPO / name, dest / name)
    for card in REPO.glob("data/*/DATACARD.md"):
        (dest / card.parent.relative_to(REPO)).mkdir(parents=True, exist_ok=True)
        shutil.copy(card, dest / card.relative_to(REPO))
    return dest


LEFTOVERS = [
    ".ipynb_checkpoints/README-checkpoint.md",
    "docs/.ipynb_checkpoints/glossary-checkpoint.md",
    "notebooks/.ipynb_checkpoints/00-welcome-checkpoint.ipynb",
    "notebooks/00-welcome-Copy1.ipynb",
    "docs/glossary.md~",
    "docs/.#glossary.md",
    "docs/notes.md.swp",
    ".DS_Store",
    "docs/.DS_Store",
    "docs/__pycache__/cached.md",
    ".venv-mine/lib/site-packages/pkg/README.md",
    ".venv-mine/lib/site-packages/pkg/NOTES.md",
]


def test_the_stage_ignores_what_editors_and_jupyterlab_leave_behind_and_publishes_every_docs_page(tmp_path):
    root = course_copy(tmp_path / "course", lessons=2)
    for rel in LEFTOVERS:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(root / "notebooks" / coursefiles.lessons(root)[0].name, root / rel) if rel.endswith(".ipynb") else (
            root / rel
        ).write_text("# Left behind\n\nA [broken link](nowhere.md).\n")
    (root / "docs" / "palette.md").write_text("# The palette of meanings\n\nOne colour, one meaning.\n")
    out = tmp_path / "src"
    build_site.stage(out, root)
    staged = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert not [s for s in staged if "checkpoint" in s or "Copy1" in s or s.endswith(("~", ".swp", ".DS_Store"))]
    assert not [s for s in staged if "__pycache__" in s or ".venv" in s or "/.#" in s]
    assert "docs/palette.md" in staged, "a new page under docs/ is published without being declared"
    about, _ = build_site.about_pages(root)
    assert "docs/palette" in about
    assert len([s for s in staged if s.startswith("notebooks/")]) == 2


def _cells(path: Path):
    return nbformat.read(path, as_version=4).cells


def test_practice_pages_fold_their_worked_solutions_and_solutions_stay_off_the_reading_path(tmp_path):
    root = course_copy(tmp_path / "course", lessons=2)
    out = tmp_path / "src"
    build_site.stage(out, root)
    lesson = coursefiles.lessons(root)[0]
    practice = out / coursefiles.practice_of(lesson, "exercises", root).relative_to(root)
    worked = coursefiles.practice_of(lesson, "solutions", root)
    # the worked solutions, folded, come last but for the Where next links (lesson, next lesson, syllabus)
    cells = _cells(practice)
    assert cells[-1].source.startswith("## Where next"), cells[-1].source
    last = cells[-2].source
    assert last.startswith(":::{dropdown} Worked solutions"), last
    assert f"](../solutions/{worked.name})" in last
    nav = [c.source for c in _cells(practice) if "course-nav" in c.metadata.get("tags", [])]
    assert nav and not any("solutions/" in s for s in nav), "the practice page links its solutions only folded"
    solutions_page = out / worked.relative_to(root)
    assert nbformat.read(solutions_page, as_version=4).metadata["orphan"] is True
    toc = (out / "index.md").read_text()
    assert "solutions/" not in toc.split("```{toctree}", 1)[1], "worked solutions are in no table of contents"
    lesson_page = _cells(out / lesson.relative_to(root))
    assert lesson_page[-1].source.startswith("```{toctree}") and f"/exercises/{practice.stem}" in lesson_page[-1].source


def test_a_cohort_site_leaves_the_worked_solutions_out_and_links_none(tmp_path):
    root = course_copy(tmp_path / "course", lessons=2)
    out = tmp_path / "src"
    build_site.stage(out, root, solutions=False)
    assert not (out / "solutions").exists()
    for page in [*out.rglob("*.md"), *out.rglob("*.ipynb")]:
        text = (
            "\n".join(c.source for c in _cells(page)) if page.suffix == ".ipynb" else page.read_text(encoding="utf-8")
        )
        assert not re.search(r"\]\([^)]*solutions/[^)]*\.ipynb", text), f"{page.relative_to(out)} links a solution"
        assert "Worked solutions" not in text or page.suffix == ".md", page
    assert json.loads((out / "site.json").read_text())["solutions"] is False


def test_prose_cells_show_their_sentence_with_the_code_folded_even_before_a_lesson_is_converted(tmp_path):
    root = course_copy(tmp_path / "course", lessons=1)
    lesson = coursefiles.lessons(root)[0]
    nb = nbformat.read(lesson, as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell('display(Markdown(f"{1 + 1} stays"))'))
    nbformat.write(nb, lesson)
    out = tmp_path / "src"
    build_site.stage(out, root)
    staged = _cells(out / lesson.relative_to(root))
    prose_cells = [c for c in staged if c.cell_type == "code" and prose.kind(c) == "prose"]
    assert prose_cells and all(prose.is_marked(c) for c in prose_cells)
    assert not prose.is_marked(next(c for c in staged if c.cell_type == "code" and prose.kind(c) == "code"))


def test_only_changed_sources_are_rewritten(tmp_path):
    new, dest = tmp_path / "new", tmp_path / "dest"
    (new / "a").mkdir(parents=True)
    (new / "a" / "x.md").write_text("x")
    (new / "y.md").write_text("y")
    assert build_site.sync(new, dest) == 2
    stamp = (dest / "y.md").stat().st_mtime_ns
    (new / "a" / "x.md").write_text("changed")
    (dest / "stale.md").write_text("gone")
    assert build_site.sync(new, dest) == 2
    assert (dest / "y.md").stat().st_mtime_ns == stamp and not (dest / "stale.md").exists()


def test_the_repository_is_read_from_one_place():
    slug = coursefiles.repository()
    assert re.fullmatch(r"[\w.-]+/[\w.-]+", slug)
    assert f"https://mybinder.org/v2/gh/{slug}/" in (REPO / "README.md").read_text()
    assert coursefiles.binder_url("x.ipynb").startswith(f"https://mybinder.org/v2/gh/{slug}/")


# --- the course's citation and changelog -----------------------------------------------------------------------


def _releases() -> list[tuple[str, str]]:
    text = (REPO / "CHANGELOG.md").read_text()
    return re.findall(r"^## (\d+\.\d+\.\d+) \((\d{4}-\d\d-\d\d)\)$", text, re.M)


def test_the_changelog_has_one_entry_per_release_newest_first_and_the_citation_names_the_latest():
    text = (REPO / "CHANGELOG.md").read_text()
    releases = _releases()
    assert len(releases) >= 2 and len({v for v, _ in releases}) == len(releases)
    versions = [tuple(map(int, v.split("."))) for v, _ in releases]
    assert versions == sorted(versions, reverse=True) and [d for _, d in releases] == sorted(
        [d for _, d in releases], reverse=True
    )
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert all(h == "Unreleased" or re.fullmatch(r"\d+\.\d+\.\d+ \(\d{4}-\d\d-\d\d\)", h) for h in headings)
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text())
    assert (str(cff["version"]), str(cff["date-released"])) == releases[0]
    assert tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"] == releases[0][0]
    assert cff["title"] == (REPO / "README.md").read_text().splitlines()[0].removeprefix("# ")
    assert cff["repository-code"] == f"https://github.com/{coursefiles.repository()}"


def test_the_citation_cites_every_dataset_the_data_cards_cite():
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text())
    titles = " ".join(ref["title"].lower() for ref in cff["references"])
    for card in sorted(REPO.glob("data/*/DATACARD.md")):
        citation = card.read_text().split("## Citation", 1)[1].split("\n## ", 1)[0]
        for doi in re.findall(r"doi\.org/(\S+)", citation):
            assert any(str(ref.get("doi")) == doi for ref in cff["references"]), f"{card}: {doi} is not cited"
        for title in ("PTB-XL", "MIT-BIH", "Challenge 2012", "PhysioBank"):
            if title.lower() in citation.lower():
                assert title.lower() in titles, f"{card} cites {title}; CITATION.cff does not"


VALIDATE = """
import sys
from cffconvert import Citation
citation = Citation(open(sys.argv[1], encoding="utf-8").read())
assert citation.cffversion == "1.2.0", citation.cffversion
citation.validate()
"""


def _validate(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(SITE_PYTHON), "-c", VALIDATE, str(path)], capture_output=True, text=True)


def test_the_citation_file_is_valid_cff_1_2_0():
    """cffconvert (the Citation File Format's own validator; test-only, in the site's environment)."""
    if not SITE_PYTHON.is_file():
        if __import__("os").environ.get("CI"):
            pytest.fail("CI must validate CITATION.cff, but .venv-site is missing (make site installs it)")
        pytest.skip("cffconvert lives in .venv-site: run `make site` once")
    proc = _validate(REPO / "CITATION.cff")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    broken = REPO / "build" / "test-broken-citation.cff"
    broken.parent.mkdir(exist_ok=True)
    broken.write_text((REPO / "CITATION.cff").read_text().replace("cff-version: 1.2.0", "cff-version: 1.2.0\ntitel: x"))
    proc = _validate(broken)
    broken.unlink()
    assert proc.returncode != 0, "the validator accepts an unknown key: it validates nothing"
