"""Plotting helpers: the palette of meanings, the course style, ECGs on standard paper and an ICU stay's timeline.

Colours come from here by meaning, never by hex code or position: ``COLOURS["died"]`` is the colour of death in
every lesson, and ``style("missing", "bars")`` gives its colour with its second cue (hatch, marker, line style) for
figures where it could merge with another colour for a colour-blind reader. docs/palette.md lists every meaning.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns

#: Seaborn's colour-blind palette, kept only so that old cells (``PALETTE[i]``) still run: a colour picked by its
#: position carries no meaning. Use ``COLOURS[meaning]`` (or ``style(meaning)``) instead.
PALETTE = sns.color_palette("colorblind")

# --- the palette of meanings ------------------------------------------------------------------------------------
#
# The rule (docs/palette.md, written by tools/palette.py; tests/test_palette.py checks every line of it):
#
# 1. Roles are greys and black. They carry no hue meaning and any lesson may use them: ``annotation`` (black: marks
#    that are not data), ``neutral`` (dark grey: the data when colour means nothing, and the data in focus),
#    ``reference`` (light grey: what the focus is compared with), ``chance`` (mid grey, dashed). Neutral + accent:
#    a figure that sets one state or group against another (after a step against before it, a highlighted group
#    against the rest, beat N against the rarer classes) draws the reference light and the focus dark or in hue.
#    A meaning may take a role's grey only by saying so (``role=``); no other meaning is grey or black.
# 2. A meaning drawn in more than one lesson is shared: its hue is its own. No other meaning anywhere has it.
# 3. A meaning drawn in one lesson only may reuse a shared meaning's hue, but only in a lesson where no meaning of
#    the owner's family appears (so blue never means "computing" in a lesson that shows who survived); within one
#    lesson no two meanings have one colour.
# 4. Meanings that can share one axes (one family, the roles among themselves, chance or annotation with any
#    meaning, the pairs of TOGETHER) stay CVD_MIN_DELTA_E apart (CIEDE2000) under simulated deuteranopia and
#    protanopia, or differ in a second cue: marker, line style and hatch, which ``style(meaning)`` hands to
#    matplotlib. tools/figure_audit.py checks the same threshold on every axes the notebooks draw.


@dataclass(frozen=True)
class Meaning:
    """One meaning a colour carries in the course's figures."""

    name: str
    colour: str  # hex
    family: str  # meanings drawn against each other: "outcome", "beat class", "role", ...
    lessons: tuple[str, ...]  # the lessons (two digits) whose figures draw it
    what: str  # what it means, in a few words
    marker: str = "o"
    linestyle: str = "-"
    hatch: str = ""
    role: str = ""  # the role whose grey this meaning takes (rule 1), if any


# The colours: Okabe & Ito's set (Okabe M, Ito K. Color Universal Design, 2008), with Paul Tol's indigo and wine
# (Tol P. Colour schemes, SRON/EPS/TN/09-002, 2021) for the hues it lacks, and four greys.
VERMILION, BLUE, ORANGE, SKY_BLUE = "#D55E00", "#0072B2", "#E69F00", "#56B4E9"
BLUISH_GREEN, REDDISH_PURPLE, INDIGO, WINE = "#009E73", "#CC79A7", "#332288", "#882255"
BLACK, DARK_GREY, MID_GREY, LIGHT_GREY = "#000000", "#595959", "#7F7F7F", "#BBBBBB"
ROLE_COLOURS = {"annotation": BLACK, "neutral": DARK_GREY, "chance": MID_GREY, "reference": LIGHT_GREY}

#: Two colours of one figure closer than this (CIEDE2000) under simulated deuteranopia or protanopia need a second
#: cue. The course's figure review found vermilion/orange (13 under deuteranopia) and bluish green/reddish purple
#: (16) merging in its figures; 20 leaves a margin above both.
CVD_MIN_DELTA_E = 20.0


def _m(name, colour, family, lessons, what, **cue) -> Meaning:
    return Meaning(name, colour, family, tuple(lessons.split()), what, **cue)


