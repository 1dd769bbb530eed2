"""Checks for the exercises of lesson 00 (welcome): expected values come from the data.

Each exercise asks for something lesson 00 did not print (another site, another unit, a stretch of the record,
another stay), so that a number copied from the lesson cannot pass.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from .. import challenge2012, mitdb, ptbxl, sources
from ..feedback import (
    check_number,
    close,
    correct,
    describe_axes,
    empty_axes,
    exercise,
    incorrect,
    mistake_at,
    named,
)
from ._figures import unit_problem

#: The inputs the practice notebook names (the answers are computed below).
EXERCISE_SITE = 1  # exercise 1: patients recorded at this PTB-XL site
EXERCISE_ICU_TYPE = 2  # exercise 2: the death rate of this unit (Cardiac Surgery Recovery)
BEAT_WINDOW_S = 300  # exercise 3: beats annotated in the first five minutes (time_s < 300)
PLOT_ICU_TYPE = 1  # exercise 5: the first stay of this unit (Coronary Care)


@cache
def _stays_descriptors():
    stays = challenge2012.load_stays()
    return stays[stays["Time"].eq(0) & stays["Parameter"].isin(challenge2012.DESCRIPTORS)]


@cache
def _units():
    return sources.icu_types(challenge2012.load_stays())


@exercise(mistakes={
    "ecgs": "that is the number of ECGs (rows) recorded at site {site}: some of its patients had several ECGs. "
            "Count the distinct values of `patient_id` among that site's rows.",
    "all patients": "that is the number of patients of the whole slice; keep only the rows of site {site}.",
    "other site": "that is the number of patients at site {other}; the exercise asks for site {site}.",
})  # fmt: skip
def n_patients(answer):
    meta = ptbxl.load_metadata()
    at_site = meta[meta["site"].eq(EXERCISE_SITE)]
    others = [(s, g["patient_id"].nunique()) for s, g in meta.groupby("site") if s != EXERCISE_SITE]
    mistakes = [
        mistake_at("ecgs", len(at_site), site=EXERCISE_SITE),
        mistake_at("all patients", meta["patient_id"].nunique(), site=EXERCISE_SITE),
        *[mistake_at("other site", n, other=f"{s:.0f}", site=EXERCISE_SITE) for s, n in others],
    ]
    return check_number(
        answer,
        at_site["patient_id"].nunique(),
        mistakes=mistakes,
        what="a whole number of patients",
        hint=f"Keep the rows whose `site` is {EXERCISE_SITE}, then count the distinct `patient_id`s.",
    )


@exercise(mistakes={
    "all stays": "that is the death rate of all {n:,} stays; keep the stays of ICU type {unit} only.",
    "count": "that is the number of deaths in the unit; divide by the number of the unit's stays.",
    "percent": "that is a percentage; the exercise asks for a fraction between 0 and 1.",
    "survived": "that is the fraction of the unit's stays that survived to leave hospital.",
    "all denominator": "wrong denominator: you divided the unit's deaths by ALL {n:,} stays of the set. Divide by "
                       "the {k:,} stays of the unit.",
    "deaths denominator": "wrong denominator: you divided by all deaths, which says what share of the deaths "
                          "happened in this unit. Divide by the number of the unit's stays.",
    "rows denominator": "wrong denominator: you divided by a number of ROWS of `stays` (one per charted value). "
                        "Divide by the number of stays (one row per stay in `outcomes`).",
})  # fmt: skip
def death_rate(answer):
    died = challenge2012.load_outcomes()["In-hospital_death"]
    units = _units().reindex(died.index)
    in_unit = died[units.eq(EXERCISE_ICU_TYPE)]
    stays = challenge2012.load_stays()
    unit_rows = stays["RecordID"].map(_units()).eq(EXERCISE_ICU_TYPE).sum()
    return check_number(
        answer,
        in_unit.mean(),
        mistakes=[
            mistake_at("all stays", died.mean(), n=len(died), unit=EXERCISE_ICU_TYPE),
            mistake_at("count", in_unit.sum()),
            mistake_at("percent", in_unit.mean() * 100),
            mistake_at("survived", 1 - in_unit.mean()),
            mistake_at("all denominator", in_unit.sum() / len(died), n=len(died), k=len(in_unit)),
            mistake_at("deaths denominator", in_unit.sum() / died.sum()),
            mistake_at("rows denominator", in_unit.sum() / unit_rows),
            mistake_at("rows denominator", in_unit.sum() / len(stays)),
        ],
        what="a fraction between 0 and 1",
        hint=f"Find the stays whose ICUType descriptor is {EXERCISE_ICU_TYPE}, then average their "
        "`In-hospital_death` (1 = died in hospital).",
    )


@exercise(mistakes={
    "every annotation": "you counted every annotation, but not every annotation is a beat: the rhythm label `+` at "
                        "{t:.2f} s lies in this stretch. Keep the symbols in `heartdata.mitdb.BEAT_SYMBOLS`.",
    "normal only": "you counted only the normal beats (N). Premature beats are heartbeats too: count every symbol "
                   "that marks a beat.",
    "whole record": "that is the number of beats in the whole record; keep the beats of the first {s} seconds "
                    "(`time_s < {s}`).",
    "minutes": "you kept the annotations with `time_s < 5`: `time_s` is in seconds, and five minutes are {s} s.",
})  # fmt: skip
def n_beats(answer):
    ann = mitdb.load_annotations()
    is_beat = ann["symbol"].isin(mitdb.BEAT_SYMBOLS)
    early = ann["time_s"].lt(BEAT_WINDOW_S)
    rhythm = ann.loc[early & ~is_beat, "time_s"]
    mistakes = [
        mistake_at("normal only", int((early & ann["symbol"].eq("N")).sum())),
        mistake_at("whole record", int(is_beat.sum()), s=BEAT_WINDOW_S),
        mistake_at("minutes", int((is_beat & ann["time_s"].lt(BEAT_WINDOW_S / 60)).sum()), s=BEAT_WINDOW_S),
    ]
    if len(rhythm):  # the warned mistake shows only where a non-beat annotation lies in the stretch
        mistakes.insert(0, mistake_at("every annotation", int(early.sum()), t=float(rhythm.iloc[0])))
    return check_number(
        answer,
        int((early & is_beat).sum()),
        mistakes=mistakes,
        what="a whole number of beats",
        hint=f"Keep the annotations with `time_s < {BEAT_WINDOW_S}` whose symbol marks a heartbeat, and count them.",
    )


@exercise(mistakes={
    "nan": "you found no stay without a height (0), but every stay has a Height row and none of its values is empty "
           "(NaN): this dataset writes -1 when a value was not recorded. Count the -1 values instead.",
    "share": "that is the share of stays; the exercise asks for the number of stays.",
    "percent": "that is a percentage of stays; the exercise asks for the number of stays.",
    "every descriptor": "you counted the -1 values of every descriptor (weight, gender, ... too). Keep the Height "
                        "rows only.",
    "recorded": "that is the number of stays WITH a height; count those without one.",
    "implausible too": "you also counted the implausible heights. They were recorded, even if wrongly (lesson 06 "
                       "deals with them): count only the -1 values, which mean 'not recorded'.",
})  # fmt: skip
def n_height_missing(answer):
    desc = _stays_descriptors()
    height = desc.loc[desc["Parameter"].eq("Height"), "Value"]
    missing = int(height.eq(-1).sum())
    implausible = int((height.eq(-1) | (height.ne(-1) & ~height.between(100, 250))).sum())
    return check_number(
        answer,
        missing,
        mistakes=[
            mistake_at("nan", int(height.isna().sum())),
            mistake_at("share", missing / len(height)),
            mistake_at("percent", missing / len(height) * 100),
            mistake_at("every descriptor", int(desc["Value"].eq(-1).sum())),
            mistake_at("recorded", len(height) - missing),
            mistake_at("implausible too", implausible),
        ],
        what="a whole number of stays",
        hint="Select the Height rows of the descriptors and count the values that mean 'not recorded'. "
        "Implausible heights (such as 431.8 cm) were recorded, wrongly: they do not count here.",
    )


# --- figures: what a student's Axes shows (used by the figure exercises of lessons 00-03) ----------


def as_axes(answer):
    """The matplotlib Axes a figure answer stands for: an Axes, or a Figure with one Axes; else None."""
    if hasattr(answer, "get_lines") and hasattr(answer, "get_xlabel"):
        return answer
    axes = getattr(answer, "axes", None)
    if isinstance(axes, list) and len(axes) >= 1 and hasattr(axes[0], "get_lines"):
        return axes[0]
    return None


def plotted_xy(ax, with_style: bool = False) -> list:
    """Every (x, y) series drawn on ``ax``: its lines and its scatter collections; with ``with_style``, each as
    (x, y, joined) where ``joined`` says whether a line connects the points."""
    out = []
    for line in ax.get_lines():
        x, y = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
        if len(x) > 2:  # a 2-point line is a reference line (axhline, axvline), not data
            joined = line.get_linestyle() not in ("None", "none", "", " ")
            out.append((x, y, joined) if with_style else (x, y))
    for coll in ax.collections:
        offsets = np.asarray(coll.get_offsets(), float)
        if offsets.ndim == 2 and len(offsets) > 2:
            out.append((offsets[:, 0], offsets[:, 1], False) if with_style else (offsets[:, 0], offsets[:, 1]))
    return out


def bar_heights(ax) -> list[float]:
    """Heights of the bars on ``ax``, left to right (vertical bar charts)."""
    bars = [p for p in ax.patches if hasattr(p, "get_height") and hasattr(p, "get_x")]
    return [float(p.get_height()) for p in sorted(bars, key=lambda p: p.get_x())]


def bar_xy(ax) -> tuple[np.ndarray, np.ndarray] | None:
    """(centres, heights) of the upright bars on ``ax``, left to right; None if it has none."""
    bars = [p for p in ax.patches if hasattr(p, "get_height") and hasattr(p, "get_x") and hasattr(p, "get_width")]
    if not bars:
        return None
    bars.sort(key=lambda p: p.get_x())
    x = np.array([float(p.get_x()) + float(p.get_width()) / 2 for p in bars])
    return x, np.array([float(p.get_height()) for p in bars])


def hidden_by_limits(ax, x, y) -> str:
    """What the axis limits (``set_xlim``, ``set_ylim``) hide of the points (x, y), in words; '' if all are shown."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if not len(x):
        return ""
    parts, out = [], np.zeros(len(x), bool)
    for axis, v, (lo, hi) in (("x", x, ax.get_xlim()), ("y", y, ax.get_ylim())):
        lo, hi = sorted((float(lo), float(hi)))
        slack = 1e-9 * max(hi - lo, float(np.ptp(v)), 1e-12)
        beyond = (v < lo - slack) | (v > hi + slack)
        if beyond.any():
            out |= beyond
            parts.append(f"the {axis} axis shows {lo:g} to {hi:g}, the data runs from {v.min():g} to {v.max():g}")
    if not out.any():
        return ""
    hidden = f"all {len(x)} of its points" if out.all() else f"{int(out.sum())} of its {len(x)} points"
    return f"your axis limits hide {hidden} ({'; '.join(parts)})"


