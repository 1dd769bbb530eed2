"""Plotting helpers: the palette of meanings, the course style, ECGs on standard paper and an ICU stay's timeline.

Colours come from here by meaning, never by hex code or position: ``COLOURS["died"]`` is the colour of death in
every lesson, and ``style("missing", "bars")`` gives its colour with its second cue (hatch, marker, line style) for
figures where it could merge with another colour for a colour-blind reader. docs/palette.md lists every meaning.
"""

from __future__ import annotations

import functools
import os
import sys
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
    linestyle: str | tuple = "-"
    hatch: str = ""
    role: str = ""  # the role whose grey this meaning takes (rule 1), if any


# The colours: Okabe & Ito's set (Okabe M, Ito K. Color Universal Design, 2008), with Paul Tol's indigo and wine
# (Tol P. Colour schemes, SRON/EPS/TN/09-002, 2021) for the hues it lacks, and four greys.
VERMILION, BLUE, ORANGE, SKY_BLUE = "#D55E00", "#0072B2", "#E69F00", "#56B4E9"
BLUISH_GREEN, REDDISH_PURPLE, INDIGO, WINE = "#009E73", "#CC79A7", "#332288", "#882255"
BLACK, DARK_GREY, MID_GREY, LIGHT_GREY = "#000000", "#595959", "#7F7F7F", "#A6A6A6"
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
           "published reference values", linestyle=":", marker=""),
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
        _m("model", INDIGO, "prediction", "05 07 11", "the risk a model the course built predicts", marker="o"),
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
        _m("before", LIGHT_GREY, "step", "01 02 03 04 06 08 09 11", "the data before a step (raw, as the source "
           "system sent it)", role="reference"),
        _m("after", DARK_GREY, "step", "02 03 06 08 09", "the data after the step (cleaned, read back, "
           "protected)", role="neutral"),
        # one group the figure points at, against the rest; neutral + accent
        _m("highlight", DARK_GREY, "highlight", "01 02 03 05", "the group the title speaks of", role="neutral"),
        _m("rest", LIGHT_GREY, "highlight", "01 02 03 05", "every other group", role="reference"),
        # lesson 01: who or what produced an ICU value (plot_stay_timeline); the monitor's dense stream stays quiet
        _m("bedside monitor", LIGHT_GREY, "source", "01", "the bedside monitor, every few minutes", marker="|",
           role="reference"),
        _m("arterial line", BLUE, "source", "01", "an arterial catheter's pressure", marker="o", linestyle="--",
           hatch="//"),
        _m("nurse charting", SKY_BLUE, "source", "01", "values a nurse charts by hand", marker="s", linestyle=":",
           hatch="\\\\"),
        _m("ventilator", INDIGO, "source", "01", "the ventilator's settings and readings", marker="^",
           linestyle="-.", hatch="xx"),
        _m("blood gas", DARK_GREY, "source", "01", "an arterial blood gas analysis", marker="x",
           linestyle=(0, (1, 3)), hatch="..", role="neutral"),
        _m("lab draw", VERMILION, "source", "01", "a blood sample sent to the laboratory", marker="D",
           linestyle=(0, (5, 1)), hatch="++"),
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
        # second cue for bars: dots against diagonals (r15 fig 10 c45: "//" against "\\\\" were mirror images, hard to
        # tell apart in narrow bars, while the two colours merge under protanopia)
        _m("reading files", ORANGE, "task", "10", "a worker reading files", marker="^", linestyle="--", hatch="..."),
        _m("computing", BLUISH_GREEN, "task", "10", "a worker computing", hatch="\\\\"),
        _m("waiting", LIGHT_GREY, "task", "10", "a worker with no task to run", marker="s", linestyle=":",
           role="reference"),
        _m("on a core", REDDISH_PURPLE, "thread time", "10", "a worker thread running on a CPU core", marker="D",
           hatch=".."),
        _m("waiting for a core", WINE, "thread time", "10", "a worker thread ready to run while every core is taken",
           marker="v", hatch="xx"),
        _m("blocked", INDIGO, "thread time", "10", "a worker thread inside a task, neither running nor ready to: "
           "waiting for the GIL or the disk", marker="s", linestyle="--", hatch="//"),
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
    ("blocked", "waiting"),
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