_ALL = "00 01 02 03 04 05 06 07 08 09 10 11"
MEANINGS: dict[str, Meaning] = {
    m.name: m
    for m in [
        # roles (rule 1)
        _m("annotation", BLACK, "role", _ALL, "marks that are not data: thresholds, medians, group boundaries, "
           "published reference values", linestyle=":", marker="|"),
        _m("neutral", DARK_GREY, "role", _ALL, "the data, where colour carries no meaning; the data in focus"),
        _m("reference", LIGHT_GREY, "role", _ALL, "what the data in focus is compared with", marker="s",
           linestyle="-", hatch=""),
        _m("chance", MID_GREY, "role", _ALL, "what a guess, or a strategy with no skill, gives", linestyle="--",
           marker=""),
        # outcomes
        _m("died", VERMILION, "outcome", "04 05 07 11", "died in hospital"),
        _m("survived", BLUE, "outcome", "07 11", "left hospital alive"),
        # presence of a value
        _m("measured", BLUISH_GREEN, "presence", "01 04 06 08", "a value was recorded"),
        _m("missing", REDDISH_PURPLE, "presence", "04 08", "no value was recorded", marker="X", linestyle="-.",
           hatch="//"),
        # predictions
        _m("model", INDIGO, "prediction", "05 07 10 11", "the risk a model the course built predicts", marker="o"),
        _m("clinical score", SKY_BLUE, "prediction", "05 07 11", "a published clinical score (SAPS-I)",
           marker="s", linestyle="-."),
        # MIT-BIH beat classes (AAMI EC57 groups); N is the common case and stays quiet, Q is the catch-all
        _m("beat N", LIGHT_GREY, "beat class", "00 01 02 08", "normal or bundle-branch-block beat (AAMI N)",
           role="reference"),
        _m("beat S", ORANGE, "beat class", "00 01 02 08", "supraventricular ectopic beat (AAMI S: A, a, J, S)",
           marker="^"),
        _m("beat V", WINE, "beat class", "00 01 02 08", "ventricular ectopic beat (AAMI V: V, E)", marker="v"),
        _m("beat F", SKY_BLUE, "beat class", "08", "fusion of a ventricular and a normal beat (AAMI F)", marker="D",
           linestyle=":", hatch=".."),
        _m("beat Q", DARK_GREY, "beat class", "00 02 08", "paced or unclassifiable beat (AAMI Q)", marker="X",
           linestyle=":", hatch="xx", role="neutral"),
        # the same data before and after a step (cleaning, an exchange, a protection); neutral + accent
        _m("before", LIGHT_GREY, "step", "01 02 03 04 06 08 09", "the data before a step (raw, as the source "
           "system sent it)", role="reference"),
        _m("after", DARK_GREY, "step", "02 03 06 08 09", "the data after the step (cleaned, read back, "
           "protected)", role="neutral"),
        # one group the figure points at, against the rest; neutral + accent
        _m("highlight", DARK_GREY, "highlight", "01 02 05", "the group the title speaks of", role="neutral"),
        _m("rest", LIGHT_GREY, "highlight", "01 02", "every other group", role="reference"),
        # lesson 02: one ECG at two sampling rates
        _m("500 Hz", BLUE, "sampling rate", "02", "the ECG at 500 Hz", marker="o"),
        _m("100 Hz", VERMILION, "sampling rate", "02", "the same ECG at 100 Hz", marker="s", linestyle="--"),
        # lesson 05: sex, as the datasets record it
        _m("male", WINE, "sex", "05", "recorded as male", marker="o"),
        _m("female", ORANGE, "sex", "05", "recorded as female", marker="s"),
        # lesson 06: what a value can be
        _m("impossible", WINE, "value class", "06", "a value no living body has: removed", hatch="xx"),
        _m("extreme", ORANGE, "value class", "06", "rare but possible: kept", hatch="//"),
        _m("usual", LIGHT_GREY, "value class", "06", "the bulk of the values", role="reference"),
        # lesson 09: two datasets in one figure; a released number's error
        _m("PTB-XL", ORANGE, "dataset", "09", "the PTB-XL ECG database", marker="o"),
        _m("Challenge 2012", BLUE, "dataset", "09", "the Challenge 2012 ICU stays", marker="s"),
        _m("error bound", INDIGO, "released error", "09", "the error bound a privacy library states",
           linestyle="--"),
        _m("typical error", SKY_BLUE, "released error", "09", "the typical error of the released numbers"),
        # lesson 10: a parallel task stream and how a job ran
        _m("reading files", ORANGE, "task", "10", "a worker reading files", marker="^", linestyle="--", hatch="//"),
        _m("computing", BLUISH_GREEN, "task", "10", "a worker computing", hatch="\\\\"),
        _m("waiting", LIGHT_GREY, "task", "10", "a worker neither running nor ready to: no task to do, or waiting "
           "for the GIL or the disk", marker="s", linestyle=":", role="reference"),
        _m("on a core", REDDISH_PURPLE, "thread time", "10", "a worker thread running on a CPU core", marker="D",
           hatch=".."),
        _m("waiting for a core", WINE, "thread time", "10", "a worker thread ready to run while every core is taken",
           marker="v", hatch="xx"),
        _m("loop", DARK_GREY, "run", "10", "one plain loop, no Dask", marker="s", role="neutral"),
        _m("1 worker", VERMILION, "run", "10", "Dask with one worker", marker="^"),
        _m("2 workers", BLUE, "run", "10", "Dask with two workers", marker="o"),
    ]
}  # fmt: skip

