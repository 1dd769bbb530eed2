"""The instructor tools on small notebooks made here: the budget measures real memory and fails loudly, and
the preview renders executed pages with their figures and an index in syllabus order."""

from __future__ import annotations

import subprocess
import sys

import nbformat
import pytest
from conftest import REPO

sys.path.insert(0, str(REPO / "tools"))
import coursefiles  # noqa: E402
import preview  # noqa: E402


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


def test_preview_renders_executed_pages_with_figures_in_syllabus_order(tmp_path):
    plot = "import matplotlib.pyplot as plt\nplt.plot([0, 1], [1, 0])\nplt.title('a falling line')\nplt.show()"
    second = _notebook(tmp_path / "notebooks" / "01-second.ipynb", "print(6 * 7)", title="01 · Second")
    first = _notebook(tmp_path / "notebooks" / "00-first.ipynb", plot, title="00 · First [link](01-second.ipynb)")
    sol = _notebook(tmp_path / "solutions" / "00-first-solutions.ipynb", "x = 1", title="00 · First: practice")
    assert coursefiles.lessons(tmp_path) == [first, second]
    out = tmp_path / "site"
    done = preview.render([first, second, sol], out)
    assert [error for *_, error, _ in done] == [None, None, None]
    page = (out / "00-first.html").read_text()
    assert '<img alt="No description has been provided for this image" class="" src="data:image/png;base64,' in page
    assert 'href="01-second.html"' in page, "links between lessons point at the rendered pages"
    assert "42" in (out / "01-second.html").read_text(), "pages are executed"
    index = (out / "index.html").read_text()
    assert (
        index.index("00-first.html") < index.index("solutions-00-first-solutions.html") < index.index("01-second.html")
    )