#: The contrast on white that text in a meaning's hue needs: WCAG 2.1's 4.5:1 for normal-size text (success
#: criterion 1.4.3, https://www.w3.org/TR/WCAG21/#contrast-minimum). Orange and sky blue reach only about 2:1.
TEXT_MIN_CONTRAST = 4.5


def _luminance(rgb) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour (components 0-1)."""
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast_on_white(colour) -> float:
    """WCAG 2.1 contrast ratio of ``colour`` against a white page (1 to 21)."""
    from matplotlib.colors import to_rgb

    return 1.05 / (_luminance(to_rgb(colour)) + 0.05)


def text_colour(name: str) -> str:
    """The colour for text written in meaning ``name``'s hue (a direct label, a key): the meaning's own colour if it
    reaches TEXT_MIN_CONTRAST on white, else the same hue and saturation made darker, just enough to reach it. Use it
    for text only; the marks keep ``COLOURS[name]``."""
    import colorsys

    from matplotlib.colors import to_hex, to_rgb

    colour = COLOURS[name] if name in COLOURS else name
    h, lightness, s = colorsys.rgb_to_hls(*to_rgb(colour))
    while contrast_on_white(colorsys.hls_to_rgb(h, lightness, s)) < TEXT_MIN_CONTRAST and lightness > 0:
        lightness = max(0.0, lightness - 0.005)
    return to_hex(colorsys.hls_to_rgb(h, lightness, s)).upper()


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


#: The smallest text the course's figures use (tick labels, legends, annotations): smaller is unreadable at the size
#: a notebook shows a figure. tools/figure_audit.py flags any text under it.
MIN_FONT_SIZE = 9
_FONT_SIZES = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.title_fontsize": 9,
    "figure.titlesize": 12,
}


#: The colour map of a signed quantity (a correlation from -1 to 1): ColorBrewer's purple-orange (Brewer CA,
#: colorbrewer2.org, where PuOr is marked colour-blind safe), orange for negative, white at 0, purple for positive.
#: Not red-blue: vermilion means *died* and blue *survived* in the course, and a red-blue map would echo them.
DIVERGING_CMAP = "PuOr"

#: The default colour cycle: what a series drawn with no colour gets. It carries no meaning: the role greys, the
#: neutral dark grey first, then light grey and black, each pair at least CVD_MIN_DELTA_E apart under simulated
#: deuteranopia and protanopia, so that an un-coloured figure never draws in a hue that means something elsewhere
#: (blue is "survived", orange "beat S") and its first three series stay apart. Colours only: a line style in the
#: cycle would also dash the lines that cells draw with a colour and no style (the ECG traces, a meaning's line).
#: A fourth series gets the mid grey, which merges with the dark and the light one: give it a line style or marker
#: (tools/figure_audit.py flags it otherwise).
DEFAULT_CYCLE = [DARK_GREY, LIGHT_GREY, BLACK, MID_GREY]

#: The widest figure the course draws (inches at 100 dpi): the site's text column is about 800-900 px, so a wider
#: figure is shrunk and its 9 pt text falls below 9 pt on screen.
MAX_FIGURE_WIDTH = 9.0


def use_course_style() -> None:
    """Readable defaults: light grid, a notebook's figure size, no default text under 9 pt, and a default colour
    cycle of role greys (``DEFAULT_CYCLE``) that carries no meaning.

    With the environment variable HEARTDATA_FIGURE_AUDIT set to a file, every figure drawn afterwards is also
    described in that file (``install_figure_audit``) for tools/figure_audit.py.
    """
    from cycler import cycler

    sns.set_theme(style="whitegrid", palette=DEFAULT_CYCLE, rc={"figure.figsize": (9, 4), "figure.dpi": 100,
                  **_FONT_SIZES, "axes.prop_cycle": cycler(color=DEFAULT_CYCLE)})  # fmt: skip
    if os.environ.get("HEARTDATA_FIGURE_AUDIT"):
        install_figure_audit(os.environ["HEARTDATA_FIGURE_AUDIT"])


# --- the figure audit -------------------------------------------------------------------------------------------

_AUDIT = {"path": None, "seen": set(), "count": 0}
GRID_GID = "ecg-grid"  # artists with this gid are the ECG paper, not data: the audit leaves them out


def install_figure_audit(path) -> None:
    """Describe every figure rendered from now on (shown inline, saved) as one JSON line in ``path``: each axes'
    marks (colour, marker, line style, hatch, label) and every text's size. Installed once per process."""
    from matplotlib.backend_bases import FigureCanvasBase

    _AUDIT["path"] = str(path)
    if getattr(FigureCanvasBase.print_figure, "_heartdata_audit", False):
        return
    original = FigureCanvasBase.print_figure

    @functools.wraps(original)
    def print_figure(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        try:
            _audit_figure(self.figure, kwargs)
        except Exception as exc:  # the audit must never break a figure
            print(f"figure audit: {exc.__class__.__name__}: {exc}", file=sys.stderr)
        return result

    print_figure._heartdata_audit = True
    FigureCanvasBase.print_figure = print_figure


def _hex(rgba) -> str | None:
    """A colour as drawn on white (alpha laid over the page), or None for no colour."""
    from matplotlib.colors import to_rgba

    r, g, b, a = to_rgba(rgba)
    if a == 0:
        return None
    return "#" + "".join(f"{round((v * a + 1 - a) * 255):02X}" for v in (r, g, b))


def _style(ls) -> str | None:
    return None if ls in (None, "None", "none", "", " ") else str(ls)


def _marks(ax) -> list[dict]:
    from matplotlib.collections import LineCollection, PathCollection, PolyCollection, QuadMesh
    from matplotlib.patches import Patch

    out = []

    def add(kind, colour, label="", marker=None, linestyle=None, hatch=None):
        c = _hex(colour)
        if c is not None:
            out.append({"kind": kind, "colour": c, "marker": marker, "linestyle": linestyle, "hatch": hatch or None,
                        "label": "" if str(label).startswith("_") else str(label)})  # fmt: skip

    for line in ax.lines:
        if not line.get_visible() or line.get_gid() == GRID_GID or len(line.get_xdata()) == 0:
            continue
        ls, marker = _style(line.get_linestyle()), _style(line.get_marker())
        if marker in ("_", "|") and ls is None and len(line.get_xdata()) > 0 and line.get_label().startswith("_"):
            kind = "caps"
        else:
            kind = "line" if ls else "points"
        colour = (
            line.get_color() if (ls or line.get_markerfacecolor() in ("none", "white")) else line.get_markerfacecolor()
        )
        add(kind, colour, line.get_label(), marker, ls)
    for coll in ax.collections:
        if not coll.get_visible() or coll.get_gid() == GRID_GID or isinstance(coll, QuadMesh):
            continue
        label, hatch = coll.get_label(), coll.get_hatch()
        if isinstance(coll, PathCollection):
            faces = coll.get_facecolors()
            colours = faces if len(faces) else coll.get_edgecolors()
            paths = coll.get_paths()
            marker = f"path{len(paths[0].vertices)}" if len(paths) else None
            for c in {tuple(map(float, c)) for c in colours}:
                add("points", c, label, marker, None, hatch)
        elif isinstance(coll, LineCollection):
            for c in {tuple(map(float, c)) for c in coll.get_colors()}:
                add("segments", c, label, None, _style(coll.get_linestyle()[0] if coll.get_linestyle() else None))
        elif isinstance(coll, PolyCollection):
            for c in {tuple(map(float, c)) for c in coll.get_facecolors()}:
                add("area", c, label, None, None, hatch)
    for patch in ax.patches:
        if not isinstance(patch, Patch) or not patch.get_visible() or patch.get_gid() == GRID_GID:
            continue
        if patch.get_fill() and patch.get_facecolor()[3] > 0:
            add("bar", patch.get_facecolor(), patch.get_label(), None, None, patch.get_hatch())
        else:
            add("outline", patch.get_edgecolor(), patch.get_label(), None, _style(patch.get_linestyle()))
    seen, unique = set(), []
    for m in out:
        key = tuple(sorted(m.items()))
        if key not in seen:
            seen.add(key)
            unique.append(m)
    return unique


def _texts(fig) -> list[dict]:
    from matplotlib.text import Text

    out = []
    for t in fig.findobj(Text):
        text = t.get_text().strip()
        if text and t.get_visible() and t.get_figure() is not None:
            out.append({"text": text[:60], "size": float(t.get_fontsize())})
    return out


def saved_width(fig, save_kwargs: dict | None = None) -> float:
    """The width in inches of the image ``savefig``/``print_figure`` wrote with ``save_kwargs``: with
    ``bbox_inches="tight"`` (the inline backend's default, and what a notebook page shows) the figure is cropped or
    grown to its artists' bounding box plus ``pad_inches`` each side, so a long title can make the image wider than
    ``figsize``. The PNG is this width times the dpi it was saved at, truncated to whole pixels; at the figure's dpi
    (100) it is the width the page shows."""
    import matplotlib

    kw = save_kwargs or {}
    bbox = kw.get("bbox_inches", matplotlib.rcParams["savefig.bbox"])
    if bbox is None or bbox == "standard":
        return float(fig.get_size_inches()[0])
    if hasattr(bbox, "width"):  # an explicit Bbox in inches
        return float(bbox.width)
    pad = kw.get("pad_inches", matplotlib.rcParams["savefig.pad_inches"])
    pad = 0.0 if pad in (None, "layout") else float(pad)  # "layout": the layout engine's padding, none added
    tight = fig.get_tightbbox(fig._get_renderer(), bbox_extra_artists=kw.get("bbox_extra_artists"))
    return float(tight.width) + 2 * pad


def _audit_figure(fig, save_kwargs: dict | None = None) -> None:
    import json

    path = _AUDIT["path"]
    if not path or id(fig) in _AUDIT["seen"]:
        return
    _AUDIT["seen"].add(id(fig))
    _AUDIT["count"] += 1
    title = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) is not None else ""
    axes = []
    for i, ax in enumerate(fig.axes):
        if ax.get_visible():
            axes.append({"index": i, "title": ax.get_title(), "marks": _marks(ax)})
    title = title or next((a["title"] for a in axes if a["title"]), "")
    record = {"notebook": os.environ.get("HEARTDATA_AUDIT_NOTEBOOK", ""), "figure": _AUDIT["count"],
              "title": title, "axes": axes, "texts": [t for t in _texts(fig) if t["size"] < MIN_FONT_SIZE],
              "width_in": int(saved_width(fig, save_kwargs) * fig.dpi) / fig.dpi,  # the PNG's pixels (Agg truncates)
              "figsize_in": round(float(fig.get_size_inches()[0]), 2)}  # fmt: skip
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")


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
    if ax is None:  # at most MAX_FIGURE_WIDTH wide (10 s of paper is 10.2 in), the axes filling the width
        fig, ax = plt.subplots(figsize=(min(width / 25.4 + 0.4, MAX_FIGURE_WIDTH), height / 25.4 + 0.5))
        fig.subplots_adjust(left=0.02, right=0.98)
    for (colour, lw), step in ((GRID_MINOR, 1.0), (GRID_MAJOR, 5.0)):
        for x in np.arange(0, width + 0.01, step):
            ax.axvline(x, color=colour, lw=lw, zorder=0, gid=GRID_GID)
        for y in np.arange(0, height + 0.01, step):
            ax.axhline(y, color=colour, lw=lw, zorder=0, gid=GRID_GID)
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