#: Names lessons used before the palette of meanings: each resolves to the meaning it now belongs to. New cells
#: use the meaning's own name (tests/test_palette.py lists the notebooks that still use an alias).
ALIASES = {
    "raw": "before",
    "clean": "after",
    "source system": "before",
    "after exchange": "after",
    "flagged": "highlight",
    "not flagged": "rest",
}

#: Pairs of meanings from different families that one axes draws together (besides one family's meanings, and
#: chance and annotation with everything). tools/figure_audit.py finds the pairs the figures really draw.
TOGETHER = [
    ("model", "computing"),
    ("model", "reading files"),
    ("on a core", "waiting"),
    ("waiting for a core", "waiting"),
]


def meaning(name: str) -> Meaning:
    """The meaning called ``name`` (an alias is resolved); a ``KeyError`` names the known meanings."""
    key = ALIASES.get(name, name)
    if key not in MEANINGS:
        known = ", ".join(sorted(MEANINGS))
        raise KeyError(f"{name!r} is not a meaning of the course's palette. Known meanings: {known}. A lesson that "
                       "needs a new one adds it to heartdata.plotting.MEANINGS (see docs/palette.md).")  # fmt: skip
    return MEANINGS[key]


class _Colours(Mapping):
    """``COLOURS[meaning]`` is that meaning's colour; old names (ALIASES) resolve to their meaning's colour."""

    def __getitem__(self, name: str) -> str:
        return meaning(name).colour

    def __contains__(self, name) -> bool:
        return ALIASES.get(name, name) in MEANINGS

    def __iter__(self):
        return iter(MEANINGS)

    def __len__(self) -> int:
        return len(MEANINGS)

    def __repr__(self) -> str:
        return "COLOURS(" + ", ".join(f"{k!r}: {v.colour!r}" for k, v in MEANINGS.items()) + ")"


#: One colour per meaning, the same in every lesson: ``COLOURS["died"]``.
COLOURS = _Colours()


def style(name: str, kind: str = "line") -> dict:
    """Matplotlib keyword arguments that draw ``name`` with its colour and its second cue.

    ``kind`` is "line" (``ax.plot``: colour, line style, marker), "points" (``ax.scatter``, ``ax.errorbar`` with
    ``fmt`` left out: colour and marker), "bars" (``ax.bar``, ``ax.hist``, ``ax.fill_between``: face colour, hatch,
    white edges) or "colour" (the colour alone).
    """
    m = meaning(name)
    if kind == "line":
        return {"color": m.colour, "linestyle": m.linestyle, "marker": m.marker or None}
    if kind == "points":
        return {"color": m.colour, "marker": m.marker or "o", "linestyle": "none"}
    if kind == "bars":
        out = {"facecolor": m.colour, "edgecolor": "white"}
        if m.hatch:
            out.update(hatch=m.hatch, edgecolor=_hatch_ink(m.colour))
        return out
    if kind == "colour":
        return {"color": m.colour}
    raise ValueError(f"kind must be 'line', 'points', 'bars' or 'colour', not {kind!r}")


def _hatch_ink(colour: str) -> str:
    """White hatching on a dark face, black on a light one (matplotlib draws the hatch in the edge colour)."""
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return "white" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.45 else "black"


#: MIT-BIH beat symbols grouped as AAMI EC57 classes (the meaning their marks take): ``COLOURS[BEAT_CLASS["A"]]``.
BEAT_CLASS = {
    **dict.fromkeys("NLRej", "beat N"),
    **dict.fromkeys("AaJS", "beat S"),
    **dict.fromkeys("VE", "beat V"),
    "F": "beat F",
    **dict.fromkeys("/fQ", "beat Q"),
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
