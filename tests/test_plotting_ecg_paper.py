"""The ECG paper plot: standard scale, a 1 mV calibration pulse on every row, readable labels, a visible grid."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from heartdata import plotting  # noqa: E402

LEADS = ["I", "II", "III", "AVR", "AVL", "AVF", "V1", "V2", "V3", "V4", "V5", "V6"]


def _pulses(ax):
    """The lines whose y values form a 10 mm (1 mV) block 5 mm (0.2 s) wide: the calibration pulses."""
    found = []
    for line in ax.get_lines():
        x, y = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
        if len(x) == 6 and np.isclose(np.ptp(y), 10) and np.isclose(x[3] - x[2], 5):
            found.append((x, y))
    return found


def test_every_row_opens_with_a_calibration_pulse():
    fs, seconds = 100, 10
    signal = np.zeros((fs * seconds, 12))
    signal[:, 1] = np.sin(np.arange(fs * seconds) / 10)  # lead II
    ax = plotting.plot_ecg_paper(signal, fs, LEADS, title="t")
    pulses = _pulses(ax)
    assert len(pulses) == len(plotting.PAPER_LAYOUT) + 1
    # the pulse sits before the traces: every trace starts after the last x of the pulse
    pulse_end = max(x.max() for x, _ in pulses)
    traces = [ln for ln in ax.get_lines() if len(ln.get_xdata()) > 6]
    assert traces and min(np.min(ln.get_xdata()) for ln in traces) >= pulse_end
    # 10 mm per mV: lead II of the rhythm strip spans 2 mV peak to peak, 20 mm
    strip = max(traces, key=lambda ln: len(ln.get_xdata()))
    assert np.isclose(np.ptp(strip.get_ydata()), 20, atol=0.1)
    # 25 mm per second, after the pulse's margin
    assert np.isclose(np.ptp(strip.get_xdata()), (fs * seconds - 1) / fs * plotting.MM_PER_S)
    plt.close("all")


def test_labels_readable_and_grid_visible():
    ax = plotting.plot_ecg_paper(np.zeros((1000, 12)), 100, LEADS)
    labels = [t for t in ax.texts if t.get_text().split()[0] in {"I", "II", "III", "aVR", "aVL", "aVF"} | set(LEADS)]
    assert len(labels) == 13 and min(t.get_fontsize() for t in labels) >= 10
    grid = [ln for ln in ax.get_lines() if len(ln.get_xdata()) == 2]
    widths = sorted({round(ln.get_linewidth(), 2) for ln in grid})
    assert widths[0] >= 0.4  # a 1 mm line thinner than this vanishes at 100 dpi
    plt.close("all")


def test_a_strip_is_on_standard_paper():
    from matplotlib.ticker import MultipleLocator

    fs = 360
    y = 0.8 * np.sin(np.arange(3 * fs) / fs * 2 * np.pi)
    ax = plotting.plot_ecg_strip(y, fs, start=12.0, lead="MLII", title="t")
    xmaj, xmin = ax.xaxis.get_major_locator(), ax.xaxis.get_minor_locator()
    ymaj, ymin = ax.yaxis.get_major_locator(), ax.yaxis.get_minor_locator()
    assert all(isinstance(loc, MultipleLocator) for loc in (xmaj, xmin, ymaj, ymin))
    # minor 0.04 s and 0.1 mV, major 0.2 s and 0.5 mV: the gridlines fall on those multiples
    assert np.allclose(np.diff(xmin.tick_values(12, 13)), 0.04) and np.allclose(np.diff(xmaj.tick_values(12, 13)), 0.2)
    assert np.allclose(np.diff(ymin.tick_values(-1, 1)), 0.1) and np.allclose(np.diff(ymaj.tick_values(-1, 1)), 0.5)
    # equal paper squares: 1 mV (10 mm) is drawn as long as 0.4 s (10 mm)
    assert ax.get_aspect() == plotting.MM_PER_MV / plotting.MM_PER_S
    fig = ax.figure
    fig.canvas.draw()
    box = ax.get_window_extent()  # pixels; the figure is 100 dpi
    mm_per_s = box.width / fig.dpi * 25.4 / np.ptp(ax.get_xlim())
    mm_per_mv = box.height / fig.dpi * 25.4 / np.ptp(ax.get_ylim())
    assert mm_per_s == pytest.approx(25, rel=0.03) and mm_per_mv == pytest.approx(10, rel=0.03)
    assert ax.get_xlim() == (12.0, 15.0)
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert labels == ["12", "13", "14", "15"]  # whole seconds only
    plt.close("all")


def test_a_strip_marks_beats_in_their_class_colour_and_explains_the_symbols():
    import pandas as pd

    fs = 360
    ann = pd.DataFrame({"sample": [100, 400, 700, 5000], "symbol": ["N", "V", "A", "N"]})
    ax = plotting.plot_ecg_strip(np.zeros(3 * fs), fs, annotations=ann)
    marks = {ln.get_label().split(":")[0]: ln for ln in ax.get_lines() if ln.get_label()[0] != "_"}
    assert set(marks) == {"N", "V", "A"}  # the fourth beat is after the strip
    assert marks["V"].get_color() == plotting.COLOURS["beat V"] and marks["V"].get_marker() == "v"
    assert marks["A"].get_color() == plotting.COLOURS["beat S"]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    # the MIT-BIH symbol's own meaning, kept apart from its AAMI class (review 00, finding 8)
    assert any(t.startswith("V: premature ventricular contraction (1)") and "AAMI class V = V, E" in t for t in legend)
    normal = next(t for t in legend if t.startswith("N:"))
    assert normal.startswith("N: normal beat (1)") and "AAMI class N = N, L, R, e, j" in normal
    assert "bundle" not in normal
    assert sorted(t.get_text() for t in ax.texts) == ["A", "N", "V"]
    plt.close("all")


def test_a_long_strip_wraps_into_rows_that_fit_the_column_with_its_legend_below():
    import pandas as pd

    fs = 360
    ann = pd.DataFrame({"time_s": [100.5, 102.5, 106.5, 109.5], "symbol": ["N", "V", "N", "N"]})
    axes = plotting.plot_ecg_strip(np.zeros(10 * fs), fs, start=100.0, lead="MLII", annotations=ann, title="t")
    assert len(axes) == 2 and [ax.get_xlim() for ax in axes] == [(100.0, 105.0), (105.0, 110.0)]
    fig = axes[0].figure
    fig.canvas.draw()
    box = fig.get_tightbbox(fig.canvas.get_renderer())  # what the notebook shows (inline figures are cut tight)
    assert box.width <= plotting.MAX_FIGURE_WIDTH
    for ax in axes:  # each row is still 25 mm/s
        mm_per_s = ax.get_window_extent().width / fig.dpi * 25.4 / np.ptp(ax.get_xlim())
        assert mm_per_s == pytest.approx(25, rel=0.03)
    legend = axes[-1].get_legend()
    assert legend is not None and axes[0].get_legend() is None
    # one entry per symbol, counting the beats of every row; the legend sits below the strip, not beside it
    assert [t.get_text().split(":")[0] for t in legend.get_texts()] == ["N", "V"]
    assert legend.get_texts()[0].get_text().split(";")[0].endswith("(3)")
    assert legend.get_window_extent().y1 < axes[-1].get_window_extent().y0
    assert legend.get_window_extent().x1 <= axes[-1].get_window_extent().x1 + 0.5 * fig.dpi
    # a strip drawn into a given axes stays one row
    _, ax = plt.subplots()
    assert plotting.plot_ecg_strip(np.zeros(10 * fs), fs, ax=ax) is ax
    plt.close("all")