#: A strip longer than this (seconds) is wrapped into rows, as an electrocardiograph's rhythm printout would be cut to
#: fit a page: at 25 mm/s, 6 s is 150 mm, 5.9 in, which leaves the figure within MAX_FIGURE_WIDTH at 100 dpi.
STRIP_ROW_SECONDS = 6.0


def plot_ecg_strip(
    signal, fs: float, start: float = 0.0, lead: str = "", annotations=None, title: str = "", ax=None,
    mv_range: tuple[float, float] | None = None, row_seconds: float | None = None,
):  # fmt: skip
    """Draw one lead on standard ECG paper: 25 mm/s, 10 mm/mV, minor grid 0.04 s / 0.1 mV, major 0.2 s / 0.5 mV.

    ``signal`` is one lead in mV sampled at ``fs`` Hz, its first sample ``start`` seconds into the recording (the
    x axis is in seconds of the recording, the y axis in mV, at the paper's aspect: 1 mV is as long as 0.4 s).
    ``annotations`` (optional) is a table with columns ``time_s`` (or ``sample``, counted from the start of the
    recording) and ``symbol`` (MIT-BIH beat codes): each beat gets a mark above the trace in its AAMI class's colour
    and marker (``BEAT_CLASS``), and the legend (below the strip) says what each symbol means.

    When ``ax`` is None the figure is sized so that the paper prints at 25 mm/s on screen at 100 dpi, and a strip
    longer than ``row_seconds`` (default ``STRIP_ROW_SECONDS``) is cut into rows of equal length, one under the
    other, so that the figure fits the course's column. Returns the axes (one row) or an array of axes, one per row
    (then add marks to every row and call ``strip_legend(axes)`` to gather their labels below the strip).
    """
    y = np.asarray(signal, dtype=float).ravel()
    t = start + np.arange(len(y)) / fs
    room = 0.9 if annotations is not None else 0.3  # headroom for the beat marks and their symbols
    low, high = mv_range or (np.floor((np.nanmin(y) - 0.3) / 0.5) * 0.5, np.ceil((np.nanmax(y) + room) / 0.5) * 0.5)
    seconds = len(y) / fs
    if ax is not None:
        spans, axes = [(start, start + seconds)], [ax]
    else:  # each axes box is exactly the paper: 25 mm per second, 10 mm per mV (at the figure's dpi)
        limit = row_seconds or STRIP_ROW_SECONDS
        n_rows = max(1, int(np.ceil(seconds / limit - 1e-9)))
        per_row = seconds / n_rows
        spans = [(start + i * per_row, start + (i + 1) * per_row) for i in range(n_rows)]
        width_in, height_in = per_row * MM_PER_S / 25.4, (high - low) * MM_PER_MV / 25.4
        left, right, bottom, top, gap = 0.8, 0.3, 0.7, 0.45, 0.35
        fig = plt.figure(figsize=(width_in + left + right, n_rows * height_in + (n_rows - 1) * gap + bottom + top))
        w, h = fig.get_size_inches()
        axes = [fig.add_axes((left / w, (bottom + (n_rows - 1 - i) * (height_in + gap)) / h, width_in / w,
                              height_in / h)) for i in range(n_rows)]  # fmt: skip
    marks = _strip_marks(annotations, fs, start, seconds)
    labelled = set()
    for i, (ax_i, (a, b)) in enumerate(zip(axes, spans, strict=True)):
        _draw_strip_row(ax_i, t, y, a, b, low, high, lead, last=i == len(axes) - 1)
        for sym, (m, at) in marks.items():
            here = at[(at >= a) & (at < b)]
            if not len(here):
                continue
            mark_y = high - 0.45
            ax_i.plot(here, np.full(len(here), mark_y), linestyle="none", marker=m.marker if m.marker != "|" else "v",
                      color=m.colour, markeredgecolor="black", markeredgewidth=0.5, ms=7, clip_on=False,
                      label="_" if sym in labelled else _beat_label(sym, len(at)))  # fmt: skip
            # clip_on=False: a beat at a row's edge keeps its whole mark (its symbol, text, is not clipped either)
            labelled.add(sym)
            for x in here:
                ax_i.text(x, mark_y + 0.1, sym, ha="center", va="bottom", fontsize=MIN_FONT_SIZE, fontweight="bold")
    if title:
        axes[0].set_title(title)
    if marks:
        strip_legend(axes if len(axes) > 1 else axes[0])
    return axes[0] if len(axes) == 1 else np.array(axes)


