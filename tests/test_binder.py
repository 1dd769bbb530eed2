"""What can be checked offline about Binder, and the README's syllabus table that launches each lesson.

Binder (repo2docker) builds the repository from environment.yml at its root; no network is needed to check
that the file parses, pins what requirements.txt pins, installs the heartdata package, and that every launch
link opens a notebook that exists. Lessons are found by name (notebooks/NN-*.ipynb), never listed here.
"""

from __future__ import annotations

import re
import sys
from urllib.parse import parse_qs, urlparse

import pytest
import yaml
from conftest import REPO
from test_environment import _pins, requirements

sys.path.insert(0, str(REPO / "tools"))
import budget  # noqa: E402
import coursefiles  # noqa: E402

README = (REPO / "README.md").read_text()
LINK = re.compile(r"\((https://mybinder\.org/v2/gh/[^)\s]+)\)")


def syllabus_rows() -> tuple[list[str], list[list[str]]]:
    lines = README.split("## Syllabus", 1)[1].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| Lesson"))
    table = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        table.append([c.strip() for c in line.strip().strip("|").split("|")])
    return table[0], table[2:]


def opened_path(url: str) -> str:
    """The repository path a Binder link opens in JupyterLab, checking the link's form on the way."""
    parsed = urlparse(url)
    owner, name, ref = parsed.path.removeprefix("/v2/gh/").split("/")
    assert f"{owner}/{name}" == coursefiles.BINDER_SLUG, f"{url}: not the course's repository"
    assert ref == coursefiles.LAUNCH_REF, f"{url}: launches {ref}, not coursefiles.LAUNCH_REF; run `make readme guide`"
    urlpath = parse_qs(parsed.query)["urlpath"][0]
    assert urlpath.startswith("lab/tree/"), f"{url}: should open JupyterLab (urlpath=lab/tree/...)"
    return urlpath.removeprefix("lab/tree/")


def test_binder_builds_from_environment_yml_at_the_root():
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    assert isinstance(env, dict) and env["channels"] == ["conda-forge"]
    deps = env["dependencies"]
    assert "python=3.11" in deps and "pip" in deps
    pip = next(d["pip"] for d in deps if isinstance(d, dict))
    assert "pip install --no-deps -e ." in (REPO / "postBuild").read_text(), "Binder must install the package"
    locked = _pins(pip)
    assert {n: locked.get(n) for n in requirements()} == requirements(), "environment.yml must lock requirements.txt"
    # repo2docker would also act on these; the course needs none of them (a postBuild, if any, stays tiny)
    for other in ("binder", ".binder", "Dockerfile", "apt.txt", "runtime.txt", "setup.py"):
        assert not (REPO / other).exists(), f"{other} would change how Binder builds the course"
    post = REPO / "postBuild"
    if post.exists():
        assert len(post.read_text().splitlines()) <= 10, "postBuild must stay minimal"


def test_every_launch_link_opens_a_notebook_that_exists():
    links = LINK.findall(README)
    assert links, "the README has no Binder link"
    for url in links:
        path = opened_path(url)
        assert (REPO / path).is_file(), f"{url} opens {path}, which does not exist"


def test_the_badge_opens_the_welcome_lesson():
    badge = re.search(r"\[!\[[^\]]*Binder[^\]]*\]\([^)]*\)\]\((https://mybinder[^)]+)\)", README)
    assert badge, "the Binder badge is missing from the top of the README"
    assert opened_path(badge[1]) == coursefiles.lessons()[0].relative_to(REPO).as_posix()


def test_every_lesson_has_its_own_launch_link_in_the_syllabus():
    header, rows = syllabus_rows()
    launch = header.index(budget.LAUNCH_COL)
    by_number = {}
    for row in rows:
        m = re.match(r"\[?(\d\d) ·", row[0])
        assert m, f"syllabus row without a lesson number: {row[0]}"
        by_number[m[1]] = row
    for lesson in coursefiles.lessons():
        n = coursefiles.number(lesson)
        assert n in by_number, f"{lesson.name} has no row in the README's syllabus table"
        links = LINK.findall(by_number[n][launch])
        expected = lesson.relative_to(REPO).as_posix()
        assert [opened_path(u) for u in links] == [expected], (
            f"lesson {n}: the Binder column should launch {expected}; run `make readme` to update the table"
        )


def _figures(cell: str) -> list[tuple[float, float]]:
    return [(float(s), float(m)) for s, m in re.findall(r"(\d+(?:\.\d+)?) s · (\d+(?:\.\d+)?) MiB", cell)]


