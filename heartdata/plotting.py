"""Plotting helpers: the course style and a 12-lead ECG on standard paper."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns

#: Colour-blind-safe palette used throughout the course.
PALETTE = sns.color_palette("colorblind")

#: One colour per meaning, the same in every lesson (Okabe & Ito's colour-blind-safe set). A lesson that
#: needs a new meaning adds it here rather than picking a colour in a cell.
COLOURS = {
    # outcomes
    "died": "#D55E00",  # vermilion
    "survived": "#0072B2",  # blue
    # MIT-BIH beat classes (AAMI EC57 groups: N, S, V, F, Q)
    "beat N": "#7F7F7F",  # grey: the common case stays quiet
    "beat S": "#E69F00",  # orange: supraventricular (A, a, J, S, ...)
    "beat V": "#D55E00",  # vermilion: ventricular (V, E)
    "beat F": "#CC79A7",  # reddish purple: fusion
    "beat Q": "#000000",  # black: paced or unclassifiable
    # data before and after a step
    "raw": "#7F7F7F",
    "clean": "#0072B2",
    # presence
    "measured": "#009E73",  # bluish green
    "missing": "#CC79A7",
    # models and references
    "model": "#0072B2",
    "clinical score": "#E69F00",
    "chance": "#7F7F7F",
    # labels made by people
    "flagged": "#D55E00",
    "not flagged": "#56B4E9",  # sky blue
    # sampling rates of the same ECG (lesson 02)
    "500 Hz": "#0072B2",
    "100 Hz": "#E69F00",
    # datasets, when two are drawn in one figure (lesson 09)
    "PTB-XL": "#CC79A7",  # reddish purple
    "Challenge 2012": "#009E73",  # bluish green
    # a released number's error (lesson 09): the bound a privacy library states, and the typical error
    "error bound": "#0072B2",
    "typical error": "#E69F00",
    # a signal or value before and after an exchange (export, then read back)
    "source system": "#7F7F7F",
    "after exchange": "#0072B2",
    # sex, as the datasets record it
    "male": "#56B4E9",  # sky blue
    "female": "#E69F00",  # orange
    # marks that are not data: group boundaries, thresholds, medians, published reference values
    "annotation": "#000000",
    # data where colour carries no meaning (one group, or groups told apart by position and label)
    "neutral": "#595959",
    # work of a parallel task (lesson 10's task stream)
    "reading files": "#E69F00",  # orange
    "computing": "#0072B2",  # blue
    "waiting": "#7F7F7F",  # grey: a worker with nothing to do
    # how a job ran (lesson 10's scaling curves)
    "loop": "#000000",  # one plain loop, no Dask
    "1 worker": "#56B4E9",  # sky blue
    "2 workers": "#0072B2",  # blue
    # what a value can be (lesson 06): impossible is removed, extreme is kept, usual is the bulk
    "impossible": "#D55E00",
    "extreme": "#E69F00",
    "usual": "#0072B2",
}

# Standard 12-lead printout: 3 rows of 4 leads, each column 2.5 s, then a lead II rhythm strip.
PAPER_LAYOUT = [["I", "AVR", "V1", "V4"], ["II", "AVL", "V2", "V5"], ["III", "AVF", "V3", "V6"]]
MM_PER_S, MM_PER_MV = 25.0, 10.0
#: The calibration pulse printed at the start of every row: 1 mV high for 0.2 s, with 1 mm of baseline either side.
CAL_MV, CAL_S, CAL_MARGIN_MM = 1.0, 0.2, 8.0
#: Paper grid: 1 mm minor and 5 mm major lines, drawn wide and dark enough to survive a 100 dpi screen.
GRID_MINOR, GRID_MAJOR = ("#f2b8b0", 0.45), ("#d9665b", 0.9)
LEAD_LABEL_SIZE = 11


def use_course_style() -> None:
    """Readable defaults: colour-blind palette, light grid, figure size for a notebook."""
    sns.set_theme(style="whitegrid", palette=PALETTE, rc={"figure.figsize": (9, 4), "figure.dpi": 100})


def calibration_pulse(x0: float, base: float) -> tuple[np.ndarray, np.ndarray]:
    """The standard 1 mV, 0.2 s calibration pulse in paper millimetres, starting at ``x0`` on baseline ``base``."""
    w = CAL_S * MM_PER_S
    h = CAL_MV * MM_PER_MV
    x = np.array([x0, x0 + 1, x0 + 1, x0 + 1 + w, x0 + 1 + w, x0 + 2 + w])
    y = np.array([base, base, base + h, base + h, base, base])
    return x, y


def plot_ecg_paper(signal: np.ndarray, fs: float, leads: list[str], title: str = "", ax=None):
    """Draw a 12-lead ECG as printed on paper: 25 mm/s, 10 mm/mV, 1 mm and 5 mm grid, a 1 mV calibration pulse.

    ``signal`` is (samples, leads) in mV (one record of ``ptbxl.load_signals``).
    Each of the 3 x 4 panels shows 2.5 s of its lead, the next 2.5 s in the next
    column, as an electrocardiograph prints it; the bottom row is 10 s of lead II.
    Every row starts with the calibration pulse (1 mV for 0.2 s: 10 mm high, 5 mm wide), which lets a reader
    check the gain and speed of the printout; the time axis starts after it.
    """
    signal = np.asarray(signal, dtype=float)
    n = signal.shape[0]
    seconds = n / fs
    x0 = CAL_MARGIN_MM  # the traces start after the calibration pulse
    width = x0 + seconds * MM_PER_S
    row_mm = 30.0  # 3 mV of height per row
    rows = len(PAPER_LAYOUT) + 1
    height = rows * row_mm
    if ax is None:
        _, ax = plt.subplots(figsize=(width / 25.4, height / 25.4 + 0.5))
    for (colour, lw), step in ((GRID_MINOR, 1.0), (GRID_MAJOR, 5.0)):
        for x in np.arange(0, width + 0.01, step):
            ax.axvline(x, color=colour, lw=lw, zorder=0)
        for y in np.arange(0, height + 0.01, step):
            ax.axhline(y, color=colour, lw=lw, zorder=0)
    index = {name.upper(): i for i, name in enumerate(leads)}
    col_samples = n // 4
    t_mm = x0 + np.arange(n) / fs * MM_PER_S
    label_box = {"facecolor": "white", "edgecolor": "none", "pad": 0.5, "alpha": 0.85}
    for r, row in enumerate([*PAPER_LAYOUT, ["II"]]):
        base = height - (r + 0.5) * row_mm
        ax.plot(*calibration_pulse(0.5, base), color="black", lw=1.0, solid_joinstyle="miter")
        strip = len(row) == 1
        for c, lead in enumerate(row):
            part = slice(None) if strip else slice(c * col_samples, (c + 1) * col_samples)
            ax.plot(t_mm[part], base + signal[part, index[lead]] * MM_PER_MV, color="black", lw=0.8)
            label = lead.replace("AV", "aV") + (" (rhythm strip)" if strip else "")
            ax.text(x0 + c * seconds * MM_PER_S / 4 + 1, base + 9, label, fontsize=LEAD_LABEL_SIZE,
                    fontweight="bold", bbox=label_box)  # fmt: skip
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_aspect("equal")
    ticks = np.arange(0, seconds + 1e-9, 1)
    ax.set_xticks(x0 + ticks * MM_PER_S, [f"{s:g}" for s in ticks])
    ax.set_yticks([])
    ax.set_xlabel("time (s); a small square is 0.04 s wide and 0.1 mV tall; each row opens with a 1 mV pulse")
    ax.grid(False)
    if title:
        ax.set_title(title)
    return ax


# Palette indices for the timeline's sources: neighbours in the legend get clearly different colours.
_TIMELINE_COLOURS = [0, 1, 2, 7, 4, 3, 5, 6, 8, 9]


def plot_stay_timeline(stay, source_of: dict, order: list[str], title: str = "", ax=None, colors=None):
    """Draw one ICU stay as a timeline: one row per parameter, one mark per charted value.

    ``stay`` is the long table of ONE stay (columns Time in minutes, Parameter); ``source_of`` maps
    a parameter to who or what produced it, ``order`` lists those sources top to bottom. Rows
    whose parameter has no source (e.g. the admission descriptors) are left out. Marks are
    coloured by source; the y labels give each parameter's number of values.
    """
    if stay["RecordID"].nunique() != 1:
        raise ValueError(f"expected the rows of one stay, got {stay['RecordID'].nunique()} stays")
    colors = colors or {s: PALETTE[i] for s, i in zip(order, _TIMELINE_COLOURS, strict=False)}
    rows = stay.assign(source=stay["Parameter"].map(source_of)).dropna(subset=["source"])
    rank = {s: i for i, s in enumerate(order)}
    counts = rows.groupby("Parameter").size()
    params = sorted(counts.index, key=lambda p: (rank[source_of[p]], -counts[p], p))
    y = {p: i for i, p in enumerate(params)}
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 0.28 * len(params) + 1.6))
    for source in order:
        part = rows[rows["source"].eq(source)]
        if part.empty:
            continue
        n_times = part["Time"].nunique()
        ax.scatter(
            part["Time"] / 60, part["Parameter"].map(y), marker="|", s=90, linewidths=1.4, color=colors[source],
            label=f"{source} ({len(part)} values at {n_times} times)",
        )  # fmt: skip
    ax.set_yticks(range(len(params)), [f"{p} ({counts[p]})" for p in params], fontsize=8)
    ax.set_ylim(len(params) - 0.5, -0.5)
    ax.set_xlim(0, 48)
    ax.set_xticks(range(0, 49, 6))
    ax.set_xlabel("hours since ICU admission")
    ax.set_ylabel("parameter (number of values)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False, title="produced by")
    if title:
        ax.set_title(title)
    return ax