def _strip_marks(annotations, fs, start, seconds) -> dict:
    """Beat symbol -> (its meaning, the times of its beats inside the strip), in order of first appearance."""
    if annotations is None or not len(annotations):
        return {}
    ann = annotations
    times = ann["time_s"].to_numpy(float) if "time_s" in ann else ann["sample"].to_numpy(float) / fs
    symbols = ann["symbol"].astype(str).to_numpy()
    inside = (times >= start) & (times < start + seconds)
    return {sym: (meaning(BEAT_CLASS.get(sym, "beat Q")), times[inside & (symbols == sym)])
            for sym in dict.fromkeys(symbols[inside])}  # fmt: skip


def _beat_label(sym: str, n: int) -> str:
    """A beat symbol's legend entry: the MIT-BIH symbol (what the annotator wrote) apart from its AAMI EC57 class (a
    grouping), with the number of such beats in the strip."""
    from wfdb.io.annotation import ann_label_table

    symbol_text = dict(zip(ann_label_table["symbol"], ann_label_table["description"], strict=True))
    cls = BEAT_CLASS.get(sym, "beat Q")
    members = ", ".join(s for s, c in BEAT_CLASS.items() if c == cls)
    return f"{sym}: {symbol_text.get(sym, 'annotation').lower()} ({n});\n   AAMI class {cls.split()[-1]} = {members}"