def test_the_syllabus_shows_measured_figures_within_budget():
    header, rows = syllabus_rows()
    measured = header.index(budget.MEASURED_COL)
    numbers = {coursefiles.number(p) for p in coursefiles.lessons()}
    for row in rows:
        if re.match(r"\[?(\d\d) ·", row[0])[1] not in numbers:
            continue
        figures = _figures(row[measured])
        assert len(figures) == 2, f"{row[0]}: no measured lesson and practice figures; run `make readme`"
        for seconds, mib in figures:
            assert seconds <= budget.MAX_SECONDS and mib <= budget.MAX_MIB, f"{row[0]}: over budget ({row[measured]})"


def test_readme_update_adds_links_for_new_lessons_and_keeps_the_table(tmp_path):
    """The tool that keeps the table true: a lesson that appears gets its link, planned ones get none."""
    for folder in ("notebooks", "solutions"):
        (tmp_path / folder).mkdir()
    for name in ("00-welcome.ipynb", "03-messy-metadata.ipynb"):
        (tmp_path / "notebooks" / name).write_text("{}")
    readme = tmp_path / "README.md"
    readme.write_text(README)
    results = {"notebooks/03-messy-metadata.ipynb": {"seconds": 12.3, "peak_mib": 456.0, "error": None}}
    text = budget.update_readme(readme, results, root=tmp_path)
    lines = {line.split("|")[1].strip()[:8]: line for line in text.splitlines() if line.startswith("| ")}
    row03 = next(v for k, v in lines.items() if "03 ·" in k)
    assert coursefiles.binder_url("notebooks/03-messy-metadata.ipynb") in row03 and "lesson 12 s · 456 MiB" in row03
    row05 = next(v for k, v in lines.items() if "05 ·" in k)
    assert "mybinder" not in row05
    # every other part of the README is untouched, and the old columns keep their cells
    _, old_rows = syllabus_rows()
    assert text.split("## Syllabus")[0] == README.split("## Syllabus")[0]
    new_rows = [r for r in text.split("## Syllabus", 1)[1].splitlines() if r.startswith("| ") and "·" in r[:12]]
    assert len(new_rows) == len(old_rows)
    for old, new in zip(old_rows, new_rows, strict=True):
        assert [c.strip() for c in new.strip().strip("|").split("|")][:5] == old[:5]


def test_the_budget_is_30_seconds_and_600_mib():
    assert (budget.MAX_SECONDS, budget.MAX_MIB) == (30, 600)


@pytest.mark.parametrize("over", [{"seconds": 31.0, "peak_mib": 10.0}, {"seconds": 1.0, "peak_mib": 601.0}])
def test_budget_names_what_is_over(over):
    problems = budget.verdict({**over, "error": None}, budget.MAX_SECONDS, budget.MAX_MIB)
    assert len(problems) == 1 and "over the" in problems[0]
    assert budget.verdict({"seconds": 29.0, "peak_mib": 590.0, "error": None}, budget.MAX_SECONDS, budget.MAX_MIB) == []


@pytest.mark.parametrize("ref", ["HEAD", "v0.3.0", "cohort-2027-03"])
def test_launch_links_can_point_at_a_release_tag(ref):
    """The default branch stays the default; a cohort's tag is one variable away (coursefiles.LAUNCH_REF)."""
    assert coursefiles.LAUNCH_REF == "HEAD" or re.fullmatch(r"[\w.\-]+", coursefiles.LAUNCH_REF)
    url = coursefiles.binder_url("notebooks/00-welcome.ipynb", ref=ref)
    assert urlparse(url).path.split("/")[-1] == ref and opened_path_any(url) == "notebooks/00-welcome.ipynb"


def opened_path_any(url: str) -> str:
    return parse_qs(urlparse(url).query)["urlpath"][0].removeprefix("lab/tree/")


def test_a_fork_repoints_every_launch_link_from_one_line(tmp_path, monkeypatch):
    """A fork sets coursefiles.BINDER_SLUG; `make readme` rewrites the syllabus links from it."""
    monkeypatch.setattr(coursefiles, "BINDER_SLUG", "someone/course-fork")
    monkeypatch.setattr(coursefiles, "LAUNCH_REF", "v9.9.9")
    for folder in ("notebooks", "solutions"):
        (tmp_path / folder).mkdir()
    (tmp_path / "notebooks" / "00-welcome.ipynb").write_text("{}")
    readme = tmp_path / "README.md"
    readme.write_text(README)
    text = budget.update_readme(readme, {}, root=tmp_path)
    url = "https://mybinder.org/v2/gh/someone/course-fork/v9.9.9?urlpath=lab/tree/notebooks/00-welcome.ipynb"
    assert text.count(url) == 2, "the badge and lesson 00's row"
    assert "heart-data-course/course/HEAD?urlpath=lab/tree/notebooks/00" not in text
