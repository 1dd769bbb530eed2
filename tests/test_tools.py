"""The instructor tools on small notebooks made here: the budget measures real memory and fails loudly, and the
site's sources (tools/build_site.py) read each lesson's time, datasets and objectives from the lesson itself and
list the pages in syllabus order. The built site itself is tested in a browser by tests/test_site.py."""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pytest
from conftest import REPO

sys.path.insert(0, str(REPO / "tools"))
import build_site  # noqa: E402
import coursefiles  # noqa: E402


def _notebook(path, *sources, title="A tiny lesson"):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {title}")] + [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def _budget(*args):
    return subprocess.run(
        [sys.executable, str(REPO / "tools" / "budget.py"), *map(str, args)], capture_output=True, text=True, cwd=REPO
    )


needs_getrusage = pytest.mark.skipif(sys.platform == "win32", reason="make budget reads getrusage (Linux, macOS)")


@needs_getrusage
def test_budget_measures_the_kernels_peak_memory_and_fails_loudly_when_over(tmp_path):
    # 400 MiB of ones, touched so that they are resident, then freed: only a peak measure sees them
    nb = _notebook(tmp_path / "01-big.ipynb", "import numpy as np\na = np.ones(400 * 2**20 // 8)\ndel a")
    result = _budget(nb, "--json", tmp_path / "b.json")
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if "01-big.ipynb" in line)
    peak = float(row.split("MiB")[0].split()[-1])
    assert 400 < peak < 1024, row
    over = _budget(nb, "--max-mib", 300)
    assert over.returncode == 1
    assert "OVER BUDGET" in over.stdout and "BUDGET FAILED" in over.stderr and "over the 300 MiB budget" in over.stderr


@needs_getrusage
def test_budget_reports_a_notebook_that_fails(tmp_path):
    nb = _notebook(tmp_path / "02-broken.ipynb", "1 / 0")
    result = _budget(nb)
    assert result.returncode == 1 and "ZeroDivisionError" in result.stderr


HEADER = """# 01 · Second

| | |
|---|---|
| **Time** | 20 min teaching · 5 min exercises |
| **Datasets** | PTB-XL (`ptbxl_database.csv`) |
| **Prerequisites** | none |

**Learning objectives.** By the end of this lesson you can
1. count patients, not rows;
2. say why
   a count needs its denominator.

**Questions**
- none
"""


def test_the_site_reads_each_lessons_header_from_the_lesson(tmp_path):
    lesson = _notebook(tmp_path / "notebooks" / "01-second.ipynb", "x = 1", title="01 · Second")
    nb = nbformat.read(lesson, as_version=4)
    nb.cells[0].source = HEADER
    nbformat.write(nb, lesson)
    facts = build_site.lesson_facts(lesson)
    assert facts["title"] == "01 · Second"
    assert facts["time"] == "20 min teaching · 5 min exercises"
    assert facts["datasets"] == "PTB-XL (`ptbxl_database.csv`)"
    assert facts["objectives"] == ["count patients, not rows;", "say why a count needs its denominator."]


def test_the_site_lists_pages_in_syllabus_order_and_measured_figures_from_the_readme():
    toc = "\n".join(build_site.toctrees(REPO))
    entries = [line for line in toc.splitlines() if line and not line.startswith((":", "`"))]
    lessons = [f"notebooks/{lesson.stem}" for lesson in coursefiles.lessons()]
    about, data = build_site.about_pages(REPO)
    assert entries == lessons + about + data
    assert about[:2] == ["README", "instructors"] and "cite" in about and "CHANGELOG" in about
    assert "docs/glossary" in about and "data/ptbxl/DATACARD" in data
    measured = build_site.measured_from_readme()
    assert set(measured) == {coursefiles.number(p) for p in coursefiles.lessons()}
    assert all("lesson" in v for v in measured.values())


def test_the_site_shows_what_make_budget_measured(tmp_path, monkeypatch):
    lesson = coursefiles.lessons()[0]
    rel = lesson.relative_to(coursefiles.REPO).as_posix()
    sol = coursefiles.practice_of(lesson, "solutions").relative_to(coursefiles.REPO).as_posix()
    results = {
        rel: {"seconds": 12.3, "peak_mib": 456.0, "error": None},
        sol: {"seconds": 31.0, "peak_mib": 612.0, "error": None},
    }
    (tmp_path / "budget.json").write_text(json.dumps(results))
    monkeypatch.setattr(build_site, "BUDGET_JSON", tmp_path / "budget.json")
    assert build_site.measured_from_budget(results)[coursefiles.number(lesson)] == (
        "lesson 12 s · 456 MiB; practice 31 s · 612 MiB"
    )
    page = build_site.instructors_page()
    assert f"| `{rel}` | 12.3 s | 456 MiB | ok |" in page
    assert "31 s is over the 30 s budget; 612 MiB is over the 600 MiB budget" in page
    assert "measured by `make budget`" in build_site.index_page()


def test_the_site_copies_the_files_pages_link_to(tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "page.md").write_text(
        "[licence](../LICENSE) [card](../data/ptbxl/DATACARD.md) [web](https://physionet.org) `[code](../Makefile)`"
    )
    build_site.copy_linked_files(tmp_path)
    assert (tmp_path / "LICENSE").read_text() == (coursefiles.REPO / "LICENSE").read_text()
    assert not (tmp_path / "Makefile").exists() and not (tmp_path / "data").exists()