def _draw_strip_row(ax, t, y, a, b, low, high, lead, last=True) -> None:
    """One row of a strip: the trace from ``a`` to ``b`` seconds on ECG paper."""
    from matplotlib.ticker import FuncFormatter, MultipleLocator

    part = (t >= a - 1e-9) & (t <= b + 1e-9)
    ax.plot(t[part], y[part], color="black", lw=0.8, label="_trace")
    ax.set_xlim(a, b)
    ax.set_ylim(low, high)
    ax.set_aspect(MM_PER_MV / MM_PER_S, adjustable="box")  # 1 mV on the y axis is as long as 0.4 s on the x axis
    ax.xaxis.set_major_locator(MultipleLocator(0.2))
    ax.xaxis.set_minor_locator(MultipleLocator(0.04))
    ax.yaxis.set_major_locator(MultipleLocator(0.5))
    ax.yaxis.set_minor_locator(MultipleLocator(0.1))
    whole = FuncFormatter(lambda v, _: f"{v:g}" if abs(v - round(v)) < 1e-6 else "")
    ax.xaxis.set_major_formatter(whole)
    ax.yaxis.set_major_formatter(whole)
    ax.tick_params(which="both", length=0)
    ax.grid(False)
    ax.grid(True, which="minor", color=GRID_MINOR[0], lw=GRID_MINOR[1], zorder=0)
    ax.grid(True, which="major", color=GRID_MAJOR[0], lw=GRID_MAJOR[1], zorder=0)
    ax.set_axisbelow(True)
    for spine in ax.spines.values():
        spine.set_color(GRID_MAJOR[0])
    if last:
        ax.set_xlabel("time (s); 25 mm/s, 10 mm/mV: a small square is 0.04 s by 0.1 mV")
    ax.set_ylabel(f"{lead + ' ' if lead else ''}(mV)")


