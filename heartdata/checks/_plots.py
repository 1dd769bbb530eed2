"""Judge a student's figure of rates with intervals: what was plotted, how, and whether the axes say what it is.

Used by the plotting exercises of lessons 04 and 05. The check reads the matplotlib Axes the student made: the points
and error bars of ``ax.errorbar`` (or the heights of ``ax.bar``), the axis labels and limits, and compares the plotted
values with rates computed from the data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..feedback import Feedback, Mistake, close, correct, empty_axes, incorrect

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
    "unlabelled": "label the {axes}: {say}.",
    "no unit": "the y label ({label!r}) does not say the unit: your values are {unit}, so say so ({words}).",
    "fraction label": "the values are in percent (0 to 100), but the y label ({label!r}) says {word}: label them in %, "
    "or plot the fractions.",
    "hidden": "your axis limits hide {hidden} ({detail}): a reader cannot see what is off the chart. Widen the limits "
    "so that every point and its interval is in view (the highest interval end is {top:g}).",
    "below zero": "the y axis starts at {bottom:g}, below 0: a rate cannot be negative, and the exercise asks for a "
    "y axis that starts at 0. Use `ax.set_ylim(bottom=0)`.",
    "tick labels": "the x axis does not name the groups: under the points, left to right, the tick labels read "
    "{got}, but the points are those of {want}. Label each point with its group, e.g. `ax.set_xticks(x, labels)`.",
    "bars": "the rates are right, but drawn as bars; the exercise asks for points with error bars (`ax.errorbar(x, "
    "rate, yerr=..., fmt='o')`): a bar reads as an amount piled up from 0, a point as an estimate with its interval.",
    "symmetric interval": "the error bars are not the 95% Wilson interval: they are symmetric around each rate, and "
    "the Wilson interval is not (it leans towards 0.5), so they look like the normal approximation (rate ± 1.96 "
    "standard errors). Use the Wilson interval: `stats.rate_table` gives `low` and `high`, and "
    "`stats.error_bars(table)` the distances for `yerr`.",
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
    bars: bool = False  # drawn as bars (ax.bar), not points


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

    xs, ys, lows, highs, joined, as_bars = [], [], [], [], False, False
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
            as_bars = True
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
    if not joined and len(xs) > 1:
        joined = _line_through(ax, arr(xs), arr(ys))
    return Plotted(arr(xs), arr(ys), low, high, joined, as_bars)


def _line_through(ax, x, y) -> bool:
    """Whether a line drawn apart from the error bars (a second ``ax.plot``) passes through two or more points."""
    from matplotlib.container import ErrorbarContainer

    own = set()
    for c in ax.containers:
        if isinstance(c, ErrorbarContainer):
            line, caps, _ = c.lines
            own |= {id(line), *map(id, caps)}
    span = max(float(np.ptp(y)), float(np.max(np.abs(y))), 1e-12)
    for line in ax.get_lines():
        if id(line) in own or line.get_linestyle() in ("None", "none", "", " "):
            continue
        xy = np.asarray(line.get_xydata(), dtype=float)
        if len(xy) < 2:
            continue
        hits = sum(bool(np.any(np.isclose(xy[:, 0], xi, atol=1e-9) & np.isclose(xy[:, 1], yi, atol=1e-6 * span)))
                   for xi, yi in zip(x, y, strict=True))
        if hits >= 2:
            return True
    return False


_NUM = re.compile(r"\d+(?:\.\d+)?")
_SIZE = re.compile(r"\(?\s*\bn\s*=\s*[\d,]+\s*\)?|\(?\s*[\d,]+\s+(?:stays|patients|ecgs)\s*\)?")


#: Numbers written as words in a tick label ("none", "one", "two or three", "four+").
_NUMBER_WORDS = {"zero": 0, "none": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                 "eight": 8, "nine": 9, "ten": 10}  # fmt: skip
#: Words too common among group names to tell the groups apart ("Medical ICU", "Surgical ICU").
_GENERIC = {"unit", "units", "icu", "care", "the", "of", "and", "type", "group", "intensive", "recovery"}


def _distinctive(aliases: dict) -> dict:
    """Each alias group's own words: those of its names that no other group's names use, generic words left out
    ("Cardiac Surgery Recovery Unit" -> cardiac, surgery)."""
    words = {}
    for name, key in aliases.items():
        words.setdefault(key, set()).update(w for w in re.findall(r"[a-z]+", name.lower()) if len(w) > 2)
    return {key: {w for w in ws if w not in _GENERIC and not any(w in o for k, o in words.items() if k != key)}
            for key, ws in words.items()}  # fmt: skip


def _group_key(text: str, aliases: dict) -> tuple | None:
    """What group a tick label names: the numbers in it ("2-3" -> (2, 3), "4 or more" -> (4,), "1.0" -> (1,)), in
    digits or words ("two or three" -> (2, 3), "none" -> (0,)), or a name from ``aliases`` ("Medical ICU" -> (3,)),
    whole or by its distinctive words, case aside ("Cardiac Surgery", "coronary care", "Med."); None for an empty
    label or one that names no group."""
    low = " ".join(text.lower().replace("−", "-").split())  # "Coronary\nCare Unit" is "coronary care unit"
    low = _SIZE.sub(" ", low)  # a group's size beside its name ("2-3\n(n=269)") names no group
    for name, key in aliases.items():
        if " ".join(name.lower().split()) in low:
            return key
    label_words = [w for w in re.findall(r"[a-z]+", low) if len(w) > 2]
    hits = {key for key, own in _distinctive(aliases).items()
            for w in label_words if any(d == w or (len(w) >= 3 and d.startswith(w)) for d in own)}  # fmt: skip
    if len(hits) == 1:
        return hits.pop()
    numbers = tuple(float(v) for v in _NUM.findall(low))
    if not numbers:
        numbers = tuple(float(_NUMBER_WORDS[w]) for w in re.findall(r"[a-z]+", low) if w in _NUMBER_WORDS)
    if not numbers and re.search(r"\bno\b", low):
        return (0.0,)  # "no lactate"
    return numbers or None


def _tick_texts(ax, x) -> list[str]:
    """The x tick label standing under each point, left to right ('' where no labelled tick is)."""
    ticks = {round(float(t), 9): lab.get_text() for t, lab in zip(ax.get_xticks(), ax.get_xticklabels(), strict=False)}
    return [ticks.get(round(float(xi), 9), "") for xi in x]


def _tick_keys(ax, x, aliases: dict) -> list:
    """The group each point's tick label names, left to right (None where no labelled tick stands under a point, or
    its label names no group the check can read)."""
    return [_group_key(text, aliases) for text in _tick_texts(ax, x)]


def _hidden(ax, got: Plotted) -> tuple[str, str]:
    """What the axis limits hide of the points and their intervals, in words ('' if all is in view), and where."""
    (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
    ys = [got.y] + ([got.low, got.high] if got.low is not None else [])
    y = np.vstack(ys)
    slack = 1e-9 * max(y1 - y0, 1e-12)
    out_y = ((y < y0 - slack) | (y > y1 + slack)).any(axis=0)
    out_x = (got.x < x0 - 1e-9) | (got.x > x1 + 1e-9)
    out = out_y | out_x
    if not out.any():
        return "", ""
    parts = []
    if out_y.any():
        parts.append(f"the y axis shows {y0:g} to {y1:g}, the points and intervals run from {np.nanmin(y):g} to "
                     f"{np.nanmax(y):g}")
    if out_x.any():
        parts.append(f"the x axis shows {x0:g} to {x1:g}, the points stand from {got.x.min():g} to {got.x.max():g}")
    n = len(got.x)
    what = f"all {n} points" if out.all() else f"{int(out.sum())} of the {n} points or their intervals"
    return what, "; ".join(parts)


def _same(a, b, tol) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=tol, atol=tol))


_FRACTION_WORDS = re.compile(r"fraction|proportion|share|rate|probabilit|risk|\b0\s*(?:-|–|to)\s*1\b", re.I)


def judge_rate_plot(
    answer,
    rate,
    low,
    high,
    what: str,
    mistakes=(),
    categories: bool = True,
    tol: float = 1e-6,
    groups=None,
    aliases=None,
) -> Feedback:
    """Feedback on a plot of ``rate`` with the interval ``low``-``high`` (fractions, in x order), drawn as a fraction
    or in percent. ``mistakes`` lists (values a typical mistake plots, as fractions or counts, message).
    ``categories``: the x positions are separate groups, so joining them with a line is a named mistake.
    ``groups``: the group names in the order of ``rate`` ("1", "2-3", "4 or more"): the x tick labels under the points
    must name them (by their numbers, or by a name in ``aliases``: {name: group}); groups drawn in another order with
    their ticks naming them are accepted."""
    ax = _axes(answer)
    if ax is None:
        return incorrect(
            f"expected the matplotlib Axes of your figure (e.g. `fig, ax = plt.subplots()` ... then `ax`), "
            f"got {type(answer).__name__}."
        )
    got = read_points(ax)
    if got is None:
        return empty_axes(ax, "draw the points with `ax.errorbar(x, rate, yerr=...)`.")
    rate, low, high = (np.asarray(v, dtype=float) for v in (rate, low, high))
    aliases = {k: _group_key(str(v), {}) for k, v in (aliases or {}).items()}
    want_keys = None if groups is None else [_group_key(str(g), {}) for g in groups]
    seen_keys = None if groups is None else _tick_keys(ax, got.x, aliases)
    if want_keys is not None and len(seen_keys) == len(want_keys) and seen_keys != want_keys \
            and sorted(map(str, seen_keys)) == sorted(map(str, want_keys)):
        order = [want_keys.index(k) for k in seen_keys]  # the groups drawn in another order, their ticks naming them
        moved = [v[order] for v in (rate, low, high)]
        if any(_same(got.y, k * moved[0], tol) for k in (1.0, 100.0)) and not any(
            _same(got.y, k * rate, tol) for k in (1.0, 100.0)
        ):
            rate, low, high = moved
            want_keys = seen_keys
            mistakes = [(np.asarray(v, dtype=float)[order] if np.size(v) == len(order) else v, m) for v, m in mistakes]
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
        if np.allclose(got.y - got.low, got.high - got.y, rtol=1e-6, atol=1e-9 * scale):
            return _say("symmetric interval")
        return _say("wrong interval")
    if got.bars:
        return _say("bars")
    if categories and got.joined:
        return _say("joined")
    bottom = ax.get_ylim()[0]
    if bottom > 0:
        return _say("truncated axis", bottom=bottom)
    if bottom < 0:
        return _say("below zero", bottom=bottom)
    hidden, detail = _hidden(ax, got)
    if hidden:
        return _say("hidden", hidden=hidden, detail=detail, top=float(np.max(got.high)))
    if not ax.get_xlabel().strip() or not ax.get_ylabel().strip():
        missing = [name for name, label in (("x", ax.get_xlabel()), ("y", ax.get_ylabel())) if not label.strip()]
        say = {"x": "say what the groups are", "y": "say what is plotted and in which unit (%, fraction)"}
        axes = " and ".join(missing) + (" axes" if len(missing) == 2 else " axis")
        return _say("unlabelled", axes=axes, say="; ".join(f"{a}: {say[a]}" for a in missing) if len(missing) == 2
                    else say[missing[0]])
    label = ax.get_ylabel()
    if scale == 1 and _says_percent(label):
        return _say("percent label")
    if scale == 100 and not _says_percent(label):
        word = re.search(r"fraction|proportion|probabilit\w*", label, re.I)
        if word:
            return _say("fraction label", label=label, word=f"'{word.group(0)}'")
        return _say("no unit", label=label, unit="in percent (0 to 100)", words="'%' or 'percent'")
    if scale == 1 and not _FRACTION_WORDS.search(_LEVEL.sub(" ", label)):
        return _say("no unit", label=label, unit="fractions (0 to 1)", words="'fraction', 'proportion' or 'rate'")
    note = ""
    if want_keys is not None and seen_keys != want_keys:
        texts = _tick_texts(ax, got.x)
        unread = [i for i, (k, t) in enumerate(zip(seen_keys, texts, strict=True)) if k is None and t.strip()]
        if unread and all(k is None or k == w for k, w in zip(seen_keys, want_keys, strict=True)) and \
                all(t.strip() for t in texts):
            # every point has a tick label, those the check reads name the right groups, the others it cannot read:
            # the values are in the order of the groups, so judge them, and say what was read
            said = ", ".join(repr(" ".join(texts[i].split())) for i in unread)
            note = (f" (I could not tell which group the tick label(s) {said} name, so I judged the values, which are "
                    f"those of {', '.join(map(str, groups))}, left to right: make sure the labels say so.)")
        else:
            def name(k, text):
                if k is not None:
                    return "'" + "-".join(f"{v:g}" for v in k) + "'"
                return f"{' '.join(text.split())!r} (a label I cannot read as a group)" if text.strip() else "no label"

            got_names = ", ".join(name(k, t) for k, t in zip(seen_keys, texts, strict=True))
            return _say("tick labels", got=got_names, want=", ".join(map(str, groups)))
    unit = "percent" if scale == 100 else "fractions"
    return correct(f"{what}, in {unit}, with Wilson intervals, on labelled axes starting at 0.{note}")
