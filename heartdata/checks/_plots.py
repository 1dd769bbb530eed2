"""Judge a student's figure of rates with intervals: what was plotted, how, and whether the axes say what it is.

Used by the plotting exercises of lessons 04 and 05. The check reads the matplotlib Axes the student made: the points
and error bars of ``ax.errorbar`` (or the heights of ``ax.bar``), the axis labels and limits, and compares the plotted
values with rates computed from the data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..feedback import Feedback, Mistake, close, correct, incorrect

#: A confidence level written with a percent sign ("95% Wilson", "95 % CI", "CI 95%"): its "%" is not the axis's unit.
_LEVEL = re.compile(
    r"\d+(?:[.,]\d+)?\s*%\s*-?\s*(?=C\.I\.|(?:CI|CrI|conf\w*|interval\w*|Wilson|Newcombe|Clopper|Jeffreys|"
    r"credible|uncertainty|error|bars?|limits?)\b)"
    r"|\b(?:CI|C\.I\.|confidence|interval|Wilson|level)\s*[:=,]?\s*\d+(?:[.,]\d+)?\s*%",
    re.IGNORECASE,
)


def _says_percent(label: str) -> bool:
    """Whether an axis label gives percent as its unit: "%" or "percent" left once confidence levels are removed."""
    rest = _LEVEL.sub(" ", label)
    return "%" in rest or "percent" in rest.lower()


#: The mistakes every rate-plot exercise can name (tools/guide.py lists them under each exercise that uses
#: ``judge_rate_plot``): key -> message template.
PLOT_MISTAKES = {
    "no error bars": "the values are right, but there are no error bars: pass the Wilson interval as `yerr`.",
    "wrong interval": "the error bars are not the 95% Wilson interval. `yerr` takes the distances *from the rate* to "
    "each end: `[rate - low, high - rate]` (heartdata.stats.error_bars gives them), in the same unit as the rates.",
    "joined": "the points are joined by a line, which reads as a trend along a scale. These are separate groups: "
    "draw points only (`fmt='o'` or `linestyle='none'`).",
    "truncated axis": "the y axis starts at {bottom:g}, not 0: a truncated axis makes differences between groups look "
    "bigger than they are. Use `ax.set_ylim(bottom=0)`.",
    "unlabelled": "label the {axes} axis: say what is plotted and in which unit (%, fraction).",
    "percent label": "the values are fractions (0 to 1), but the y label says percent: label them as a fraction, or "
    "plot 100 × rate with a label in %.",
    "horizontal": "the rates are on the x axis (a horizontal plot). Put the groups on the x axis and the rate on the y "
    "axis, so that the y axis can start at 0 as the exercise asks.",
}


def _say(key: str, **values) -> Feedback:
    return close(Mistake(key, PLOT_MISTAKES[key]).say(**values))


@dataclass
class Plotted:
    x: np.ndarray
    y: np.ndarray
    low: np.ndarray | None  # error bar ends, None when the figure has no vertical error bars
    high: np.ndarray | None
    joined: bool  # the points are joined by a line


def _axes(answer):
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    if isinstance(answer, Figure):
        answer = answer.axes[0] if answer.axes else None
    if isinstance(answer, np.ndarray) and answer.size == 1:
        answer = answer.item()
    return answer if isinstance(answer, Axes) else None


def read_points(ax) -> Plotted | None:
    """Points drawn on ``ax`` (sorted by x), with their vertical error bars if any."""
    from matplotlib.container import BarContainer, ErrorbarContainer

    xs, ys, lows, highs, joined = [], [], [], [], False
    have_bars = True
    for c in ax.containers:
        if isinstance(c, ErrorbarContainer):
            line, _, barcols = c.lines
            if line is None:
                continue
            xy = np.asarray(line.get_xydata(), dtype=float)  # category labels already turned into positions
            x, y = xy[:, 0], xy[:, 1]
            joined = joined or (len(x) > 1 and line.get_linestyle() not in ("None", "none", "", " "))
            xs.extend(x)
            ys.extend(y)
            if c.has_yerr and barcols:
                segs = barcols[-1].get_segments()
                ends = {round(float(s[0][0]), 9): (min(s[0][1], s[1][1]), max(s[0][1], s[1][1])) for s in segs}
                for xi in x:
                    lo_hi = ends.get(round(float(xi), 9))
                    lows.append(np.nan if lo_hi is None else lo_hi[0])
                    highs.append(np.nan if lo_hi is None else lo_hi[1])
            else:
                have_bars = False
                lows.extend([np.nan] * len(x))
                highs.extend([np.nan] * len(x))
        elif isinstance(c, BarContainer):
            for patch in c.patches:
                xs.append(patch.get_x() + patch.get_width() / 2)
                ys.append(patch.get_height())
            if c.errorbar is not None and c.errorbar.has_yerr:
                segs = c.errorbar.lines[2][-1].get_segments()
                for s in segs:
                    lows.append(min(s[0][1], s[1][1]))
                    highs.append(max(s[0][1], s[1][1]))
            else:
                have_bars = False
                lows.extend([np.nan] * len(c.patches))
                highs.extend([np.nan] * len(c.patches))
    if not xs:  # plain ax.plot / ax.scatter: points without error bars
        for line in ax.get_lines():
            xy = np.asarray(line.get_xydata(), dtype=float)
            x, y = xy[:, 0], xy[:, 1]
            if len(x) < 2 or len(set(np.round(y, 12))) == 1:  # skip reference lines (axhline and the like)
                continue
            joined = joined or line.get_linestyle() not in ("None", "none", "", " ")
            xs.extend(x)
            ys.extend(y)
        for coll in ax.collections:
            offsets = np.asarray(coll.get_offsets(), dtype=float)
            if offsets.ndim == 2 and len(offsets):
                xs.extend(offsets[:, 0])
                ys.extend(offsets[:, 1])
        have_bars = False
        lows, highs = [np.nan] * len(xs), [np.nan] * len(xs)
    if not xs:
        return None
    order = np.argsort(np.asarray(xs, dtype=float), kind="stable")

    def arr(v):
        return np.asarray(v, dtype=float)[order]

    low, high = arr(lows), arr(highs)
    if not have_bars or np.isnan(low).all():
        low = high = None
    return Plotted(arr(xs), arr(ys), low, high, joined)


def _same(a, b, tol) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=tol, atol=tol))


def judge_rate_plot(
    answer,
    rate,
    low,
    high,
    what: str,
    mistakes=(),
    categories: bool = True,
    tol: float = 1e-6,
) -> Feedback:
    """Feedback on a plot of ``rate`` with the interval ``low``-``high`` (fractions, in x order), drawn as a fraction
    or in percent. ``mistakes`` lists (values a typical mistake plots, as fractions or counts, message).
    ``categories``: the x positions are separate groups, so joining them with a line is a named mistake."""
    ax = _axes(answer)
    if ax is None:
        return incorrect(
            f"expected the matplotlib Axes of your figure (e.g. `fig, ax = plt.subplots()` ... then `ax`), "
            f"got {type(answer).__name__}."
        )
    got = read_points(ax)
    if got is None:
        return incorrect("the Axes is empty: draw the points with `ax.errorbar(x, rate, yerr=...)` on it.")
    rate, low, high = (np.asarray(v, dtype=float) for v in (rate, low, high))
    scale = 100.0 if _same(got.y, 100 * rate, tol) else 1.0
    if not _same(got.y, scale * rate, tol):
        for values, message in mistakes:
            values = np.asarray(values, dtype=float)
            if _same(got.y, values, tol) or _same(got.y, 100 * values, tol):
                return close(message)
        if any(_same(np.sort(got.x), np.sort(k * rate), tol) for k in (1.0, 100.0)):
            return _say("horizontal")
        if len(got.y) != len(rate):
            return incorrect(f"the figure shows {len(got.y)} point(s); {what} needs {len(rate)}, one per group.")
        return incorrect(f"the plotted values are not {what}. Compute the rate per group first, then plot it.")
    if got.low is None:
        return _say("no error bars")
    if not (_same(got.low, scale * low, 1e-4) and _same(got.high, scale * high, 1e-4)):
        return _say("wrong interval")
    if categories and got.joined:
        return _say("joined")
    bottom = ax.get_ylim()[0]
    if bottom > 0:
        return _say("truncated axis", bottom=bottom)
    if not ax.get_xlabel().strip() or not ax.get_ylabel().strip():
        missing = [name for name, label in (("x", ax.get_xlabel()), ("y", ax.get_ylabel())) if not label.strip()]
        return _say("unlabelled", axes=" and ".join(missing))
    label = ax.get_ylabel()
    if scale == 1 and _says_percent(label):
        return _say("percent label")
    unit = "percent" if scale == 100 else "fractions"
    return correct(f"{what}, in {unit}, with Wilson intervals, on labelled axes starting at 0.")
