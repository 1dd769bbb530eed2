"""The ECG paper plot: standard scale, a 1 mV calibration pulse on every row, readable labels, a visible grid."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

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
