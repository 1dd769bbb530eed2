"""The figure audit: use_course_style installs it when HEARTDATA_FIGURE_AUDIT is set, every rendered figure is
described, and tools/figure_audit.py flags colours that merge for a colour-blind reader without a second cue, and
text under 9 pt. The course style itself sets no default text under 9 pt."""

from __future__ import annotations

import io
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from conftest import REPO  # noqa: E402
from matplotlib.backend_bases import FigureCanvasBase  # noqa: E402

from heartdata import plotting  # noqa: E402

sys.path.insert(0, str(REPO / "tools"))
pytest.importorskip("colour", reason="colour-science is a test tool: pip install -r requirements-test.txt")
import figure_audit  # noqa: E402


@pytest.fixture
def audit(tmp_path, monkeypatch):
    path = tmp_path / "audit.jsonl"
    monkeypatch.setattr(FigureCanvasBase, "print_figure", FigureCanvasBase.print_figure)  # restored afterwards
    monkeypatch.setitem(plotting._AUDIT, "seen", set())
    monkeypatch.setenv("HEARTDATA_FIGURE_AUDIT", str(path))
    monkeypatch.setenv("HEARTDATA_AUDIT_NOTEBOOK", "notebooks/42-test.ipynb")
    plotting.use_course_style()
    yield path
    plotting._AUDIT["path"] = None
    plt.close("all")


def _render(fig, **kwargs):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", **kwargs)
    return buf


def test_the_course_style_has_no_default_text_under_9_pt():
    plotting.use_course_style()
    for key in ["font.size", "xtick.labelsize", "ytick.labelsize", "legend.fontsize", "legend.title_fontsize",
                "axes.labelsize", "axes.titlesize"]:  # fmt: skip
        size = matplotlib.rcParams[key]
        size = matplotlib.font_manager.FontProperties(size=size).get_size_in_points()
        assert size >= plotting.MIN_FONT_SIZE, (key, size)


def test_merging_colours_without_a_cue_are_found_and_a_cue_clears_them(audit):
    x = np.arange(5)
    fig, (a, b) = plt.subplots(1, 2)
    a.plot(x, x, color="#D55E00", label="vermilion")
    a.plot(x, x + 1, color="#E69F00", label="orange")  # same style: merges under deuteranopia
    b.plot(x, x, color="#D55E00")
    b.plot(x, x + 1, color="#E69F00", linestyle="--")  # a second cue
    b.plot(x, x + 2, color=plotting.COLOURS["survived"])  # far from both
    fig.suptitle("two panels")
    _render(fig)
    _render(fig)  # a figure rendered twice is described once
    records = figure_audit.read(audit)
    assert len(records) == 1 and records[0]["notebook"] == "notebooks/42-test.ipynb"
    found = figure_audit.findings(records)
    merges = [f for f in found if f["problem"] == "colours merge"]
    assert len(merges) == 1 and merges[0]["axes"] == 0 and merges[0]["colours"] == ["#D55E00", "#E69F00"]
    assert merges[0]["labels"] == [["vermilion"], ["orange"]] and merges[0]["delta_e"] < plotting.CVD_MIN_DELTA_E
    assert "merge under" in figure_audit.report(found)


def test_small_text_is_found_and_ecg_paper_is_not_data(audit):
    fig, ax = plt.subplots()
    ax.bar([0, 1], [1, 2], **plotting.style("measured", "bars"))
    ax.bar([2], [1], **plotting.style("missing", "bars"))  # merges with measured, but hatched: a cue
    ax.text(0, 1, "tiny", fontsize=7)
    _render(fig)
    plotting.plot_ecg_paper(np.zeros((1000, 12)), 100, ["I", "II", "III", "AVR", "AVL", "AVF"] +
                            [f"V{i}" for i in range(1, 7)])  # fmt: skip
    _render(plt.gcf())
    found = figure_audit.findings(figure_audit.read(audit))
    assert [f["problem"] for f in found] == ["text under 9 pt"]
    assert found[0]["examples"] == ["tiny"] and found[0]["sizes"] == [7.0]


def test_a_figure_wider_than_the_page_is_found_and_one_within_it_is_not(audit):
    for width in (plotting.MAX_FIGURE_WIDTH + 0.5, plotting.MAX_FIGURE_WIDTH):
        fig, ax = plt.subplots(figsize=(width, 3))
        ax.plot([0, 1], [0, 1], **plotting.style("neutral", "line"))
        ax.set_title(f"{width} in")
        _render(fig)
    found = figure_audit.findings(figure_audit.read(audit))
    wide = f"{plotting.MAX_FIGURE_WIDTH + 0.5} in"
    assert [(f["problem"], f["title"]) for f in found] == [("wider than the page", wide)]
    assert found[0]["width_in"] == plotting.MAX_FIGURE_WIDTH + 0.5
    assert "more than MAX_FIGURE_WIDTH" in figure_audit.report(found)


def test_the_width_is_the_saved_png_after_the_tight_bounding_box(audit):
    """The inline backend saves with bbox_inches="tight": a title longer than the axes grows the PNG past figsize.
    The audit measures the image as saved (its pixels at the figure's dpi), not figsize."""
    from PIL import Image

    widths = {}
    for name, title in [("too wide", "a title far longer than the figure is wide " * 4), ("fits", "short")]:
        fig, ax = plt.subplots(figsize=(plotting.MAX_FIGURE_WIDTH - 1, 3))  # within the page before cropping
        ax.plot([0, 1], [0, 1], **plotting.style("neutral", "line"))
        fig.suptitle(title)
        ax.set_title(name)
        png = _render(fig, bbox_inches="tight")
        widths[name] = Image.open(io.BytesIO(png.getvalue())).size[0] / fig.dpi
    records = figure_audit.read(audit)
    assert [r["figsize_in"] for r in records] == [plotting.MAX_FIGURE_WIDTH - 1] * 2
    for r in records:  # the recorded width is the PNG's, to a pixel
        assert abs(r["width_in"] - widths[r["axes"][0]["title"]]) <= 0.011, (r["width_in"], widths)
    assert widths["too wide"] > plotting.MAX_FIGURE_WIDTH > widths["fits"]
    found = figure_audit.findings(records)
    assert [f["problem"] for f in found] == ["wider than the page"] and found[0]["title"].startswith("a title")
    assert "wide as saved" in figure_audit.report(found)