def same_series(x, y, want_x, want_y) -> bool:
    """True when (x, y) holds the points (want_x, want_y), in any order."""
    if len(x) != len(want_x):
        return False
    a = np.lexsort((y, x))
    b = np.lexsort((want_y, want_x))
    return bool(np.allclose(x[a], want_x[b], rtol=1e-6, atol=1e-6) and np.allclose(y[a], want_y[b], rtol=1e-6))


def missing_labels(ax, x_wants, y_wants) -> str:
    """What the axis labels lack, '' if nothing. Each of ``x_wants``/``y_wants`` is a unit (a key of
    ``_figures.UNITS``: the label must give it in any usual spelling, "Time (h)", "t / h", "Time [hrs]") or a tuple
    of words, any one of which the label must name (what a count counts: "ECG")."""
    problems = []
    for axis, label, wants in (("x", ax.get_xlabel(), x_wants), ("y", ax.get_ylabel(), y_wants)):
        if isinstance(wants, str):
            problem = unit_problem(axis, label, wants)
        elif not label.strip():
            problem = f"the {axis} axis has no label"
        elif not any(w.lower() in label.lower() for w in wants):
            problem = f"the {axis} label {label!r} does not say what it shows ({' or '.join(wants)})"
        else:
            problem = None
        if problem:
            problems.append(problem)
    return "; ".join(problems)