def strip_legend(axes, title: str = "annotated beats"):
    """One legend for an ECG strip (one axes or its rows), below the bottom row so that it never widens the figure:
    every labelled mark of every row, each label once. Call it again after adding marks; it replaces the last one."""
    axes = list(np.atleast_1d(axes))
    handles, labels = [], []
    for ax in axes:
        for hnd, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            if lab not in labels:
                handles.append(hnd)
                labels.append(lab)
    for ax in axes:
        if ax.get_legend() is not None:
            ax.get_legend().remove()
    bottom = axes[-1]
    height_in = bottom.get_position().height * bottom.figure.get_figheight()
    below_in = 0.45 if bottom.get_xlabel() else 0.3  # clear of the tick labels and the x label
    return bottom.legend(handles, labels, loc="upper left", bbox_to_anchor=(0, -below_in / height_in),
                         frameon=False, title=title, alignment="left")


def plot_stay_timeline(stay, source_of: dict, order: list[str], title: str = "", ax=None, colors=None):
    """Draw one ICU stay as a timeline: one row per parameter, one mark per charted value.

    ``stay`` is the long table of ONE stay (columns Time in minutes, Parameter); ``source_of`` maps
    a parameter to who or what produced it, ``order`` lists those sources top to bottom. Rows
    whose parameter has no source (e.g. the admission descriptors) are left out. Each source is drawn in its
    meaning's colour and marker (``MEANINGS``: the marker is the second cue where two sources' colours could
    merge for a colour-blind reader); a source the palette does not know is drawn neutral with a marker of its own.
    ``colors`` (a dict source -> colour) overrides the colours. The y labels give each parameter's number of values.
    """
    if stay["RecordID"].nunique() != 1:
        raise ValueError(f"expected the rows of one stay, got {stay['RecordID'].nunique()} stays")
    spare = iter(["o", "s", "^", "D", "v", "P", "X", "*"])
    look = {}
    for source in order:
        if source in COLOURS:
            m = meaning(source)
            look[source] = (m.colour, m.marker or "o")
        else:
            look[source] = (COLOURS["neutral"], next(spare, "o"))
    rows = stay.assign(source=stay["Parameter"].map(source_of)).dropna(subset=["source"])
    rank = {s: i for i, s in enumerate(order)}
    counts = rows.groupby("Parameter").size()
    params = sorted(counts.index, key=lambda p: (rank[source_of[p]], -counts[p], p))
    y = {p: i for i, p in enumerate(params)}
    if ax is None:
        _, ax = plt.subplots(figsize=(MAX_FIGURE_WIDTH - 1.5, 0.3 * len(params) + 1.6))
    for source in order:
        part = rows[rows["source"].eq(source)]
        if part.empty:
            continue
        colour, marker = look[source]
        if colors and source in colors:
            colour = colors[source]
        n_times = part["Time"].nunique()
        line = marker in ("|", "_", "x", "+")
        ax.scatter(
            part["Time"] / 60, part["Parameter"].map(y), marker=marker, s=90 if marker == "|" else 22,
            linewidths=1.4 if line else 0.4, color=colour, edgecolors=None if line else "black",
            label=f"{source} ({len(part)} values at {n_times} times)",
        )  # fmt: skip
    ax.set_yticks(range(len(params)), [f"{p} ({counts[p]})" for p in params], fontsize=MIN_FONT_SIZE)
    ax.set_ylim(len(params) - 0.5, -0.5)
    ax.grid(False, axis="y")  # the monitor's light-grey ticks would merge with row lines
    ax.set_xlim(-0.8, 48)  # a margin, so that a marker at hour 0 is not cut by the axis
    ax.set_xticks(range(0, 49, 6))
    ax.set_xlabel("hours since ICU admission")
    ax.set_ylabel("parameter (number of values)")
    # the legend goes below the axes, in two columns, so that the figure stays within MAX_FIGURE_WIDTH
    height_in = ax.get_position().height * ax.figure.get_figheight()
    ax.legend(loc="upper left", bbox_to_anchor=(0, -0.55 / height_in), ncol=2, fontsize=MIN_FONT_SIZE, frameon=False,
              title="produced by", alignment="left")  # fmt: skip
    if title:
        ax.set_title(title)
    return ax