# --- Exercise 5: a figure of one stay's heart rate -----------------------------------------------


def plot_stay() -> int:
    """The stay exercise 5 draws: the first Coronary Care stay of set A (lesson 00 drew another, a Surgical one)."""
    units = _units()
    return int(units[units.eq(PLOT_ICU_TYPE)].index.min())


@exercise(figure=True, mistakes={
    "labels": "the data is right, but {labels}. A reader needs the quantity and its unit.",
    "minutes": "your x values are minutes (the `Time` column). Divide by 60 to plot hours since admission.",
    "other unit": "your x values are {unit} since admission (`Time` divided by {k:g}); the exercise asks for hours: "
                  "`Time / 60`.",
    "every stay": "you plotted the heart rates of every stay; keep only the rows of stay {rid}.",
    "other parameters": "your line holds {n} values, more than the {k} heart rates of stay {rid}: keep only the rows "
                        "whose Parameter is 'HR'.",
    "joined": "the points are right, but you joined them with a line: nothing was recorded between two charted "
              "values, sometimes hours apart. Draw the points only (`ax.plot(x, y, 'o')` or `ax.scatter`).",
    "lesson stay": "that is stay {other}, the one lesson 00 drew; the exercise asks for stay {rid}.",
    "bars": "you drew the {n} heart rates as bars. A bar's area suggests an amount collected over its width, but each "
            "value was measured at one moment: draw points (`ax.plot(x, y, 'o')` or `ax.scatter`).",
    "hidden": "the heart rates are plotted, but {hidden}. Remove `set_xlim`/`set_ylim`, or widen them, so that every "
              "charted value shows.",
    "extra": "the {n} heart rates of stay {rid} are there as points, but the Axes also shows {others}. The exercise "
             "asks for the charted values only, as separate points: leave out the rest.",
})  # fmt: skip
def heart_rate_plot(answer):
    ax = as_axes(answer)
    if ax is None:
        return incorrect(f"expected the matplotlib Axes you drew on (e.g. `fig, ax = plt.subplots()`), got "
                         f"{type(answer).__name__}.")  # fmt: skip
    stays = challenge2012.load_stays()
    rid = plot_stay()
    hr = stays[stays["RecordID"].eq(rid) & stays["Parameter"].eq("HR")]
    t, v = hr["Time"].to_numpy(float), hr["Value"].to_numpy(float)
    lesson_rid = int(_stays_descriptors()["RecordID"].min())
    lesson = stays[stays["RecordID"].eq(lesson_rid) & stays["Parameter"].eq("HR")]
    series = plotted_xy(ax, with_style=True)
    if not series:
        bars = bar_xy(ax)
        if bars is not None and same_series(*bars, t / 60, v):
            return close(named("bars", n=len(v)))
        if bars is not None or ax.lines or ax.collections or ax.patches or ax.images:  # an attempt: say what it is
            return incorrect(f"your Axes shows {describe_axes(ax)}, but not the {len(v)} heart rates of stay {rid} "
                             "against Time / 60 as points: draw them with `ax.plot(x, y, 'o')`.")  # fmt: skip
        return empty_axes(ax, "draw the heart rate with `ax.plot(x, y, 'o')`.")
    n_all_hr = int(stays["Parameter"].eq("HR").sum())
    right = [i for i, (x, y, _) in enumerate(series) if same_series(x, y, t / 60, v)]
    if right:  # wherever it was drawn: the order of drawing does not matter
        x, y, _ = series[right[0]]
        hidden = hidden_by_limits(ax, x, y)
        if hidden:
            return close(named("hidden", hidden=hidden))
        others = [s for i, s in enumerate(series) if i not in right]
        if others:
            said = [f"{'a line through' if j else 'points of'} {len(ox)} other values" for ox, _, j in others]
            return close(named("extra", n=len(v), rid=rid, others=" and ".join(said)))
        labels = missing_labels(ax, "hour", "per minute")
        if labels:
            return close(named("labels", labels=labels))
        if any(series[i][2] for i in right):
            return close(named("joined"))
        return correct(f"the {len(v)} heart rates of stay {rid}, in hours since admission, as separate points.")
    for x, y, _joined in series:
        if same_series(x, y, t, v):
            return close(named("minutes"))
        for unit, k in (("days", 1440), ("seconds", 1 / 60)):
            if same_series(x, y, t / k, v):
                return close(named("other unit", unit=unit, k=k))
        if same_series(x, y, lesson["Time"].to_numpy(float) / 60, lesson["Value"].to_numpy(float)):
            return close(named("lesson stay", other=lesson_rid, rid=rid))
        if len(x) == n_all_hr:
            return close(named("every stay", rid=rid))
        if len(x) > len(v) and np.isin(v, y).all():
            return close(named("other parameters", n=len(x), k=len(v), rid=rid))
    return incorrect(
        f"none of the plotted series holds the {len(v)} heart rates of stay {rid} against Time / 60. "
        "Select that stay's 'HR' rows, then plot Time / 60 against Value."
    )
